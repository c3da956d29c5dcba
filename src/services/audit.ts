/**
 * Every change a command makes goes through an Audit: it writes the record and logs the
 * change (before/after) in one call, so that /撤销 can undo any command generically
 * ({@link undoLast}).
 *
 * Write order (there are no transactions): the record first, then its audit entry. A crash
 * in between leaves a correct record that cannot be undone; a retry of the same message
 * (same msgId) finds the record, writes nothing twice and completes the audit entry, which
 * is keyed by (msgId, model, record) and keeps the first `before`.
 */
import type { HydratedDocument, Model, QueryFilter, Types, UpdateQuery } from 'mongoose';
import type { AuditEntry, AuditOp, Models } from '../db/models';
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
  /** Deletes the first record matching `filter`; returns what was deleted, or null when none matched. */
  remove<T>(model: Model<T>, filter: QueryFilter<T>): Promise<Record<string, unknown> | null>;
}

function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

/** Starts the audit of one message. */
export function createAudit(opts: AuditOptions): Audit {
  let seq = 0;
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
    await opts.models.AuditEntry.updateOne(
      { msgId: opts.msgId, modelName: model.modelName, docId },
      { $setOnInsert: insert, ...(Object.keys(set).length ? { $set: set } : {}) },
      { upsert: true },
    );
  };

  const findByMsgId = <T>(model: Model<T>) =>
    model.schema.path('msgId') ? model.findOne({ msgId: opts.msgId } as QueryFilter<T>) : Promise.resolve(null);

  return {
    async create<T>(model: Model<T>, fields: Partial<T> | (() => Partial<T> | Promise<Partial<T>>)) {
      const untyped = model as unknown as Model<unknown>;
      const previous = await findByMsgId(model);
      if (previous) {
        await log(untyped, 'create', previous._id as Types.ObjectId, undefined, previous.toObject());
        return previous;
      }
      const values: Record<string, unknown> = { ...(typeof fields === 'function' ? await fields() : fields) };
      const defaults: Record<string, unknown> = { msgId: opts.msgId, createdAt: opts.now, createdBy: opts.actor };
      for (const [path, value] of Object.entries(defaults)) {
        if (values[path] === undefined && model.schema.path(path)) values[path] = value;
      }
      const doc = new model(values);
      try {
        await doc.save();
      } catch (err) {
        const raced = isDuplicateKey(err) ? await findByMsgId(model) : null;
        if (!raced) throw err;
        await log(untyped, 'create', raced._id as Types.ObjectId, undefined, raced.toObject());
        return raced;
      }
      await log(untyped, 'create', doc._id as Types.ObjectId, undefined, doc.toObject({ depopulate: true }));
      return doc;
    },

    async update<T>(model: Model<T>, filter: QueryFilter<T>, update: UpdateQuery<T>) {
      const before = await model.findOne(filter).lean<Record<string, unknown>>();
      if (!before) return null;
      const id = before._id as Types.ObjectId;
      // The filter guards the write too: a record changed since it was read no longer matches, and nothing is written.
      const after = await model.findOneAndUpdate({ ...filter, _id: id } as QueryFilter<T>, update, {
        returnDocument: 'after',
        runValidators: true,
      });
      if (!after) return null;
      await log(model as unknown as Model<unknown>, 'update', id, before, after.toObject({ depopulate: true }));
      return after;
    },

    async remove<T>(model: Model<T>, filter: QueryFilter<T>) {
      const before = await model.findOne(filter).lean<Record<string, unknown>>();
      if (!before) return null;
      const id = before._id as Types.ObjectId;
      await model.deleteOne({ _id: id } as QueryFilter<T>);
      await log(model as unknown as Model<unknown>, 'delete', id, before, undefined);
      return before;
    },
  };
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
    const later = await models.AuditEntry.findOne({
      modelName: e.modelName,
      docId: e.docId,
      msgId: { $ne: e.msgId },
      at: { $gte: e.at },
      undoneAt: null,
    });
    if (later) {
      throw new UserError(`「${last.command}」改过的记录之后又被「${later.command}」（${later.actorName ?? later.actor}）修改，无法撤销`);
    }
  }
  for (const e of entries) {
    const collection = modelNamed(models, e.modelName).collection;
    const before = e.before as Record<string, unknown> | undefined;
    if (e.op === 'create') {
      await collection.deleteOne({ _id: e.docId });
    } else if (e.op === 'update' && before) {
      await collection.replaceOne({ _id: e.docId }, before, { upsert: true });
    } else if (e.op === 'delete' && before) {
      await collection.insertOne(before).catch((err: unknown) => {
        if (!isDuplicateKey(err)) throw err;
      });
    }
  }
  const undone = entries.map((e) => e.toObject() as AuditEntry);
  await models.AuditEntry.updateMany({ _id: { $in: entries.map((e) => e._id) } }, { $set: { undoneAt: now, undoneBy: actor } });
  return { command: last.command, at: last.at, entries: undone };
}
