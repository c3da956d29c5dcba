/**
 * Order-preserving string encoding of BSON values: for any two values a and b,
 * `encodeValue(a) < encodeValue(b)` (plain string comparison) exactly when MongoDB orders a
 * before b (mongodb.com/docs/manual/reference/bson-type-comparison-order/). Index keys are
 * concatenations of encoded values, so a compound index is one sorted list of strings, and
 * "all keys starting with P" is the range [P, P + KEY_MAX).
 *
 * Every encoding is self-delimiting (fixed length or terminated), so no encoded value is a
 * proper prefix of another.
 */

/** A code unit above every code unit an encoding contains at a component boundary. */
export const KEY_MAX = '\uffff';

/** Type brackets in MongoDB's comparison order; one char each. */
export const Tag = {
  minKey: '\x01',
  null: '\x05',
  number: '\x0a',
  string: '\x0f',
  object: '\x14',
  array: '\x19',
  binData: '\x1e',
  objectId: '\x23',
  bool: '\x28',
  date: '\x2d',
  timestamp: '\x32',
  regex: '\x37',
  code: '\x3c',
  maxKey: '\x7f',
} as const;

export type TagChar = (typeof Tag)[keyof typeof Tag];

const f64 = new Float64Array(1);
const u8 = new Uint8Array(f64.buffer);
const bigEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 0;

/** 8 chars whose order is the numeric order of `n` (IEEE-754 with the sign handled). */
function encodeDouble(n: number): string {
  if (Number.isNaN(n)) return '\x00\x00\x00\x00\x00\x00\x00\x00'; // MongoDB sorts NaN below all numbers
  f64[0] = n === 0 ? 0 : n; // -0 equals 0
  const b = bigEndian ? [u8[0]!, u8[1]!, u8[2]!, u8[3]!, u8[4]!, u8[5]!, u8[6]!, u8[7]!] : [u8[7]!, u8[6]!, u8[5]!, u8[4]!, u8[3]!, u8[2]!, u8[1]!, u8[0]!];
  // Positive: set the sign bit; negative: invert everything (larger magnitude sorts lower).
  if (b[0]! & 0x80) return String.fromCharCode(255 - b[0]!, 255 - b[1]!, 255 - b[2]!, 255 - b[3]!, 255 - b[4]!, 255 - b[5]!, 255 - b[6]!, 255 - b[7]!);
  return String.fromCharCode(b[0]! | 0x80, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!);
}

/** A string with \0 escaped, terminated by \0\x01 (so "ab" < "ab\0" < "abc"). */
function encodeText(s: string): string {
  return (s.includes('\0') ? s.replace(/\0/g, '\0\xff') : s) + '\0\x01';
}

function uint32(n: number): string {
  return String.fromCharCode((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
}

/** One char per byte (latin1), so that string order is byte order. */
function bytesToChars(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

interface BsonLike {
  _bsontype?: string;
  [k: string]: unknown;
}

/** The type bracket a value sorts in. */
export function tagOf(v: unknown): TagChar {
  if (v === null || v === undefined) return Tag.null;
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return Tag.number;
    case 'string':
      return Tag.string;
    case 'boolean':
      return Tag.bool;
    case 'object':
      break;
    default:
      return Tag.null;
  }
  if (v instanceof Date) return Tag.date;
  if (Array.isArray(v)) return Tag.array;
  if (v instanceof RegExp) return Tag.regex;
  if (v instanceof Uint8Array) return Tag.binData;
  switch ((v as BsonLike)._bsontype) {
    case 'ObjectId':
      return Tag.objectId;
    case 'Long':
    case 'Int32':
    case 'Double':
    case 'Decimal128':
      return Tag.number;
    case 'BSONSymbol':
      return Tag.string;
    case 'Binary':
    case 'UUID':
      return Tag.binData;
    case 'Timestamp':
      return Tag.timestamp;
    case 'BSONRegExp':
      return Tag.regex;
    case 'Code':
      return Tag.code;
    case 'MinKey':
      return Tag.minKey;
    case 'MaxKey':
      return Tag.maxKey;
    default:
      return Tag.object;
  }
}

/** The numeric value of a number-bracket value (Long and Decimal128 approximated by a double). */
function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const b = v as BsonLike & { toNumber?: () => number; valueOf(): unknown };
  if (b._bsontype === 'Long') return b.toNumber!();
  if (b._bsontype === 'Decimal128') return Number.parseFloat(String(v));
  return Number(b.valueOf());
}

/** Encodes one value (tag + body). */
export function encodeValue(v: unknown): string {
  const tag = tagOf(v);
  switch (tag) {
    case Tag.null:
    case Tag.minKey:
    case Tag.maxKey:
      return tag;
    case Tag.number:
      return tag + encodeDouble(toNumber(v));
    case Tag.string:
      return tag + encodeText(typeof v === 'string' ? v : String((v as { value: unknown }).value));
    case Tag.bool:
      return tag + (v ? '\x01' : '\x00');
    case Tag.date:
      return tag + encodeDouble((v as Date).getTime());
    case Tag.objectId:
      return tag + bytesToChars((v as { id: Uint8Array }).id);
    case Tag.binData: {
      const bin = v instanceof Uint8Array ? { buffer: v, sub_type: 0 } : (v as { buffer: Uint8Array; position?: number; sub_type: number });
      const bytes = 'position' in bin && typeof bin.position === 'number' ? bin.buffer.subarray(0, bin.position) : bin.buffer;
      return tag + uint32(bytes.length) + String.fromCharCode(bin.sub_type) + bytesToChars(bytes);
    }
    case Tag.timestamp: {
      const ts = v as { high: number; low: number };
      return tag + uint32(ts.high) + uint32(ts.low);
    }
    case Tag.regex: {
      const re = v instanceof RegExp ? { pattern: v.source, options: v.flags } : (v as unknown as { pattern: string; options: string });
      return tag + encodeText(re.pattern) + encodeText(re.options);
    }
    case Tag.code:
      return tag + encodeText(String((v as { code: unknown }).code));
    case Tag.array: {
      let s: string = tag;
      for (const item of v as unknown[]) s += encodeValue(item);
      return s + '\x00';
    }
    case Tag.object: {
      // MongoDB compares objects field by field: value type, then field name, then value.
      let s: string = tag;
      for (const [name, value] of Object.entries(v as object)) {
        const inner = encodeValue(value);
        s += inner[0] + encodeText(name) + inner.slice(1);
      }
      return s + '\x00';
    }
  }
}

/** The first and past-the-last key of a type bracket: [bracketStart(t), bracketEnd(t)). */
export function bracketStart(tag: TagChar): string {
  return tag;
}
export function bracketEnd(tag: TagChar): string {
  return String.fromCharCode(tag.charCodeAt(0) + 1);
}

/** Compares two values in MongoDB's order (for in-memory sorts). */
export function compareValues(a: unknown, b: unknown): number {
  const ka = encodeValue(a);
  const kb = encodeValue(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
