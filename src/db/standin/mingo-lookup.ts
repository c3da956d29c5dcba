/**
 * `$lookup` that reads only the foreign documents it can join: with localField/foreignField,
 * the local values are collected first and the foreign collection is queried for them (through
 * its indexes), then mingo's own `$lookup` joins with that subset. Without them, or without
 * an indexed resolver, it is mingo's `$lookup` over the whole foreign collection.
 */
import { Lazy, type Iterator } from 'mingo/lazy';
import { $lookup as mingoLookup } from 'mingo/operators/pipeline';
import type { AnyObject, CollectionResolver, Options } from 'mingo/types';
import { pathValues } from './field-path';

/** A collection resolver that can also fetch just the documents whose `field` is one of `values`. */
export interface IndexedResolver extends CollectionResolver {
  byField?: (name: string, field: string, values: unknown[]) => AnyObject[];
}

type LookupExpr = Parameters<typeof mingoLookup>[1];

export const $lookup = (coll: Iterator, expr: LookupExpr, options: Options): Iterator => {
  const resolver = options.collectionResolver as IndexedResolver | undefined;
  if (typeof expr.from !== 'string' || !expr.localField || !expr.foreignField || !resolver?.byField) {
    return mingoLookup(coll, expr, options);
  }
  const input = coll.collect<AnyObject>();
  const values: unknown[] = [];
  for (const doc of input) values.push(...pathValues(doc, expr.localField).values);
  const foreign = resolver.byField(expr.from, expr.foreignField, values);
  return mingoLookup(Lazy(input), { ...expr, from: foreign }, options);
};
