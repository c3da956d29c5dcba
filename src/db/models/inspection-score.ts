import { Schema, type Connection, type HydratedDocument, type InferSchemaType, type Model } from 'mongoose';
import { recordChangedBy } from './changed-by';

/**
 * A monthly inspection score (每月观摩, /评分) of a street office by one scorer. A scorer has
 * one score per street and month (scoring again replaces it); the monthly ranking averages
 * the scorers.
 */
const inspectionScoreSchema = new Schema({
  street: { type: Schema.Types.ObjectId, ref: 'Street', required: true },
  /** 'YYYY-MM' in Beijing time. */
  month: { type: String, required: true, match: /^\d{4}-\d{2}$/ },
  score: { type: Number, min: 0, max: 100, required: true },
  /** WeCom userid of the scorer. */
  by: { type: String, required: true },
  byName: { type: String },
  note: { type: String, default: '' },
  createdAt: { type: Date, required: true },
  msgId: { type: String },
});
inspectionScoreSchema.index({ street: 1, month: 1, by: 1 }, { unique: true });
inspectionScoreSchema.index({ month: 1, street: 1 });
inspectionScoreSchema.index({ msgId: 1 }, { unique: true, sparse: true });

export type InspectionScore = InferSchemaType<typeof inspectionScoreSchema>;
export type InspectionScoreDoc = HydratedDocument<InspectionScore>;
export type InspectionScoreModel = Model<InspectionScore>;

recordChangedBy(inspectionScoreSchema);

export function inspectionScoreModel(conn: Connection): InspectionScoreModel {
  return (
    (conn.models.InspectionScore as InspectionScoreModel | undefined) ??
    conn.model<InspectionScore>('InspectionScore', inspectionScoreSchema)
  );
}
