import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../log';
import type { Catalog } from './catalog';
import { JournalFile } from './journal-file';
import { decodeBody, encodeRecord, type JournalOp } from './journal-format';
import { readRecords } from './record-file';

/**
 * Durability for a data directory:
 * 1. every command's changes are one journal record, fsync'ed before the reply (group commit);
 * 2. at start the snapshot is loaded and the journal records after it are replayed; a torn
 *    or corrupt last record is dropped;
 * 3. when the journal grows past `compactBytes` and past the size of the last snapshot (so
 *    that rewriting the snapshot costs no more than the journal it replaces), a snapshot of the
 *    whole catalog is written (temp file, fsync, rename) and the journal files it covers are
 *    deleted.
 *
 * Files: `snapshot.bin`, `journal-<first seq>.log`, `LOCK` (the owning pid).
 */
export interface Persistence {
  commit(ops: JournalOp[]): Promise<void>;
  /** Writes a snapshot now (normally triggered by journal size). */
  compact(): Promise<void>;
  close(): Promise<void>;
}

const SNAPSHOT = 'snapshot.bin';
const SNAPSHOT_TMP = 'snapshot.tmp';
const LOCK = 'LOCK';
const DEFAULT_COMPACT_BYTES = 64 * 1024 * 1024;
const SNAPSHOT_RECORD_BYTES = 4 * 1024 * 1024;

const journalName = (firstSeq: number) => `journal-${String(firstSeq).padStart(16, '0')}.log`;
const journalSeq = (name: string) => Number(/^journal-(\d+)\.log$/.exec(name)?.[1] ?? NaN);

function lock(dir: string): void {
  const file = path.join(dir, LOCK);
  try {
    const pid = Number(fs.readFileSync(file, 'utf8'));
    if (pid && pid !== process.pid) {
      let alive = true;
      try {
        process.kill(pid, 0);
      } catch (err) {
        alive = (err as NodeJS.ErrnoException).code === 'EPERM';
      }
      if (alive) throw new Error(`the stand-in data directory ${dir} is in use by process ${pid}`);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.writeFileSync(file, String(process.pid));
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}

export async function openPersistence(
  dir: string,
  catalog: Catalog,
  log: Logger,
  opts: { compactBytes?: number } = {},
): Promise<Persistence> {
  fs.mkdirSync(dir, { recursive: true });
  lock(dir);
  fs.rmSync(path.join(dir, SNAPSHOT_TMP), { force: true });
  const compactBytes = opts.compactBytes ?? DEFAULT_COMPACT_BYTES;

  const replayBody = (body: Buffer) => {
    const { seq: s, ops } = decodeBody(body);
    catalog.replayAll(ops, (err, op) => log.error({ err, op: op.op }, 'stand-in: could not replay a journaled change; skipped'));
    return s;
  };

  // 1. The snapshot: all of it or refuse to start (it was renamed into place complete).
  let seq = 0;
  const snapshotFile = path.join(dir, SNAPSHOT);
  if (fs.existsSync(snapshotFile)) {
    catalog.startBulkLoad();
    const result = readRecords(snapshotFile, (body) => {
      seq = replayBody(body);
    });
    catalog.finishBulkLoad();
    if (result.badBytes > 0) {
      throw new Error(`the stand-in snapshot ${snapshotFile} is corrupt at byte ${result.validEnd}; restore it from a backup or remove the data directory`);
    }
  }
  const snapshotSeq = seq;
  let snapshotBytes = fs.existsSync(snapshotFile) ? fs.statSync(snapshotFile).size : 0;

  // 2. The journal files, oldest first; records already in the snapshot are skipped.
  const journals = fs
    .readdirSync(dir)
    .filter((f) => Number.isFinite(journalSeq(f)))
    .sort((a, b) => journalSeq(a) - journalSeq(b));
  let lastEnd = 0;
  journals.forEach((name, i) => {
    const result = readRecords(path.join(dir, name), (body) => {
      if (body.readDoubleLE(0) <= snapshotSeq) return;
      seq = replayBody(body);
    });
    lastEnd = result.validEnd;
    if (result.badBytes > 0) {
      const last = i === journals.length - 1;
      log.warn(
        { file: name, droppedBytes: result.badBytes },
        last
          ? 'stand-in: dropped a torn or corrupt last journal record (a write that was never acknowledged)'
          : 'stand-in: a journal file is corrupt before its end; the records after the damage were skipped',
      );
    }
  });
  log.info({ dir, snapshotSeq, journalFiles: journals.length, seq }, 'stand-in: data loaded');

  const lastName = journals[journals.length - 1];
  let journal = lastName ? new JournalFile(path.join(dir, lastName), lastEnd) : new JournalFile(path.join(dir, journalName(seq + 1)));
  let compacting: Promise<void> | undefined;
  let closed = false;

  async function writeSnapshot(): Promise<void> {
    // Capture a consistent view synchronously: stored bytes are never changed in place, so
    // the Buffers stay valid while later commands go on.
    const atSeq = seq;
    const records: Buffer[] = [];
    let ops: JournalOp[] = [];
    let bytes = 0;
    const flush = () => {
      if (ops.length) records.push(encodeRecord(atSeq, ops));
      ops = [];
      bytes = 0;
    };
    const push = (op: JournalOp, size: number) => {
      ops.push(op);
      bytes += size;
      if (bytes >= SNAPSHOT_RECORD_BYTES) flush();
    };
    for (const db of catalog.databaseNames()) {
      for (const coll of catalog.collections(db)) {
        push({ op: 'create', db, coll: coll.name, options: coll.options }, 64);
        for (const rid of coll.docs.rids()) {
          const doc = coll.docs.get(rid)!;
          push({ op: 'insert', db, coll: coll.name, doc }, doc.length);
        }
        // Indexes after the documents, in one record: loading builds them in one sorted pass.
        flush();
        for (const index of coll.indexes.values()) {
          if (index.name !== '_id_') push({ op: 'createIndex', db, coll: coll.name, spec: index.spec }, 64);
        }
        flush();
      }
    }
    flush();
    if (records.length === 0) records.push(encodeRecord(atSeq, [])); // still records the sequence number
    // Later records go to a new journal file; the old ones are deleted once the snapshot is in place.
    const old = journal;
    journal = new JournalFile(path.join(dir, journalName(atSeq + 1)));
    await old.close();

    const tmp = path.join(dir, SNAPSHOT_TMP);
    const fh = await fs.promises.open(tmp, 'w');
    try {
      for (const r of records) await fh.write(r);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.promises.rename(tmp, snapshotFile);
    snapshotBytes = records.reduce((n, r) => n + r.length, 0);
    fsyncDir(dir);
    for (const name of fs.readdirSync(dir)) {
      const first = journalSeq(name);
      if (Number.isFinite(first) && first <= atSeq) fs.rmSync(path.join(dir, name), { force: true });
    }
    log.info({ seq: atSeq, records: records.length }, 'stand-in: journal compacted into a snapshot');
  }

  function compact(): Promise<void> {
    compacting ??= writeSnapshot()
      .catch((err) => log.error({ err }, 'stand-in: snapshot failed; the journal is kept'))
      .finally(() => {
        compacting = undefined;
      });
    return compacting;
  }

  return {
    async commit(ops) {
      seq++;
      await journal.append(encodeRecord(seq, ops));
      if (!closed && !compacting && journal.size > Math.max(compactBytes, snapshotBytes)) void compact();
    },
    compact,
    async close() {
      closed = true;
      while (compacting) await compacting;
      await journal.close();
      fs.rmSync(path.join(dir, LOCK), { force: true });
    },
  };
}
