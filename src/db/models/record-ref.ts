import { Schema, type Connection, type HydratedDocument, type InferSchemaType, type Model } from 'mongoose';

/** The kinds of record an admin may void after the undo window (/作废 记录). */
export const RECORD_KINDS = ['visit', 'progress', 'feedback'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/**
 * The short number (`#12`, from the 'record' sequence) of one record a person made — a
 * visit (/下沉), a progress report (/进度) or a feedback on a request (/反馈) — given the first time /记录 lists it and never
 * changed, so that `/作废 记录 #12` means the same record whoever listed it and whenever.
 * `key` is the record's identity (`Visit:<id>`; a feedback, which lives in its request, by
 * the request and the feedback's time and author). A void is marked here (who, when, why) in
 * the one conditional write that decides it; the record itself is then removed through the
 * audit log (its last state stays there), so every figure of an open period drops it, while
 * published snapshots change only when re-published.
 */
const recordRefSchema = new Schema({
  no: { type: Number, required: true },
  key: { type: String, required: true },
  kind: { type: String, enum: RECORD_KINDS, required: true },
  /** The Visit, ProgressReport, or the ResidentRequest holding the feedback. */
  docId: { type: Schema.Types.ObjectId, required: true },
  /** A feedback: its time and author (WeCom userid) within the request's `feedbacks`. */
  feedbackAt: { type: Date },
  feedbackBy: { type: String },
  /** The person who made it. */
  cadre: { type: Schema.Types.ObjectId, ref: 'Cadre', required: true },
  courtyard: { type: Schema.Types.ObjectId, ref: 'Courtyard', required: true },
  street: { type: Schema.Types.ObjectId, ref: 'Street', required: true },
  /** When the record was made. */
  at: { type: Date, required: true },
  /** What it said, as listed (kept for the listing once the record is voided). */
  summary: { type: String, required: true },
  createdAt: { type: Date, required: true },
  voidedAt: { type: Date, default: null },
  /** WeCom userid and name of who voided it. */
  voidedBy: { type: String },
  voidedByName: { type: String },
  voidReason: { type: String },
});
recordRefSchema.index({ no: 1 }, { unique: true });
recordRefSchema.index({ key: 1 }, { unique: true });
recordRefSchema.index({ cadre: 1, at: -1 });

export type RecordRef = InferSchemaType<typeof recordRefSchema>;
export type RecordRefDoc = HydratedDocument<RecordRef>;
export type RecordRefModel = Model<RecordRef>;

export function recordRefModel(conn: Connection): RecordRefModel {
  return (conn.models.RecordRef as RecordRefModel | undefined) ?? conn.model<RecordRef>('RecordRef', recordRefSchema);
}
