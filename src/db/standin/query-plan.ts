import type { Document } from 'bson';
import type { Collection } from './collection';
import type { CollectionIndex } from './collection-index';
import { bracketEnd, bracketStart, encodeValue, KEY_MAX, Tag, tagOf, type TagChar } from './key-encoding';

/** A contiguous run of index keys: lo ≤ key < hi (lo inclusive, hi exclusive). */
export interface KeyRange {
  lo: string;
  hi: string;
}

/**
 * How a query reads a collection: ranges of one index (IXSCAN), a union of several
 * ($or: one IXSCAN per branch), or every document (COLLSCAN). `sorted` says the rids come
 * out in the order the query asked for, so no in-memory sort is needed.
 */
export type Plan =
  | { kind: 'ixscan'; index: CollectionIndex; ranges: KeyRange[]; reverse: boolean; sorted: boolean }
  | { kind: 'or'; branches: Plan[]; sorted: false }
  | { kind: 'collscan'; reverse: boolean; sorted: boolean };

export type SortSpec = [field: string, direction: 1 | -1][];

interface Bound {
  key: string;
  tag: TagChar;
  inclusive: boolean;
}

/** What a filter says about one field, as far as an index can use it. */
interface FieldBounds {
  points?: unknown[];
  lower?: Bound;
  upper?: Bound;
}

const MAX_PREFIXES = 2000;
const UNUSABLE_TAGS = new Set<TagChar>([Tag.array, Tag.object, Tag.regex, Tag.minKey, Tag.maxKey]);

function isOperatorObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Date || v instanceof RegExp) return false;
  if ((v as { _bsontype?: string })._bsontype) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => k.startsWith('$'));
}

function usablePoint(v: unknown): boolean {
  return v !== undefined && !UNUSABLE_TAGS.has(tagOf(v));
}

function boundOf(v: unknown, inclusive: boolean): Bound | undefined {
  if (v === null || v === undefined || !usablePoint(v)) return undefined;
  return { key: encodeValue(v), tag: tagOf(v), inclusive };
}

function condition(value: unknown): FieldBounds | undefined {
  if (!isOperatorObject(value)) return usablePoint(value) ? { points: [value] } : undefined;
  const b: FieldBounds = {};
  for (const [op, arg] of Object.entries(value)) {
    if (op === '$eq' && usablePoint(arg)) b.points = [arg];
    else if (op === '$in' && Array.isArray(arg) && arg.length > 0 && arg.every(usablePoint)) b.points ??= arg;
    else if (op === '$gt' || op === '$gte') b.lower = tighter(b.lower, boundOf(arg, op === '$gte'), 1);
    else if (op === '$lt' || op === '$lte') b.upper = tighter(b.upper, boundOf(arg, op === '$lte'), -1);
  }
  if (b.lower && b.upper && b.lower.tag !== b.upper.tag) delete b.upper;
  return b.points || b.lower || b.upper ? b : undefined;
}

function tighter(a: Bound | undefined, b: Bound | undefined, dir: 1 | -1): Bound | undefined {
  if (!a || !b) return a ?? b;
  if (a.tag !== b.tag) return a;
  if (a.key === b.key) return a.inclusive ? b : a;
  return (a.key > b.key) === (dir === 1) ? a : b;
}

function merge(a: FieldBounds | undefined, b: FieldBounds): FieldBounds {
  if (!a) return b;
  if (a.points) return a;
  if (b.points) return b;
  const lower = tighter(a.lower, b.lower, 1);
  let upper = tighter(a.upper, b.upper, -1);
  if (lower && upper && lower.tag !== upper.tag) upper = undefined;
  return { lower, upper };
}

