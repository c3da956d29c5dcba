import fs from 'node:fs';
import path from 'node:path';
import { fileHeader, FILE_HEADER } from './journal-format';

/** An open file, as node's FileHandle offers it. */
export interface WritableFile {
  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The file-writing layer of the stand-in's persistence (journal and snapshot files). Tests
 * replace it to make writes fail or come up short.
 */
export interface FileIo {
  /** Opens `file` for reading and writing at explicit positions, creating it when missing. */
  open(file: string): Promise<WritableFile>;
  rename(from: string, to: string): Promise<void>;
}

export const nodeFileIo: FileIo = {
  open: (file) => fs.promises.open(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644),
  rename: (from, to) => fs.promises.rename(from, to),
};

/** A journal write that failed: nothing of the records it carried was kept. */
export class JournalWriteError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'JournalWriteError';
  }
}

/** Writes all of `bytes` at `position`, going on after a short write (a short write with no error is retried). */
export async function writeFully(fh: WritableFile, bytes: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, position + done);
    if (bytesWritten <= 0) throw new Error(`short write: ${done} of ${bytes.length} bytes written`);
    done += bytesWritten;
  }
}

/** Makes a file's directory entry durable (a new or renamed file); a no-op where directories cannot be synced. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

interface RecordItem {
  kind: 'record';
  seq: number;
  bytes: Buffer;
  resolve(): void;
  reject(err: unknown): void;
}

interface RotateItem {
  kind: 'rotate';
  file: string;
  resolve(): void;
  reject(err: unknown): void;
}

type Item = RecordItem | RotateItem;

export interface JournalWriterOptions {
  io: FileIo;
  /** The file appended to first. */
  file: string;
  /**
   * Where its good records end. Anything beyond (a torn last record) is cut off before the
   * first append; 0 (or a file not yet created) starts a new file with its header.
   */
  end: number;
  /**
   * Called synchronously, before any of their promises settles, when records from `firstSeq`
   * on will not be durable (the write failed, or the journal could not be brought back to its
   * last good record): the owner undoes their changes.
   */
  onRefused(firstSeq: number, err: JournalWriteError): void;
  /** Logs a failure with what to do about it. */
  onError(err: unknown, message: string): void;
}

/**
 * The journal: an append-only file with group commit. Records appended while a write+fsync
 * is under way are written and synced together by the next one; each append resolves only once
 * its bytes, and every record before it, are on disk. A failed or short write refuses its
 * records and every record queued after them (they were computed on top of them), and the file
 * is cut back to its last good record before anything else is written to it.
 */
export class JournalWriter {
  private queue: Item[] = [];
  private flushing?: Promise<void>;
  private closed = false;
  private fh?: WritableFile;
  private file: string;
  /** Where the current file's good records end (the next write goes here). */
  private end: number;
  /** Bytes of the records queued, for `size`. */
  private queuedBytes = 0;
  /** The file holds bytes past `end` (a torn record, a failed write) that must be cut off first. */
  private mustCut: boolean;

  constructor(private readonly opts: JournalWriterOptions) {
    this.file = opts.file;
    this.end = opts.end;
    this.mustCut = fs.existsSync(opts.file) && fs.statSync(opts.file).size !== opts.end;
  }

  /** The current file. */
  get path(): string {
    return this.file;
  }

  /** Its size once everything queued is written (compaction is triggered by it). */
  get size(): number {
    return this.end + this.queuedBytes;
  }

  append(seq: number, bytes: Buffer): Promise<void> {
    if (this.closed) return Promise.reject(new JournalWriteError('journal is closed', undefined));
    this.queuedBytes += bytes.length;
    return this.enqueue((resolve, reject) => ({ kind: 'record', seq, bytes, resolve, reject }));
  }

  /**
   * Records appended after this call go to a new file. Resolves once every record before it
   * is durable and the new file exists; rejects (and the old file goes on) if either fails.
   */
  rotate(file: string): Promise<void> {
    if (this.closed) return Promise.reject(new JournalWriteError('journal is closed', undefined));
    return this.enqueue((resolve, reject) => ({ kind: 'rotate', file, resolve, reject }));
  }

