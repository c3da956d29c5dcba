/**
 * Per-process caches of the records every message reads again (the caller's roster entry,
 * the group's courtyard and street): a change another process makes (the import CLI,
 * another instance) is seen within RECORD_CACHE_MS; one this process makes at once, since
 * each write through its models bumps a generation counter (src/db/models/writes.ts) that
 * voids what was read before it.
 *
 * A cached record is shared by every message that uses it: nothing may change or save it.
 * Changes go through ctx.audit, which writes against the record's `__v` or reads it itself.
 */
import type { Types } from 'mongoose';
import type { CourtyardDoc, Models, StreetDoc } from '../db/models';
import { writeGeneration } from '../db/models/writes';

/** How long a record read is used again. */
export const RECORD_CACHE_MS = 5000;
/** Entries per cache and connection; a full cache starts over. */
const RECORD_CACHE_MAX = 10_000;

interface Cached<V> {
  value: V;
  /** Date.now() when read (the real clock: the cache is about the database, not the product's time). */
  at: number;
  /** The write generation when the read started: a write counted during the read voids it too. */
  generation: number;
}

/**
 * `load(models, key)`, read at most once per RECORD_CACHE_MS per process and models, and
 * again after any write counted by `generation`.
 */
export function recordCache<V>(generation: () => number, load: (models: Models, key: string) => Promise<V>): (models: Models, key: string) => Promise<V> {
  const caches = new WeakMap<Models, Map<string, Cached<V>>>();
  return async (models, key) => {
    let cache = caches.get(models);
    if (!cache) caches.set(models, (cache = new Map()));
    const hit = cache.get(key);
    const gen = generation();
    if (hit && hit.generation === gen && Date.now() - hit.at < RECORD_CACHE_MS) return hit.value;
    const at = Date.now();
    const value = await load(models, key);
    if (cache.size >= RECORD_CACHE_MAX) cache.clear();
    cache.set(key, { value, at, generation: gen });
    return value;
  };
}

const courtyardCache = recordCache(
  () => writeGeneration('Courtyard'),
  (models, id) => models.Courtyard.findById(id),
);
const streetCache = recordCache(
  () => writeGeneration('Street'),
  (models, id) => models.Street.findById(id),
);

/** The courtyard with this id (a shared record: read only), or null. */
export function cachedCourtyard(models: Models, id: Types.ObjectId | string): Promise<CourtyardDoc | null> {
  return courtyardCache(models, String(id));
}

/** The street office with this id (a shared record: read only), or null. */
export function cachedStreet(models: Models, id: Types.ObjectId | string): Promise<StreetDoc | null> {
  return streetCache(models, String(id));
}
