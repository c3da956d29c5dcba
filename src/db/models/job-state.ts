import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * The record of one scheduled job (`_id` = its name): since when a scheduler has watched it
 * and how its last fire went. Start-up catch-up compares `lastFiredAt` (or, before any fire,
 * `watchingSince`) with the job's previous scheduled slot.
 */
const jobStateSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** The first start of a scheduler that knew this job: fires before it were never missed. */
    watchingSince: { type: Date, required: true },
    lastFiredAt: { type: Date },
    lastStatus: { type: String, enum: ['done', 'failed', 'skipped'] },
    lastTrigger: { type: String, enum: ['schedule', 'catch-up', 'manual'] },
    lastCounts: { planned: Number, queued: Number, duplicate: Number },
    lastFinishedAt: { type: Date },
  },
  { versionKey: false },
);

export type JobState = InferSchemaType<typeof jobStateSchema>;
export type JobStateModel = Model<JobState>;

export function jobStateModel(conn: Connection): JobStateModel {
  return (conn.models.JobState as JobStateModel | undefined) ?? conn.model<JobState>('JobState', jobStateSchema);
}
