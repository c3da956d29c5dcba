/**
 * Projections that only include top-level fields (`{ name: 1, street: 1 }`), the common case,
 * applied directly rather than through mingo: find's projection and a leading `$project`.
 */
import type { Document } from 'bson';

/**
 * The top-level fields of a projection that only includes fields (`{ name: 1, street: 1 }`,
 * `_id` kept or left out); undefined for anything else (dotted paths, operators, exclusions).
 */
export function plainInclusion(projection: Document): { fields: Set<string>; withId: boolean } | undefined {
  const fields = new Set<string>();
  let withId = true;
  for (const [key, value] of Object.entries(projection)) {
    const on = value === 1 || value === true;
    if (key === '_id') {
      if (!on && value !== 0 && value !== false) return undefined;
      withId = on;
    } else if (!on || key.includes('.') || key.startsWith('$')) {
      return undefined;
    } else {
      fields.add(key);
    }
  }
  return fields.size > 0 ? { fields, withId } : undefined;
}

/** The fields of a {@link plainInclusion} projection, in the document's order, `_id` first. */
export function includeFields(doc: Document, plain: { fields: Set<string>; withId: boolean }): Document {
  const out: Document = {};
  if (plain.withId && '_id' in doc) out._id = doc._id;
  for (const key of Object.keys(doc)) if (plain.fields.has(key)) out[key] = doc[key];
  return out;
}
