/**
 * Documents kept as BSON bytes in large slabs outside the V8 heap, addressed by a record id
 * (rid). A document's bytes are never changed in place: a replacement is appended and the old
 * bytes become garbage, so a Buffer handed out earlier (a cursor batch, a snapshot being
 * written) stays valid. Slabs that are mostly garbage are compacted.
 */
const SLAB_SIZE = 4 * 1024 * 1024;
const NONE = -1;

interface Slab {
  bytes: Buffer;
  used: number;
  live: number;
}

export class DocStore {
  private slabs: (Slab | undefined)[] = [];
  private current = -1;
  private slabOf = new Int32Array(1024).fill(NONE);
  private offsetOf = new Int32Array(1024);
  private nextRid = 0;
  private count = 0;
  private liveBytes = 0;

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.liveBytes;
  }

  add(doc: Uint8Array): number {
    const rid = this.nextRid++;
    if (rid >= this.slabOf.length) this.grow();
    this.place(rid, doc);
    this.count++;
    return rid;
  }

  get(rid: number): Buffer | undefined {
    const s = rid < this.nextRid ? this.slabOf[rid]! : NONE;
    if (s === NONE) return undefined;
    const slab = this.slabs[s]!;
    const offset = this.offsetOf[rid]!;
    return slab.bytes.subarray(offset, offset + slab.bytes.readInt32LE(offset));
  }

  has(rid: number): boolean {
    return rid < this.nextRid && this.slabOf[rid] !== NONE;
  }

  replace(rid: number, doc: Uint8Array): void {
    this.release(rid);
    this.place(rid, doc);
  }

  /** Puts a removed document back under its rid (undoing the removal). */
  restore(rid: number, doc: Uint8Array): void {
    if (rid >= this.nextRid || this.has(rid)) throw new Error(`document ${rid} cannot be restored: it is not a removed one`);
    this.place(rid, doc);
    this.count++;
  }

  remove(rid: number): void {
    if (!this.has(rid)) return;
    this.release(rid);
    this.count--;
  }

  /** Every live rid, ascending (= insertion order of the documents). */
  rids(): number[] {
    const out: number[] = [];
    for (let rid = 0; rid < this.nextRid; rid++) if (this.slabOf[rid] !== NONE) out.push(rid);
    return out;
  }

  clear(): void {
    this.slabs = [];
    this.current = -1;
    this.slabOf = new Int32Array(1024).fill(NONE);
    this.offsetOf = new Int32Array(1024);
    this.nextRid = 0;
    this.count = 0;
    this.liveBytes = 0;
  }

  private grow(): void {
    const slabOf = new Int32Array(this.slabOf.length * 2).fill(NONE);
    slabOf.set(this.slabOf);
    const offsetOf = new Int32Array(this.offsetOf.length * 2);
    offsetOf.set(this.offsetOf);
    this.slabOf = slabOf;
    this.offsetOf = offsetOf;
  }

  private place(rid: number, doc: Uint8Array): void {
    let slab = this.current >= 0 ? this.slabs[this.current] : undefined;
    if (!slab || slab.used + doc.length > slab.bytes.length) {
      slab = { bytes: Buffer.allocUnsafeSlow(Math.max(SLAB_SIZE, doc.length)), used: 0, live: 0 };
      const free = this.slabs.indexOf(undefined);
      this.current = free >= 0 ? free : this.slabs.length;
      this.slabs[this.current] = slab;
    }
    slab.bytes.set(doc, slab.used);
    this.slabOf[rid] = this.current;
    this.offsetOf[rid] = slab.used;
    slab.used += doc.length;
    slab.live += doc.length;
    this.liveBytes += doc.length;
  }

  private release(rid: number): void {
    const s = this.slabOf[rid]!;
    const slab = this.slabs[s]!;
    const length = slab.bytes.readInt32LE(this.offsetOf[rid]!);
    this.slabOf[rid] = NONE;
    slab.live -= length;
    this.liveBytes -= length;
    if (s === this.current) return;
    if (slab.live === 0) this.slabs[s] = undefined;
    else if (slab.live < slab.used / 4) this.compact(s);
  }

  /** Moves the live documents of a mostly-garbage slab to the current one and frees it. */
  private compact(s: number): void {
    const slab = this.slabs[s]!;
    const moving: number[] = [];
    for (let rid = 0; rid < this.nextRid; rid++) if (this.slabOf[rid] === s) moving.push(rid);
    const offsets = moving.map((rid) => this.offsetOf[rid]!);
    this.slabs[s] = undefined;
    moving.forEach((rid, i) => {
      const offset = offsets[i]!;
      const doc = slab.bytes.subarray(offset, offset + slab.bytes.readInt32LE(offset));
      this.liveBytes -= doc.length;
      this.place(rid, doc);
    });
  }
}
