import type { Document } from 'bson';
import { fail } from './errors';
import { hasPath, pathValues } from './field-path';
import { encodeValue } from './key-encoding';
import { Query } from './mingo';
import { SortedKeys } from './sorted-keys';

/** An index as createIndexes receives it and listIndexes returns it. */
export interface IndexSpec {
  key: Record<string, number>;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  expireAfterSeconds?: number;
  partialFilterExpression?: Document;
  [option: string]: unknown;
}

/** One key of one document: the encoded key and the field values it was made from. */
export interface IndexEntry {
  key: string;
  values: unknown[];
}

const MAX_KEYS_PER_DOC = 10_000;

/** A secondary (or the _id) index: its spec and the sorted keys → rids. */
export class CollectionIndex {
  readonly fields: string[];
  readonly keys = new SortedKeys();
  /** Set once any document put an array into one of the fields. */
  multikey = false;
  private readonly partial?: Query;

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    if (spec.partialFilterExpression) this.partial = new Query(spec.partialFilterExpression);
  }

  get name(): string {
    return this.spec.name;
  }

  get unique(): boolean {
    return this.spec.unique === true || this.spec.name === '_id_';
  }

  get sparse(): boolean {
    return this.spec.sparse === true;
  }

  /** Whether the planner may use it: a partial index only holds some documents. */
  get complete(): boolean {
    return !this.partial && !this.sparse;
  }

  /** The keys of a document (without the values entriesFor also gives); the common, fast case. */
  keysFor(doc: Document): string[] {
    if (this.partial || this.sparse) return this.entriesFor(doc).map((e) => e.key);
    let key = '';
    for (const field of this.fields) {
      const { values, multikey } = pathValues(doc, field);
      if (multikey || values.length !== 1) return this.entriesFor(doc).map((e) => e.key);
      key += encodeValue(values[0]);
    }
    return [key];
  }

  /** The keys of a document with their values; empty when a sparse or partial index leaves it out. */
  entriesFor(doc: Document): IndexEntry[] {
    if (this.partial && !this.partial.test(doc)) return [];
    if (this.sparse && !this.fields.some((f) => hasPath(doc, f))) return [];
    // Arrays in several fields give the cartesian product of their values: a superset of
    // the keys mongod would make, which is all the planner needs.
    let entries: IndexEntry[] = [{ key: '', values: [] }];
    for (const field of this.fields) {
      const { values, multikey } = pathValues(doc, field);
      if (multikey) this.multikey = true;
      const unique = dedupe(values);
      const next: IndexEntry[] = [];
      for (const e of entries) for (const u of unique) next.push({ key: e.key + u.key, values: [...e.values, u.value] });
      entries = next;
      if (entries.length > MAX_KEYS_PER_DOC) throw fail('BadValue', `too many index keys for index ${this.name}`);
    }
    return entries;
  }
}

function dedupe(values: unknown[]): { key: string; value: unknown }[] {
  if (values.length === 1) return [{ key: encodeValue(values[0]), value: values[0] ?? null }];
  const seen = new Map<string, unknown>();
  for (const v of values) {
    const key = encodeValue(v);
    if (!seen.has(key)) seen.set(key, v ?? null);
  }
  return [...seen].map(([key, value]) => ({ key, value }));
}
