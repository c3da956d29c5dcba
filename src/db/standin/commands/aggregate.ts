import { serialize, type Document } from 'bson';
import type { Catalog } from '../catalog';
import type { Collection } from '../collection';
import { cursorReply } from '../cursor-reply';
import { fail } from '../errors';
import { aggregator, Query, type AnyObject } from '../mingo';
import { planQuery, scanPlan, type Plan } from '../query-plan';
import { runQuery, sortSpec } from '../query-run';
import { encodeValue } from '../key-encoding';
import type { IndexedResolver } from '../mingo-lookup';
import { includeFields, plainInclusion } from '../plain-projection';
import { collectionName, type CommandHandler } from './context';

const UNSUPPORTED_STAGES = new Set(['$out', '$merge', '$changeStream', '$currentOp', '$listSessions', '$indexStats', '$collStats', '$search', '$geoNear']);

/**
 * The collections `$lookup`/`$unionWith`/`$graphLookup` read, decoded once per command; and
 * for `$lookup` on a field, just the documents with the wanted values (through indexes).
 */
export function collectionResolver(catalog: Catalog, db: string): IndexedResolver {
  const cache = new Map<string, AnyObject[]>();
  const resolve: IndexedResolver = (name) => {
    let docs = cache.get(name);
    if (!docs) {
      const coll = catalog.get(db, name);
      docs = coll ? coll.docs.rids().map((rid) => coll.decode(rid)!) : [];
      cache.set(name, docs);
    }
    return docs;
  };
  resolve.byField = (name, field, values) => {
    const coll = catalog.get(db, name);
    if (!coll) return [];
    const unique = [...new Map(values.map((v) => [encodeValue(v), v ?? null])).values()];
    if (unique.length === 0) return [];
    const { rids } = runQuery(coll, { filter: { [field]: { $in: unique } } });
    return rids.map((rid) => coll.decode(rid)!);
  };
  return resolve;
}

export interface PipelineInput {
  /** The documents entering the rest of the pipeline, decoded lazily. */
  source: Iterable<AnyObject>;
  /** The stages left for mingo. */
  rest: Document[];
  plan?: Plan;
  rids: number[];
}

/**
 * Uses the collection's indexes for a leading `$match` (and a `$sort` an index provides), so
 * that an aggregation over a week of data reads that week, not the whole history.
 */
export function pipelineInput(coll: Collection | undefined, pipeline: Document[]): PipelineInput {
  if (!coll) return { source: [], rest: pipeline, rids: [] };
  let i = 0;
  let filter: Document = {};
  if (pipeline[0]?.$match && typeof pipeline[0].$match === 'object') {
    filter = pipeline[0].$match as Document;
    i = 1;
  }
  const sortStage = pipeline[i]?.$sort as Document | undefined;
  const sort = sortStage ? sortSpec(sortStage) : [];
  const limitStage = pipeline[i + (sortStage ? 1 : 0)]?.$limit;
  const plan = planQuery(coll, filter, sort, typeof limitStage === 'number');
  if (sortStage && plan.sorted) i++;
  const rids: number[] = [];
  scanPlan(coll, plan, (rid) => {
    rids.push(rid);
    return true;
  });
  const matcher = Object.keys(filter).length > 0 ? new Query(filter) : undefined;
  // A $project right after that which only includes top-level fields is applied here, as find's projection.
  const projectStage = pipeline[i]?.$project;
  const plain = projectStage && typeof projectStage === 'object' ? plainInclusion(projectStage as Document) : undefined;
  if (plain) i++;
  function* source(): Generator<AnyObject> {
    for (const rid of rids) {
      const doc = coll!.decode(rid);
      if (!doc) continue;
      coll!.stats.docsExamined++;
      if (matcher && !matcher.test(doc)) continue;
      yield plain ? includeFields(doc, plain) : doc;
    }
  }
  return { source: source(), rest: pipeline.slice(i), plan, rids };
}

const aggregate: CommandHandler = (cmd, ctx) => {
  const pipeline = cmd.pipeline as Document[] | undefined;
  if (!Array.isArray(pipeline)) throw fail('TypeMismatch', `'pipeline' option must be specified as an array`);
  for (const stage of pipeline) {
    const op = Object.keys(stage)[0] ?? '';
    if (UNSUPPORTED_STAGES.has(op)) throw fail('Location40324', `${op} is not supported by the stand-in (use a real MongoDB)`);
  }
  if (cmd.cursor === undefined && cmd.explain !== true) {
    throw fail('FailedToParse', `The 'cursor' option is required, except for aggregate with the explain argument`);
  }
  const dbLevel = cmd.aggregate === 1;
  const name = dbLevel ? '$cmd.aggregate' : collectionName(cmd, 'aggregate');
  const coll = dbLevel ? undefined : ctx.catalog.get(ctx.db, name);
  const input = pipelineInput(coll, pipeline);
  const output = aggregator(input.rest as AnyObject[], collectionResolver(ctx.catalog, ctx.db), cmd.let as AnyObject | undefined).stream(input.source);
  const ns = `${ctx.db}.${name}`;
  const source = () => {
    const next = output.next();
    return next.done ? undefined : serialize(next.value as Document);
  };
  const { id, docs } = ctx.cursors.start(ns, source, (cmd.cursor as Document | undefined)?.batchSize as number | undefined);
  return cursorReply(ns, id, 'firstBatch', docs);
};

export const aggregateCommands: Record<string, CommandHandler> = { aggregate };
