/**
 * mingo, the query/update/aggregation semantics of the stand-in. mingo v7's default entry
 * point registers every operator (query, projection, expression, accumulator, pipeline,
 * window: `$lookup`, `$facet`, `$setWindowFields`, `$dateToString` with timezone, …), so
 * nothing needs registering here; this module only fixes the options in one place.
 */
import * as mingo from 'mingo';
import type { AnyObject, CollectionResolver, Options } from 'mingo/types';

export type { AnyObject, CollectionResolver };

const baseOptions: Partial<Options> = { idKey: '_id', useStrictMode: true, scriptEnabled: false };

/** A compiled filter. */
export class Query extends mingo.Query {
  constructor(filter: AnyObject, options: Partial<Options> = {}) {
    super(filter, { ...baseOptions, ...options });
  }
}

/** A compiled pipeline; `resolve` provides the collections `$lookup` and `$unionWith` read. */
export function aggregator(pipeline: AnyObject[], resolve?: CollectionResolver, variables?: AnyObject): mingo.Aggregator {
  return new mingo.Aggregator(pipeline, { ...baseOptions, collectionResolver: resolve, variables });
}

/** Applies update operators to `doc` in place; returns the modified paths (empty: unchanged). */
export function applyOperators(doc: AnyObject, modifier: AnyObject, arrayFilters: AnyObject[] | undefined, filter: AnyObject): string[] {
  return mingo.update(doc, modifier as never, arrayFilters, filter as never, { cloneMode: 'deep', queryOptions: baseOptions });
}

/** Applies an update pipeline (`[{ $set: … }, …]`) and returns the new document. */
export function applyPipeline(doc: AnyObject, pipeline: AnyObject[]): AnyObject {
  const docs = [doc];
  mingo.updateOne(docs, {}, pipeline as never, {}, baseOptions);
  return docs[0]!;
}

/** Applies a projection to documents that already matched `filter` (for positional `$`). */
export function project(docs: AnyObject[], projection: AnyObject, filter: AnyObject): AnyObject[] {
  return new Query(filter).find(docs, projection).all() as AnyObject[];
}
