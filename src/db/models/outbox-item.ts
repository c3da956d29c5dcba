import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/** Sent pushes are kept this long (for dedupe and inspection), then removed by a TTL index. */
export const SENT_PUSH_TTL_SECONDS = 14 * 24 * 3600;

const targetSchema = new Schema(
  {
    kind: { type: String, enum: ['webhook', 'response_url', 'app'], required: true },
    /** webhook and response_url: the URL (it holds the robot key / response code). */
    url: { type: String },
    /** app: the WeCom userid. */
    toUser: { type: String },
  },
  { _id: false },
);

const payloadSchema = new Schema(
  {
    type: { type: String, enum: ['markdown', 'text', 'image', 'file'], required: true },
    content: { type: String },
    mentions: { type: [String], default: undefined },
    png: { type: Buffer },
    filename: { type: String },
    data: { type: Buffer },
  },
  { _id: false },
);

/**
 * One push waiting in (or gone through) the outbox. Pushes of one lane (one robot, one
 * response_url, one app user) are sent one at a time in (notBefore, createdAt, seq) order by
 * whoever holds the lane's lease (see outbox-lane.ts).
 */
const outboxItemSchema = new Schema(
  {
    /** The caller's idempotency key: a second enqueue with it is a no-op. */
    dedupeKey: { type: String, required: true, unique: true },
    target: { type: targetSchema, required: true },
    /** `webhook:<key>`, `response_url:<url>` or `app:<userid>`: the unit of ordering and pacing. */
    lane: { type: String, required: true },
    payload: { type: payloadSchema, required: true },
    status: { type: String, enum: ['pending', 'sending', 'sent', 'dead'], required: true, default: 'pending' },
    /** Failed attempts at the part now due (reset when a part goes through). */
    attempts: { type: Number, required: true, default: 0 },
    /** Long markdown/text goes as several parts; this many are delivered. */
    partsSent: { type: Number, required: true, default: 0 },
    /** Not before this instant (quiet hours); fixes the push's place in its lane. */
    notBefore: { type: Date, required: true },
    /** When the next attempt is due (notBefore at first, then backoff). */
    nextAttemptAt: { type: Date, required: true },
    lastError: { type: String },
    /** While status is 'sending': which lane holder sends it, and until when. */
    lease: { owner: { type: String }, until: { type: Date } },
    createdAt: { type: Date, required: true },
    /** Enqueue order within one process, for pushes created in the same millisecond. */
    seq: { type: Number, required: true },
    sentAt: { type: Date },
    diedAt: { type: Date },
  },
  { collection: 'outbox', versionKey: false },
);
// Which lanes have work due (runDue).
outboxItemSchema.index({ status: 1, nextAttemptAt: 1 });
// The head of a lane.
outboxItemSchema.index({ lane: 1, status: 1, notBefore: 1, createdAt: 1, seq: 1 });
// Dead pushes for admins, newest first.
outboxItemSchema.index({ status: 1, diedAt: -1 });
// Only sent pushes have sentAt, so only they expire.
outboxItemSchema.index({ sentAt: 1 }, { expireAfterSeconds: SENT_PUSH_TTL_SECONDS });

export type OutboxItem = InferSchemaType<typeof outboxItemSchema>;
export type OutboxItemModel = Model<OutboxItem>;

export function outboxItemModel(conn: Connection): OutboxItemModel {
  return (conn.models.OutboxItem as OutboxItemModel | undefined) ?? conn.model<OutboxItem>('OutboxItem', outboxItemSchema);
}
