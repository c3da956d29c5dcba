import fs from 'node:fs';

interface Waiter {
  bytes: Buffer;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * An append-only file with group commit: records appended while a write+fsync is under way
 * are written and synced together by the next one, and each append resolves only once its
 * bytes are on disk.
 */
export class JournalFile {
  private pending: Waiter[] = [];
  private flushing?: Promise<void>;
  private closed = false;

  private readonly fh: Promise<fs.promises.FileHandle>;
  private bytes: number;

  /**
   * Opens `path` for appending after its first `validEnd` bytes (dropping anything beyond).
   * Synchronous so that switching to a new file happens between two commands, not during one.
   */
  constructor(
    readonly path: string,
    validEnd?: number,
  ) {
    const fd = fs.openSync(path, 'a+');
    const size = fs.fstatSync(fd).size;
    this.bytes = validEnd ?? size;
    if (this.bytes < size) {
      fs.ftruncateSync(fd, this.bytes);
      fs.fdatasyncSync(fd);
    }
    fs.closeSync(fd);
    this.fh = fs.promises.open(path, 'a');
    this.fh.catch(() => {});
  }

  get size(): number {
    return this.bytes;
  }

  append(bytes: Buffer): Promise<void> {
    if (this.closed) return Promise.reject(new Error('journal is closed'));
    this.bytes += bytes.length;
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ bytes, resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    // Let the commands of the same event-loop turn join this batch.
    await new Promise((r) => setImmediate(r));
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        await (await this.fh).write(Buffer.concat(batch.map((w) => w.bytes)));
        await (await this.fh).datasync();
        for (const w of batch) w.resolve();
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.flushing = undefined;
  }

  /** Waits for everything appended so far to be on disk, then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
    await (await this.fh).close();
  }
}
