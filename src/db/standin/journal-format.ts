import { crc32 } from 'node:zlib';
import { deserialize, serialize, type Document } from 'bson';
import type { IndexSpec } from './collection-index';

/** One change to the data, as journaled and replayed. Documents travel as their BSON bytes. */
export type JournalOp =
  | { op: 'insert' | 'replace'; db: string; coll: string; doc: Uint8Array }
  | { op: 'delete'; db: string; coll: string; id: unknown }
  | { op: 'create'; db: string; coll: string; options: Document }
  | { op: 'drop'; db: string; coll: string }
  | { op: 'dropDatabase'; db: string }
  | { op: 'createIndex'; db: string; coll: string; spec: IndexSpec }
  | { op: 'dropIndex'; db: string; coll: string; name: string };

const OP_CODES = ['insert', 'replace', 'delete', 'create', 'drop', 'dropDatabase', 'createIndex', 'dropIndex'] as const;
const EMPTY_DOC = serialize({});

/**
 * Files (journal and snapshot alike), format 2:
 *   header  = "LYTSTAND" [u32 version = 2] [u32 CRC-32 of the 12 bytes before]      (16 bytes)
 *   record  = [u32 RECORD_MAGIC] [u32 body length] [u32 CRC-32 of body] [u32 CRC-32 of the
 *             12 bytes before] [body]
 *   body    = [f64 sequence number] [ops…], each op = [u8 type] [db cstring] [collection
 *             cstring] [one BSON document]
 * A record is the unit of atomicity: all ops of one command, or (torn, bad CRC) none. The
 * marker and the header's own CRC let a reader find the next intact record after damage.
 *
 * Format 1 (files written before the format had a version) has no file header and records
 * of [u32 body length] [u32 CRC-32 of body] [body]; it is still read.
 */
export const FILE_MAGIC = Buffer.from('LYTSTAND', 'latin1');
export const FORMAT_VERSION = 2;
export const FILE_HEADER = 16;
export const RECORD_MAGIC = 0x4c52_5944; // "DYRL" little-endian; any constant unlikely in BSON
export const RECORD_MAGIC_BYTES = Buffer.from([0x44, 0x59, 0x52, 0x4c]);
export const RECORD_HEADER = 16;
/** Format 1's record header. */
export const RECORD_HEADER_V1 = 8;

export function fileHeader(): Buffer {
  const head = Buffer.alloc(FILE_HEADER);
  FILE_MAGIC.copy(head, 0);
  head.writeUInt32LE(FORMAT_VERSION, 8);
  head.writeUInt32LE(crc32(head.subarray(0, 12)), 12);
  return head;
}

/** The format of a file from its first bytes: 2 (header intact), 'damaged' (header of format 2, CRC wrong), 1 (none). */
export function fileFormat(first: Buffer): 2 | 1 | 'damaged' {
  if (first.length >= FILE_HEADER && first.subarray(0, 8).equals(FILE_MAGIC)) {
    return first.readUInt32LE(12) === crc32(first.subarray(0, 12)) ? 2 : 'damaged';
  }
  // A damaged magic: a format 2 file still has its first record's marker right after the header.
  if (first.length >= FILE_HEADER + 4 && first.readUInt32LE(FILE_HEADER) === RECORD_MAGIC) return 'damaged';
  return 1;
}

function payload(op: JournalOp): Uint8Array {
  switch (op.op) {
    case 'insert':
    case 'replace':
      return op.doc;
    case 'delete':
      return serialize({ _id: op.id });
    case 'create':
      return serialize(op.options);
    case 'createIndex':
      return serialize(op.spec);
    case 'dropIndex':
      return serialize({ name: op.name });
    default:
      return EMPTY_DOC;
  }
}

export function encodeBody(seq: number, ops: JournalOp[]): Buffer {
  const parts: Uint8Array[] = [];
  const seqBuf = Buffer.allocUnsafe(8);
  seqBuf.writeDoubleLE(seq, 0);
  parts.push(seqBuf);
  for (const op of ops) {
    const coll = 'coll' in op ? op.coll : '';
    parts.push(Buffer.from([OP_CODES.indexOf(op.op)]), Buffer.from(`${op.db}\0${coll}\0`, 'utf8'), payload(op));
  }
  return Buffer.concat(parts);
}

/** Frames a body as a format 2 record. */
export function frameRecord(body: Buffer): Buffer {
  const head = Buffer.allocUnsafe(RECORD_HEADER);
  head.writeUInt32LE(RECORD_MAGIC, 0);
  head.writeUInt32LE(body.length, 4);
  head.writeUInt32LE(crc32(body), 8);
  head.writeUInt32LE(crc32(head.subarray(0, 12)), 12);
  return Buffer.concat([head, body]);
}

export function encodeRecord(seq: number, ops: JournalOp[]): Buffer {
  return frameRecord(encodeBody(seq, ops));
}

/** The sequence number a body starts with. */
export function bodySeq(body: Buffer): number {
  return body.readDoubleLE(0);
}

/** Checks a record body against its CRC; false means torn or corrupt. */
export function bodyIntact(body: Buffer, crc: number): boolean {
  return crc32(body) === crc;
}

/** Checks a format 2 record header (marker and its own CRC); returns the body length and CRC. */
export function readRecordHeader(head: Buffer): { length: number; crc: number } | undefined {
  if (head.readUInt32LE(0) !== RECORD_MAGIC || head.readUInt32LE(12) !== crc32(head.subarray(0, 12))) return undefined;
  return { length: head.readUInt32LE(4), crc: head.readUInt32LE(8) };
}

export function decodeBody(body: Buffer): { seq: number; ops: JournalOp[] } {
  const seq = body.readDoubleLE(0);
  const ops: JournalOp[] = [];
  let at = 8;
  while (at < body.length) {
    const type = OP_CODES[body[at]!];
    const dbEnd = body.indexOf(0, at + 1);
    const collEnd = body.indexOf(0, dbEnd + 1);
    const db = body.toString('utf8', at + 1, dbEnd);
    const coll = body.toString('utf8', dbEnd + 1, collEnd);
    const docStart = collEnd + 1;
    const docEnd = docStart + body.readInt32LE(docStart);
    const bytes = body.subarray(docStart, docEnd);
    at = docEnd;
    switch (type) {
      case 'insert':
      case 'replace':
        ops.push({ op: type, db, coll, doc: bytes });
        break;
      case 'delete':
        ops.push({ op: type, db, coll, id: deserialize(bytes)._id });
        break;
      case 'create':
        ops.push({ op: type, db, coll, options: deserialize(bytes) });
        break;
      case 'drop':
        ops.push({ op: type, db, coll });
        break;
      case 'dropDatabase':
        ops.push({ op: type, db });
        break;
      case 'createIndex':
        ops.push({ op: type, db, coll, spec: deserialize(bytes) as IndexSpec });
        break;
      case 'dropIndex':
        ops.push({ op: type, db, coll, name: deserialize(bytes).name as string });
        break;
      default:
        throw new Error(`unknown journal op ${body[at]}`);
    }
  }
  return { seq, ops };
}
