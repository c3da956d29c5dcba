import fs from 'node:fs';
import {
  bodyIntact,
  FILE_HEADER,
  fileFormat,
  RECORD_HEADER,
  RECORD_HEADER_V1,
  RECORD_MAGIC_BYTES,
  readRecordHeader,
} from './journal-format';

/** A stretch of a file that holds no intact record: [from, to), `to` being the next intact record or the end. */
export interface Damage {
  from: number;
  to: number;
}

export interface RecordVisitor {
  /** An intact record: its body (valid during the call) and where it starts and ends. */
  record(body: Buffer, at: number, end: number): void;
  /** Bytes that hold no intact record; the walk goes on at `to`. Return 'stop' to end the walk here. */
  damage?(d: Damage): 'stop' | void;
}

export interface WalkResult {
  /** 2, or 1 for files written before the format had a version; 'empty' for a file of no bytes. */
  format: 1 | 2 | 'empty';
  size: number;
  /** Where the records start (after the file header). */
  start: number;
  /** Offset just past the last intact record before the first damage (or the end). */
  validEnd: number;
  /** The first damage, if any. */
  damage?: Damage;
}

const CHUNK = 8 * 1024 * 1024;
/** Sequence numbers are counts of commands: a format 1 record's body starts with one. */
const MAX_SEQ = 2 ** 53;

/**
 * Reads a file through a window of CHUNK bytes, so files larger than memory can be walked.
 * Every read returns a view of a fresh buffer: views handed out earlier stay valid.
 */
class Window {
  private buf = Buffer.alloc(0);
  private bufStart = 0;

  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  /** The bytes [at, at + length), or undefined past the end of the file. */
  bytes(at: number, length: number): Buffer | undefined {
    if (at < 0 || at + length > this.size) return undefined;
    if (at >= this.bufStart && at + length <= this.bufStart + this.buf.length) {
      return this.buf.subarray(at - this.bufStart, at - this.bufStart + length);
    }
    const next = Buffer.allocUnsafe(Math.min(Math.max(length, CHUNK), this.size - at));
    let filled = 0;
    while (filled < next.length) {
      const n = fs.readSync(this.fd, next, filled, next.length - filled, at + filled);
      if (n === 0) break;
      filled += n;
    }
    this.buf = next.subarray(0, filled);
    this.bufStart = at;
    return filled >= length ? this.buf.subarray(0, length) : undefined;
  }

  /** The first offset ≥ from where `pattern` occurs, or -1. */
  indexOf(pattern: Buffer, from: number): number {
    for (let at = from; at + pattern.length <= this.size; ) {
      const span = Math.min(CHUNK, this.size - at);
      const chunk = this.bytes(at, span)!;
      const i = chunk.indexOf(pattern);
      if (i >= 0) return at + i;
      if (at + span >= this.size) break;
      at += span - pattern.length + 1;
    }
    return -1;
  }
}

/** The intact record starting at `at`, if there is one. */
function recordAt(w: Window, format: 1 | 2, at: number): { body: Buffer; end: number } | undefined {
  if (format === 2) {
    const head = w.bytes(at, RECORD_HEADER);
    const h = head && readRecordHeader(head);
    if (!h || h.length < 8) return undefined;
    const body = w.bytes(at + RECORD_HEADER, h.length);
    return body && bodyIntact(body, h.crc) ? { body, end: at + RECORD_HEADER + h.length } : undefined;
  }
  const head = w.bytes(at, RECORD_HEADER_V1);
  if (!head) return undefined;
  const length = head.readUInt32LE(0);
  if (length < 8 || at + RECORD_HEADER_V1 + length > w.size) return undefined;
  const body = w.bytes(at + RECORD_HEADER_V1, length);
  return body && bodyIntact(body, head.readUInt32LE(4)) ? { body, end: at + RECORD_HEADER_V1 + length } : undefined;
}

/** The offset of the next intact record after `from`, or the end of the file. */
function resync(w: Window, format: 1 | 2, from: number): number {
  if (format === 2) {
    for (let at = w.indexOf(RECORD_MAGIC_BYTES, from); at >= 0; at = w.indexOf(RECORD_MAGIC_BYTES, at + 1)) {
      if (recordAt(w, 2, at)) return at;
    }
    return w.size;
  }
  // Format 1 has no marker: try each offset whose length and sequence number are plausible.
  for (let at = from; at + RECORD_HEADER_V1 + 8 <= w.size; at++) {
    const head = w.bytes(at, RECORD_HEADER_V1 + 8)!;
    const length = head.readUInt32LE(0);
    if (length < 8 || at + RECORD_HEADER_V1 + length > w.size) continue;
    const seq = head.readDoubleLE(RECORD_HEADER_V1);
    if (!(seq >= 1 && seq < MAX_SEQ && Number.isInteger(seq))) continue;
    if (recordAt(w, 1, at)) return at;
  }
  return w.size;
}

/**
 * Walks the records of a journal or snapshot file in order, streaming. Where bytes do not
 * form an intact record (torn or corrupt), the walk looks for the next intact one and reports
 * the stretch in between as damage; `visitor.damage` may stop the walk there.
 */
export function walkRecords(file: string, visitor: RecordVisitor): WalkResult {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const w = new Window(fd, size);
    if (size === 0) return { format: 'empty', size, start: 0, validEnd: 0 };
    const first = w.bytes(0, Math.min(size, FILE_HEADER + 4))!;
    const kind = fileFormat(first);
    const format = kind === 1 ? 1 : 2;
    const start = format === 2 ? FILE_HEADER : 0;
    const result: WalkResult = { format, size, start, validEnd: start };
    let offset = start;
    let damaged = false;
    const report = (d: Damage): boolean => {
      if (!damaged) {
        result.damage = d;
        result.validEnd = d.from;
      }
      damaged = true;
      return visitor.damage?.(d) === 'stop';
    };
    if (kind === 'damaged') {
      // The header is damaged (or torn: a file created just before a crash).
      const to = size <= FILE_HEADER ? size : resync(w, 2, 0);
      if (report({ from: 0, to })) return result;
      offset = to;
    }
    while (offset < size) {
      const rec = recordAt(w, format, offset);
      if (rec) {
        visitor.record(rec.body, offset, rec.end);
        offset = rec.end;
        if (!damaged) result.validEnd = offset;
        continue;
      }
      const to = resync(w, format, offset + 1);
      if (report({ from: offset, to })) return result;
      offset = to;
    }
    return result;
  } finally {
    fs.closeSync(fd);
  }
}
