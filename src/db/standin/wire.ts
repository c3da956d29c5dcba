import { deserialize, type Document } from 'bson';

/**
 * MongoDB wire protocol framing (mongodb.com/docs/manual/reference/mongodb-wire-protocol/).
 * Every message starts with a 16-byte header: messageLength, requestID, responseTo, opCode
 * (little-endian int32s).
 */
export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

export const HEADER_SIZE = 16;
/** What hello advertises; a bigger message closes the connection. */
export const MAX_MESSAGE_SIZE = 48_000_000;
export const MAX_BSON_SIZE = 16 * 1024 * 1024;

const MSG_CHECKSUM_PRESENT = 1 << 0;
const MSG_MORE_TO_COME = 1 << 1;

/** A malformed message: the connection it came on is closed, nothing else is affected. */
export class WireError extends Error {
  override name = 'WireError';
}

export interface CommandRequest {
  requestId: number;
  /** OP_MSG or the legacy OP_QUERY used for the first handshake. */
  opCode: typeof OP_MSG | typeof OP_QUERY;
  /** The command document, with OP_MSG document sequences merged in as arrays. */
  body: Document;
  /** The raw bytes of each document of each OP_MSG document sequence (payload type 1). */
  sequences: Map<string, Buffer[]>;
  /** OP_MSG moreToCome: the client expects no reply (unacknowledged write). */
  moreToCome: boolean;
  /** OP_QUERY only: the namespace it was sent to, e.g. `admin.$cmd`. */
  fullCollectionName?: string;
}

/** Reads the length of the message that starts at `buf[0]`, or undefined if the header is incomplete. */
export function peekMessageLength(buf: Buffer): number | undefined {
  if (buf.length < 4) return undefined;
  const length = buf.readInt32LE(0);
  if (length < HEADER_SIZE || length > MAX_MESSAGE_SIZE) {
    throw new WireError(`message length ${length} outside [${HEADER_SIZE}, ${MAX_MESSAGE_SIZE}]`);
  }
  return length;
}

function readBsonAt(buf: Buffer, offset: number, end: number): { doc: Document; raw: Buffer; next: number } {
  if (offset + 5 > end) throw new WireError('truncated BSON document');
  const size = buf.readInt32LE(offset);
  if (size < 5 || offset + size > end) throw new WireError(`BSON document size ${size} overruns the message`);
  const raw = buf.subarray(offset, offset + size);
  try {
    return { doc: deserialize(raw), raw, next: offset + size };
  } catch (err) {
    throw new WireError(`invalid BSON: ${(err as Error).message}`);
  }
}

function readCString(buf: Buffer, offset: number, end: number): { value: string; next: number } {
  const zero = buf.indexOf(0, offset);
  if (zero < 0 || zero >= end) throw new WireError('unterminated cstring');
  return { value: buf.toString('utf8', offset, zero), next: zero + 1 };
}

/** Parses one complete message (header included). Throws WireError on anything malformed. */
export function parseMessage(msg: Buffer): CommandRequest {
  const requestId = msg.readInt32LE(4);
  const opCode = msg.readInt32LE(12);
  if (opCode === OP_MSG) return parseOpMsg(msg, requestId);
  if (opCode === OP_QUERY) return parseOpQuery(msg, requestId);
  throw new WireError(`unsupported opCode ${opCode}`);
}

// OP_MSG: flagBits uint32, then sections (kind 0: one body document; kind 1: int32 size,
// cstring identifier, documents), then an optional CRC-32C checksum.
function parseOpMsg(msg: Buffer, requestId: number): CommandRequest {
  if (msg.length < HEADER_SIZE + 5) throw new WireError('OP_MSG too short');
  const flags = msg.readUInt32LE(HEADER_SIZE);
  // Bits 0-15 are required to be understood; only checksumPresent and moreToCome exist.
  if ((flags & 0xffff) & ~(MSG_CHECKSUM_PRESENT | MSG_MORE_TO_COME)) throw new WireError(`unknown OP_MSG flags ${flags}`);
  const end = flags & MSG_CHECKSUM_PRESENT ? msg.length - 4 : msg.length;
  let offset = HEADER_SIZE + 4;
  let body: Document | undefined;
  const sequences = new Map<string, Buffer[]>();
  const sequenceDocs = new Map<string, Document[]>();
  while (offset < end) {
    const kind = msg[offset++];
    if (kind === 0) {
      if (body) throw new WireError('OP_MSG with two body sections');
      const read = readBsonAt(msg, offset, end);
      body = read.doc;
      offset = read.next;
    } else if (kind === 1) {
      if (offset + 4 > end) throw new WireError('truncated document sequence');
      const size = msg.readInt32LE(offset);
      const seqEnd = offset + size;
      if (size < 5 || seqEnd > end) throw new WireError('document sequence overruns the message');
      const id = readCString(msg, offset + 4, seqEnd);
      const raws: Buffer[] = [];
      const docs: Document[] = [];
      let at = id.next;
      while (at < seqEnd) {
        const read = readBsonAt(msg, at, seqEnd);
        raws.push(read.raw);
        docs.push(read.doc);
        at = read.next;
      }
      sequences.set(id.value, raws);
      sequenceDocs.set(id.value, docs);
      offset = seqEnd;
    } else {
      throw new WireError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw new WireError('OP_MSG without a body section');
  for (const [id, docs] of sequenceDocs) body[id] = docs;
  return { requestId, opCode: OP_MSG, body, sequences, moreToCome: (flags & MSG_MORE_TO_COME) !== 0 };
}

// OP_QUERY (legacy, the drivers' first hello): flags int32, fullCollectionName cstring,
// numberToSkip int32, numberToReturn int32, query document, optional field selector.
function parseOpQuery(msg: Buffer, requestId: number): CommandRequest {
  let offset = HEADER_SIZE + 4;
  const name = readCString(msg, offset, msg.length);
  offset = name.next + 8;
  let body = readBsonAt(msg, offset, msg.length).doc;
  if (body.$query && typeof body.$query === 'object') body = body.$query as Document;
  return { requestId, opCode: OP_QUERY, body, sequences: new Map(), moreToCome: false, fullCollectionName: name.value };
}

let nextRequestId = 1;

function header(length: number, responseTo: number, opCode: number): Buffer {
  const h = Buffer.allocUnsafe(HEADER_SIZE);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  h.writeInt32LE(responseTo, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

/** An OP_MSG reply with one body section holding the already serialised `body`. */
export function encodeMsgReply(responseTo: number, body: Uint8Array): Buffer {
  const length = HEADER_SIZE + 4 + 1 + body.length;
  const prefix = Buffer.alloc(5); // flagBits 0, section kind 0
  return Buffer.concat([header(length, responseTo, OP_MSG), prefix, body], length);
}

/** An OP_REPLY to a legacy OP_QUERY: responseFlags, cursorID 0, startingFrom 0, one document. */
export function encodeOpReply(responseTo: number, doc: Uint8Array): Buffer {
  const length = HEADER_SIZE + 20 + doc.length;
  const fields = Buffer.alloc(20);
  fields.writeInt32LE(1, 16); // numberReturned
  return Buffer.concat([header(length, responseTo, OP_REPLY), fields, doc], length);
}
