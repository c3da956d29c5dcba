import { Binary, deserialize, serialize, UUID, type Document } from 'bson';
import { CollectionIndex, type IndexEntry, type IndexSpec } from './collection-index';
import { DocStore } from './doc-store';
import { fail } from './errors';
import { describeKey } from './describe-key';
import { encodeValue } from './key-encoding';
import type { JournalOp } from './journal-format';

/**
 * Receives every change: the journal op (built lazily, as nothing is recorded during replay)
 * and how to undo it (when its journal write fails).
 */
export type Recorder = (op: () => JournalOp, undo: () => void) => void;

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
    const keys = this.keysChecked(doc, undefined);
    const rid = this.docs.add(bytes);
    for (const [index, list] of keys) for (const key of list) index.keys.insert(key, rid);
    this.record(
      () => ({ op: 'insert', db: this.db, coll: this.name, doc: this.docs.get(rid)! }),
      () => this.remove(rid),
    );
    return rid;
  }

  /** Adds a document without touching the indexes (loading a snapshot; see rebuildIndexes). */
  bulkAdd(raw: Uint8Array): void {
    this.docs.add(raw);
  }

  /** Registers an index without building it (loading a snapshot; see rebuildIndexes). */
  declareIndex(spec: IndexSpec): void {
    this.indexes.set(spec.name, new CollectionIndex(spec));
  }

  /** Builds every index from the documents in one pass (after bulkAdd/declareIndex). */
  rebuildIndexes(): void {
    const specs = [...this.indexes.values()].map((i) => i.spec);
    this.indexes.clear();
    this.addIndexes(specs);
  }

  /** Replaces the document at `rid` (whose current content is `old`) with `doc`. */
  replace(rid: number, old: Document, doc: Document, raw?: Uint8Array): void {
    if (encodeValue(old._id) !== encodeValue(doc._id)) {
      throw fail('ImmutableField', `Performing an update on the path '_id' would modify the immutable field '_id'`);
    }
    const bytes = raw ?? serialize(doc);
    const next = this.keysChecked(doc, rid);
    const oldBytes = this.docs.get(rid)!;
    for (const index of this.indexes.values()) {
      const before = new Set(index.keysFor(old));
      const after = new Set(next.get(index)!);
      for (const key of before) if (!after.has(key)) index.keys.remove(key, rid);
      for (const key of after) if (!before.has(key)) index.keys.insert(key, rid);
    }
    this.docs.replace(rid, bytes);
    this.record(
      () => ({ op: 'replace', db: this.db, coll: this.name, doc: this.docs.get(rid)! }),
      () => this.replace(rid, doc, old, oldBytes),
    );
  }

  remove(rid: number, doc?: Document): void {
    const old = doc ?? this.decode(rid);
    if (!old) return;
    const bytes = this.docs.get(rid)!;
    for (const index of this.indexes.values()) for (const key of index.keysFor(old)) index.keys.remove(key, rid);
    this.docs.remove(rid);
    this.record(
      () => ({ op: 'delete', db: this.db, coll: this.name, id: old._id }),
      () => this.restore(rid, old, bytes),
    );
  }

  /** Puts a removed document back under its rid (undoing the removal). */
  private restore(rid: number, doc: Document, bytes: Buffer): void {
    this.docs.restore(rid, bytes);
    for (const index of this.indexes.values()) for (const key of index.keysFor(doc)) index.keys.insert(key, rid);
  }

  /** Sets the indexes back to an earlier state (undoing an index change). */
  private restoreIndexes(prior: Map<string, CollectionIndex>): void {
    this.indexes.clear();
    for (const [name, index] of prior) this.indexes.set(name, index);
  }

  addIndex(spec: IndexSpec): void {
    this.addIndexes([spec]);
  }

  /**
   * Builds indexes over the existing documents in one pass (keys collected, sorted, then
   * loaded in order); refuses all of them, changing nothing, when a unique one finds duplicates.
   */
  addIndexes(specs: IndexSpec[]): void {
    // Each entry is packed as key + rid in four latin1 chars: keys are prefix-free, so the
    // plain (native, fast) string sort orders by key, then rid.
    const built = specs.map((spec) => ({ index: new CollectionIndex(spec), pending: [] as string[] }));
    if (this.docs.size > 0) {
      for (const rid of this.docs.rids()) {
        const doc = this.decode(rid)!;
        const ridChars = String.fromCharCode((rid >>> 24) & 255, (rid >>> 16) & 255, (rid >>> 8) & 255, rid & 255);
        for (const b of built) for (const key of b.index.keysFor(doc)) b.pending.push(key + ridChars);
      }
    }
    const unpack = (entry: string): [string, number] => {
      const n = entry.length;
      const rid = entry.charCodeAt(n - 4) * 0x1000000 + ((entry.charCodeAt(n - 3) << 16) | (entry.charCodeAt(n - 2) << 8) | entry.charCodeAt(n - 1));
      return [entry.slice(0, -4), rid];
    };
    for (const { index, pending } of built) {
      pending.sort();
      if (index.unique) {
        for (let i = 1; i < pending.length; i++) {
          const [key, rid] = unpack(pending[i]!);
          const [prevKey, prevRid] = unpack(pending[i - 1]!);
          if (key === prevKey && rid !== prevRid) {
            throw this.duplicate(index, index.entriesFor(this.decode(rid)!).find((e) => e.key === key)!);
          }
        }
      }
    }
    for (const { index, pending } of built) {
      const keys: string[] = new Array(pending.length);
      const rids: number[] = new Array(pending.length);
      pending.forEach((entry, i) => ([keys[i], rids[i]] = unpack(entry)));
      index.keys.load(keys, rids);
      const prior = new Map(this.indexes);
      this.indexes.set(index.name, index);
      this.record(
        () => ({ op: 'createIndex', db: this.db, coll: this.name, spec: index.spec }),
        () => this.restoreIndexes(prior),
      );
    }
  }

  dropIndex(name: string): void {
    const prior = new Map(this.indexes);
    this.indexes.delete(name);
    this.record(
      () => ({ op: 'dropIndex', db: this.db, coll: this.name, name }),
      () => this.restoreIndexes(prior),
    );
  }

  /** Each index's keys for `doc`, after checking no unique index holds one for another rid. */
  private keysChecked(doc: Document, self: number | undefined): Map<CollectionIndex, string[]> {
    const all = new Map<CollectionIndex, string[]>();
    for (const index of this.indexes.values()) {
      const keys = index.keysFor(doc);
      if (index.unique) {
        for (const key of keys) {
          const holders = index.keys.ridsOf(key);
          if (holders.some((rid) => rid !== self)) throw this.duplicate(index, index.entriesFor(doc).find((e) => e.key === key)!);
        }
      }
      all.set(index, keys);
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