  /** Waits for everything appended so far to be written (or refused), then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
    await this.fh?.close().catch(() => {});
    this.fh = undefined;
  }

  private enqueue(make: (resolve: () => void, reject: (err: unknown) => void) => Item): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push(make(resolve, reject));
      this.flushing ??= this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    // Let the commands of the same event-loop turn join this batch.
    await new Promise((r) => setImmediate(r));
    try {
      while (this.queue.length > 0) {
        if (this.mustCut) {
          const err = await this.cut();
          if (err) {
            const why = `journal write failed: the journal could not be cut back to its last good record (${(err as Error).message})`;
            this.refuse(this.queue.splice(0), new JournalWriteError(why, err));
            continue;
          }
        }
        if (this.queue[0]!.kind === 'rotate') await this.switchTo(this.queue.shift() as RotateItem);
        else await this.writeBatch();
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async handle(): Promise<WritableFile> {
    this.fh ??= await this.opts.io.open(this.file);
    return this.fh;
  }

  /** Cuts the file back to its last good record; the error (logged) when that fails. */
  private async cut(): Promise<unknown> {
    try {
      const fh = await this.handle();
      await fh.truncate(this.end);
      await fh.datasync();
      this.mustCut = false;
      return undefined;
    } catch (err) {
      // Try again with a fresh handle at the next append; until then writes are refused.
      await this.fh?.close().catch(() => {});
      this.fh = undefined;
      this.opts.onError(
        err,
        `stand-in: could not cut the journal ${this.file} back to its last good record (byte ${this.end}); every write is refused until it can. ` +
          `If the process must stop now, cut it by hand before the next start: truncate -s ${this.end} ${this.file}`,
      );
      return err;
    }
  }

  private async writeBatch(): Promise<void> {
    const batch: RecordItem[] = [];
    while (this.queue[0]?.kind === 'record') batch.push(this.queue.shift() as RecordItem);
    const parts = batch.map((r) => r.bytes);
    const fresh = this.end === 0;
    if (fresh) parts.unshift(fileHeader());
    const bytes = Buffer.concat(parts);
    try {
      const fh = await this.handle();
      await writeFully(fh, bytes, this.end);
      await fh.datasync();
      if (fresh) fsyncDir(path.dirname(this.file));
    } catch (err) {
      this.mustCut = true;
      const error = new JournalWriteError(`journal write failed: ${(err as Error).message}`, err);
      this.opts.onError(err, `stand-in: a journal write failed; the ${batch.length} change(s) in it and those queued after them were refused, nothing of them applied`);
      this.refuse([...batch, ...this.queue.splice(0)], error);
      return;
    }
    this.end += bytes.length;
    this.queuedBytes -= bytes.length - (fresh ? FILE_HEADER : 0);
    for (const r of batch) r.resolve();
  }

  private async switchTo(item: RotateItem): Promise<void> {
    let next: WritableFile | undefined;
    try {
      next = await this.opts.io.open(item.file);
      await next.truncate(0);
      await writeFully(next, fileHeader(), 0);
      await next.datasync();
      fsyncDir(path.dirname(item.file));
    } catch (err) {
      await next?.close().catch(() => {});
      fs.rmSync(item.file, { force: true });
      // Records queued after the rotation go on to the old file.
      item.reject(new JournalWriteError(`could not start the journal file ${item.file}: ${(err as Error).message}`, err));
      return;
    }
    await this.fh?.close().catch(() => {});
    this.fh = next;
    this.file = item.file;
    this.end = FILE_HEADER;
    this.mustCut = false;
    item.resolve();
  }

  /** Refuses these items (records and rotations): the owner undoes the records' changes first. */
  private refuse(items: Item[], err: JournalWriteError): void {
    const first = items.find((i): i is RecordItem => i.kind === 'record');
    if (first) this.opts.onRefused(first.seq, err);
    for (const i of items) if (i.kind === 'record') this.queuedBytes -= i.bytes.length;
    for (const i of items) i.reject(err);
  }
}
