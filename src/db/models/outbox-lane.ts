import { Schema, type Connection, type Model } from 'mongoose';

/**
 * One outbox lane (a group robot, a response_url or an app user): a lease that lets one
 * process at a time send its pushes, in order, and for a robot the times of its recent sends,
 * so that all processes together stay under WeCom's per-robot limit.
 */
export interface OutboxLane {
  /** The lane name, as in OutboxItem.lane. */
  _id: string;
  /** A random token of the current holder; absent when free. */
  owner?: string;
  leaseUntil?: Date;
  /** Nothing can go before this (quota used up, or the first push waits for its retry). */
  resumeAt?: Date;
  /** Robot lanes: when each of the last sends was reserved (oldest first). */
  sendTimes: Date[];
}
export type OutboxLaneModel = Model<OutboxLane>;

const outboxLaneSchema = new Schema<OutboxLane>(
  {
    _id: { type: String, required: true },
    owner: { type: String },
    leaseUntil: { type: Date },
    resumeAt: { type: Date },
    sendTimes: { type: [Date], default: [] },
  },
  { collection: 'outbox_lanes', versionKey: false },
);

export function outboxLaneModel(conn: Connection): OutboxLaneModel {
  return (conn.models.OutboxLane as OutboxLaneModel | undefined) ?? conn.model<OutboxLane>('OutboxLane', outboxLaneSchema);
}
