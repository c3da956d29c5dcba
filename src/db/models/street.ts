import { Schema, type Connection, type HydratedDocument, type InferSchemaType, type Model } from 'mongoose';
import { countWrites } from './writes';
import { recordChangedBy } from './changed-by';

/** Kinds of street-level office: 街道 (street office), 镇 (town), 办事处 (sub-district office). */
export const STREET_KINDS = ['街道', '镇', '办事处'] as const;

/**
 * A street office (街道/办事处/镇), the level between the district and its communities.
 * Natural key: `name` (e.g. 济源路街道); `aliases` are other names users type (济源路).
 */
const streetSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    aliases: { type: [String], default: [] },
    /** The district it belongs to, e.g. 上街区. */
    district: { type: String, default: '' },
    kind: { type: String, enum: STREET_KINDS, default: '街道' },
  },
  { timestamps: true },
);
streetSchema.index({ name: 1 }, { unique: true });
streetSchema.index({ aliases: 1 });
// The street cache (src/services/record-cache.ts) drops what it read before a local write.
countWrites(streetSchema, 'Street');

export type Street = InferSchemaType<typeof streetSchema>;
export type StreetDoc = HydratedDocument<Street>;
export type StreetModel = Model<Street>;

recordChangedBy(streetSchema);

export function streetModel(conn: Connection): StreetModel {
  return (conn.models.Street as StreetModel | undefined) ?? conn.model<Street>('Street', streetSchema);
}
