/**
 * Rate limits kept in MongoDB, so that every process behind the load balancer counts the same:
 * a fixed window per key, one counter document per window (removed by a TTL index once the
 * window is over). Taking a slot is one conditional write — an upsert that only matches while
 * the count is under the limit; at the limit the upsert collides with the existing counter
 * (then one conditional increment tells a full window from a counter created a moment ago).
 */
import type { RateLimit, RequestLimits } from '../config';
import type { Models } from '../db/models';
import { isDuplicateKey } from '../db/duplicate-key';

/** What a refused caller needs: when the window ends. */
export interface RateRefusal {
  retryAt: Date;
  limit: RateLimit;
}

const windowStart = (now: Date, windowMs: number) => Math.floor(now.getTime() / windowMs) * windowMs;

/** Takes one slot of `key` under `limit`; a refusal (with when to retry) when none is left. */
export async function takeSlot(models: Models, key: string, limit: RateLimit, now: Date): Promise<RateRefusal | null> {
  const start = windowStart(now, limit.windowMs);
  const retryAt = new Date(start + limit.windowMs);
  // MongoDB's TTL monitor removes the counter by the server's own clock, not by `now` (a
  // replay or a test runs on another clock): keep it until the window is over by that clock,
  // and one window more.
  const expiresAt = new Date(Date.now() + (retryAt.getTime() - now.getTime()) + limit.windowMs);
  const underLimit = { _id: `${key}:${start}`, count: { $lt: limit.max } };
  try {
    await models.RateSlot.updateOne(underLimit, { $inc: { count: 1 }, $setOnInsert: { expiresAt } }, { upsert: true });
    return null;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  // The counter exists: at the limit, or created by a concurrent first slot a moment ago.
  const taken = await models.RateSlot.updateOne(underLimit, { $inc: { count: 1 } });
  return taken.matchedCount === 1 ? null : { retryAt, limit };
}

/** Gives a slot back (the other limit of the same action refused it). */
export async function returnSlot(models: Models, key: string, limit: RateLimit, now: Date): Promise<void> {
  await models.RateSlot.updateOne({ _id: `${key}:${windowStart(now, limit.windowMs)}`, count: { $gt: 0 } }, { $inc: { count: -1 } });
}

/**
 * Admits one /诉求 from `sender` for `courtyard`, or says which limit refused it and when to
 * try again. Both limits are counted in MongoDB (several processes may run).
 */
export async function admitRequest(
  models: Models,
  limits: RequestLimits,
  who: { sender: string; courtyard: string },
  now: Date,
): Promise<(RateRefusal & { by: 'sender' | 'courtyard' }) | null> {
  const sender = limits.perSender && { key: `request:sender:${who.sender}`, limit: limits.perSender };
  const courtyard = limits.perCourtyard && { key: `request:courtyard:${who.courtyard}`, limit: limits.perCourtyard };
  if (sender) {
    const refused = await takeSlot(models, sender.key, sender.limit, now);
    if (refused) return { ...refused, by: 'sender' };
  }
  if (courtyard) {
    const refused = await takeSlot(models, courtyard.key, courtyard.limit, now);
    if (refused) {
      if (sender) await returnSlot(models, sender.key, sender.limit, now);
      return { ...refused, by: 'courtyard' };
    }
  }
  return null;
}
