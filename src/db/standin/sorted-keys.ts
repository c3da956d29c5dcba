/**
 * The sorted structure behind every index: (key, rid) entries ordered by key, then by rid,
 * held in chunks of at most CHUNK_MAX entries (a B+tree of height two). A chunk keeps its
 * keys packed in one string with their end offsets, and its rids in a typed array: a handful
 * of objects per chunk rather than one per entry, which keeps millions of index entries cheap
 * for the garbage collector and the heap.
 */
const CHUNK_MAX = 128;

class Chunk {
  text = '';
  /** The last key, kept as its own string for the search across chunks. */
  last = '';
  ends = new Uint32Array(CHUNK_MAX + 1);
  rids = new Int32Array(CHUNK_MAX + 1);
  n = 0;

  start(i: number): number {
    return i === 0 ? 0 : this.ends[i - 1]!;
  }

  keyAt(i: number): string {
    return this.text.slice(this.start(i), this.ends[i]);
  }

  /** Compares entry i with (key, rid): negative when the entry sorts first. */
  compare(i: number, key: string, rid: number): number {
    const k = this.text.slice(i === 0 ? 0 : this.ends[i - 1]!, this.ends[i]);
    if (k !== key) return k < key ? -1 : 1;
    return this.rids[i]! - rid;
  }

  /** First index whose entry is not before (key, rid). */
  lowerBound(key: string, rid: number): number {
    let a = 0;
    let b = this.n;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (this.compare(mid, key, rid) < 0) a = mid + 1;
      else b = mid;
    }
    return a;
  }

  insertAt(i: number, key: string, rid: number): void {
    const s = this.start(i);
    this.text = flatten(this.text.slice(0, s) + key + this.text.slice(s));
    this.ends.copyWithin(i + 1, i, this.n);
    this.rids.copyWithin(i + 1, i, this.n);
    this.n++;
    for (let j = i + 1; j < this.n; j++) this.ends[j] = this.ends[j]! + key.length;
    this.ends[i] = s + key.length;
    this.rids[i] = rid;
    if (i === this.n - 1) this.last = flatten(key);
  }

  removeAt(i: number): void {
    const s = this.start(i);
    const len = this.ends[i]! - s;
    this.text = flatten(this.text.slice(0, s) + this.text.slice(s + len));
    this.ends.copyWithin(i, i + 1, this.n);
    this.rids.copyWithin(i, i + 1, this.n);
    this.n--;
    for (let j = i; j < this.n; j++) this.ends[j] = this.ends[j]! - len;
    if (i === this.n && this.n > 0) this.last = copy(this.keyAt(this.n - 1));
  }

  /** Moves the upper half of the entries into a new chunk. */
  split(): Chunk {
    const half = this.n >>> 1;
    const cut = this.ends[half - 1]!;
    const right = new Chunk();
    right.n = this.n - half;
    for (let j = 0; j < right.n; j++) {
      right.ends[j] = this.ends[half + j]! - cut;
      right.rids[j] = this.rids[half + j]!;
    }
    right.text = copy(this.text.slice(cut));
    this.text = copy(this.text.slice(0, cut));
    this.n = half;
    right.last = this.last;
    this.last = copy(this.keyAt(half - 1));
    return right;
  }
}

/**
 * Makes V8 flatten a concatenation now (reading a char does), so the chunk holds one flat
 * string rather than a growing tree of pieces that keeps every old key alive.
 */
function flatten(s: string): string {
  if (s.length > 0) s.charCodeAt(0);
  return s;
}

/** A copy that does not keep the (larger) string it was sliced from alive. */
function copy(s: string): string {
  return s.length < 16 ? s : flatten(' ' + s).slice(1);
}

