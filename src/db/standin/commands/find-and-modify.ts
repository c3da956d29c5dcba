import type { Document } from 'bson';
import { fail } from '../errors';
import { Query } from '../mingo';
import { runQuery } from '../query-run';
import { applyUpdate, upsertDocument, type UpdateSpec } from '../update-doc';
import { collectionName, type CommandHandler } from './context';

function projected(doc: Document | null, fields: Document | undefined, filter: Document): Document | null {
  if (!doc || !fields || Object.keys(fields).length === 0) return doc;
  const out = new Query(filter).find([doc], fields).next() as Document;
  if (!('_id' in out)) return out;
  const { _id, ...rest } = out;
  return { _id, ...rest };
}

/** findAndModify: one document found (by query and sort), then updated or removed, atomically. */
const findAndModify: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, Object.keys(cmd)[0]!);
  const query = (cmd.query ?? {}) as Document;
  const remove = cmd.remove === true;
  const u = cmd.update as Document | Document[] | undefined;
  if (remove && u !== undefined) throw fail('FailedToParse', 'Cannot specify both an update and remove=true');
  if (!remove && (u === undefined || u === null)) throw fail('FailedToParse', 'Either an update or remove=true must be specified');
  if (remove && cmd.upsert === true) throw fail('FailedToParse', 'Cannot specify both upsert=true and remove=true');
  const fields = cmd.fields as Document | undefined;
  const coll = ctx.catalog.get(ctx.db, name);
  const rid = coll ? runQuery(coll, { filter: query, sort: cmd.sort, limit: 1, variables: cmd.let }).rids[0] : undefined;

  if (rid === undefined) {
    if (remove || cmd.upsert !== true) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
    const spec: UpdateSpec = { u: u!, q: query, arrayFilters: cmd.arrayFilters as Document[] | undefined };
    const doc = upsertDocument(spec);
    ctx.catalog.ensure(ctx.db, name).insert(doc);
    return {
      lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id },
      value: cmd.new === true ? projected(doc, fields, query) : null,
      ok: 1,
    };
  }

  const old = coll!.decode(rid)!;
  if (remove) {
    coll!.remove(rid, old);
    return { lastErrorObject: { n: 1 }, value: projected(old, fields, query), ok: 1 };
  }
  const { doc, changed } = applyUpdate(old, { u: u!, q: query, arrayFilters: cmd.arrayFilters as Document[] | undefined }, false);
  if (changed) coll!.replace(rid, old, doc);
  return {
    lastErrorObject: { n: 1, updatedExisting: true },
    value: projected(cmd.new === true ? doc : old, fields, query),
    ok: 1,
  };
};

export const findAndModifyCommands: Record<string, CommandHandler> = { findAndModify, findandmodify: findAndModify };
