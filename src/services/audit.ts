/**
 * Every change a command makes goes through an Audit: it writes the record and logs the
 * change (before/after) in one call, so that /撤销 can undo any command generically
 * ({@link undoLast}).
 *
 * Write order (there are no transactions): the record first, then its audit entry — right
 * after the change, or (`batched`, as the dispatcher runs commands) all of a message's
 * entries in one write at `flush()`. A crash in between leaves a correct record that cannot
 * be undone; a retry of the same message (same msgId) finds the record, writes nothing twice
 * and completes the audit entry, which is keyed by (msgId, model, record) and keeps the
 * first `before`.
 *
 * Every audited write also stamps the record's `changedBy` (where its schema has it,
 * src/db/models/changed-by.ts): a loser of a race names the winner from the record itself
 * ({@link lastWriter}), not from an audit entry that may not be written yet.
 *
 * Every change is one conditional write whose filter is the caller's guard: an update reads
 * the record, then writes it with the guard plus the version it read (`__v`, which every
 * audited write increments), so `before` is exactly what the write replaced and two
 * concurrent changes cannot both pass one guard; a delete is one findOneAndDelete. Only the
 * winner's change is logged.
 */
import type { AnyBulkWriteOperation, HydratedDocument, Model, QueryFilter, Types, UpdateQuery } from 'mongoose';
import type { AuditEntry, AuditOp, Models } from '../db/models';
import type { ChangedBy } from '../db/models/changed-by';
import { isDuplicateKey } from '../db/duplicate-key';
import { bumpWrites } from '../db/models/writes';
import { UserError } from '../errors';
import { formatDateTime } from './beijing-time';

/** /撤销 reaches back this far. */
export const UNDO_WINDOW_MS = 10 * 60_000;

/** Who changes what, and on behalf of which message. */
export interface AuditOptions {
  models: Models;
  /** WeCom userid ('import' for the roster import). */
  actor: string;
  actorName?: string;
  /** The command as typed. */
  command: string;
  /** The message's id: groups the changes of one command, and makes creates idempotent. */
  msgId: string;
  now: Date;
  /** Queue the entries and write them at `flush()`, in one command; else each right after its change. */
  batched?: boolean;
}

/** What one message changed, kept in memory as it was logged (newest last). */
export interface Logged {
  modelName: string;
  op: AuditOp;
  docId: Types.ObjectId;
  after?: Record<string, unknown>;
}

export interface Audit {
  /**
   * Inserts a record. Paths the schema has and `fields` leaves out are filled in: `msgId`,
   * `createdAt` (now) and `createdBy` (the actor). When the model has `msgId` and this
   * message already created a record (WeCom retried, or the process crashed before
   * replying), that record is returned and nothing is written. `fields` may be a function,
   * called only when a record is really created (take a sequence number there).
   */
  create<T>(model: Model<T>, fields: Partial<T> | (() => Partial<T> | Promise<Partial<T>>)): Promise<HydratedDocument<T>>;
  /** Updates the first record matching `filter`; returns it as updated, or null when none matches. */
  update<T>(model: Model<T>, filter: QueryFilter<T>, update: UpdateQuery<T>): Promise<HydratedDocument<T> | null>;
  /**
   * As `update`, also returning the record exactly as this write found it. `read`: the
   * record as the caller just read it (with its `__v`): the first attempt writes against it
   * instead of reading it again.
   */
  change<T>(model: Model<T>, filter: QueryFilter<T>, update: UpdateQuery<T>, read?: HydratedDocument<T>): Promise<Change<T> | null>;
  /** Deletes the first record matching `filter`; returns what was deleted, or null when none matched. */
  remove<T>(model: Model<T>, filter: QueryFilter<T>): Promise<Record<string, unknown> | null>;
  /** What this message changed so far. */
  readonly logged: readonly Logged[];
  /** Writes the queued audit entries (batched), in one command; nothing when none are queued. */
  flush(): Promise<void>;
}

