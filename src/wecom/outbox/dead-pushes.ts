/** The pushes WeCom would not take, as the admin's views (`/查询`) list them. */
import type mongoose from 'mongoose';
import { outboxItemModel } from '../../db/models/outbox-item';
import { laneOf, maskTarget } from './lanes';
import { targetOf } from './parts';
import type { PushPayload, PushTarget } from './types';

/** A push WeCom would not take, as admins see it (`/查询`): no secrets, no payload bytes. */
export interface DeadPush {
  dedupeKey: string;
  /** With the robot key / response code masked. */
  target: PushTarget;
  type: PushPayload['type'];
  /** The first characters of the content, or the file name. */
  preview: string;
  attempts: number;
  lastError: string;
  createdAt: Date;
  diedAt: Date;
}

/** What may narrow a dead-push query. */
export type DeadPushFilter = { webhookUrl?: string; toUser?: string; since?: Date; limit?: number };
/** The dead-push query, as handed to the admin's views (ctx.deadPushes). */
export type DeadPushQuery = (filter?: DeadPushFilter) => Promise<DeadPush[]>;

/** Dead pushes, newest first; narrowed to one robot (any URL form of it), one app user, or a time. */
export async function listDeadPushes(
  conn: mongoose.Connection,
  filter: DeadPushFilter = {},
): Promise<DeadPush[]> {
  const query: Record<string, unknown> = { status: 'dead' };
  if (filter.webhookUrl) query.lane = laneOf({ kind: 'webhook', url: filter.webhookUrl });
  else if (filter.toUser) query.lane = laneOf({ kind: 'app', toUser: filter.toUser });
  if (filter.since) query.diedAt = { $gte: filter.since };
  const docs = await outboxItemModel(conn)
    .find(query)
    .sort({ diedAt: -1 })
    .limit(filter.limit ?? 50)
    .select({ 'payload.png': 0, 'payload.data': 0 })
    .lean();
  return docs.map((d) => ({
    dedupeKey: d.dedupeKey,
    target: maskTarget(targetOf(d)),
    type: d.payload.type,
    preview: d.payload.type === 'file' ? (d.payload.filename ?? '') : [...(d.payload.content ?? '')].slice(0, 40).join(''),
    attempts: d.attempts,
    lastError: d.lastError ?? '',
    createdAt: d.createdAt,
    diedAt: d.diedAt ?? d.createdAt,
  }));
}
