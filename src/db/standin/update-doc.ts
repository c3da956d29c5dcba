import { ObjectId, type Document } from 'bson';
import { fail } from './errors';
import { encodeValue } from './key-encoding';
import { applyOperators, applyPipeline } from './mingo';

/** An update as the update and findAndModify commands carry it. */
export interface UpdateSpec {
  u: Document | Document[];
  arrayFilters?: Document[];
  /** The statement's filter (positional `$` updates need it). */
  q: Document;
}

const OPERATORS = new Set([
  '$set', '$unset', '$inc', '$mul', '$min', '$max', '$rename', '$currentDate', '$setOnInsert',
  '$push', '$pull', '$pullAll', '$pop', '$addToSet', '$bit',
]);

/** Whether `u` is an operator update (`{$set: …}`) rather than a replacement document. */
export function isOperatorUpdate(u: Document | Document[]): boolean {
  if (Array.isArray(u)) return false;
  const keys = Object.keys(u);
  return keys.length > 0 && keys[0]!.startsWith('$');
}

function checkOperators(u: Document): void {
  for (const key of Object.keys(u)) {
    if (!key.startsWith('$')) throw fail('FailedToParse', `Unknown modifier: ${key}. Expected a valid update modifier or pipeline-style update specified as an array`);
    if (!OPERATORS.has(key)) throw fail('FailedToParse', `Unknown modifier: ${key}. Expected a valid update modifier or pipeline-style update specified as an array`);
  }
}

function isNumeric(v: unknown): boolean {
  if (typeof v === 'number') return true;
  const t = (v as { _bsontype?: string } | null)?._bsontype;
  return t === 'Long' || t === 'Int32' || t === 'Double' || t === 'Decimal128';
}

function plainPathValue(doc: Document, path: string): unknown {
  let at: unknown = doc;
  for (const part of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

/** mingo skips a $inc/$mul on a non-number silently; mongod refuses the update. */
function checkArithmetic(doc: Document, u: Document): void {
  for (const op of ['$inc', '$mul']) {
    const fields = u[op] as Document | undefined;
    if (!fields) continue;
    for (const [path, arg] of Object.entries(fields)) {
      if (!isNumeric(arg)) {
        throw fail('TypeMismatch', `Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${path}: ${JSON.stringify(arg)}}`);
      }
      if (path.includes('$')) continue;
      const current = plainPathValue(doc, path);
      if (current !== undefined && !isNumeric(current)) {
        throw fail('TypeMismatch', `Cannot apply ${op} to a value of non-numeric type. {_id: ${String(doc._id)}} has the field '${path}' of non-numeric type ${current === null ? 'null' : typeof current}`);
      }
    }
  }
}

function checkReplacement(u: Document): void {
  for (const key of Object.keys(u)) {
    if (key.startsWith('$')) throw fail('BadValue', `The dollar ($) prefixed field '${key}' in '${key}' is not allowed in the context of an update's replacement document.`);
  }
}

/** `_id` first, as mongod stores it. */
function idFirst(doc: Document): Document {
  if (Object.keys(doc)[0] === '_id') return doc;
  const { _id, ...rest } = doc;
  return { _id, ...rest };
}

/**
 * Applies an update to a copy of `doc`. Returns the new document and whether anything
 * changed. `inserting` makes `$setOnInsert` apply (an upsert that inserts).
 */
export function applyUpdate(doc: Document, spec: UpdateSpec, inserting: boolean): { doc: Document; changed: boolean } {
  const { u } = spec;
  if (Array.isArray(u)) {
    const next = applyPipeline(structuredCloneBson(doc), u);
    return { doc: idFirst(next), changed: encodeValue(next) !== encodeValue(doc) };
  }
  if (!isOperatorUpdate(u)) {
    checkReplacement(u);
    if (u._id !== undefined && doc._id !== undefined && encodeValue(u._id) !== encodeValue(doc._id)) {
      throw fail('ImmutableField', `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${String(u._id)}`);
    }
    const next = idFirst({ ...u, _id: doc._id ?? u._id });
    return { doc: next, changed: encodeValue(next) !== encodeValue(doc) };
  }
  checkOperators(u);
  checkArithmetic(doc, u);
  const { $setOnInsert, ...ops } = u;
  if (inserting && $setOnInsert) ops.$set = { ...(ops.$set as Document | undefined), ...($setOnInsert as Document) };
  const next = structuredCloneBson(doc);
  // The filter is only for the positional `$` (mingo applies nothing when it does not match).
  const positional = !inserting && Object.values(ops).some((paths) => Object.keys(paths as Document).some((p) => /(^|\.)\$(\.|$)/.test(p)));
  const changed = Object.keys(ops).length > 0 ? applyOperators(next, ops, spec.arrayFilters, positional ? spec.q : {}).length > 0 : false;
  return { doc: idFirst(next), changed };
}

/** The document an upsert starts from: the equality fields of its filter. */
export function upsertSeed(filter: Document): Document {
  const seed: Document = {};
  collectEqualities(filter, seed);
  return seed;
}

function collectEqualities(filter: Document, seed: Document): void {
  for (const [path, value] of Object.entries(filter)) {
    if (path === '$and' && Array.isArray(value)) {
      for (const clause of value) collectEqualities(clause as Document, seed);
      continue;
    }
    if (path.startsWith('$')) continue;
    let v: unknown = value;
    if (isPlainObject(value)) {
      const keys = Object.keys(value);
      if (keys.some((k) => k.startsWith('$'))) {
        if (keys.length === 1 && keys[0] === '$eq') v = value.$eq;
        else continue;
      }
    }
    if (v instanceof RegExp || (v as { _bsontype?: string } | null)?._bsontype === 'BSONRegExp') continue;
    setPath(seed, path, v);
  }
}

function isPlainObject(v: unknown): v is Document {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof RegExp) && !(v as { _bsontype?: string })._bsontype;
}

function setPath(doc: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let at: Document = doc;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(at[part])) at[part] = {};
    at = at[part] as Document;
  }
  at[parts[parts.length - 1]!] = value;
}

/** The document an upsert inserts. */
export function upsertDocument(spec: UpdateSpec): Document {
  const seed = upsertSeed(spec.q);
  let doc: Document;
  if (!Array.isArray(spec.u) && !isOperatorUpdate(spec.u)) {
    checkReplacement(spec.u);
    doc = { ...spec.u, _id: spec.u._id ?? seed._id };
  } else {
    doc = applyUpdate(seed, spec, true).doc;
  }
  if (doc._id === undefined) doc._id = new ObjectId();
  return idFirst(doc);
}

/** A deep copy that keeps BSON values (ObjectId, Date, Binary, …) as they are. */
function structuredCloneBson(doc: Document): Document {
  const copy = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(copy);
    if (v instanceof Date) return new Date(v.getTime());
    if (isPlainObject(v)) {
      const out: Document = {};
      for (const k in v) out[k] = copy(v[k]);
      return out;
    }
    return v;
  };
  return copy(doc) as Document;
}
