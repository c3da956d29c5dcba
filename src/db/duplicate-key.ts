/**
 * MongoDB's duplicate-key error (code 11000): how a unique index says "someone else got there
 * first". One check for every layer that races on a unique key.
 */
const DUPLICATE_KEY = 11000;

interface WriteErrorLike {
  code?: number;
  err?: { code?: number };
}

/**
 * True when `err` is a duplicate-key error. With `{ all: true }` it also reads a bulk write
 * error (`insertMany` with `ordered: false`): true only when every one of its write errors is a
 * duplicate key, so a batch that failed for another reason too is not taken as a mere duplicate.
 */
export function isDuplicateKey(err: unknown, opts: { all?: boolean } = {}): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; writeErrors?: WriteErrorLike[] };
  if (opts.all && e.writeErrors?.length) return e.writeErrors.every((w) => (w.code ?? w.err?.code) === DUPLICATE_KEY);
  return e.code === DUPLICATE_KEY;
}
