import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { deserialize } from 'bson';
import { fsyncDir } from './journal-file';
import {
  bodySeq,
  decodeBody,
  fileHeader,
  frameRecord,
  RECORD_HEADER,
  RECORD_HEADER_V1,
  RECORD_MAGIC,
  type JournalOp,
} from './journal-format';
import { releaseLock, takeLock } from './lock';
import { journalFiles, journalSeq, SNAPSHOT } from './persistence';
import { walkRecords, type Damage } from './record-file';

/** One stretch of a file that held no verifiable record, and what it held as far as it can be read. */
export interface LostStretch extends Damage {
  /** Sequence numbers (commands) of the journal that are gone: [first, last]; undefined when not known (a snapshot). */
  seqs?: [number, number];
  /**
   * The changes the stretch seems to hold, read without the checksums (so possibly wrong):
   * e.g. "insert durable.recs _id=57" (the first 20). Empty when nothing could be read.
   */
  seemed: string[];
  /** How many changes it seemed to hold in all. */
  seemedCount: number;
}

export interface RepairedFile {
  name: string;
  /** Where the damaged original was copied before the file was replaced. */
  original: string;
  sizeBefore: number;
  sizeAfter: number;
  /** Records kept, before the first damage and after it. */
  keptBefore: number;
  keptAfter: number;
  lost: LostStretch[];
}

export interface RepairReport {
  dir: string;
  /** Files that were damaged, copied aside and salvaged. */
  repaired: RepairedFile[];
  /** A torn last record at the end of the last journal file: the start drops it by itself. */
  tornTail?: { name: string; bytes: number };
}

const MAX_SEEMED = 20;

function describeOp(op: JournalOp): string {
  const ns = 'coll' in op ? `${op.db}.${op.coll}` : op.db;
  const id = (raw: Uint8Array) => {
    try {
      return ` _id=${JSON.stringify(deserialize(raw)._id)}`;
    } catch {
      return '';
    }
  };
  switch (op.op) {
    case 'insert':
    case 'replace':
      return `${op.op} ${ns}${id(op.doc)}`;
    case 'delete':
      return `delete ${ns} _id=${JSON.stringify(op.id)}`;
    case 'createIndex':
      return `createIndex ${ns} ${op.spec.name}`;
    case 'dropIndex':
      return `dropIndex ${ns} ${op.name}`;
    default:
      return `${op.op} ${ns}`;
  }
}

/** Reads the records of a damaged stretch as best it can, ignoring their checksums. */
function readDamaged(bytes: Buffer, format: 1 | 2): { seqs: number[]; ops: string[]; count: number } {
  const seqs: number[] = [];
  const ops: string[] = [];
  let count = 0;
  let at = 0;
  const header = format === 2 ? RECORD_HEADER : RECORD_HEADER_V1;
  while (at + header + 8 <= bytes.length) {
    if (format === 2 && bytes.readUInt32LE(at) !== RECORD_MAGIC) break;
    const length = bytes.readUInt32LE(format === 2 ? at + 4 : at);
    if (length < 8 || at + header + length > bytes.length) break;
    const body = bytes.subarray(at + header, at + header + length);
    try {
      const decoded = decodeBody(body);
      seqs.push(decoded.seq);
      for (const op of decoded.ops) if (ops.length < MAX_SEEMED) ops.push(describeOp(op));
      count += decoded.ops.length;
    } catch {
      break;
    }
    at += header + length;
  }
  return { seqs, ops, count };
}

function stamp(now: Date): string {
  // Beijing wall-clock time, as every date an operator sees.
  const bj = new Date(now.getTime() + 8 * 3600_000).toISOString();
  return `${bj.slice(0, 10).replace(/-/g, '')}-${bj.slice(11, 19).replace(/:/g, '')}`;
}

/**
 * `npm run db -- --repair`: for each damaged file of a stand-in data directory (not a torn
 * last journal record, which the start drops by itself), copies the file aside into
 * `damaged-<time>/`, writes in its place every record before the damage and every record
 * after it that passes its checksum, and reports exactly what was lost. Refuses while a
 * process holds the directory.
 */
export function repairDataDir(dir: string, now = new Date()): RepairReport {
  const instance = randomBytes(12).toString('hex');
  takeLock(dir, instance);
  try {
    const report: RepairReport = { dir, repaired: [] };
    const journals = journalFiles(dir);
    const files = [...(fs.existsSync(path.join(dir, SNAPSHOT)) ? [SNAPSHOT] : []), ...journals];
    const aside = path.join(dir, `damaged-${stamp(now)}`);
    for (const name of files) {
      const file = path.join(dir, name);
      const kept: Buffer[] = [];
      const stretches: Damage[] = [];
      const seqsAround: Array<{ before?: number; after?: number }> = [];
      let lastSeq: number | undefined;
      let keptBefore = 0;
      const walk = walkRecords(file, {
        record(body) {
          kept.push(frameRecord(Buffer.from(body)));
          const s = bodySeq(body);
          if (stretches.length === 0) keptBefore++;
          const open = seqsAround[seqsAround.length - 1];
          if (open && open.after === undefined) open.after = s;
          lastSeq = s;
        },
        damage(d) {
          stretches.push(d);
          seqsAround.push({ before: lastSeq });
        },
      });
      if (stretches.length === 0) continue;
      const isLastJournal = name === journals[journals.length - 1];
      if (isLastJournal && stretches.length === 1 && stretches[0]!.to === walk.size) {
        report.tornTail = { name, bytes: walk.size - stretches[0]!.from };
        continue;
      }
      const format = walk.format === 1 ? 1 : 2;
      const next = journals[journals.indexOf(name) + 1];
      const nextFirst = next ? journalSeq(next) : undefined;
      const fd = fs.openSync(file, 'r');
      const lost: LostStretch[] = stretches.map((d, i) => {
        const bytes = Buffer.alloc(d.to - d.from);
        fs.readSync(fd, bytes, 0, bytes.length, d.from);
        const seemed = readDamaged(bytes, format);
        const stretch: LostStretch = { ...d, seemed: seemed.ops, seemedCount: seemed.count };
        if (name !== SNAPSHOT) {
          const before = seqsAround[i]!.before ?? journalSeq(name) - 1;
          const after = seqsAround[i]!.after ?? nextFirst;
          if (after !== undefined && after > before + 1) stretch.seqs = [before + 1, after - 1];
          else if (after === undefined && seemed.seqs.length > 0) stretch.seqs = [before + 1, Math.max(...seemed.seqs)];
        }
        return stretch;
      });
      fs.closeSync(fd);

      fs.mkdirSync(aside, { recursive: true });
      const original = path.join(aside, name);
      fs.copyFileSync(file, original, fs.constants.COPYFILE_EXCL);
      const copy = fs.openSync(original, 'r');
      fs.fsyncSync(copy);
      fs.closeSync(copy);
      fsyncDir(aside);

      const tmp = `${file}.repair`;
      const out = Buffer.concat([fileHeader(), ...kept]);
      const fdOut = fs.openSync(tmp, 'w');
      try {
        fs.writeSync(fdOut, out);
        fs.fsyncSync(fdOut);
      } finally {
        fs.closeSync(fdOut);
      }
      fs.renameSync(tmp, file);
      fsyncDir(dir);
      report.repaired.push({ name, original, sizeBefore: walk.size, sizeAfter: out.length, keptBefore, keptAfter: kept.length - keptBefore, lost });
    }
    return report;
  } finally {
    releaseLock(dir, instance);
  }
}
