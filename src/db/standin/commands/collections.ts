import { Long, serialize, type Document } from 'bson';
import { cursorReply } from '../cursor-reply';
import { fail } from '../errors';
import { Query } from '../mingo';
import { collectionName, type CommandHandler } from './context';

/** Fields of a create command that are not collection options. */
const NOT_OPTIONS = new Set(['create', '$db', 'lsid', '$clusterTime', 'writeConcern', 'comment', '$readPreference', 'apiVersion', 'apiStrict', 'apiDeprecationErrors', 'txnNumber']);

const create: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'create');
  if (cmd.viewOn !== undefined) throw fail('CommandNotSupported', 'views are not supported by the stand-in (use a real MongoDB)');
  if (cmd.timeseries !== undefined) throw fail('InvalidOptions', 'time-series collections are not supported by the stand-in (use a real MongoDB)');
  const options: Document = {};
  for (const [k, v] of Object.entries(cmd)) if (!NOT_OPTIONS.has(k)) options[k] = v;
  ctx.catalog.create(ctx.db, name, options);
  return { ok: 1 };
};

const drop: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'drop');
  const coll = ctx.catalog.get(ctx.db, name);
  const was = coll?.indexes.size ?? 0;
  ctx.catalog.drop(ctx.db, name);
  return { nIndexesWas: was, ns: `${ctx.db}.${name}`, ok: 1 };
};

const dropDatabase: CommandHandler = (_cmd, ctx) => {
  ctx.catalog.dropDatabase(ctx.db);
  return { dropped: ctx.db, ok: 1 };
};

const listCollections: CommandHandler = (cmd, ctx) => {
  const filter = (cmd.filter ?? {}) as Document;
  const query = new Query(filter);
  const infos = ctx.catalog
    .collections(ctx.db)
    .map((c) =>
      cmd.nameOnly === true
        ? { name: c.name, type: 'collection' }
        : {
            name: c.name,
            type: 'collection',
            options: c.options,
            info: { readOnly: false, uuid: c.uuid },
            idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
          },
    )
    .filter((info) => query.test(info));
  const docs = infos.map((d) => serialize(d));
  const ns = `${ctx.db}.$cmd.listCollections`;
  const { id, docs: batch } = ctx.cursors.start(ns, () => docs.shift(), (cmd.cursor as Document | undefined)?.batchSize as number | undefined);
  return cursorReply(ns, id, 'firstBatch', batch);
};

const listDatabases: CommandHandler = (cmd, ctx) => {
  const databases = ctx.catalog.databaseNames().map((name) => {
    const size = ctx.catalog.collections(name).reduce((n, c) => n + c.docs.bytes, 0);
    return { name, sizeOnDisk: Long.fromNumber(size), empty: size === 0 };
  });
  const filtered = cmd.filter ? databases.filter((d) => new Query(cmd.filter as Document).test(d)) : databases;
  if (cmd.nameOnly === true) return { databases: filtered.map((d) => ({ name: d.name })), ok: 1 };
  const totalSize = filtered.reduce((n, d) => n + d.sizeOnDisk.toNumber(), 0);
  return { databases: filtered, totalSize: Long.fromNumber(totalSize), totalSizeMb: Long.fromNumber(Math.round(totalSize / 2 ** 20)), ok: 1 };
};

const dbStats: CommandHandler = (_cmd, ctx) => {
  const colls = ctx.catalog.collections(ctx.db);
  const objects = colls.reduce((n, c) => n + c.size, 0);
  const dataSize = colls.reduce((n, c) => n + c.docs.bytes, 0);
  return { db: ctx.db, collections: colls.length, views: 0, objects, dataSize, storageSize: dataSize, indexes: colls.reduce((n, c) => n + c.indexes.size, 0), ok: 1 };
};

export const collectionCommands: Record<string, CommandHandler> = { create, drop, dropDatabase, listCollections, listDatabases, dbStats };
