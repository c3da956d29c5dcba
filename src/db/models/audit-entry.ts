import { Schema, type Connection, type HydratedDocument, type InferSchemaType, type Model } from 'mongoose';

/** create: `after` is the new record; update: both; delete: `before` is the removed record. */
export const AUDIT_OPS = ['create', 'update', 'delete'] as const;
export type AuditOp = (typeof AUDIT_OPS)[number];

/**
 * One change to one record, made by a command (or the roster import). The entries of one
 * message share its `msgId`, in `seq` order, so a generic undo reverts a command as a whole,
 * newest first: create → delete the record; update → restore `before`; delete → re-insert
 * `before`. Written through src/services/audit.ts, never by hand.
 */
const auditEntrySchema = new Schema({
  /** WeCom userid of who made the change ('import' for the roster import). */
  actor: { type: String, required: true },
  actorName: { type: String },
  /** The command text as typed. */
  command: { type: String, default: '' },
  msgId: { type: String, required: true },
  /** Order of this change within its message. */
  seq: { type: Number, required: true },
  /** The mongoose model name, e.g. 'Project'. */
  modelName: { type: String, required: true },
  docId: { type: Schema.Types.ObjectId, required: true },
  op: { type: String, enum: AUDIT_OPS, required: true },
  before: { type: Schema.Types.Mixed },
  after: { type: Schema.Types.Mixed },
  at: { type: Date, required: true },
  undoneAt: { type: Date },
  /** WeCom userid of who undid it. */
  undoneBy: { type: String },
});
auditEntrySchema.index({ msgId: 1, modelName: 1, docId: 1 }, { unique: true });
auditEntrySchema.index({ actor: 1, at: -1 });
auditEntrySchema.index({ modelName: 1, docId: 1, at: 1 });

export type AuditEntry = InferSchemaType<typeof auditEntrySchema>;
export type AuditEntryDoc = HydratedDocument<AuditEntry>;
export type AuditEntryModel = Model<AuditEntry>;

export function auditEntryModel(conn: Connection): AuditEntryModel {
  return (conn.models.AuditEntry as AuditEntryModel | undefined) ?? conn.model<AuditEntry>('AuditEntry', auditEntrySchema);
}