interface Position {
  chunk: number;
  index: number;
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
      const last = c.last;
      if (last < key || (last === key && c.rids[c.n - 1]! < rid)) lo = mid + 1;
      else hi = mid;
    }
    if (lo === chunks.length) return { chunk: lo, index: 0 };
    return { chunk: lo, index: chunks[lo]!.lowerBound(key, rid) };
  }

  insert(key: string, rid: number): void {
    this.count++;
    if (this.chunks.length === 0) {
      const c = new Chunk();
      c.insertAt(0, key, rid);
      this.chunks.push(c);
      return;
    }
    let { chunk, index } = this.lowerBound(key, rid);
    if (chunk === this.chunks.length) {
      chunk--;
      index = this.chunks[chunk]!.n;
    }
    const c = this.chunks[chunk]!;
    c.insertAt(index, key, rid);
    if (c.n > CHUNK_MAX) this.chunks.splice(chunk + 1, 0, c.split());
  }

  /** Replaces the content with entries already in order (bulk loading: no search, no copying). */
  load(keys: string[], rids: number[]): void {
    this.chunks = [];
    const per = CHUNK_MAX / 2;
    for (let from = 0; from < keys.length; from += per) {
      const c = new Chunk();
      const part = keys.slice(from, from + per);
      let end = 0;
      part.forEach((key, j) => {
        end += key.length;
        c.ends[j] = end;
        c.rids[j] = rids[from + j]!;
      });
      c.n = part.length;
      c.text = flatten(part.join(''));
      c.last = part[part.length - 1]!;
      this.chunks.push(c);
    }
    this.count = keys.length;
  }

  remove(key: string, rid: number): boolean {
    const { chunk, index } = this.lowerBound(key, rid);
    const c = this.chunks[chunk];
    if (!c || index >= c.n || c.compare(index, key, rid) !== 0) return false;
    c.removeAt(index);
    if (c.n === 0) this.chunks.splice(chunk, 1);
    this.count--;
    return true;
  }

  /** The rids of entries with exactly this key, in rid order. */
  ridsOf(key: string): number[] {
    const out: number[] = [];
    let { chunk, index } = this.lowerBound(key, -Infinity);
    for (; chunk < this.chunks.length; chunk++, index = 0) {
      const c = this.chunks[chunk]!;
      for (; index < c.n; index++) {
        if (c.keyAt(index) !== key) return out;
        out.push(c.rids[index]!);
      }
    }
    return out;
  }

  /**
   * Visits the rids of the entries with lo ≤ key ≤ hi (bounds exclusive when not inclusive),
   * ascending or descending, until `visit` returns false.
   */
  scan(lo: string, loInclusive: boolean, hi: string, hiInclusive: boolean, reverse: boolean, visit: (rid: number) => boolean): void {
    if (lo > hi) return;
    const start = this.lowerBound(lo, loInclusive ? -Infinity : Infinity);
    const end = this.lowerBound(hi, hiInclusive ? Infinity : -Infinity); // first entry past the range
    if (!reverse) {
      for (let ci = start.chunk; ci <= end.chunk && ci < this.chunks.length; ci++) {
        const c = this.chunks[ci]!;
        const from = ci === start.chunk ? start.index : 0;
        const to = ci === end.chunk ? end.index : c.n;
        for (let i = from; i < to; i++) if (!visit(c.rids[i]!)) return;
      }
    } else {
      for (let ci = Math.min(end.chunk, this.chunks.length - 1); ci >= start.chunk; ci--) {
        const c = this.chunks[ci]!;
        const from = ci === start.chunk ? start.index : 0;
        const to = ci === end.chunk ? end.index : c.n;
        for (let i = to - 1; i >= from; i--) if (!visit(c.rids[i]!)) return;
      }
    }
  }

  /** Every entry in key order. */
  forEach(visit: (key: string, rid: number) => void): void {
    for (const c of this.chunks) for (let i = 0; i < c.n; i++) visit(c.keyAt(i), c.rids[i]!);
  }

  clear(): void {
    this.chunks = [];
    this.count = 0;
  }
}