/** A record before and after one audited update. */
export interface Change<T> {
  before: Record<string, unknown>;
  after: HydratedDocument<T>;
}

/** A read-then-write retries this often when other writes keep moving the record's version. */
const MAX_WRITE_ATTEMPTS = 8;

/**
 * The update with the record's version incremented (operators kept; plain fields become
 * `$set`), and `stamp` set as its `changedBy` when given.
 */
function withVersionBump<T>(update: UpdateQuery<T>, stamp?: ChangedBy): UpdateQuery<T> {
  const ops: Record<string, unknown> = {};
  const plain: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(update as Record<string, unknown>)) (key.startsWith('$') ? ops : plain)[key] = value;
  if (stamp) plain.changedBy = stamp;
  if (Object.keys(plain).length) ops.$set = { ...(ops.$set as object | undefined), ...plain };
  ops.$inc = { ...(ops.$inc as object | undefined), __v: 1 };
  return ops as UpdateQuery<T>;
}

/** Starts the audit of one message. */
export function createAudit(opts: AuditOptions): Audit {
  let seq = 0;
  const logged: Logged[] = [];
  const stamp: ChangedBy = { actor: opts.actor, ...(opts.actorName !== undefined ? { actorName: opts.actorName } : {}), at: opts.now };
  const stampOf = (model: Model<unknown>) => (model.schema.path('changedBy') ? stamp : undefined);
  type Upsert = { filter: Record<string, unknown>; insert: Record<string, unknown>; set: Record<string, unknown> };
  /** Batched: the upserts to write, by record; a record's second change in one message only updates `after`, as a second upsert would. */
  const queued = new Map<string, Upsert>();
  const upsertOf = (insert: Record<string, unknown>, set: Record<string, unknown>) => ({ $setOnInsert: insert, ...(Object.keys(set).length ? { $set: set } : {}) });
  const log = async (model: Model<unknown>, op: AuditOp, docId: Types.ObjectId, before: unknown, after: unknown) => {
    const insert: Record<string, unknown> = {
      actor: opts.actor,
      actorName: opts.actorName,
      command: opts.command,
      seq: seq++,
      op,
      at: opts.now,
    };
    if (before !== undefined) insert.before = before;
    const set: Record<string, unknown> = {};
    if (after !== undefined) set.after = after;
    logged.push({ modelName: model.modelName, op, docId, after: after as Record<string, unknown> | undefined });
    const filter = { msgId: opts.msgId, modelName: model.modelName, docId };
    if (opts.batched) {
      const key = `${model.modelName}:${String(docId)}`;
      const earlier = queued.get(key);
      if (earlier) Object.assign(earlier.set, set);
      else queued.set(key, { filter, insert, set });
      return;
    }
    await opts.models.AuditEntry.updateOne(filter, upsertOf(insert, set), { upsert: true });
  };

  const findByMsgId = <T>(model: Model<T>) =>
    model.schema.path('msgId') ? model.findOne({ msgId: opts.msgId } as QueryFilter<T>) : Promise.resolve(null);

  async function change<T>(model: Model<T>, filter: QueryFilter<T>, update: UpdateQuery<T>, read?: HydratedDocument<T>): Promise<Change<T> | null> {
    const bumped = withVersionBump(update, stampOf(model as unknown as Model<unknown>));
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const before = attempt === 0 && read ? (read.toObject({ depopulate: true }) as Record<string, unknown>) : await model.findOne(filter).lean<Record<string, unknown>>();
      if (!before) return null;
      const id = before._id as Types.ObjectId;
      // The guard and the version read: this write lands only on the record as read.
      const guarded = { $and: [filter, { _id: id, __v: before.__v ?? null }] } as QueryFilter<T>;
      const after = await model.findOneAndUpdate(guarded, bumped, { returnDocument: 'after', runValidators: true });
      if (!after) continue; // another write got in between (or the guard failed): read again
      await log(model as unknown as Model<unknown>, 'update', id, before, after.toObject({ depopulate: true }));
      return { before, after };
    }
    throw new Error(`${model.modelName}: the record kept changing during ${MAX_WRITE_ATTEMPTS} attempts to update it`);
  }

  return {
    async create<T>(model: Model<T>, fields: Partial<T> | (() => Partial<T> | Promise<Partial<T>>)) {
      const untyped = model as unknown as Model<unknown>;
      const keyed = Boolean(model.schema.path('msgId'));
      // Plain fields: insert at once, and meet a retry of this message at the unique msgId.
      // Fields from a function (a sequence number) are taken only when no record exists yet.
      const previous = typeof fields === 'function' ? await findByMsgId(model) : null;
      if (previous) {
        await log(untyped, 'create', previous._id as Types.ObjectId, undefined, previous.toObject());
        return previous;
      }
      const values: Record<string, unknown> = { ...(typeof fields === 'function' ? await fields() : fields) };
      const defaults: Record<string, unknown> = { msgId: opts.msgId, createdAt: opts.now, createdBy: opts.actor, changedBy: stamp };
      for (const [path, value] of Object.entries(defaults)) {
        if (values[path] === undefined && model.schema.path(path)) values[path] = value;
      }
      const doc = new model(values);
      try {
        await doc.save();
      } catch (err) {
        const raced = keyed && isDuplicateKey(err) ? await findByMsgId(model) : null;
        if (!raced) throw err;
        await log(untyped, 'create', raced._id as Types.ObjectId, undefined, raced.toObject());
        return raced;
      }
      await log(untyped, 'create', doc._id as Types.ObjectId, undefined, doc.toObject({ depopulate: true }));
      return doc;
    },

    async update<T>(model: Model<T>, filter: QueryFilter<T>, update: UpdateQuery<T>) {
      return (await change(model, filter, update))?.after ?? null;
    },

    change,

    async remove<T>(model: Model<T>, filter: QueryFilter<T>) {
      const before = await model.findOneAndDelete(filter).lean<Record<string, unknown>>();
      if (!before) return null;
      await log(model as unknown as Model<unknown>, 'delete', before._id as Types.ObjectId, before, undefined);
      return before;
    },

    logged,

    async flush() {
      const upserts = [...queued.values()];
      queued.clear();
      if (!upserts.length) return;
      const ops: AnyBulkWriteOperation<AuditEntry>[] = upserts.map((u) => ({ updateOne: { filter: u.filter, update: upsertOf(u.insert, u.set), upsert: true } }));
      await opts.models.AuditEntry.bulkWrite(ops, { ordered: false });
    },
  };
}

