import { Schema, type Connection, type HydratedDocument, type InferSchemaType, type Model } from 'mongoose';
import { recordChangedBy } from './changed-by';

export const CLAIM_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

/**
 * A WeCom account's claim to a roster entry that carries no userid (/登记 张三 区医保局). It
 * links nothing until the entry's street admin or a district admin approves it
 * (/登记 批准 张三); until then the account has no role. At most one pending claim per entry
 * and per account (two accounts claiming one entry at once: one claim is filed, the other
 * refused).
 */
const registrationClaimSchema = new Schema({
  /** The roster entry claimed. */
  cadre: { type: Schema.Types.ObjectId, ref: 'Cadre', required: true },
  /** The claiming WeCom account. */
  userId: { type: String, required: true },
  /** Its WeCom display name, as the callback gave it. */
  userName: { type: String },
  status: { type: String, enum: CLAIM_STATUSES, default: 'pending', required: true },
  /** The chat the claim was sent from (a group's ChatId; absent for a 1:1 chat). */
  chatId: { type: String },
  createdAt: { type: Date, required: true },
  /** Who approved or rejected it, when, and why (rejections). */
  decidedBy: { type: String },
  decidedByName: { type: String },
  decidedAt: { type: Date },
  reason: { type: String },
  msgId: { type: String },
});
registrationClaimSchema.index({ cadre: 1 }, { unique: true, partialFilterExpression: { status: 'pending' } });
registrationClaimSchema.index({ userId: 1 }, { unique: true, partialFilterExpression: { status: 'pending' } });
registrationClaimSchema.index({ msgId: 1 }, { unique: true, sparse: true });

export type RegistrationClaim = InferSchemaType<typeof registrationClaimSchema>;
export type RegistrationClaimDoc = HydratedDocument<RegistrationClaim>;
export type RegistrationClaimModel = Model<RegistrationClaim>;

recordChangedBy(registrationClaimSchema);

export function registrationClaimModel(conn: Connection): RegistrationClaimModel {
  return (
    (conn.models.RegistrationClaim as RegistrationClaimModel | undefined) ??
    conn.model<RegistrationClaim>('RegistrationClaim', registrationClaimSchema)
  );
}
