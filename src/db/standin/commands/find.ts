import { Long, serialize, type Document } from 'bson';
import type { Collection } from '../collection';
import { cursorReply } from '../cursor-reply';
import type { CursorSource } from '../cursors';
import { fail } from '../errors';
import { hasPath, pathValues } from '../field-path';
import { encodeValue } from '../key-encoding';
import { Query } from '../mingo';
import { includeFields, plainInclusion } from '../plain-projection';
import { runQuery } from '../query-run';
import { collectionName, type CommandHandler } from './context';

function toInt(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : Number((v as { valueOf(): unknown }).valueOf());
  if (!Number.isFinite(n) || !Number.isInteger(n)) throw fail('BadValue', `${name} must be an integer`);
  return n;
}

/** `_id` first, as mongod returns a projected document. */
function idFirst(doc: Document): Document {
  if (!('_id' in doc) || Object.keys(doc)[0] === '_id') return doc;
  const { _id, ...rest } = doc;
  return { _id, ...rest };
}

/** Turns documents into BSON for a reply, applying a projection when there is one. */
export function projector(filter: Document, projection: Document | undefined): (doc: Document) => Uint8Array {
  if (!projection || Object.keys(projection).length === 0) return (doc) => serialize(doc);
  // The common case without mingo's per-document cursor: the included fields in the document's order, `_id` first.
  const plain = plainInclusion(projection);
  if (plain) return (doc) => serialize(includeFields(doc, plain));
  // The filter matters only to the positional `.$` projection; the documents already matched it.
  const positional = Object.keys(projection).some((k) => k.endsWith('.$'));
  const query = new Query(positional ? filter : {});
  return (doc) => serialize(idFirst(query.find([doc], projection).next() as Document));
}

/** A cursor source over rids: raw stored bytes, or projected documents. */
export function ridSource(coll: Collection, rids: number[], filter: Document, projection: Document | undefined): CursorSource {
  let i = 0;
  const project = projection && Object.keys(projection).length > 0 ? projector(filter, projection) : undefined;
  return () => {
    while (i < rids.length) {
      const rid = rids[i++]!;
      if (!project) {
        const raw = coll.raw(rid);
        if (raw) return raw;
      } else {
        const doc = coll.decode(rid);
        if (doc) return project(doc);
      }
    }
    return undefined;
  };
}

const find: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'find');
  const ns = `${ctx.db}.${name}`;
  const coll = ctx.catalog.get(ctx.db, name);
  let limit = toInt(cmd.limit, 'limit') ?? 0;
  let singleBatch = cmd.singleBatch === true;
  if (limit < 0) {
    limit = -limit;
    singleBatch = true;
  }
  const skip = toInt(cmd.skip, 'skip') ?? 0;
  if (skip < 0) throw fail('BadValue', 'skip value must be non-negative');
  let batchSize = toInt(cmd.batchSize, 'batchSize');
  if (batchSize !== undefined && batchSize < 0) throw fail('BadValue', 'batchSize value must be non-negative');
  if (limit > 0 && (batchSize === undefined || batchSize > limit)) batchSize = limit;
  if (!coll) return cursorReply(ns, 0, 'firstBatch', []);
  const filter = (cmd.filter ?? {}) as Document;
  const result = runQuery(coll, { filter, sort: cmd.sort, skip, limit, variables: cmd.let });
  const { id, docs } = ctx.cursors.start(ns, ridSource(coll, result.rids, filter, cmd.projection), batchSize, singleBatch);
  return cursorReply(ns, id, 'firstBatch', docs);
};

const getMore: CommandHandler = (cmd, ctx) => {
  const id = toInt(cmd.getMore, 'getMore')!;
  const ns = `${ctx.db}.${collectionName(cmd, 'collection')}`;
  const next = ctx.cursors.more(id, ns, toInt(cmd.batchSize, 'batchSize'));
  if (!next) throw fail('CursorNotFound', `cursor id ${id} not found`);
  return cursorReply(ns, next.id, 'nextBatch', next.docs);
};

const killCursors: CommandHandler = (cmd, ctx) => {
  const killed: Long[] = [];
  const notFound: Long[] = [];
  for (const raw of (cmd.cursors ?? []) as unknown[]) {
    const id = toInt(raw, 'cursors')!;
    (ctx.cursors.kill(id) ? killed : notFound).push(Long.fromNumber(id));
  }
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
};

const count: CommandHandler = (cmd, ctx) => {
  const coll = ctx.catalog.get(ctx.db, collectionName(cmd, 'count'));
  if (!coll) return { n: 0, ok: 1 };
  const query = (cmd.query ?? {}) as Document;
  const skip = toInt(cmd.skip, 'skip') ?? 0;
  const limit = Math.abs(toInt(cmd.limit, 'limit') ?? 0);
  if (Object.keys(query).length === 0) {
    const n = Math.max(0, coll.size - skip);
    return { n: limit > 0 ? Math.min(n, limit) : n, ok: 1 };
  }
  return { n: runQuery(coll, { filter: query, skip, limit }).rids.length, ok: 1 };
};

const distinct: CommandHandler = (cmd, ctx) => {
  const key = cmd.key;
  if (typeof key !== 'string') throw fail('TypeMismatch', `"key" had the wrong type. Expected string, found ${typeof key}`);
  const coll = ctx.catalog.get(ctx.db, collectionName(cmd, 'distinct'));
  if (!coll) return { values: [], ok: 1 };
  const { rids } = runQuery(coll, { filter: (cmd.query ?? {}) as Document });
  const values = new Map<string, unknown>();
  for (const rid of rids) {
    const doc = coll.decode(rid)!;
    const { values: found } = pathValues(doc, key);
    for (const v of found) {
      if (v === null || v === undefined) {
        if (!hasPath(doc, key)) continue; // a missing field is no value (an index would say null)
      }
      values.set(encodeValue(v), v ?? null);
    }
  }
  const sorted = [...values].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, v]) => v);
  return { values: sorted, ok: 1 };
};

export const findCommands: Record<string, CommandHandler> = { find, getMore, killCursors, count, distinct };
