import { ObjectId, serialize, type Document } from 'bson';
import { CommandError, fail } from '../errors';
import { runQuery } from '../query-run';
import { applyUpdate, isOperatorUpdate, upsertDocument, type UpdateSpec } from '../update-doc';
import { collectionName, type CommandContext, type CommandHandler } from './context';

/** A write error as mongod reports it inside `writeErrors`. */
function writeError(index: number, err: unknown): Document {
  if (err instanceof CommandError) return { index, code: err.code, codeName: err.codeName, errmsg: err.message, ...err.extra };
  return { index, code: 2, codeName: 'BadValue', errmsg: (err as Error).message };
}

function statements(cmd: Document, field: string): Document[] {
  const list = cmd[field];
  if (!Array.isArray(list)) throw fail('FailedToParse', `BSON field '${field}' is missing but a required field`);
  return list as Document[];
}

function withErrors(reply: Document, errors: Document[]): Document {
  if (errors.length > 0) reply.writeErrors = errors;
  return reply;
}

const insert: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'insert');
  const docs = statements(cmd, 'documents');
  const raws = ctx.sequences.get('documents');
  const ordered = cmd.ordered !== false;
  const coll = ctx.catalog.ensure(ctx.db, name);
  const errors: Document[] = [];
  let n = 0;
  docs.forEach((doc, i) => {
    if (ordered && errors.length > 0) return;
    try {
      let raw: Uint8Array | undefined = raws?.[i];
      let stored = doc;
      if (doc._id === undefined) {
        stored = { _id: new ObjectId(), ...doc };
        raw = undefined;
      } else if (Object.keys(doc)[0] !== '_id') {
        const { _id, ...rest } = doc;
        stored = { _id, ...rest };
        raw = undefined;
      }
      coll.insert(stored, raw ?? serialize(stored));
      n++;
    } catch (err) {
      errors.push(writeError(i, err));
    }
  });
  return withErrors({ n, ok: 1 }, errors);
};

/** Runs one update statement; returns what it matched, modified and upserted. */
function updateOne(ctx: CommandContext, name: string, st: Document): { n: number; nModified: number; upserted?: unknown } {
  const q = (st.q ?? {}) as Document;
  const u = st.u as Document | Document[] | undefined;
  if (u === undefined || u === null || typeof u !== 'object') throw fail('FailedToParse', `BSON field 'update.updates.u' is missing but a required field`);
  const multi = st.multi === true;
  if (multi && !Array.isArray(u) && !isOperatorUpdate(u) && Object.keys(u).length > 0) {
    throw fail('FailedToParse', 'multi update is not supported for replacement-style update');
  }
  const spec: UpdateSpec = { u, q, arrayFilters: st.arrayFilters as Document[] | undefined };
  const coll = ctx.catalog.get(ctx.db, name);
  const matched = coll ? runQuery(coll, { filter: q, sort: st.sort, limit: multi ? 0 : 1, variables: st.let }).rids : [];
  if (matched.length === 0) {
    if (st.upsert !== true) return { n: 0, nModified: 0 };
    const doc = upsertDocument(spec);
    ctx.catalog.ensure(ctx.db, name).insert(doc);
    return { n: 1, nModified: 0, upserted: doc._id };
  }
  let nModified = 0;
  let n = 0;
  for (const rid of matched) {
    const old = coll!.decode(rid)!;
    const { doc, changed } = applyUpdate(old, spec, false);
    n++;
    if (changed) {
      coll!.replace(rid, old, doc);
      nModified++;
    }
  }
  return { n, nModified };
}

const update: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'update');
  const ordered = cmd.ordered !== false;
  const errors: Document[] = [];
  const upserted: Document[] = [];
  let n = 0;
  let nModified = 0;
  statements(cmd, 'updates').forEach((st, i) => {
    if (ordered && errors.length > 0) return;
    try {
      const r = updateOne(ctx, name, st);
      n += r.n;
      nModified += r.nModified;
      if (r.upserted !== undefined) upserted.push({ index: i, _id: r.upserted });
    } catch (err) {
      errors.push(writeError(i, err));
    }
  });
  const reply: Document = { n, nModified };
  if (upserted.length) reply.upserted = upserted;
  reply.ok = 1;
  return withErrors(reply, errors);
};

const remove: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'delete');
  const ordered = cmd.ordered !== false;
  const errors: Document[] = [];
  let n = 0;
  statements(cmd, 'deletes').forEach((st, i) => {
    if (ordered && errors.length > 0) return;
    try {
      const limit = Number(st.limit ?? 0);
      if (limit !== 0 && limit !== 1) throw fail('FailedToParse', 'The limit field in delete objects must be 0 or 1');
      const coll = ctx.catalog.get(ctx.db, name);
      if (!coll) return;
      const { rids } = runQuery(coll, { filter: (st.q ?? {}) as Document, limit });
      for (const rid of rids) {
        coll.remove(rid);
        n++;
      }
    } catch (err) {
      errors.push(writeError(i, err));
    }
  });
  return withErrors({ n, ok: 1 }, errors);
};

export const writeCommands: Record<string, CommandHandler> = { insert, update, delete: remove };
