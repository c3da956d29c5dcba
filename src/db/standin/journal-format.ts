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
 * A record: [u32 body length][u32 CRC-32 of body][body], body = [f64 sequence number][ops…],
 * each op = [u8 type][db cstring][collection cstring][one BSON document]. A record is the
 * unit of atomicity: all ops of one command, or (torn, bad CRC) none of them.
 */
export const RECORD_HEADER = 8;

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

export function encodeRecord(seq: number, ops: JournalOp[]): Buffer {
  const parts: Uint8Array[] = [];
  const seqBuf = Buffer.allocUnsafe(8);
  seqBuf.writeDoubleLE(seq, 0);
  parts.push(seqBuf);
  for (const op of ops) {
    const coll = 'coll' in op ? op.coll : '';
    parts.push(Buffer.from([OP_CODES.indexOf(op.op)]), Buffer.from(`${op.db}\0${coll}\0`, 'utf8'), payload(op));
  }
  const body = Buffer.concat(parts);
  const head = Buffer.allocUnsafe(RECORD_HEADER);
  head.writeUInt32LE(body.length, 0);
  head.writeUInt32LE(crc32(body), 4);
  return Buffer.concat([head, body]);
}

/** Checks a record body against its CRC; false means torn or corrupt. */
export function bodyIntact(body: Buffer, crc: number): boolean {
  return crc32(body) === crc;
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
