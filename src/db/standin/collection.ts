import { Binary, deserialize, serialize, UUID, type Document } from 'bson';
import { CollectionIndex, type IndexEntry, type IndexSpec } from './collection-index';
import { DocStore } from './doc-store';
import { fail } from './errors';
import { describeKey } from './describe-key';
import { encodeValue } from './key-encoding';
import type { JournalOp } from './journal-format';

/** Receives every change, for the journal (a no-op while replaying it). */
export type Recorder = (op: JournalOp) => void;

/**
 * One collection: documents as BSON in a DocStore, and its indexes. Every method either
 * changes everything it should or, when a unique index refuses, nothing.
 */
export class Collection {
  readonly docs = new DocStore();
  readonly indexes = new Map<string, CollectionIndex>();
  readonly uuid: Binary = new UUID();
  /** Work counters for explain and tests: index entries and documents looked at. */
  readonly stats = { keysExamined: 0, docsExamined: 0 };

  constructor(
    readonly db: string,
    readonly name: string,
    readonly options: Document,
    private readonly record: Recorder,
  ) {
    this.indexes.set('_id_', new CollectionIndex({ key: { _id: 1 }, name: '_id_' }));
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  get idIndex(): CollectionIndex {
    return this.indexes.get('_id_')!;
  }

  get size(): number {
    return this.docs.size;
  }

  raw(rid: number): Buffer | undefined {
    return this.docs.get(rid);
  }

  decode(rid: number): Document | undefined {
    const raw = this.docs.get(rid);
    return raw && deserialize(raw);
  }

  ridById(id: unknown): number | undefined {
    return this.idIndex.keys.ridsOf(encodeValue(id))[0];
  }

  /** Inserts a document that has an `_id`; `raw` is its BSON if already serialised. */
  insert(doc: Document, raw?: Uint8Array): number {
    if (doc._id === undefined) throw fail('InvalidIdField', 'document to insert has no _id');
    if (Array.isArray(doc._id)) throw fail('InvalidIdField', `can't use an array for _id`);
    const bytes = raw ?? serialize(doc);
    const entries = this.entriesChecked(doc, undefined);
    const rid = this.docs.add(bytes);
    for (const [index, list] of entries) for (const e of list) index.keys.insert(e.key, rid);
    this.record({ op: 'insert', db: this.db, coll: this.name, doc: this.docs.get(rid)! });
    return rid;
  }

  /** Replaces the document at `rid` (whose current content is `old`) with `doc`. */
  replace(rid: number, old: Document, doc: Document, raw?: Uint8Array): void {
    if (encodeValue(old._id) !== encodeValue(doc._id)) {
      throw fail('ImmutableField', `Performing an update on the path '_id' would modify the immutable field '_id'`);
    }
    const bytes = raw ?? serialize(doc);
    const next = this.entriesChecked(doc, rid);
    for (const index of this.indexes.values()) {
      const before = new Set(index.entriesFor(old).map((e) => e.key));
      const after = new Set(next.get(index)!.map((e) => e.key));
      for (const key of before) if (!after.has(key)) index.keys.remove(key, rid);
      for (const key of after) if (!before.has(key)) index.keys.insert(key, rid);
    }
    this.docs.replace(rid, bytes);
    this.record({ op: 'replace', db: this.db, coll: this.name, doc: this.docs.get(rid)! });
  }

  remove(rid: number, doc?: Document): void {
    const old = doc ?? this.decode(rid);
    if (!old) return;
    for (const index of this.indexes.values()) for (const e of index.entriesFor(old)) index.keys.remove(e.key, rid);
    this.docs.remove(rid);
    this.record({ op: 'delete', db: this.db, coll: this.name, id: old._id });
  }

  /** Adds an index over the existing documents; refuses (changing nothing) on duplicates. */
  addIndex(spec: IndexSpec): void {
    const index = new CollectionIndex(spec);
    const pending: [string, number][] = [];
    const seen = new Map<string, number>();
    for (const rid of this.docs.rids()) {
      const doc = this.decode(rid)!;
      for (const e of index.entriesFor(doc)) {
        if (index.unique) {
          const other = seen.get(e.key);
          if (other !== undefined && other !== rid) throw this.duplicate(index, e);
          seen.set(e.key, rid);
        }
        pending.push([e.key, rid]);
      }
    }
    pending.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
    for (const [key, rid] of pending) index.keys.insert(key, rid);
    this.indexes.set(spec.name, index);
    this.record({ op: 'createIndex', db: this.db, coll: this.name, spec });
  }

  dropIndex(name: string): void {
    this.indexes.delete(name);
    this.record({ op: 'dropIndex', db: this.db, coll: this.name, name });
  }

  /** Each index's keys for `doc`, after checking no unique index holds one for another rid. */
  private entriesChecked(doc: Document, self: number | undefined): Map<CollectionIndex, IndexEntry[]> {
    const all = new Map<CollectionIndex, IndexEntry[]>();
    for (const index of this.indexes.values()) {
      const entries = index.entriesFor(doc);
      if (index.unique) {
        for (const e of entries) {
          const holders = index.keys.ridsOf(e.key);
          if (holders.some((rid) => rid !== self)) throw this.duplicate(index, e);
        }
      }
      all.set(index, entries);
    }
    return all;
  }

  private duplicate(index: CollectionIndex, e: IndexEntry) {
    const keyValue: Record<string, unknown> = {};
    index.fields.forEach((f, i) => (keyValue[f] = e.values[i]));
    return fail(
      'DuplicateKey',
      `E11000 duplicate key error collection: ${this.ns} index: ${index.name} dup key: ${describeKey(keyValue)}`,
      { keyPattern: index.spec.key, keyValue },
    );
  }
}
