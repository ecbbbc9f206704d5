/**
 * Official documents (issue 20: "one document ≤ 300 ms; a batch of 50 candidates ≤ 5 s").
 * Builds and renders, in this process, after one warm-up document per format:
 *  - every form for one candidate, R rounds, each format: the time of one document
 *    (build + render), p50 / p95 / max;
 *  - the batch decision (9-KNĐ) of 50 candidates as one file, each format;
 *  - the same 50 candidates' own decisions, one file each, both formats (the heaviest
 *    reading of "the documents of a batch").
 *
 *   node --import tsx bench/documents.ts [--rounds 5] [--batch 50]
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { FORM_CODES, buildBatch, buildDocument, type BuildResult } from '../app/domain/documents/index.ts';
import { renderDocument, type DocumentFormat } from '../app/utils/documents/render.server.ts';
import { batchInputs, documentInput } from '../tests/fixtures/documents.ts';
import { quantile } from './stats.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const ROUNDS = Number(args.get('rounds') ?? 5);
const BATCH = Number(args.get('batch') ?? 50);
const FORMATS: DocumentFormat[] = ['pdf', 'docx'];
const qr = { url: 'https://dvut.example/verify/Xk3p9QwErTy7Lm2N' };
const footer = 'Xác thực: https://dvut.example/verify/Xk3p9QwErTy7Lm2N · SHA-256 3f2a9c0d…';
const ms = (n: number) => `${n.toFixed(0)} ms`;

function doc(r: BuildResult) {
  if (!r.ok) throw new Error(r.refusal.message.en);
  return r.doc;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

console.log(
  `node ${process.version}, ${cpus().length} CPUs, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
for (const f of FORMATS)
  await renderDocument(doc(buildDocument('9-KNĐ', documentInput())), f, { qr, footer });

let failed = false;
for (const format of FORMATS) {
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++)
    for (const form of FORM_CODES)
      times.push(
        await timed(() => renderDocument(doc(buildDocument(form, documentInput())), format, { qr, footer })),
      );
  times.sort((a, b) => a - b);
  const p95 = quantile(times, 0.95);
  failed ||= p95 > 300;
  console.log(
    `one document, ${format}: p50 ${ms(quantile(times, 0.5))}, p95 ${ms(p95)}, max ${ms(times.at(-1)!)} (${times.length} documents, target ≤ 300 ms)`,
  );
}

const inputs = batchInputs(BATCH);
for (const format of FORMATS) {
  const t = await timed(() => renderDocument(doc(buildBatch('9-KNĐ', inputs)), format, { qr, footer }));
  failed ||= t > 5000;
  console.log(`batch decision of ${BATCH} candidates, one ${format}: ${ms(t)} (target ≤ 5 s)`);
}
const each = await timed(async () => {
  for (const input of inputs)
    for (const format of FORMATS)
      await renderDocument(doc(buildDocument('9-KNĐ', input)), format, { qr, footer });
});
failed ||= each > 5000;
console.log(
  `${BATCH} candidates' own decisions, pdf + docx each (${BATCH * 2} files): ${ms(each)} (target ≤ 5 s)`,
);
if (failed) process.exitCode = 1;
