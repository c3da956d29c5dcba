/**
 * mingo, the query/update/aggregation semantics of the stand-in, with one operator context
 * for everything: all of mingo's operators (query, projection, expression, accumulator,
 * pipeline, window: `$lookup`, `$facet`, `$setWindowFields`, `$dateToString`, …), with the
 * date operators mingo gets wrong replaced by ./mingo-dates.ts, an index-aware `$lookup`
 * (./mingo-lookup.ts) and `$in`/`$nin` that hash their list once (./mingo-in.ts). The base classes are used
 * (not mingo's default entry point) because a context merged over its defaults keeps theirs.
 */
import { Aggregator } from 'mingo/aggregator';
import { Context } from 'mingo/core';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import { Query as BaseQuery } from 'mingo/query';
import type { AnyObject, CollectionResolver, Options } from 'mingo/types';
import { update, updateOne } from 'mingo/updater';
import * as dateFixes from './mingo-dates';
import { $in, $nin } from './mingo-in';
import { $lookup } from './mingo-lookup';

export type { AnyObject, CollectionResolver };

const context = Context.init({
  accumulator: accumulatorOperators,
  expression: { ...expressionOperators, ...dateFixes } as never,
  pipeline: { ...pipelineOperators, $lookup } as never,
  projection: projectionOperators,
  query: { ...queryOperators, $in, $nin } as never,
  window: windowOperators,
});

const baseOptions: Partial<Options> = { idKey: '_id', useStrictMode: true, scriptEnabled: false, context };

/** A compiled filter. */
export class Query extends BaseQuery {
  constructor(filter: AnyObject, options: Partial<Options> = {}) {
    super(filter, { ...baseOptions, ...options });
  }
}

/** A compiled pipeline; `resolve` provides the collections `$lookup` and `$unionWith` read. */
export function aggregator(pipeline: AnyObject[], resolve?: CollectionResolver, variables?: AnyObject): Aggregator {
  return new Aggregator(pipeline, { ...baseOptions, collectionResolver: resolve, variables });
}

/**
 * Applies update operators to `doc` in place; returns the modified paths (empty: unchanged).
 * `filter` is only needed by the positional `$` operator.
 */
export function applyOperators(doc: AnyObject, modifier: AnyObject, arrayFilters: AnyObject[] | undefined, filter: AnyObject): string[] {
  return update(doc, modifier as never, arrayFilters, filter as never, { cloneMode: 'deep', queryOptions: baseOptions });
}

/** Applies an update pipeline (`[{ $set: … }, …]`) and returns the new document. */
export function applyPipeline(doc: AnyObject, pipeline: AnyObject[]): AnyObject {
  const docs = [doc];
  updateOne(docs, {}, pipeline as never, {}, baseOptions);
  return docs[0]!;
}
