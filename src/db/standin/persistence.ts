import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../log';
import type { Catalog, Changes } from './catalog';
import { StartRefused } from './errors';
import { fsyncDir, JournalWriter, nodeFileIo, writeFully, type FileIo } from './journal-file';
import { bodySeq, decodeBody, encodeRecord, fileHeader, type JournalOp } from './journal-format';
import { releaseLock, takeLock } from './lock';
import { walkRecords, type Damage } from './record-file';

/**
 * Durability for a data directory:
 * 1. every command's changes are one journal record, fsync'ed before the reply (group commit).
 *    A change is in memory from the moment the command runs, but no reply that may depend on
 *    it goes out before its record is durable: the command's own, and that of every command
 *    that ran after it (`settled`). A refused record (failed or short write) is undone in
 *    memory with every record after it, those commands fail, and the journal is cut back to
 *    its last good record before anything else is written;
 * 2. at start the snapshot is loaded and the journal records after it are replayed. A torn
 *    last record (a write cut off by a crash, never acknowledged) is dropped; damage anywhere
 *    else stops the start (DataDamagedError) and leaves the files as they are: `npm run db --
 *    --repair` (repair.ts) salvages them;
 * 3. when the journal grows past `compactBytes` and past the size of the last snapshot (so
 *    that rewriting the snapshot costs no more than the journal it replaces), a snapshot of the
 *    whole catalog is written (temp file, fsync, rename, once every record it holds is durable)
 *    and the journal files it covers are deleted.
 *
 * Files: `snapshot.bin`, `journal-<first seq>.log`, `LOCK` (the owner, lock.ts).
 */
export interface Persistence {
  /** Journals one command's changes; resolves once durable, rejects (changes undone) when refused. */
  commit(changes: Changes): Promise<void>;
  /**
   * What a command that changed nothing must wait for before its reply: undefined when every
   * change in memory is durable; else settles when they are, rejecting if they were refused.
   */
  settled(): Promise<void> | undefined;
  /** Writes a snapshot now (normally triggered by journal size). */
  compact(): Promise<void>;
  close(): Promise<void>;
}

export interface PersistenceOptions {
  compactBytes?: number;
  /** The file-writing layer (tests inject failures). */
  io?: FileIo;
  /** This opening's id, written to LOCK (see lock.ts). */
  instance: string;
}

export const SNAPSHOT = 'snapshot.bin';
const SNAPSHOT_TMP = 'snapshot.tmp';
const DEFAULT_COMPACT_BYTES = 64 * 1024 * 1024;
const SNAPSHOT_RECORD_BYTES = 4 * 1024 * 1024;

export const journalName = (firstSeq: number) => `journal-${String(firstSeq).padStart(16, '0')}.log`;
export const journalSeq = (name: string) => Number(/^journal-(\d+)\.log$/.exec(name)?.[1] ?? NaN);

/** The journal files of a data directory, oldest first. */
export function journalFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => Number.isFinite(journalSeq(f)))
    .sort((a, b) => journalSeq(a) - journalSeq(b));
}

/** A data file damaged other than by a torn last record: the start stops and the file is left untouched. */
export class DataDamagedError extends StartRefused {
  constructor(
    readonly file: string,
    readonly offset: number,
    what: string,
  ) {
    super(
      `内置数据库的数据文件已损坏：${file} 第 ${offset} 字节起${what}。为免错上加错，数据库没有启动，也没有改动这个文件。\n` +
        `处理办法：停止使用这个数据目录的所有进程，然后在同样的 DATA_DIR 下运行 npm run db -- --repair` +
        `（先把损坏的文件另存一份，再找回损坏处之前和之后所有能校验的记录，并列出丢失的内容）；或者用备份恢复：npm run restore -- 备份文件。`,
    );
    this.name = 'DataDamagedError';
  }
}

function damageText(d: Damage, size: number, kind: 'snapshot' | 'journal' | 'closed-journal'): string {
  if (kind === 'snapshot') return '的记录无法校验（快照是整个写好才换上的，不会因断电残缺）';
  if (kind === 'closed-journal') return '直到文件末尾都无法校验，而它后面还有更新的日志文件';
  return `的记录无法校验，而其后第 ${d.to} 字节起（文件共 ${size} 字节）还有完好的记录——这不是断电留下的残缺末尾记录`;
}

export async function openPersistence(dir: string, catalog: Catalog, log: Logger, opts: PersistenceOptions): Promise<Persistence> {
  fs.mkdirSync(dir, { recursive: true });
  takeLock(dir, opts.instance);
  try {
    return await open(dir, catalog, log, opts);
  } catch (err) {
    releaseLock(dir, opts.instance);
    throw err;
  }
}

