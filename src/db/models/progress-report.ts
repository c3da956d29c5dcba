import { Schema, type Connection, type HydratedDocument, type InferSchemaType, type Model } from 'mongoose';
import { recordChangedBy } from './changed-by';

/** One progress report on a project (/进度): the new percentage and what was done. */
const progressReportSchema = new Schema({
  project: { type: Schema.Types.ObjectId, ref: 'Project', required: true },
  courtyard: { type: Schema.Types.ObjectId, ref: 'Courtyard', required: true },
  street: { type: Schema.Types.ObjectId, ref: 'Street', required: true },
  /** The reporting cadre (absent when an admin off the roster reported). */
  cadre: { type: Schema.Types.ObjectId, ref: 'Cadre' },
  /** WeCom userid of the reporter. */
  userId: { type: String, required: true },
  percent: { type: Number, min: 0, max: 100, required: true },
  /** The project's percentage before this report. */
  previousPercent: { type: Number, min: 0, max: 100 },
  note: { type: String, default: '' },
  at: { type: Date, required: true },
  msgId: { type: String },
});
progressReportSchema.index({ msgId: 1 }, { unique: true, sparse: true });
progressReportSchema.index({ project: 1, at: -1 });
progressReportSchema.index({ street: 1, at: 1 });
progressReportSchema.index({ courtyard: 1, at: 1 });
progressReportSchema.index({ cadre: 1, at: 1 });

export type ProgressReport = InferSchemaType<typeof progressReportSchema>;
export type ProgressReportDoc = HydratedDocument<ProgressReport>;
export type ProgressReportModel = Model<ProgressReport>;

recordChangedBy(progressReportSchema);

export function progressReportModel(conn: Connection): ProgressReportModel {
  return (
    (conn.models.ProgressReport as ProgressReportModel | undefined) ??
    conn.model<ProgressReport>('ProgressReport', progressReportSchema)
  );
}
