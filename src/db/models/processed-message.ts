import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/** How long a processed msgId is remembered; WeCom's retries come within seconds. */
export const PROCESSED_MESSAGE_TTL_SECONDS = 3 * 24 * 3600;

/**
 * One WeCom callback message, claimed by exactly one process (unique `key`), with the reply
 * it produced, so that WeCom's retries get the same answer without running the handler again.
 */
const processedMessageSchema = new Schema({
  /** `<channel>:<msgId>`. */
  key: { type: String, required: true, unique: true },
  status: { type: String, enum: ['running', 'done'], required: true },
  /** The process (dedupe instance) that runs the handler; a finish from anyone else is ignored. */
  owner: { type: String, required: true },
  /** The owner renews this while the handler runs; past it, a retry may take the claim over. */
  leaseUntil: { type: Date, required: true },
  /**
   * Set when the reply budget ran out before the handler finished, and the callback was
   * acknowledged: 'push' (empty 200, the answer goes through the outbox) or 'stream'
   * (intelligent robot: an unfinished stream, finished on WeCom's refresh callbacks).
   */
  deferred: { type: String, enum: ['push', 'stream'] },
  /** Who sent the message, and in which chat (the group's ChatId; a 1:1 chat's is the sender's userid). */
  chatId: { type: String },
  userId: { type: String },
  /** Intelligent robot: the stream id of the passive reply (refresh callbacks carry it). */
  streamId: { type: String },
  /** Intelligent robot: where the rest of a long answer goes (refresh callbacks do not carry it). */
  responseUrl: { type: String },
  /** The handler's Reply, or null when it had nothing to say. Set with status 'done'. */
  reply: { type: Schema.Types.Mixed },
  /**
   * What the handler left for the sender's later messages in this chat to find, open until
   * `until` (a Reply's `attach`, stored apart from the reply so it never goes out). Set with status 'done'.
   */
  attach: { type: new Schema({ until: { type: Date, required: true }, target: { type: Schema.Types.Mixed } }, { _id: false }) },
  /** Set when the answer was pushed (through the outbox) instead of a passive reply. */
  pushedAt: { type: Date },
  /** When the message was first claimed, by the application's clock. */
  createdAt: { type: Date, required: true },
  /** Housekeeping by the database's own clock (a TTL index), so a test's fake clock cannot expire claims early. */
  expireAt: { type: Date, required: true, default: () => new Date(Date.now() + PROCESSED_MESSAGE_TTL_SECONDS * 1000) },
});
processedMessageSchema.index({ expireAt: 1 }, { expireAfterSeconds: 0 });
processedMessageSchema.index({ streamId: 1 }, { sparse: true });
// The sender's newest attachment in a chat; only claims that left one are indexed.
processedMessageSchema.index({ chatId: 1, userId: 1, createdAt: -1 }, { partialFilterExpression: { 'attach.until': { $exists: true } } });

export type ProcessedMessage = InferSchemaType<typeof processedMessageSchema>;
export type ProcessedMessageModel = Model<ProcessedMessage>;

export function processedMessageModel(conn: Connection): ProcessedMessageModel {
  return (
    (conn.models.ProcessedMessage as ProcessedMessageModel | undefined) ??
    conn.model<ProcessedMessage>('ProcessedMessage', processedMessageSchema)
  );
}
