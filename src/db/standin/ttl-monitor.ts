import type { Catalog } from './catalog';
import { encodeValue, Tag, bracketStart } from './key-encoding';

/**
 * One pass of the TTL monitor: removes the documents whose TTL-indexed date is more than
 * `expireAfterSeconds` old (for an array of dates, the earliest counts). Values that are not
 * dates never expire, as in mongod. Returns how many documents it removed.
 */
export function expireDocuments(catalog: Catalog, now: Date): number {
  let removed = 0;
  for (const db of catalog.databaseNames()) {
    for (const coll of catalog.collections(db)) {
      for (const index of coll.indexes.values()) {
        const secs = index.spec.expireAfterSeconds;
        if (secs === undefined) continue;
        const cutoff = encodeValue(new Date(now.getTime() - secs * 1000));
        const rids: number[] = [];
        index.keys.scan(bracketStart(Tag.date), true, cutoff, false, false, (rid) => {
          rids.push(rid);
          return true;
        });
        for (const rid of new Set(rids)) {
          if (!coll.docs.has(rid)) continue;
          coll.remove(rid);
          removed++;
        }
      }
    }
  }
  return removed;
}
