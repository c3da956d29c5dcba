import type { Document } from 'bson';
import type { Collection } from './collection';
import { fail } from './errors';
import { pathValues } from './field-path';
import { encodeValue } from './key-encoding';
import { Query } from './mingo';
import { planQuery, scanPlan, type Plan, type SortSpec } from './query-plan';

export interface QueryOptions {
  filter?: Document;
  sort?: Document;
  skip?: number;
  /** 0 or absent: no limit. */
  limit?: number;
  /** Extra variables for `$expr` (the command's `let`). */
  variables?: Document;
}

export interface QueryResult {
  /** The matching documents' rids, in result order, after skip and limit. */
  rids: number[];
  plan: Plan;
  keysExamined: number;
  docsExamined: number;
}

/** A sort document as [field, direction] pairs; refuses what mongod refuses. */
export function sortSpec(sort: Document | undefined): SortSpec {
  if (!sort) return [];
  return Object.entries(sort).map(([field, dir]) => {
    const d = Number(dir);
    if (d !== 1 && d !== -1) throw fail('BadValue', `$sort key ordering must be 1 (for ascending) or -1 (for descending)`);
    return [field, d];
  });
}

/** The value a document sorts by on one field: the least (ascending) or greatest array element. */
function sortKey(doc: Document, field: string, dir: 1 | -1): string {
  const { values } = pathValues(doc, field);
  let best: string | undefined;
  for (const v of values) {
    const k = encodeValue(v);
    if (best === undefined || (dir === 1 ? k < best : k > best)) best = k;
  }
  return best!;
}

function isEmpty(doc: Document | undefined): boolean {
  if (!doc) return true;
  for (const _ in doc) return false;
  return true;
}

/**
 * Runs a filter/sort/skip/limit over a collection: the plan picks the candidates, mingo
 * decides which match, and only a sort no index provides is done in memory.
 */
export function runQuery(coll: Collection, opts: QueryOptions): QueryResult {
  const filter = opts.filter ?? {};
  const fullSort = sortSpec(opts.sort);
  const sort = fullSort.filter(([f]) => f !== '$natural');
  const skip = opts.skip ?? 0;
  const limit = opts.limit ?? 0;
  const plan = planQuery(coll, filter, fullSort, limit > 0);
  const matcher = isEmpty(filter) ? undefined : new Query(filter, opts.variables ? { variables: opts.variables } : {});
  const before = { ...coll.stats };
  const inMemorySort = !plan.sorted && sort.length > 0;

  const rids: number[] = [];
  if (!inMemorySort) {
    const wanted = limit > 0 ? skip + limit : Infinity;
    scanPlan(coll, plan, (rid) => {
      if (matcher) {
        coll.stats.docsExamined++;
        if (!matcher.test(coll.decode(rid)!)) return true;
      }
      rids.push(rid);
      return rids.length < wanted;
    });
    rids.splice(0, skip);
  } else {
    const rows: { rid: number; keys: string[] }[] = [];
    scanPlan(coll, plan, (rid) => {
      coll.stats.docsExamined++;
      const doc = coll.decode(rid)!;
      if (matcher && !matcher.test(doc)) return true;
      rows.push({ rid, keys: sort.map(([f, d]) => sortKey(doc, f, d)) });
      return true;
    });
    rows.sort((a, b) => {
      for (let i = 0; i < sort.length; i++) {
        const x = a.keys[i]!;
        const y = b.keys[i]!;
        if (x !== y) return (x < y ? -1 : 1) * sort[i]![1];
      }
      return a.rid - b.rid;
    });
    const end = limit > 0 ? skip + limit : rows.length;
    for (let i = skip; i < end && i < rows.length; i++) rids.push(rows[i]!.rid);
  }
  return {
    rids,
    plan,
    keysExamined: coll.stats.keysExamined - before.keysExamined,
    docsExamined: coll.stats.docsExamined - before.docsExamined,
  };
}