async function open(dir: string, catalog: Catalog, log: Logger, opts: PersistenceOptions): Promise<Persistence> {
  const io = opts.io ?? nodeFileIo;
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
  let snapshotBytes = 0;
  if (fs.existsSync(snapshotFile)) {
    catalog.startBulkLoad();
    let result;
    try {
      result = walkRecords(snapshotFile, { record: (body) => void (seq = replayBody(body)), damage: () => 'stop' });
    } finally {
      catalog.finishBulkLoad();
    }
    if (result.damage) throw new DataDamagedError(snapshotFile, result.damage.from, damageText(result.damage, result.size, 'snapshot'));
    snapshotBytes = result.size;
  }
  const snapshotSeq = seq;

  // 2. The journal files, oldest first; records already in the snapshot are skipped.
  const journals = journalFiles(dir);
  let tail: { file: string; format: 1 | 2 | 'empty'; end: number; torn: boolean } | undefined;
  journals.forEach((name, i) => {
    const file = path.join(dir, name);
    const result = walkRecords(file, {
      record: (body) => {
        if (bodySeq(body) > snapshotSeq) seq = replayBody(body);
      },
      damage: () => 'stop',
    });
    const last = i === journals.length - 1;
    const d = result.damage;
    if (d && (d.to < result.size || !last)) {
      throw new DataDamagedError(file, d.from, damageText(d, result.size, d.to < result.size ? 'journal' : 'closed-journal'));
    }
    if (d) {
      log.warn(
        { file, offset: d.from, droppedBytes: result.size - d.from },
        'stand-in: dropped a torn last journal record (cut off by a crash while it was written, so never acknowledged)',
      );
    }
    if (last) tail = { file, format: result.format, end: result.validEnd, torn: d !== undefined };
  });
  log.info({ dir, snapshotSeq, journalFiles: journals.length, seq }, 'stand-in: data loaded');

  // 3. Where appends go: the last journal file, unless it is of format 1 (then a new one).
  let appendTo: { file: string; end: number };
  if (!tail) appendTo = { file: path.join(dir, journalName(seq + 1)), end: 0 };
  else if (tail.format === 2 || tail.end === 0) appendTo = { file: tail.file, end: tail.end };
  else {
    if (tail.torn) fs.truncateSync(tail.file, tail.end); // an old file is never appended to again: cut its torn record now
    appendTo = { file: path.join(dir, journalName(seq + 1)), end: 0 };
  }

  /** Records applied in memory and not yet durable, oldest first, with how to undo them. */
  const pending: Array<{ seq: number; changes: Changes }> = [];
  /** The promise of the latest record appended (undefined once it and all before it are durable). */
  let latest: Promise<void> | undefined;
  let broken: Error | undefined;

  const writer = new JournalWriter({
    io,
    file: appendTo.file,
    end: appendTo.end,
    onError: (err, message) => log.error({ err }, message),
    onRefused(firstSeq) {
      try {
        while (pending.length > 0 && pending[pending.length - 1]!.seq >= firstSeq) catalog.revert(pending.pop()!.changes);
      } catch (err) {
        // Memory no longer matches the journal: refuse everything until a restart reloads it.
        broken = new Error('the stand-in could not undo a refused change; restart it');
        log.fatal({ err }, 'stand-in: could not undo a change the journal refused; every command is refused until a restart');
      }
      seq = firstSeq - 1;
      latest = undefined;
    },
  });

  let compacting: Promise<void> | undefined;
  let closed = false;

  async function writeSnapshot(): Promise<void> {
    // Capture a consistent view synchronously: stored bytes are never changed in place, so
    // the Buffers stay valid while later commands go on.
    const atSeq = seq;
    const records: Buffer[] = [fileHeader()];
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
    if (records.length === 1) records.push(encodeRecord(atSeq, [])); // still records the sequence number
    // Later records go to a new journal file; the old ones are deleted once the snapshot is in place.
    const rotated = writer.rotate(path.join(dir, journalName(atSeq + 1)));
    rotated.catch(() => {});

    const tmp = path.join(dir, SNAPSHOT_TMP);
    let size = 0;
    try {
      const fh = await io.open(tmp);
      try {
        await fh.truncate(0);
        for (const r of records) {
          await writeFully(fh, r, size);
          size += r.length;
        }
        await fh.datasync();
      } finally {
        await fh.close();
      }
      // The snapshot may only replace the journal once every record it holds is durable (not refused).
      await rotated;
      await io.rename(tmp, snapshotFile);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    snapshotBytes = size;
    fsyncDir(dir);
    const current = path.basename(writer.path);
    for (const name of journalFiles(dir)) {
      if (journalSeq(name) <= atSeq && name !== current) fs.rmSync(path.join(dir, name), { force: true });
    }
    log.info({ seq: atSeq, records: records.length - 1 }, 'stand-in: journal compacted into a snapshot');
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
    commit(changes) {
      if (broken || closed) {
        catalog.revert(changes);
        return Promise.reject(broken ?? new Error('the stand-in is shutting down'));
      }
      const s = ++seq;
      pending.push({ seq: s, changes });
      const p = writer.append(s, encodeRecord(s, changes.ops));
      latest = p;
      p.then(
        () => {
          while (pending.length > 0 && pending[0]!.seq <= s) pending.shift();
          if (latest === p) latest = undefined;
        },
        () => {},
      );
      if (!closed && !compacting && writer.size > Math.max(compactBytes, snapshotBytes)) void compact();
      return p;
    },
    settled() {
      if (broken) return Promise.reject(broken);
      return latest;
    },
    compact,
    async close() {
      closed = true;
      while (compacting) await compacting;
      await writer.close();
      releaseLock(dir, opts.instance);
    },
  };
}