/** The index-usable conditions of a filter, per field ($and clauses included). */
export function fieldBounds(filter: Document, out = new Map<string, FieldBounds>()): Map<string, FieldBounds> {
  for (const [field, value] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(value)) {
      for (const clause of value) if (clause && typeof clause === 'object') fieldBounds(clause as Document, out);
      continue;
    }
    if (field.startsWith('$')) continue;
    const c = condition(value);
    if (c) out.set(field, merge(out.get(field), c));
  }
  return out;
}

interface Candidate {
  index: CollectionIndex;
  ranges: KeyRange[];
  /** Leading fields fixed to one value each (for sorts), or -1 when $in made several. */
  singlePointFields: number;
  score: number;
}

function candidateFor(index: CollectionIndex, bounds: Map<string, FieldBounds>): Candidate | undefined {
  if (index.spec.partialFilterExpression) return undefined;
  let prefixes = [''];
  let eqFields = 0;
  let single = true;
  let range: { lo?: Bound; hi?: Bound } | undefined;
  for (const field of index.fields) {
    const b = bounds.get(field);
    if (b?.points) {
      if (index.sparse && b.points.some((p) => p === null)) break;
      if (prefixes.length * b.points.length > MAX_PREFIXES) break;
      const keys = [...new Set(b.points.map(encodeValue))];
      if (keys.length > 1) single = false;
      prefixes = prefixes.flatMap((p) => keys.map((k) => p + k));
      eqFields++;
      continue;
    }
    if (b && (b.lower || b.upper)) {
      // On an array field two bounds may be met by different elements: keep only one.
      range = index.multikey && b.lower && b.upper ? { lo: b.lower } : { lo: b.lower, hi: b.upper };
    }
    break;
  }
  if (eqFields === 0 && !range) return undefined;
  const ranges = prefixes.map((p): KeyRange => {
    if (!range) return { lo: p, hi: p + KEY_MAX };
    const tag = (range.lo ?? range.hi)!.tag;
    const lo = !range.lo ? p + bracketStart(tag) : range.lo.inclusive ? p + range.lo.key : p + range.lo.key + KEY_MAX;
    const hi = !range.hi ? p + bracketEnd(tag) : range.hi.inclusive ? p + range.hi.key + KEY_MAX : p + range.hi.key;
    return { lo, hi };
  });
  const fullUnique = index.unique && eqFields === index.fields.length && single;
  const score = fullUnique ? 1000 : eqFields * 2 + (range ? 1 : 0);
  return { index, ranges, singlePointFields: single ? eqFields : -1, score };
}

/** Whether scanning `index` from field `from` on, forward or backward, yields `sort`'s order. */
function sortDirection(index: CollectionIndex, from: number, sort: SortSpec): 1 | -1 | undefined {
  if (sort.length === 0) return 1;
  if (index.multikey || from + sort.length > index.fields.length) return undefined;
  const dir = sort[0]![1];
  for (let i = 0; i < sort.length; i++) {
    if (index.fields[from + i] !== sort[i]![0] || sort[i]![1] !== dir) return undefined;
  }
  return dir;
}

/** Counts the keys in the ranges, giving up past `cap`. */
function estimate(c: Candidate, cap: number): number {
  let n = 0;
  for (const r of c.ranges) {
    c.index.keys.scan(r.lo, true, r.hi, false, false, () => ++n <= cap);
    if (n > cap) break;
  }
  return n;
}

