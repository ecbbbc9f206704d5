/**
 * The worker thread's code as one plain JavaScript module, so the thread needs no
 * TypeScript loader: on Node 20, tsx can only reach a worker by registering its
 * loader hooks there, which starts another hooks thread (~15-20 MB of RSS, and
 * start-up time). Built with the esbuild that tsx itself uses (so no new
 * dependency), packages left as imports of their resolved files.
 */
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
 * The bundled worker entry (`main.ts`), built once per process and written to a
 * new private directory (mode 0700, so no other user can swap the code we load);
 * call `remove` once the worker has loaded it.
 */
export async function workerBundle(): Promise<{ url: URL; remove(): void }> {
  built ??= build().catch((error: unknown) => {
    built = undefined;
    throw error;
  });
  const code = await built;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mongo-worker-'));
  const file = path.join(dir, 'worker.mjs');
  fs.writeFileSync(file, code, { mode: 0o600 });
  return {
    url: pathToFileURL(file),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
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
