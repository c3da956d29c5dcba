import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * Marks are only needed for the day they are about; a TTL index removes them a week after
 * they were written. The TTL runs on the database's wall clock, so it keys on `expireAt`
 * (wall clock), not on `createdAt` (the job's clock, which replays and tests set in the past).
 */
const MARK_TTL_SECONDS = 7 * 24 * 3600;

/**
 * "This overdue item was alerted on this Beijing day": `_id` = `<item key>:<YYYY-MM-DD>`.
 * The overdue alerts leave out items marked for the day they go out, so each item is alerted
 * at most once a day however often the job runs (schedule, catch-up, /推送).
 */
const alertMarkSchema = new Schema(
  {
    _id: { type: String, required: true },
    job: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expireAt: { type: Date, required: true, default: () => new Date(Date.now() + MARK_TTL_SECONDS * 1000) },
  },
  { versionKey: false },
);
alertMarkSchema.index({ expireAt: 1 }, { expireAfterSeconds: 0 });

export type AlertMark = InferSchemaType<typeof alertMarkSchema>;
export type AlertMarkModel = Model<AlertMark>;

export function alertMarkModel(conn: Connection): AlertMarkModel {
  return (conn.models.AlertMark as AlertMarkModel | undefined) ?? conn.model<AlertMark>('AlertMark', alertMarkSchema);
}