function planAnd(coll: Collection, filter: Document, sort: SortSpec, limited: boolean): Plan {
  const bounds = fieldBounds(filter);
  // Sort fields fixed by an equality are constant in the result.
  const fixed = (f: string) => bounds.get(f)?.points?.length === 1;
  const effectiveSort = sort.filter(([f]) => !fixed(f));

  const candidates = [...coll.indexes.values()]
    .map((index) => candidateFor(index, bounds))
    .filter((c): c is Candidate => c !== undefined)
    .sort((a, b) => b.score - a.score);

  let best: { c: Candidate; n: number } | undefined;
  for (const c of candidates) {
    const n = estimate(c, best ? best.n : Infinity);
    if (!best || n < best.n) best = { c, n };
    if (c.score === 1000) break;
  }

  if (best) {
    const dir = best.c.singlePointFields >= 0 ? sortDirection(best.c.index, best.c.singlePointFields, effectiveSort) : undefined;
    const smallEnough = best.n <= 1000 || !limited;
    if (dir !== undefined || smallEnough || sort.length === 0) {
      return { kind: 'ixscan', index: best.c.index, ranges: best.c.ranges, reverse: dir === -1, sorted: dir !== undefined };
    }
  }

  // A sort an index provides: walk that index in order and stop at the limit.
  if (effectiveSort.length > 0) {
    for (const index of coll.indexes.values()) {
      if (!index.complete) continue;
      const dir = sortDirection(index, 0, effectiveSort);
      if (dir !== undefined) return { kind: 'ixscan', index, ranges: [{ lo: '', hi: KEY_MAX }], reverse: dir === -1, sorted: true };
    }
  }
  if (best) return { kind: 'ixscan', index: best.c.index, ranges: best.c.ranges, reverse: false, sorted: false };
  const natural = sort.length === 1 && sort[0]![0] === '$natural';
  return { kind: 'collscan', reverse: natural && sort[0]![1] === -1, sorted: natural || sort.length === 0 };
}

/**
 * Chooses how to read the documents a filter can match: the index whose key ranges hold the
 * fewest entries (equality and $in on leading fields, then one range), the index that gives
 * the requested sort, a union of index scans for a top-level $or, or a full scan.
 */
export function planQuery(coll: Collection, filter: Document, sort: SortSpec = [], limited = false): Plan {
  const plan = planAnd(coll, filter, sort, limited);
  if (plan.kind !== 'collscan' || !Array.isArray(filter.$or) || filter.$or.length === 0) return plan;
  const branches = (filter.$or as Document[]).map((branch) => planAnd(coll, branch, [], false));
  if (branches.some((b) => b.kind === 'collscan')) return plan;
  return { kind: 'or', branches, sorted: false };
}

/** Visits the rids a plan reads (each once), until `visit` returns false. */
export function scanPlan(coll: Collection, plan: Plan, visit: (rid: number) => boolean): void {
  if (plan.kind === 'collscan') {
    const rids = coll.docs.rids();
    if (plan.reverse) rids.reverse();
    for (const rid of rids) if (!visit(rid)) return;
    return;
  }
  const seen = plan.kind === 'or' || plan.index.multikey || plan.ranges.length > 1 ? new Set<number>() : undefined;
  let go = true;
  const each = (rid: number) => {
    coll.stats.keysExamined++;
    if (seen) {
      if (seen.has(rid)) return true;
      seen.add(rid);
    }
    go = visit(rid);
    return go;
  };
  const run = (p: Plan) => {
    if (p.kind === 'ixscan') {
      const ranges = p.reverse ? [...p.ranges].reverse() : p.ranges;
      for (const r of ranges) {
        p.index.keys.scan(r.lo, true, r.hi, false, p.reverse, each);
        if (!go) return;
      }
    } else if (p.kind === 'or') {
      for (const b of p.branches) {
        run(b);
        if (!go) return;
      }
    }
  };
  run(plan);
}

/** The plan in explain's words: `{ stage: 'IXSCAN', indexName }` or `{ stage: 'COLLSCAN' }`. */
export function describePlan(plan: Plan): Document {
  if (plan.kind === 'collscan') return { stage: 'COLLSCAN', direction: plan.reverse ? 'backward' : 'forward' };
  if (plan.kind === 'or') return { stage: 'OR', inputStages: plan.branches.map(describePlan) };
  return {
    stage: 'IXSCAN',
    indexName: plan.index.name,
    keyPattern: plan.index.spec.key,
    isMultiKey: plan.index.multikey,
    direction: plan.reverse ? 'backward' : 'forward',
  };
}
