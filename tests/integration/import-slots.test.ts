/**
 * Pending-import slots (issue 17, low: "one school can push out other schools' pending
 * imports"): each school holds at most MAX_FILES_PER_SCHOOL checked files, its own oldest
 * going first, and the global cap takes from the school holding the most. Before, 20
 * slots were shared oldest-first: 20 uploads by one school dropped every other school's
 * checked file, and their commit then asked them to upload again.
 */
import { Types } from 'mongoose';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_FILES, MAX_FILES_PER_SCHOOL } from '~/utils/members/member-import-job-memory.server';
import { getJob, putUpload } from '~/utils/members/member-import-jobs.server';

const summary = { rows: 1, toCreate: 1, toUpdate: 0, unchanged: 0 };

function upload(schoolId: string, userId: string, name: string) {
  return putUpload({
    userId,
    schoolId,
    schoolName: `Trường ${schoolId.slice(-4)}`,
    kind: 'members',
    filename: name,
    buffer: Buffer.from(name),
    ok: true,
    summary,
    problems: [],
  });
}

const held = async (token: string, userId: string) => (await getJob(token, { id: userId }))!.fileHere;

beforeEach(() => {
  // The process's held files (kept on globalThis by the module): each test starts empty.
  const g = globalThis as { __memberImportJobs?: { files: Map<string, unknown> } };
  g.__memberImportJobs?.files.clear();
});

describe('pending-import slots per school', () => {
  it('has 3 slots per school and 20 in all', () => {
    expect(MAX_FILES_PER_SCHOOL).toBe(3);
    expect(MAX_FILES).toBe(20);
  });

  it("school A filling its slots and more does not drop school B's pending import", async () => {
    const [schoolA, schoolB, userA, userB] = [1, 2, 3, 4].map(() => new Types.ObjectId().toString());
    const tokenB = await upload(schoolB, userB, 'b.xlsx');
    const tokensA: string[] = [];
    // More uploads than the whole store holds (20 before, and now).
    for (let i = 0; i < 25; i++) tokensA.push(await upload(schoolA, userA, `a-${i}.xlsx`));

    expect(await held(tokenB, userB)).toBe(true);
    // A keeps its newest few; its older uploads went first.
    const keptA = [];
    for (const t of tokensA) keptA.push(await held(t, userA));
    expect(keptA.filter(Boolean)).toHaveLength(MAX_FILES_PER_SCHOOL);
    expect(keptA.slice(-MAX_FILES_PER_SCHOOL)).toEqual(Array(MAX_FILES_PER_SCHOOL).fill(true));
  });

  it('over the global cap, the school holding the most gives up its oldest, not a school with one', async () => {
    const single = new Types.ObjectId().toString();
    const user = new Types.ObjectId().toString();
    const tokenSingle = await upload(single, user, 'single.xlsx');
    // 7 schools × 3 files: one more than the 20 held in all.
    const schools = Array.from({ length: 7 }, () => new Types.ObjectId().toString());
    const tokens: string[] = [];
    for (const school of schools)
      for (let i = 0; i < 3; i++) tokens.push(await upload(school, user, `f-${i}.xlsx`));

    expect(await held(tokenSingle, user)).toBe(true);
    let count = 1;
    for (const t of tokens) if (await held(t, user)) count += 1;
    expect(count).toBe(MAX_FILES);
    // The one newest upload is always kept.
    expect(await held(tokens.at(-1)!, user)).toBe(true);
  });
});