/**
 * Who wrote a record last, for "刚刚已由 X …": the record's own `changedBy` (written with the
 * change itself), else — a record written before it was kept — its latest audit entry not
 * undone; undefined when neither says.
 */
export async function lastWriter(models: Models, modelName: string, docId: Types.ObjectId): Promise<string | undefined> {
  const record = await modelNamed(models, modelName).findById(docId, { changedBy: 1 }).lean<{ changedBy?: ChangedBy }>();
  if (record?.changedBy) return record.changedBy.actorName ?? record.changedBy.actor;
  const entry = await models.AuditEntry.findOne({ modelName, docId, undoneAt: null }).sort({ at: -1, seq: -1 }).lean();
  return entry ? (entry.actorName ?? entry.actor) : undefined;
}

/** The model registered under `name` among `models`. */
function modelNamed(models: Models, name: string): Model<unknown> {
  const model = Object.values(models).find((m: Model<unknown>) => m.modelName === name) as Model<unknown> | undefined;
  if (!model) throw new Error(`audit entry names unknown model ${name}`);
  return model;
}

export interface UndoResult {
  /** The command that was undone, as typed. */
  command: string;
  at: Date;
  /** Its changes, newest first, as they were before being undone. */
  entries: AuditEntry[];
}

/**
 * Undoes the caller's latest command that changed anything, if it is at most `windowMs`
 * old and nobody changed the same records since: created records are deleted, updated
 * ones restored, deleted ones put back; then its entries are marked undone (so the next
 * /撤销 goes one command further back). Throws a UserError saying why when it cannot.
 */
