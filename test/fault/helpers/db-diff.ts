import { createHash } from 'node:crypto';
import { EJSON } from 'bson';
import type { Connection } from 'mongoose';

/**
 * Every document of every collection, as collection → _id → hash of its contents; `updatedAt`
 * is left out (mongoose bumps it on a group each time a message from it arrives).
 */
export type DocSnapshot = Map<string, Map<string, { hash: string; json: string }>>;

export async function snapshotDocs(conn: Connection): Promise<DocSnapshot> {
  const out: DocSnapshot = new Map();
  for (const { name } of await conn.db!.listCollections({}, { nameOnly: true }).toArray()) {
    const docs = new Map<string, { hash: string; json: string }>();
    for (const d of await conn.db!.collection(name).find({}).toArray()) {
      const { updatedAt: _seen, ...rest } = d;
      const json = EJSON.stringify(rest, { relaxed: false });
      docs.set(EJSON.stringify(d._id), { hash: createHash('sha1').update(json).digest('hex'), json });
    }
    out.set(name, docs);
  }
  return out;
}

/** What changed between two snapshots: one line per inserted, changed or deleted document, with its contents. */
export function diffDocs(before: DocSnapshot, after: DocSnapshot): Array<{ collection: string; change: 'inserted' | 'changed' | 'deleted'; json: string }> {
  const changes: Array<{ collection: string; change: 'inserted' | 'changed' | 'deleted'; json: string }> = [];
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(name) ?? new Map();
    const b = after.get(name) ?? new Map();
    for (const [id, doc] of b) {
      const old = a.get(id);
      if (!old) changes.push({ collection: name, change: 'inserted', json: doc.json });
      else if (old.hash !== doc.hash) changes.push({ collection: name, change: 'changed', json: doc.json });
    }
    for (const [id, doc] of a) if (!b.has(id)) changes.push({ collection: name, change: 'deleted', json: doc.json });
  }
  return changes;
}
