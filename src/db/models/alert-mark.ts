import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/** Marks are only needed for the day they are about; a TTL index removes them after a week. */
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
  },
  { versionKey: false },
);
alertMarkSchema.index({ createdAt: 1 }, { expireAfterSeconds: MARK_TTL_SECONDS });

export type AlertMark = InferSchemaType<typeof alertMarkSchema>;
export type AlertMarkModel = Model<AlertMark>;

export function alertMarkModel(conn: Connection): AlertMarkModel {
  return (conn.models.AlertMark as AlertMarkModel | undefined) ?? conn.model<AlertMark>('AlertMark', alertMarkSchema);
}