export async function undoLast(models: Models, actor: string, now: Date, windowMs = UNDO_WINDOW_MS): Promise<UndoResult> {
  const last = await models.AuditEntry.findOne({ actor, undoneAt: null }).sort({ at: -1, seq: -1 });
  if (!last) throw new UserError('你没有可以撤销的记录');
  if (now.getTime() - last.at.getTime() > windowMs) {
    throw new UserError(
      `只能撤销 ${Math.round(windowMs / 60_000)} 分钟内的记录；你最近的一条是 ${formatDateTime(last.at, now)} 的「${last.command}」`,
    );
  }
  const entries = await models.AuditEntry.find({ msgId: last.msgId, undoneAt: null }).sort({ seq: -1 });
  for (const e of entries) {
    // Later: after it in time, or logged after it at the same instant.
    const later = await models.AuditEntry.findOne({
      modelName: e.modelName,
      docId: e.docId,
      msgId: { $ne: e.msgId },
      $or: [{ at: { $gt: e.at } }, { at: e.at, _id: { $gt: e._id } }],
      undoneAt: null,
    });
    if (later) {
      throw new UserError(`「${last.command}」改过的记录之后又被「${later.command}」（${later.actorName ?? later.actor}）修改，无法撤销`);
    }
  }
  // One conditional write decides between two /撤销 sent at once: the one that marks the
  // latest entry undone goes on, the other is told.
  const claimed = await models.AuditEntry.updateOne({ _id: last._id, undoneAt: null }, { $set: { undoneAt: now, undoneBy: actor } });
  if (claimed.modifiedCount === 0) throw new UserError(`「${last.command}」刚刚已撤销`);
  for (const [i, e] of entries.entries()) {
    const collection = modelNamed(models, e.modelName).collection;
    const before = e.before as Record<string, unknown> | undefined;
    const after = e.after as Record<string, unknown> | undefined;
    // Each restore is conditional on the record still being as this command left it (its
    // version): a change that slipped in after the check above stops the undo here.
    const asLeft = { _id: e.docId, __v: after?.__v ?? null };
    let restored = true;
    if (e.op === 'create') {
      restored = (await collection.deleteOne(asLeft)).deletedCount === 1;
    } else if (e.op === 'update' && before) {
      restored = (await collection.replaceOne(asLeft, before)).matchedCount === 1;
    } else if (e.op === 'delete' && before) {
      await collection.insertOne(before).catch((err: unknown) => {
        if (!isDuplicateKey(err)) throw err;
      });
    }
    // The collection's own writes pass no model hook; counted after the write, so that a
    // cache read begun before it is not kept.
    bumpWrites(e.modelName);
    if (!restored) {
      // No transactions: what was restored stays restored and is marked so; the rest is not.
      if (i === 0) await models.AuditEntry.updateOne({ _id: last._id, undoneBy: actor, undoneAt: now }, { $set: { undoneAt: null }, $unset: { undoneBy: 1 } });
      else await models.AuditEntry.updateMany({ _id: { $in: entries.slice(0, i).map((d) => d._id) } }, { $set: { undoneAt: now, undoneBy: actor } });
      throw new UserError(`「${last.command}」改过的记录刚刚又被修改，${i === 0 ? '无法撤销' : `只撤销了其中 ${i} 项`}`);
    }
  }
  const undone = entries.map((e) => e.toObject() as AuditEntry);
  await models.AuditEntry.updateMany({ _id: { $in: entries.map((e) => e._id) } }, { $set: { undoneAt: now, undoneBy: actor } });
  return { command: last.command, at: last.at, entries: undone };
}
