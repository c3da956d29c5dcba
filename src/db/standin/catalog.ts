import { deserialize, type Document } from 'bson';
import { Collection } from './collection';
import { fail } from './errors';
import type { JournalOp } from './journal-format';

/** The changes one command made: journal ops, and how to undo them (last first) if the journal refuses them. */
export interface Changes {
  ops: JournalOp[];
  undo: Array<() => void>;
}

/**
 * All databases and their collections. Commands change it synchronously; the changes of the
 * command running are collected (`takeChanges`) for the journal.
 */
export class Catalog {
  private readonly dbs = new Map<string, Map<string, Collection>>();
  private ops: JournalOp[] = [];
  private undo: Array<() => void> = [];
  private recording = true;
  private readonly recorder = (op: () => JournalOp, undo: () => void) => {
    if (!this.recording) return;
    this.ops.push(op());
    this.undo.push(undo);
  };

  /** While loading a snapshot: the collections whose indexes are built at the end. */
  private bulk?: Set<string>;

  /** Loading a snapshot (a consistent state): documents first, all indexes built at the end. */
  startBulkLoad(): void {
    this.bulk = new Set();
  }

  finishBulkLoad(): void {
    const pending = this.bulk ?? new Set();
    this.bulk = undefined;
    this.recording = false;
    try {
      for (const db of this.databaseNames()) {
        for (const coll of this.collections(db)) if (pending.has(coll.ns)) coll.rebuildIndexes();
      }
    } finally {
      this.recording = true;
    }
  }

  /** The changes made since the last call. */
  takeChanges(): Changes {
    const changes = { ops: this.ops, undo: this.undo };
    this.ops = [];
    this.undo = [];
    return changes;
  }

  /** Undoes changes (of a command whose journal record was refused), last first, without recording anything. */
  revert(changes: Changes): void {
    this.recording = false;
    try {
      for (let i = changes.undo.length - 1; i >= 0; i--) changes.undo[i]!();
    } finally {
      this.recording = true;
    }
  }

  databaseNames(): string[] {
    return [...this.dbs.keys()];
  }

  collections(db: string): Collection[] {
    return [...(this.dbs.get(db)?.values() ?? [])];
  }

  get(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  /** The collection, created (as mongod does implicitly on first write) when missing. */
  ensure(db: string, name: string): Collection {
    return this.get(db, name) ?? this.create(db, name, {});
  }

  create(db: string, name: string, options: Document): Collection {
    validateName(db, name);
    if (this.get(db, name)) throw fail('NamespaceExists', `Collection ${db}.${name} already exists.`);
    let colls = this.dbs.get(db);
    const newDb = !colls;
    if (!colls) this.dbs.set(db, (colls = new Map()));
    const coll = new Collection(db, name, options, this.recorder);
    colls.set(name, coll);
    this.recorder(
      () => ({ op: 'create', db, coll: name, options }),
      () => {
        colls.delete(name);
        if (newDb) this.dbs.delete(db);
      },
    );
    return coll;
  }

  drop(db: string, name: string): boolean {
    const colls = this.dbs.get(db);
    if (!colls?.has(name)) return false;
    const undo = this.restorer(db);
    colls.delete(name);
    if (colls.size === 0) this.dbs.delete(db);
    this.recorder(() => ({ op: 'drop', db, coll: name }), undo);
    return true;
  }

  dropDatabase(db: string): void {
    if (!this.dbs.has(db)) return;
    const undo = this.restorer(db);
    this.dbs.delete(db);
    this.recorder(() => ({ op: 'dropDatabase', db }), undo);
  }

  /** Sets the databases, and the collections of `db`, back to what they are now (undoing a drop). */
  private restorer(db: string): () => void {
    const dbs = new Map(this.dbs);
    const colls = this.dbs.get(db)!;
    const prior = new Map(colls);
    return () => {
      colls.clear();
      for (const [name, coll] of prior) colls.set(name, coll);
      this.dbs.clear();
      for (const [name, c] of dbs) this.dbs.set(name, c);
    };
  }

  /**
   * Applies the changes of one journal or snapshot record, without journaling them again.
   * Consecutive index creations on one collection are built together (one pass).
   */
  replayAll(ops: JournalOp[], onError: (err: unknown, op: JournalOp) => void): void {
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      try {
        if (this.bulk && op.op === 'insert') {
          this.ensure(op.db, op.coll).bulkAdd(op.doc);
          this.bulk.add(`${op.db}.${op.coll}`);
        } else if (this.bulk && op.op === 'createIndex') {
          this.ensure(op.db, op.coll).declareIndex(op.spec);
        } else if (op.op === 'createIndex') {
          const specs = [op.spec];
          while (ops[i + 1]?.op === 'createIndex' && ops[i + 1]!.db === op.db && (ops[i + 1] as typeof op).coll === op.coll) {
            specs.push((ops[++i] as typeof op).spec);
          }
          this.recording = false;
          try {
            const coll = this.ensure(op.db, op.coll);
            coll.addIndexes(specs.filter((s) => !coll.indexes.has(s.name)));
          } finally {
            this.recording = true;
          }
        } else {
          this.replay(op);
        }
      } catch (err) {
        onError(err, op);
      }
    }
  }

  /** Applies one journaled change (replay at start-up), without journaling it again. */
  replay(op: JournalOp): void {
    this.recording = false;
    try {
      switch (op.op) {
        case 'create':
          if (!this.get(op.db, op.coll)) this.create(op.db, op.coll, op.options);
          break;
        case 'drop':
          this.drop(op.db, op.coll);
          break;
        case 'dropDatabase':
          this.dropDatabase(op.db);
          break;
        case 'createIndex': {
          const coll = this.ensure(op.db, op.coll);
          if (!coll.indexes.has(op.spec.name)) coll.addIndex(op.spec);
          break;
        }
        case 'dropIndex':
          this.get(op.db, op.coll)?.dropIndex(op.name);
          break;
        case 'insert': {
          const coll = this.ensure(op.db, op.coll);
          coll.insert(deserialize(op.doc), op.doc);
          break;
        }
        case 'replace': {
          const coll = this.ensure(op.db, op.coll);
          const doc = deserialize(op.doc);
          const rid = coll.ridById(doc._id);
          if (rid === undefined) coll.insert(doc, op.doc);
          else coll.replace(rid, coll.decode(rid)!, doc, op.doc);
          break;
        }
        case 'delete': {
          const coll = this.get(op.db, op.coll);
          const rid = coll?.ridById(op.id);
          if (coll && rid !== undefined) coll.remove(rid);
          break;
        }
      }
    } finally {
      this.recording = true;
    }
  }
}

function validateName(db: string, name: string): void {
  if (!db || /[/\\. "$\0]/.test(db)) throw fail('InvalidNamespace', `Invalid database name: '${db}'`);
  if (!name || name.includes('\0') || name.startsWith('.') || name.includes('$')) {
    throw fail('InvalidNamespace', `Invalid collection name: '${name}'`);
  }
}
