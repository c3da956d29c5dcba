import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A counter of one rate limit's window: `_id` names the limit, the key and the window
 * (`request:sender:wangwu:1600221600000`); MongoDB removes it once the window is over (TTL).
 * See src/services/rate-limit.ts.
 */
export interface RateSlot {
  _id: string;
  count: number;
  expiresAt: Date;
}

const rateSlotSchema = new Schema<RateSlot>(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true, default: 0 },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'rate_slots', versionKey: false },
);
rateSlotSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type RateSlotModel = Model<RateSlot>;

export function rateSlotModel(conn: Connection): RateSlotModel {
  return (conn.models.RateSlot as RateSlotModel | undefined) ?? conn.model<RateSlot>('RateSlot', rateSlotSchema);
}
