import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Connection } from 'mongoose';
import { isDuplicateKey } from '../db/duplicate-key';
import { processedMessageModel, PROCESSED_MESSAGE_TTL_SECONDS, type ProcessedMessage } from '../db/models/processed-message';
import type { Attachment, Reply } from './message';

/** A claim as stored (see src/db/models/processed-message.ts). */
export type ClaimRecord = ProcessedMessage & { reply?: Reply | null };

/** What a claim records about its message besides the key. */
export interface ClaimFields {
  chatId?: string;
  userId?: string;
  /** Intelligent robot. */
  streamId?: string;
  responseUrl?: string;
}

export interface DedupeDeps {
  conn: Connection;
  now?: () => Date;
  /** How long a claim stays with its owner without a renewal (default 30 s). */
  leaseMs?: number;
}

/**
 * Exactly-once bookkeeping for callback messages, shared by every process through MongoDB:
 * each key is claimed once (unique index); the owner runs the handler, renews its lease and
 * stores the reply; everybody else reads that reply. Only the database is shared.
 */
export interface Dedupe {
  /** Inserts the claim; true when this instance owns it (and must run the handler). */
  claim(key: string, fields?: ClaimFields): Promise<boolean>;
  /** Takes over a running claim whose lease has expired (its owner died); true on success. */
  takeOver(key: string): Promise<boolean>;
  /** Extends this instance's lease on a running claim. */
  renew(key: string): Promise<void>;
  /**
   * Stores the reply. Returns the record as it was just before (its `deferred` says whether
   * the answer must now be pushed), or null when this instance no longer owns the claim.
   * A claim deferred as 'stream' before `pushStreamsBefore` is marked pushed in the same
   * step (WeCom has stopped polling that stream). `attach` is stored beside the reply.
   */
  finish(key: string, reply: Reply | null, pushStreamsBefore?: Date, attach?: Attachment): Promise<{ before: ClaimRecord; pushed: boolean } | null>;
  /** Marks a running claim as acknowledged without an answer; false when it is already done. */
  defer(key: string, how: 'push' | 'stream'): Promise<boolean>;
  get(key: string): Promise<ClaimRecord | null>;
  byStream(streamId: string): Promise<ClaimRecord | null>;
  /** Resolves when this instance finishes or defers `key`, or after `ms` (to poll others). */
  changed(key: string, ms: number): Promise<void>;
}

export function createDedupe(deps: DedupeDeps): Dedupe {
  const model = processedMessageModel(deps.conn);
  const now = deps.now ?? (() => new Date());
  const leaseMs = deps.leaseMs ?? 30_000;
  const owner = randomBytes(8).toString('hex');
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const leaseEnd = () => new Date(now().getTime() + leaseMs);

  return {
    async claim(key, fields = {}) {
      // A plain insert (no document built, no validation): the schema's shape, written here.
      const doc: Record<string, unknown> = { key, status: 'running', owner, leaseUntil: leaseEnd(), createdAt: now() };
      for (const [name, value] of Object.entries(fields)) if (value !== undefined) doc[name] = value;
      doc.expireAt = new Date(Date.now() + PROCESSED_MESSAGE_TTL_SECONDS * 1000);
      try {
        await model.collection.insertOne(doc);
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },

    async takeOver(key) {
      const res = await model.updateOne(
        { key, status: 'running', leaseUntil: { $lt: now() } },
        { $set: { owner, leaseUntil: leaseEnd() } },
      );
      return res.modifiedCount === 1;
    },

    async renew(key) {
      await model.updateOne({ key, owner, status: 'running' }, { $set: { leaseUntil: leaseEnd() } });
    },

    async finish(key, reply, pushStreamsBefore, attach) {
      const done = { status: 'done', reply, ...(attach ? { attach } : {}) };
      // The usual case in one write: not a stream WeCom has stopped polling.
      const current: Record<string, unknown> = { key, owner, status: 'running' };
      if (pushStreamsBefore) current.$or = [{ deferred: { $ne: 'stream' } }, { createdAt: { $gte: pushStreamsBefore } }];
      let before = await model.findOneAndUpdate(current, { $set: done }, { returnDocument: 'before' }).lean<ClaimRecord>();
      let pushed = false;
      if (!before && pushStreamsBefore) {
        before = await model
          .findOneAndUpdate({ key, owner, status: 'running', deferred: 'stream', createdAt: { $lt: pushStreamsBefore } }, { $set: { ...done, pushedAt: now() } }, { returnDocument: 'before' })
          .lean<ClaimRecord>();
        pushed = before !== null;
      }
      if (!before) return null;
      if (before.deferred === 'push') pushed = true;
      events.emit(key);
      return { before, pushed };
    },

    async defer(key, how) {
      const res = await model.updateOne(
        { key, status: 'running', deferred: { $exists: false } },
        { $set: { deferred: how } },
      );
      if (res.modifiedCount === 1) {
        events.emit(key);
        return true;
      }
      const current = await model.findOne({ key }).lean<ClaimRecord>();
      return current?.status === 'running';
    },

    get: (key) => model.findOne({ key }).lean<ClaimRecord>().exec(),
    byStream: (streamId) => model.findOne({ streamId }).lean<ClaimRecord>().exec(),

    changed(key, ms) {
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          events.off(key, done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        events.on(key, done);
      });
    },
  };
}
