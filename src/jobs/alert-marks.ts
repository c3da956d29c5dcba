import type { Connection } from 'mongoose';
import { isDuplicateKey } from '../db/duplicate-key';
import { alertMarkModel } from '../db/models/alert-mark';

const markId = (item: string, day: string) => `${item}:${day}`;

/** Of `items`, those already alerted on the Beijing day `day` ('2020-10-10'). */
export async function alertedOn(conn: Connection, items: string[], day: string): Promise<Set<string>> {
  if (items.length === 0) return new Set();
  const ids = items.map((i) => markId(i, day));
  const found = await alertMarkModel(conn).find({ _id: { $in: ids } }).select({ _id: 1 }).lean();
  const taken = new Set(found.map((m) => m._id));
  return new Set(items.filter((i) => taken.has(markId(i, day))));
}

/** Records `items` as alerted on `day` (idempotent). */
export async function markAlerted(conn: Connection, job: string, items: string[], day: string, at: Date): Promise<void> {
  if (items.length === 0) return;
  const Mark = alertMarkModel(conn);
  await Mark.init();
  try {
    await Mark.insertMany([...new Set(items)].map((i) => ({ _id: markId(i, day), job, createdAt: at })), { ordered: false });
  } catch (err) {
    if (!isDuplicateKey(err, { all: true })) throw err;
  }
}
