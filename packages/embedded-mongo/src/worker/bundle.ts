/**
 * The worker thread's code as one plain JavaScript module, so the thread needs no
 * TypeScript loader: on Node 20, tsx can only reach a worker by registering its
 * loader hooks there, which starts another hooks thread (~15-20 MB of RSS, and
 * start-up time). Built with the esbuild that tsx itself uses (so no new
 * dependency), packages left as imports of their resolved files.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface EsbuildPlugin {
  name: string;
  setup(build: {
    onResolve(
      options: { filter: RegExp },
      callback: (args: { path: string; resolveDir: string }) => { path?: string; external?: boolean },
    ): void;
  }): void;
}
interface Esbuild {
  build(options: Record<string, unknown> & { plugins?: EsbuildPlugin[] }): Promise<{
    outputFiles: { text: string }[];
  }>;
  stop(): Promise<void> | void;
}

const builtins = new Set(builtinModules);

/** A package import as the URL of the file it resolves to (ESM conditions when available). */
function resolvePackage(specifier: string, resolveDir: string): string {
  const resolve = (import.meta as { resolve?: (s: string) => string }).resolve;
  if (typeof resolve === 'function') {
    try {
      return resolve(specifier);
    } catch {
      // fall through to CommonJS resolution
    }
  }
  return pathToFileURL(createRequire(path.join(resolveDir, 'noop.js')).resolve(specifier)).href;
}

let built: Promise<string> | undefined;

/**
 * Where built bundles are kept between processes: next to the package's sources, so
 * that whoever can change the cached code could change the sources as well. Used only
 * when that directory belongs to this user and nobody else can write to it.
 */
const CACHE_DIR = fileURLToPath(new URL('../../.cache/worker/', import.meta.url));

/**
 * The bundled worker entry (`main.ts`). A bundle built for the same sources, packages
 * and working directory is reused from the cache (building takes 150-200 ms of every
 * start: esbuild's process, then the build); otherwise it is built once per process,
 * kept in the cache, or written to a new private directory (mode 0700, so no other
 * user can swap the code we load) when there is no safe cache. Call `remove` once the
 * worker has loaded it.
 */
export async function workerBundle(
  cacheDir: string | null = CACHE_DIR,
): Promise<{ url: URL; remove(): void }> {
  const cached = cacheDir === null ? null : cacheFile(cacheDir);
  if (cached && fs.existsSync(cached)) return { url: pathToFileURL(cached), remove: () => undefined };
  built ??= build().catch((error: unknown) => {
    built = undefined;
    throw error;
  });
  const code = await built;
  if (cached && keep(cached, code)) return { url: pathToFileURL(cached), remove: () => undefined };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mongo-worker-'));
  const file = path.join(dir, 'worker.mjs');
  fs.writeFileSync(file, code, { mode: 0o600 });
  return {
    url: pathToFileURL(file),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The cache file for the current inputs, or null when the cache directory cannot be
 * made safe. The name is a hash of every source file of the package (path and bytes),
 * the installed packages (the bundle imports them by resolved path), esbuild's version
 * and the working directory (the source map's root).
 */
function cacheFile(dir: string): string | null {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.statSync(dir);
    const uid = process.getuid?.();
    if (uid !== undefined && st.uid !== uid) return null;
    if ((st.mode & 0o022) !== 0) return null;
    const hash = createHash('sha256');
    const src = fileURLToPath(new URL('../', import.meta.url));
    for (const file of sourceFiles(src))
      hash.update(file).update('\0').update(fs.readFileSync(file)).update('\0');
    hash
      .update(installedPackages(src))
      .update('\0')
      .update(esbuildVersion())
      .update('\0')
      .update(process.cwd());
    return path.join(dir, `worker-${hash.digest('hex').slice(0, 32)}.mjs`);
  } catch {
    return null;
  }
}

/** Every file under `dir`, sorted. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.isFile()) out.push(full);
  }
  return out.sort();
}

/** npm's record of the installed tree nearest above `from` (changes on every install), as its path, size and time. */
function installedPackages(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const lock = path.join(dir, 'node_modules', '.package-lock.json');
    if (fs.existsSync(lock)) {
      const st = fs.statSync(lock);
      return `${fs.realpathSync(lock)}:${st.size}:${st.mtimeMs}`;
    }
    if (path.dirname(dir) === dir) return '';
  }
}

function esbuildVersion(): string {
  const require = createRequire(import.meta.url);
  const pkg = createRequire(require.resolve('tsx/package.json')).resolve('esbuild/package.json');
  return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version;
}

/**
 * Writes a built bundle to the cache (a temporary name, then a rename, so a process
 * starting at the same moment reads a whole file or none) and removes older bundles.
 * False when it cannot.
 */
function keep(file: string, code: string): boolean {
  try {
    const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
    fs.writeFileSync(temp, code, { mode: 0o600 });
    fs.renameSync(temp, file);
    const dir = path.dirname(file);
    const day = 24 * 60 * 60 * 1000;
    for (const name of fs.readdirSync(dir)) {
      const other = path.join(dir, name);
      // A process started from other sources may be about to load its bundle: only old files go.
      if (other !== file && Date.now() - fs.statSync(other).mtimeMs > day) fs.rmSync(other, { force: true });
    }
    return true;
  } catch {
    return false;
  }
}

async function build(): Promise<string> {
  const require = createRequire(import.meta.url);
  const esbuild = require(createRequire(require.resolve('tsx/package.json')).resolve('esbuild')) as Esbuild;
  const entry = fileURLToPath(new URL('./main.ts', import.meta.url));
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Stack traces name the TypeScript sources under `node --enable-source-maps`.
    sourcemap: 'inline',
    // Map sources to the real files, not next to the temporary bundle.
    sourceRoot: pathToFileURL(process.cwd() + path.sep).href,
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'packages-by-url',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) => {
            if (args.path.startsWith('node:') || builtins.has(args.path)) return { external: true };
            return { path: resolvePackage(args.path, args.resolveDir), external: true };
          });
        },
      },
    ],
  });
  // The esbuild service process is not needed any more (tsx starts its own when it needs one).
  await esbuild.stop();
  return result.outputFiles[0].text;
}
