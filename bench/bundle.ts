/**
 * First-load JavaScript of /login and /members, gzipped: the production build behind
 * Express on a random port, a signed-in province user, and for each page the sum of the
 * gzipped sizes (zlib level 6, as the `compression` middleware sends them) of every JS
 * module the served HTML loads — its `<link rel="modulepreload">` links and the entry
 * `import()`s of the inline boot script. Also prints the HTML document's own gzipped size,
 * since data the page needs (e.g. the active message catalogue) travels there instead.
 *
 * Not a test. Needs `npx remix vite:build` first (`npm run bench:bundle` does both).
 *   node --import tsx bench/bundle.ts
 */
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { benchSignIn, startBenchApp } from './http-app.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** Every JS module URL the document asks for before it is interactive. */
export function firstLoadModules(html: string): string[] {
  const urls = new Set<string>();
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) urls.add(m[1]);
  for (const m of html.matchAll(/<link[^>]*href="([^"]+)"[^>]*rel="modulepreload"/g)) urls.add(m[1]);
  for (const m of html.matchAll(/import\s*(?:\(\s*)?["'](\/assets\/[^"']+\.js)["']/g)) urls.add(m[1]);
  return [...urls].filter((u) => u.endsWith('.js'));
}

async function measure(base: string, page: string, cookie?: string) {
  const response = await fetch(`${base}${page}`, { headers: cookie ? { Cookie: cookie } : {} });
  if (response.status !== 200) throw new Error(`${page}: HTTP ${response.status}`);
  const html = await response.text();
  const modules = firstLoadModules(html);
  if (modules.length === 0) throw new Error(`${page}: no JS modules found in the HTML`);
  let raw = 0;
  let gz = 0;
  for (const url of modules) {
    const bytes = await readFile(path.join(ROOT, 'build', 'client', url));
    raw += bytes.length;
    gz += gzipSync(bytes, { level: 6 }).length;
  }
  return { page, modules: modules.length, raw, gz, html: gzipSync(html, { level: 6 }).length };
}

async function main() {
  const { connectDatabase } = await import('../db/connect.server.ts');
  const { seedDatabase } = await import('../seed/seed.server.ts');
  const db = await connectDatabase({ dataDir: null });
  let server: Server | undefined;
  try {
    await seedDatabase({ members: 200, seed: 1 });
    const app = await startBenchApp(db.kind);
    server = app.server;
    const cookie = await benchSignIn(app.base, 'tinhdoan@demo.vn');
    const rows = [await measure(app.base, '/login'), await measure(app.base, '/members', cookie)];
    console.log(
      `${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? '?'} ×${cpus().length}, ` +
        `${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}\n`,
    );
    console.log('| Page | JS modules | JS raw | JS gzipped | HTML gzipped |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const r of rows)
      console.log(`| \`${r.page}\` | ${r.modules} | ${kb(r.raw)} | ${kb(r.gz)} | ${kb(r.html)} |`);
  } finally {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await db.close();
  }
}

await main();
process.exit(0);
