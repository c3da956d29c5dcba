import fs from 'node:fs';
import { bodyIntact, RECORD_HEADER } from './journal-format';

export interface ReadResult {
  /** Offset just past the last intact record. */
  validEnd: number;
  /** Bytes after validEnd that did not form an intact record (torn or corrupt). */
  badBytes: number;
}

const CHUNK = 8 * 1024 * 1024;

/**
 * Reads the records of a journal or snapshot file in order, streaming (files may be larger
 * than memory allows at once). Stops at the first record that is incomplete or fails its CRC.
 */
export function readRecords(file: string, onRecord: (body: Buffer) => void): ReadResult {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    let buf = Buffer.alloc(0);
    let bufStart = 0; // file offset of buf[0]
    let offset = 0; // file offset of the next record
    const ensure = (needed: number): boolean => {
      // Makes buf cover [offset, offset + needed) if the file has those bytes.
      if (offset + needed > size) return false;
      if (offset + needed <= bufStart + buf.length) return true;
      const keep = buf.subarray(offset - bufStart);
      const want = Math.max(needed, CHUNK);
      const next = Buffer.allocUnsafe(Math.min(want, size - offset));
      keep.copy(next, 0);
      let filled = keep.length;
      while (filled < next.length) {
        const n = fs.readSync(fd, next, filled, next.length - filled, offset + filled);
        if (n === 0) break;
        filled += n;
      }
      buf = next.subarray(0, filled);
      bufStart = offset;
      return filled >= needed;
    };
    for (;;) {
      if (!ensure(RECORD_HEADER)) break;
      const at = offset - bufStart;
      const length = buf.readUInt32LE(at);
      const crc = buf.readUInt32LE(at + 4);
      if (length < 8 || !ensure(RECORD_HEADER + length)) break;
      const start = offset - bufStart + RECORD_HEADER;
      const body = buf.subarray(start, start + length);
      if (!bodyIntact(body, crc)) break;
      onRecord(body);
      offset += RECORD_HEADER + length;
    }
    return { validEnd: offset, badBytes: size - offset };
  } finally {
    fs.closeSync(fd);
  }
}
