import { serialize, type Document } from 'bson';
import type { Collection } from '../collection';
import type { IndexSpec } from '../collection-index';
import { cursorReply } from '../cursor-reply';
import { fail } from '../errors';
import { encodeValue } from '../key-encoding';
import { collectionName, type CommandHandler } from './context';

/** Options that make two indexes with the same key different indexes. */
const SIGNIFICANT = ['unique', 'sparse', 'expireAfterSeconds', 'partialFilterExpression'];
const IGNORED = new Set(['v', 'ns', 'background', 'key', 'name']);

function defaultName(key: Record<string, number>): string {
  return Object.entries(key)
    .map(([f, d]) => `${f}_${d}`)
    .join('_');
}

/** Checks and normalises an index as createIndexes receives it. */
function normalise(raw: Document): IndexSpec {
  const key = raw.key as Document | undefined;
  if (!key || typeof key !== 'object' || Object.keys(key).length === 0) throw fail('CannotCreateIndex', 'Index keys cannot be empty.');
  const normKey: Record<string, number> = {};
  for (const [field, dir] of Object.entries(key)) {
    const d = typeof dir === 'number' ? dir : Number((dir as { valueOf(): unknown })?.valueOf?.());
    if (!Number.isFinite(d) || d === 0) {
      throw fail('CannotCreateIndex', `the stand-in supports ascending and descending indexes only, not ${JSON.stringify(dir)} on '${field}' (use a real MongoDB)`);
    }
    normKey[field] = d > 0 ? 1 : -1;
  }
  const spec: IndexSpec = { v: 2, key: normKey, name: typeof raw.name === 'string' ? raw.name : defaultName(normKey) };
  for (const [option, value] of Object.entries(raw)) if (!IGNORED.has(option)) spec[option] = value;
  if (spec.expireAfterSeconds !== undefined) {
    const secs = Number(spec.expireAfterSeconds);
    if (!Number.isFinite(secs) || secs < 0) throw fail('CannotCreateIndex', 'TTL index \'expireAfterSeconds\' option must be a non-negative number');
    if (Object.keys(normKey).length !== 1) throw fail('CannotCreateIndex', 'TTL indexes are single-field indexes, compound indexes do not support TTL');
    spec.expireAfterSeconds = secs;
  }
  return spec;
}

function sameOptions(a: IndexSpec, b: IndexSpec): boolean {
  return SIGNIFICANT.every((o) => encodeValue(a[o] ?? (o === 'unique' || o === 'sparse' ? false : null)) === encodeValue(b[o] ?? (o === 'unique' || o === 'sparse' ? false : null)));
}

function sameKey(a: IndexSpec, b: IndexSpec): boolean {
  return encodeValue(a.key) === encodeValue(b.key);
}

const createIndexes: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'createIndexes');
  if (!Array.isArray(cmd.indexes) || cmd.indexes.length === 0) throw fail('BadValue', 'Must specify at least one index to create');
  const specs = (cmd.indexes as Document[]).map(normalise);
  const created = !ctx.catalog.get(ctx.db, name);
  const coll = ctx.catalog.ensure(ctx.db, name);
  const before = coll.indexes.size;
  for (const spec of specs) {
    const sameName = coll.indexes.get(spec.name);
    if (sameName) {
      if (!sameKey(sameName.spec, spec)) {
        throw fail('IndexKeySpecsConflict', `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(sameName.spec)}`);
      }
      if (!sameOptions(sameName.spec, spec)) {
        throw fail('IndexOptionsConflict', `An equivalent index already exists with the same name but different options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(sameName.spec)}`);
      }
      continue;
    }
    const sameKeyIndex = [...coll.indexes.values()].find((i) => sameKey(i.spec, spec) && sameOptions(i.spec, spec));
    if (sameKeyIndex) {
      throw fail('IndexOptionsConflict', `Index already exists with a different name: ${sameKeyIndex.name}`);
    }
    coll.addIndex(spec);
  }
  const reply: Document = { numIndexesBefore: before, numIndexesAfter: coll.indexes.size, createdCollectionAutomatically: created };
  if (before === coll.indexes.size) reply.note = 'all indexes already exist';
  reply.ok = 1;
  return reply;
};

function existing(ctx: Parameters<CommandHandler>[1], name: string): Collection {
  const coll = ctx.catalog.get(ctx.db, name);
  if (!coll) throw fail('NamespaceNotFound', `ns does not exist: ${ctx.db}.${name}`);
  return coll;
}

const listIndexes: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'listIndexes');
  const coll = existing(ctx, name);
  const docs = [...coll.indexes.values()].map((i) => serialize({ v: 2, key: i.spec.key, name: i.name, ...stripped(i.spec) }));
  const ns = `${ctx.db}.${name}`;
  const { id, docs: batch } = ctx.cursors.start(ns, () => docs.shift(), (cmd.cursor as Document | undefined)?.batchSize as number | undefined);
  return cursorReply(ns, id, 'firstBatch', batch);
};

function stripped(spec: IndexSpec): Document {
  const { v: _v, key: _k, name: _n, ...rest } = spec;
  return rest;
}

const dropIndexes: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, Object.keys(cmd)[0]!);
  const coll = existing(ctx, name);
  const was = coll.indexes.size;
  const target = cmd.index;
  let names: string[];
  if (target === '*') names = [...coll.indexes.keys()].filter((n) => n !== '_id_');
  else if (typeof target === 'string') names = [target];
  else if (Array.isArray(target)) names = target as string[];
  else if (target && typeof target === 'object') {
    const match = [...coll.indexes.values()].find((i) => encodeValue(i.spec.key) === encodeValue(target));
    if (!match) throw fail('IndexNotFound', `can't find index with key: ${JSON.stringify(target)}`);
    names = [match.name];
  } else throw fail('BadValue', 'index must be a name, a key pattern, an array of names or "*"');
  for (const n of names) {
    if (n === '_id_') throw fail('InvalidOptions', 'cannot drop _id index');
    if (!coll.indexes.has(n)) throw fail('IndexNotFound', `index not found with name [${n}]`);
  }
  for (const n of names) coll.dropIndex(n);
  return { nIndexesWas: was, ok: 1 };
};

export const indexCommands: Record<string, CommandHandler> = { createIndexes, listIndexes, dropIndexes, deleteIndexes: dropIndexes };
