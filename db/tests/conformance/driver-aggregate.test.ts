/**
 * The aggregation stages the app uses, through the bare driver.
 */
import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTarget, type Target } from './target.ts';

let target: Target;
let db: Db;

const members = [
  { _id: 1, name: 'An', school: 's1', stage: 'member', gpa: 3.4, awards: ['a', 'b'] },
  { _id: 2, name: 'Bình', school: 's1', stage: 'dossier', gpa: 2.9, awards: [] },
  { _id: 3, name: 'Chi', school: 's2', stage: 'member', gpa: 3.8, awards: ['c'] },
  { _id: 4, name: 'Dũng', school: 's2', stage: 'probation', gpa: 3.1, awards: ['d'] },
  { _id: 5, name: 'Em', school: 's2', stage: 'member', gpa: 2.2, awards: [] },
];

beforeAll(async () => {
  target = await openTarget('aggregate');
  db = (await target.client()).db(target.dbName);
  await db.collection('members').insertMany(members as never[]);
  await db.collection('schools').insertMany([
    { _id: 's1', name: 'ĐH Phạm Văn Đồng' },
    { _id: 's2', name: 'THPT Lê Khiết' },
  ] as never[]);
});
afterAll(async () => target?.close());

const aggregate = (pipeline: object[]) => db.collection('members').aggregate(pipeline).toArray();

describe('aggregation', () => {
  it('$match, $group, $sort', async () => {
    const rows = await aggregate([
      { $match: { gpa: { $gte: 2.5 } } },
      { $group: { _id: '$school', n: { $sum: 1 }, best: { $max: '$gpa' } } },
      { $sort: { _id: 1 } },
    ]);
    expect(rows).toEqual([
      { _id: 's1', n: 2, best: 3.4 },
      { _id: 's2', n: 2, best: 3.8 },
    ]);
  });

  it('$project and $addFields', async () => {
    const rows = await aggregate([
      { $match: { _id: { $in: [1, 2] } } },
      { $addFields: { awardCount: { $size: '$awards' } } },
      { $project: { _id: 0, name: 1, awardCount: 1, good: { $gte: ['$gpa', 3.2] } } },
      { $sort: { name: 1 } },
    ]);
    expect(rows).toEqual([
      { name: 'An', awardCount: 2, good: true },
      { name: 'Bình', awardCount: 0, good: false },
    ]);
  });

  it('$lookup and $unwind', async () => {
    const rows = await aggregate([
      { $match: { _id: { $in: [1, 3] } } },
      { $lookup: { from: 'schools', localField: 'school', foreignField: '_id', as: 'schoolDoc' } },
      { $unwind: '$schoolDoc' },
      { $project: { _id: 0, name: 1, schoolName: '$schoolDoc.name' } },
      { $sort: { name: 1 } },
    ]);
    expect(rows).toEqual([
      { name: 'An', schoolName: 'ĐH Phạm Văn Đồng' },
      { name: 'Chi', schoolName: 'THPT Lê Khiết' },
    ]);
    const awards = await aggregate([{ $unwind: '$awards' }, { $count: 'n' }]);
    expect(awards).toEqual([{ n: 4 }]);
  });

  it('$facet with $count', async () => {
    const [facets] = await aggregate([
      {
        $facet: {
          total: [{ $count: 'n' }],
          page: [{ $sort: { gpa: -1 } }, { $limit: 2 }, { $project: { _id: 1 } }],
          byStage: [{ $group: { _id: '$stage', n: { $sum: 1 } } }, { $sort: { _id: 1 } }],
        },
      },
    ]);
    expect(facets).toEqual({
      total: [{ n: 5 }],
      page: [{ _id: 3 }, { _id: 1 }],
      byStage: [
        { _id: 'dossier', n: 1 },
        { _id: 'member', n: 3 },
        { _id: 'probation', n: 1 },
      ],
    });
  });

  it('$bucket', async () => {
    const rows = await aggregate([
      {
        $bucket: {
          groupBy: '$gpa',
          boundaries: [0, 2.5, 3.2, 4.01],
          default: 'other',
          output: { n: { $sum: 1 } },
        },
      },
    ]);
    expect(rows).toEqual([
      { _id: 0, n: 1 },
      { _id: 2.5, n: 2 },
      { _id: 3.2, n: 2 },
    ]);
  });

  it('countDocuments runs as an aggregation', async () => {
    expect(await db.collection('members').countDocuments({ stage: 'member' })).toBe(3);
    expect(await db.collection('members').countDocuments({}, { skip: 1, limit: 2 })).toBe(2);
  });
});
