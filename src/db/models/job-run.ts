import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * One fire of a scheduled job (or a run by hand). `_id` is node-cron's coordination key,
 * `<job name>:<fire ISO time>`: inserting it is how a process wins the fire (the unique
 * `_id` lets only one in), and the document then records how the run went.
 */
const jobRunSchema = new Schema(
  {
    _id: { type: String, required: true },
    job: { type: String, required: true },
    /** The scheduled slot (or the minute a run by hand was asked for). */
    firedAt: { type: Date, required: true },
    /** An id of the process that won the fire. */
    owner: { type: String, required: true },
    claimedAt: { type: Date, required: true },
    /** Another process may take the fire over after this (its holder died mid-run). */
    leaseUntil: { type: Date, required: true },
    /** schedule: node-cron fired it; catch-up: missed while down, run at start; manual: /推送 or npm run job. */
    trigger: { type: String, enum: ['schedule', 'catch-up', 'manual'], default: 'schedule' },
    /** skipped: a job of working days only, fired on a day off. */
    status: { type: String, enum: ['running', 'done', 'failed', 'skipped'], default: 'running', required: true },
    /** Pushes planned, newly queued, and already queued by an earlier run of the same fire. */
    counts: { planned: Number, queued: Number, duplicate: Number },
    /** When the pushes may go out (quiet hours and days off hold them). */
    notBefore: { type: Date },
    error: { type: String },
    /** What a job that does more than pushes did (the daily backup: the archive written). */
    summary: { type: String },
    finishedAt: { type: Date },
  },
  { versionKey: false },
);
jobRunSchema.index({ job: 1, firedAt: -1 });

export type JobRun = InferSchemaType<typeof jobRunSchema>;
export type JobRunModel = Model<JobRun>;

export function jobRunModel(conn: Connection): JobRunModel {
  return (conn.models.JobRun as JobRunModel | undefined) ?? conn.model<JobRun>('JobRun', jobRunSchema);
}
