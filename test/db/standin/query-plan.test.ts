import { ObjectId } from 'bson';
import { Catalog } from '../../../src/db/standin/catalog';
import type { Collection } from '../../../src/db/standin/collection';
import { pipelineInput } from '../../../src/db/standin/commands/aggregate';
import { describePlan } from '../../../src/db/standin/query-plan';
import { runQuery } from '../../../src/db/standin/query-run';

const DAY = 86_400_000;
const start = Date.UTC(2024, 0, 1);

/** 1,000 reports: 10 a day for 100 days, spread over 5 courtyards. */
function reports(): Collection {
  const coll = new Catalog().ensure('db', 'reports');
  for (let i = 0; i < 1000; i++) {
    coll.insert({ _id: new ObjectId(), courtyard: `C${i % 5}`, at: new Date(start + Math.floor(i / 10) * DAY + (i % 10) * 1000), tags: [`t${i % 3}`] });
  }
  return coll;
}

const week = { $gte: new Date(start + 10 * DAY), $lt: new Date(start + 17 * DAY) };

describe('index selection', () => {
  it('a range on an indexed date reads only the documents in range', () => {
    const coll = reports();
    const scan = runQuery(coll, { filter: { at: week } });
    expect(scan.rids).toHaveLength(70);
    expect(scan.docsExamined).toBe(1000);

    coll.addIndex({ key: { at: 1 }, name: 'at_1' });
    const indexed = runQuery(coll, { filter: { at: week } });
    expect(indexed.rids).toHaveLength(70);
    expect(describePlan(indexed.plan)).toMatchObject({ stage: 'IXSCAN', indexName: 'at_1' });
    expect(indexed.docsExamined).toBe(70);
    expect(indexed.keysExamined).toBe(70);
  });

  it('prefers the compound index that fixes the courtyard and bounds the date', () => {
    const coll = reports();
    coll.addIndex({ key: { at: 1 }, name: 'at_1' });
    coll.addIndex({ key: { courtyard: 1, at: 1 }, name: 'courtyard_1_at_1' });
    const r = runQuery(coll, { filter: { courtyard: 'C3', at: week } });
    expect(r.rids).toHaveLength(14);
    expect(describePlan(r.plan)).toMatchObject({ indexName: 'courtyard_1_at_1' });
    expect(r.docsExamined).toBe(14);
  });

  it('answers $in with one index range per value', () => {
    const coll = reports();
    coll.addIndex({ key: { courtyard: 1 }, name: 'courtyard_1' });
    const r = runQuery(coll, { filter: { courtyard: { $in: ['C1', 'C4'] } } });
    expect(r.rids).toHaveLength(400);
    expect(r.docsExamined).toBe(400);
  });

  it('walks an index in sort order and stops at the limit', () => {
    const coll = reports();
    coll.addIndex({ key: { at: 1 }, name: 'at_1' });
    const r = runQuery(coll, { sort: { at: -1 }, limit: 5 });
    expect(r.plan.sorted).toBe(true);
    expect(r.keysExamined).toBeLessThanOrEqual(6);
    const times = r.rids.map((rid) => (coll.decode(rid)!.at as Date).getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(times[0]).toBe(start + 99 * DAY + 9000);
  });

  it('sorts in memory when no index gives the order, with the same result', () => {
    const coll = reports();
    const r = runQuery(coll, { filter: { courtyard: 'C2' }, sort: { at: -1 }, skip: 1, limit: 3 });
    expect(r.plan.sorted).toBe(false);
    const times = r.rids.map((rid) => (coll.decode(rid)!.at as Date).getTime());
    expect(times).toEqual([start + 99 * DAY + 2000, start + 98 * DAY + 7000, start + 98 * DAY + 2000]);
  });

  it('uses one index per branch of a top-level $or', () => {
    const coll = reports();
    coll.addIndex({ key: { at: 1 }, name: 'at_1' });
    coll.addIndex({ key: { courtyard: 1 }, name: 'courtyard_1' });
    const r = runQuery(coll, { filter: { $or: [{ at: week }, { courtyard: 'C0' }] } });
    expect(describePlan(r.plan)).toMatchObject({ stage: 'OR' });
    expect(r.rids).toHaveLength(70 + 200 - 14);
    expect(r.docsExamined).toBe(70 + 200 - 14);
  });

  it('finds array elements through a multikey index', () => {
    const coll = reports();
    coll.addIndex({ key: { tags: 1 }, name: 'tags_1' });
    const r = runQuery(coll, { filter: { tags: 't1' } });
    expect(r.rids).toHaveLength(333);
    expect(r.docsExamined).toBe(333);
  });

  it('keeps ranges within their type, as MongoDB does', () => {
    const coll = new Catalog().ensure('db', 'mixed');
    coll.addIndex({ key: { v: 1 }, name: 'v_1' });
    [5, 15, '20', new Date(30), null].forEach((v, i) => coll.insert({ _id: i, v }));
    expect(runQuery(coll, { filter: { v: { $gt: 1 } } }).rids).toEqual([0, 1].map((id) => coll.ridById(id)));
  });

  it('reads only the matching week for an aggregation that starts with $match', () => {
    const coll = reports();
    coll.addIndex({ key: { at: 1 }, name: 'at_1' });
    const input = pipelineInput(coll, [{ $match: { at: week } }, { $group: { _id: '$courtyard', n: { $sum: 1 } } }]);
    expect(input.rids).toHaveLength(70);
    expect([...input.source]).toHaveLength(70);
  });
});
