/**
 * The sorted structure behind every index: (key, rid) entries ordered by key, then by rid,
 * held in chunks of at most CHUNK_MAX entries (a B+tree of height two). Inserting in the
 * middle moves at most one chunk's entries; lookups are two binary searches.
 */
const CHUNK_MAX = 1024;

interface Chunk {
  keys: string[];
  rids: number[];
}

interface Position {
  chunk: number;
  index: number;
}

function before(k1: string, r1: number, k2: string, r2: number): boolean {
  return k1 < k2 || (k1 === k2 && r1 < r2);
}

export class SortedKeys {
  private chunks: Chunk[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** First position whose entry is not before (key, rid). */
  private lowerBound(key: string, rid: number): Position {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = chunks[mid]!;
      const last = c.keys.length - 1;
      if (before(c.keys[last]!, c.rids[last]!, key, rid)) lo = mid + 1;
      else hi = mid;
    }
    if (lo === chunks.length) return { chunk: lo, index: 0 };
    const c = chunks[lo]!;
    let a = 0;
    let b = c.keys.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (before(c.keys[mid]!, c.rids[mid]!, key, rid)) a = mid + 1;
      else b = mid;
    }
    return { chunk: lo, index: a };
  }

  insert(key: string, rid: number): void {
    this.count++;
    if (this.chunks.length === 0) {
      this.chunks.push({ keys: [key], rids: [rid] });
      return;
    }
    let { chunk, index } = this.lowerBound(key, rid);
    if (chunk === this.chunks.length) {
      chunk--;
      index = this.chunks[chunk]!.keys.length;
    }
    const c = this.chunks[chunk]!;
    if (index === c.keys.length) {
      c.keys.push(key);
      c.rids.push(rid);
    } else {
      c.keys.splice(index, 0, key);
      c.rids.splice(index, 0, rid);
    }
    if (c.keys.length > CHUNK_MAX) {
      const half = c.keys.length >>> 1;
      this.chunks.splice(chunk + 1, 0, { keys: c.keys.splice(half), rids: c.rids.splice(half) });
    }
  }

  /** Appends an entry known to sort after every entry present (bulk loading, no search). */
  append(key: string, rid: number): void {
    let c = this.chunks[this.chunks.length - 1];
    if (!c || c.keys.length >= CHUNK_MAX / 2) this.chunks.push((c = { keys: [], rids: [] }));
    c.keys.push(key);
    c.rids.push(rid);
    this.count++;
  }

  remove(key: string, rid: number): boolean {
    const { chunk, index } = this.lowerBound(key, rid);
    const c = this.chunks[chunk];
    if (!c || c.keys[index] !== key || c.rids[index] !== rid) return false;
    c.keys.splice(index, 1);
    c.rids.splice(index, 1);
    if (c.keys.length === 0) this.chunks.splice(chunk, 1);
    this.count--;
    return true;
  }

  /** The rids of entries with exactly this key, in rid order. */
  ridsOf(key: string): number[] {
    const out: number[] = [];
    this.scan(key, true, key, true, false, (_k, rid) => {
      out.push(rid);
      return true;
    });
    return out;
  }

  /**
   * Visits the entries with lo ≤ key ≤ hi (bounds exclusive when not inclusive), ascending
   * or descending, until `visit` returns false.
   */
  scan(
    lo: string,
    loInclusive: boolean,
    hi: string,
    hiInclusive: boolean,
    reverse: boolean,
    visit: (key: string, rid: number) => boolean,
  ): void {
    if (lo > hi) return;
    const start = this.lowerBound(lo, loInclusive ? -Infinity : Infinity);
    const end = this.lowerBound(hi, hiInclusive ? Infinity : -Infinity); // first entry past the range
    if (!reverse) {
      let { chunk, index } = start;
      while (chunk < end.chunk || (chunk === end.chunk && index < end.index)) {
        const c = this.chunks[chunk]!;
        if (index >= c.keys.length) {
          chunk++;
          index = 0;
          continue;
        }
        if (!visit(c.keys[index]!, c.rids[index]!)) return;
        index++;
      }
    } else {
      let { chunk, index } = end;
      for (;;) {
        index--;
        if (index < 0) {
          chunk--;
          if (chunk < 0) return;
          index = this.chunks[chunk]!.keys.length - 1;
        }
        if (chunk < start.chunk || (chunk === start.chunk && index < start.index)) return;
        const c = this.chunks[chunk]!;
        if (!visit(c.keys[index]!, c.rids[index]!)) return;
      }
    }
  }

  /** Every entry in key order. */
  forEach(visit: (key: string, rid: number) => void): void {
    for (const c of this.chunks) for (let i = 0; i < c.keys.length; i++) visit(c.keys[i]!, c.rids[i]!);
  }

  clear(): void {
    this.chunks = [];
    this.count = 0;
  }
}
