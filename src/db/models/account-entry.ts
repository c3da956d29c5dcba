import { Schema, type Connection, type HydratedDocument, type InferSchemaType, type Model } from 'mongoose';
import { recordChangedBy } from './changed-by';

/** 收入 or 支出. */
export const ACCOUNT_KINDS = ['income', 'expense'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

/**
 * One line of a courtyard's public accounts (事务公开, /公开): a fee collected (停车费, 卫生费,
 * 公共空间营收) or money spent (门卫, 保洁, 物管用品) in one month, as the self-governing body's
 * contact or an admin recorded it. Amounts are integers of fen. A voided entry stays, out of
 * every total (`status: 'void'`, with who, when and why).
 */
const accountEntrySchema = new Schema({
  /** Short number (`#3`), from the 'account' sequence. */
  no: { type: Number, required: true },
  courtyard: { type: Schema.Types.ObjectId, ref: 'Courtyard', required: true },
  street: { type: Schema.Types.ObjectId, ref: 'Street', required: true },
  /** The month it belongs to, Beijing calendar: `2020-11`. */
  month: { type: String, required: true, match: /^\d{4}-(0[1-9]|1[0-2])$/ },
  kind: { type: String, enum: ACCOUNT_KINDS, required: true },
  /** What it is for: 停车费, 保洁. */
  item: { type: String, required: true, trim: true },
  amountFen: { type: Number, required: true, min: 1, validate: Number.isInteger },
  note: { type: String, default: '' },
  status: { type: String, enum: ['active', 'void'] as const, default: 'active', required: true },
  createdAt: { type: Date, required: true },
  /** WeCom userid of who recorded it, and their name then. */
  createdBy: { type: String, required: true },
  createdByName: { type: String },
  voidedAt: { type: Date },
  voidedBy: { type: String },
  voidedByName: { type: String },
  voidReason: { type: String },
  msgId: { type: String },
});
accountEntrySchema.index({ no: 1 }, { unique: true });
accountEntrySchema.index({ msgId: 1 }, { unique: true, sparse: true });
accountEntrySchema.index({ courtyard: 1, month: 1 });
accountEntrySchema.index({ month: 1, status: 1 });

export type AccountEntry = InferSchemaType<typeof accountEntrySchema>;
export type AccountEntryDoc = HydratedDocument<AccountEntry>;
export type AccountEntryModel = Model<AccountEntry>;

recordChangedBy(accountEntrySchema);

export function accountEntryModel(conn: Connection): AccountEntryModel {
  return (conn.models.AccountEntry as AccountEntryModel | undefined) ?? conn.model<AccountEntry>('AccountEntry', accountEntrySchema);
}
