/**
 * Import benchmark (design.md: "import of a 5,000-row .xlsx, validated,
 * idempotent ≤ 10 s"). Builds a members .xlsx, then times dryRun + commitImport
 * into an in-memory embedded database, twice: the second run must create nothing.
 * Then a copy with every name changed (every member updated), and the same for one
 * term of academic results. Each commit is one transaction with one audit event per
 * member (decision 020): the events are counted, and the audit log must be complete.
 *
 *   node --import tsx bench/import.ts [--rows 5000] [--members N] [--data-dir DIR]
 *
 * `--members N` first seeds the demo province with N members (other schools), so the
 * import runs against a full database (its lookups and unique checks at that size).
 * `--data-dir DIR` (an empty directory) journals every commit to disk as the app does.
 */
import { performance } from 'node:perf_hooks';
import { cpus, loadavg } from 'node:os';
import ExcelJS from 'exceljs';
import mongoose, { Types } from 'mongoose';
import { connectDatabase } from '../db/connect.server.ts';
import { verifyAudit } from '../app/utils/audit/audit-verify.server.ts';
import { MEMBER_HEADER, RESULT_HEADER } from '../tests/fixtures/member-sheet.ts';
import { provinceAndUniversity } from '../tests/fixtures/units.ts';
import type { ImportKind } from '../app/domain/member-import/types.ts';
import { commitImport } from '../app/utils/members/member-import-commit.server.ts';
import { dryRun } from '../app/utils/members/member-import-dry-run.server.ts';
import { AuditEvent } from '../models/audit-event.ts';
import { Member } from '../models/member.ts';
import { Unit } from '../models/unit.ts';
import { seedDatabase } from '../seed/seed.server.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const ROWS = Number(args.get('rows') ?? 5_000);
const MEMBERS = Number(args.get('members') ?? 0);
const DATA_DIR = args.get('data-dir') ?? null;
const BRANCHES = 40;
const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Huỳnh', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ'];
const MIDDLE = ['Thị', 'Văn', 'Ngọc', 'Hoàng', 'Minh', 'Thanh'];
const GIVEN = [
  'Ánh',
  'Bình',
  'Châu',
  'Dũng',
  'Đức',
  'Giang',
  'Hà',
  'Khánh',
  'Linh',
  'Nhung',
  'Phúc',
  'Quân',
  'Tâm',
  'Uyên',
  'Vy',
];

