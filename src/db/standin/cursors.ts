import { MAX_BSON_SIZE } from './wire';

/** Produces the next result document as BSON, or undefined when there are no more. */
export type CursorSource = () => Uint8Array | undefined;

interface OpenCursor {
  ns: string;
  source: CursorSource;
  lastUsed: number;
  /** A document pulled but not sent because the batch was full. */
  held?: Uint8Array;
}

const IDLE_TIMEOUT_MS = 10 * 60_000; // mongod's cursorTimeoutMillis default
const DEFAULT_FIRST_BATCH = 101;
/** Room left in a 16 MiB reply for the envelope around the batch. */
const BATCH_BYTES = MAX_BSON_SIZE - 16 * 1024;

/**
 * Open cursors: results are produced a batch at a time, as getMore asks for them, so a large
 * result is never all in memory as BSON at once.
 */
export class CursorRegistry {
  private readonly open = new Map<number, OpenCursor>();
  private nextId = Math.floor(Math.random() * 2 ** 40) + 1;

  get size(): number {
    return this.open.size;
  }

  /** Takes the first batch; returns it with the cursor id (0 when the results are exhausted). */
  start(ns: string, source: CursorSource, batchSize: number | undefined, singleBatch = false): { id: number; docs: Uint8Array[] } {
    const cursor: OpenCursor = { ns, source, lastUsed: Date.now() };
    const { docs, done } = this.batch(cursor, batchSize ?? DEFAULT_FIRST_BATCH);
    if (done || singleBatch) return { id: 0, docs };
    const id = this.nextId++;
    this.open.set(id, cursor);
    return { id, docs };
  }

  /** The next batch of an open cursor; undefined when the id is unknown (or was killed). */
  more(id: number, ns: string, batchSize: number | undefined): { id: number; docs: Uint8Array[] } | undefined {
    const cursor = this.open.get(id);
    if (!cursor || cursor.ns !== ns) return undefined;
    cursor.lastUsed = Date.now();
    const { docs, done } = this.batch(cursor, batchSize || Infinity);
    if (done) this.open.delete(id);
    return { id: done ? 0 : id, docs };
  }

  kill(id: number): boolean {
    return this.open.delete(id);
  }

  /** Closes cursors idle longer than mongod would keep them. */
  reap(now = Date.now()): void {
    for (const [id, c] of this.open) if (now - c.lastUsed > IDLE_TIMEOUT_MS) this.open.delete(id);
  }

  private batch(cursor: OpenCursor, max: number): { docs: Uint8Array[]; done: boolean } {
    const docs: Uint8Array[] = [];
    let bytes = 0;
    while (docs.length < max) {
      const doc = cursor.held ?? cursor.source();
      cursor.held = undefined;
      if (!doc) return { docs, done: true };
      if (docs.length > 0 && bytes + doc.length > BATCH_BYTES) {
        cursor.held = doc;
        break;
      }
      docs.push(doc);
      bytes += doc.length;
    }
    // Peek, so that a cursor whose last batch ends exactly at the end reports id 0.
    cursor.held ??= cursor.source();
    return { docs, done: cursor.held === undefined };
  }
}
