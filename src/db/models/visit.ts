import { Schema, type Connection, type HydratedDocument, type InferSchemaType, type Model } from 'mongoose';
import { recordChangedBy } from './changed-by';

/**
 * Time a cadre spent on site (/下沉): the duty is at least half a day (4 hours) a week.
 * `date` is the calendar day of the visit, 00:00 Beijing time; weekly compliance sums
 * `hours` per cadre over the Monday-to-Sunday days of a week.
 */
const visitSchema = new Schema({
  cadre: { type: Schema.Types.ObjectId, ref: 'Cadre', required: true },
  courtyard: { type: Schema.Types.ObjectId, ref: 'Courtyard', required: true },
  street: { type: Schema.Types.ObjectId, ref: 'Street', required: true },
  date: { type: Date, required: true },
  hours: { type: Number, min: 0, max: 24, required: true },
  /** What was done: 征集意见, 打扫卫生, 清理杂物, 政策宣讲, 健康义诊 … */
  activities: { type: [String], default: [] },
  note: { type: String, default: '' },
  /** When it was logged. */
  createdAt: { type: Date, required: true },
  msgId: { type: String },
});
visitSchema.index({ msgId: 1 }, { unique: true, sparse: true });
visitSchema.index({ cadre: 1, date: 1 });
visitSchema.index({ courtyard: 1, date: 1 });
visitSchema.index({ street: 1, date: 1 });

export type Visit = InferSchemaType<typeof visitSchema>;
export type VisitDoc = HydratedDocument<Visit>;
export type VisitModel = Model<Visit>;

recordChangedBy(visitSchema);

export function visitModel(conn: Connection): VisitModel {
  return (conn.models.Visit as VisitModel | undefined) ?? conn.model<Visit>('Visit', visitSchema);
}