async function membersXlsx(rows: number, renamed = false): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Đoàn viên');
  ws.addRow(MEMBER_HEADER);
  for (let i = 0; i < rows; i++) {
    ws.addRow([
      `22${String(i).padStart(8, '0')}`,
      `${FAMILY[i % 10]} ${MIDDLE[i % 6]} ${renamed ? 'Hoài ' : ''}${GIVEN[i % 15]}`,
      // Half typed text, half real Excel date cells, as real files mix them.
      i % 2
        ? `${String((i % 28) + 1).padStart(2, '0')}/${String((i % 12) + 1).padStart(2, '0')}/2005`
        : new Date(Date.UTC(2005, i % 12, (i % 28) + 1)),
      i % 2 ? 'Nữ' : 'Nam',
      `sv${i}@pvd.edu.vn`,
      `09${String(i).padStart(8, '0')}`,
      `BENCH-B${i % BRANCHES}`,
      '26/03/2021',
      `TD${i}`,
      'Kinh',
      'Không',
      `0512050${String(i).padStart(5, '0')}`,
    ]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function resultsXlsx(rows: number): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Kết quả học tập');
  ws.addRow(RESULT_HEADER);
  for (let i = 0; i < rows; i++)
    ws.addRow([
      `22${String(i).padStart(8, '0')}`,
      '2024-2025',
      1,
      4,
      Math.round((2 + (i % 200) / 100) * 100) / 100,
      60 + (i % 40),
    ]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const ms = (n: number) => `${Math.round(n).toLocaleString('en')} ms`;
const mb = () => Math.round(process.memoryUsage().rss / 1024 / 1024);

/** Wall time, plus CPU time of this process (app and embedded server share it): the machine is often shared, and CPU time says what the import itself costs. */
async function timed<T>(fn: () => Promise<T>): Promise<[T, number, number]> {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return [value, performance.now() - t, (used.user + used.system) / 1000];
}

async function main() {
  const handle = await connectDatabase({ dataDir: DATA_DIR, dbName: 'bench-import' });
  try {
    await Member.syncIndexes();
    if (MEMBERS > 0) {
      const t0 = performance.now();
      await seedDatabase({ members: MEMBERS, seed: 1 });
      console.error(
        `[import] seeded ${MEMBERS} members in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
    const province = new Types.ObjectId();
    const school = new Types.ObjectId();
    await Unit.create([
      ...provinceAndUniversity(province, school, {
        province: ['Tỉnh đoàn (bench)', 'BENCH-QN'],
        school: ['Trường (bench)', 'BENCH-S'],
      }),
      ...Array.from({ length: BRANCHES }, (_, b) => ({
        name: `Chi đoàn bench ${b}`,
        code: `BENCH-B${b}`,
        kind: 'branch' as const,
        parentId: school,
        ancestors: [province, school],
        schoolKind: 'university' as const,
        schoolId: school,
      })),
    ]);

    const t = performance.now();
    const members = await membersXlsx(ROWS);
    const renamed = await membersXlsx(ROWS, true);
    const results = await resultsXlsx(ROWS);
    console.log(
      `Built ${ROWS} rows: members .xlsx ${(members.length / 1024).toFixed(0)} KB, results .xlsx ${(results.length / 1024).toFixed(0)} KB in ${ms(performance.now() - t)}`,
    );

    const lines: string[] = [];
    let failed = false;
    const run = async (
      label: string,
      kind: ImportKind,
      buffer: Buffer,
      expect: { create: number; update: number },
    ) => {
      const input = { kind, schoolId: school, buffer, filename: `${kind}.xlsx` };
      const [dry, dryMs, dryCpu] = await timed(() => dryRun(input));
      // From the first progress report (the re-check done, inside the transaction) to the commit's end.
      let writingFrom = 0;
      const [commit, commitMs, commitCpu] = await timed(() =>
        commitImport({
          ...input,
          onProgress: (done) => {
            if (done === 0) writingFrom = performance.now();
          },
        }),
      );
      const writingMs = writingFrom ? performance.now() - writingFrom : 0;
      const ok =
        dry.ok &&
        commit.ok &&
        commit.summary.toCreate === expect.create &&
        commit.summary.toUpdate === expect.update;
      failed ||= !ok || dryMs + commitMs > 10_000;
      lines.push(
        `| ${label} | ${ms(dryMs)} | ${ms(commitMs)} | ${ms(writingMs)} | **${ms(dryMs + commitMs)}** | ${ms(dryCpu + commitCpu)} | ${commit.summary.toCreate} / ${commit.summary.toUpdate} / ${commit.summary.unchanged} | ${commit.written} | ${mb()} MB |`,
      );
      if (!ok)
        console.error(
          label,
          JSON.stringify({ dry: dry.summary, commit: commit.summary, problems: commit.problems.slice(0, 5) }),
        );
    };

    await run(`members, first import (${ROWS} rows)`, 'members', members, { create: ROWS, update: 0 });
    await run('members, same file again', 'members', members, { create: 0, update: 0 });
    await run('members, every name changed', 'members', renamed, { create: 0, update: ROWS });
    await run(`results, first import (${ROWS} terms)`, 'results', results, { create: ROWS, update: 0 });
    await run('results, same file again', 'results', results, { create: 0, update: 0 });

    const count = await Member.countDocuments({ schoolId: school });
    const terms = await Member.countDocuments({
      schoolId: school,
      'academicTerms.0': mongoose.trusted({ $exists: true }),
    });
    console.log(
      `\nImport benchmark, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, embedded server ${DATA_DIR ? `with a data directory (${DATA_DIR})` : 'in memory'}\n`,
    );
    console.log(
      `Load average at the end: ${loadavg()
        .map((n) => n.toFixed(1))
        .join(' ')}\n`,
    );
    console.log(
      '| run | dry run | commit (one transaction: re-validates + writes) | of which writes + events + commit | total (wall) | total CPU | created / updated / unchanged | written | RSS |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const line of lines) console.log(line);
    // Created, renamed, one term added: three versions, three events per member.
    const events = await AuditEvent.countDocuments({
      action: 'member.import',
      entity: 'Member',
      unitId: school,
    });
    const [audit, verifyMs] = await timed(() => verifyAudit());
    console.log(
      `\nMembers in the school: ${count} (expected ${ROWS}); members with a term: ${terms}; member.import events: ${events} (expected ${3 * ROWS}). Audit log complete: ${audit.ok} (${audit.gapCount} gaps, checked in ${ms(verifyMs)}). Target: total ≤ 10 s per run.`,
    );
    if (count !== ROWS || events !== 3 * ROWS || !audit.ok || failed) process.exitCode = 1;
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
