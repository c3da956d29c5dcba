import path from 'node:path';
import { nodeFileIo, type FileIo, type WritableFile } from '../../src/db/standin/journal-file';

export type Fault = 'enospc' | 'short' | 'eio-sync';

/**
 * The stand-in's file layer with faults on demand: the next N writes to matching files fail
 * as a full disk does (ENOSPC), come up short (half written, then ENOSPC), or have their fsync
 * fail (EIO). Everything else goes to the real file system.
 */
export interface FaultyIo extends FileIo {
  /** Makes the next `count` writes (write calls, or fsyncs for 'eio-sync') to files whose name matches `files` fail. */
  failNext(count: number, fault: Fault, files?: RegExp): void;
  /** How many faults were injected so far. */
  readonly injected: number;
}

function enospc(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });
}

export function faultyIo(): FaultyIo {
  let remaining = 0;
  let fault: Fault = 'enospc';
  let files = /./;
  let injected = 0;
  const take = (file: string, kind: 'write' | 'sync'): boolean => {
    if (remaining <= 0 || !files.test(path.basename(file))) return false;
    if ((fault === 'eio-sync') !== (kind === 'sync')) return false;
    remaining--;
    injected++;
    return true;
  };
  return {
    get injected() {
      return injected;
    },
    failNext(count, f, match = /./) {
      remaining = count;
      fault = f;
      files = match;
    },
    rename: nodeFileIo.rename,
    async open(file) {
      const real = await nodeFileIo.open(file);
      let brokenAfterShort = false;
      const handle: WritableFile = {
        async write(buffer, offset, length, position) {
          if (brokenAfterShort) {
            brokenAfterShort = false;
            throw enospc();
          }
          if (take(file, 'write')) {
            if (fault === 'enospc' || length < 2) throw enospc();
            // A short write: half the bytes land, then the disk is full.
            const half = Math.floor(length / 2);
            await real.write(buffer, offset, half, position);
            brokenAfterShort = true;
            return { bytesWritten: half };
          }
          return real.write(buffer, offset, length, position);
        },
        async datasync() {
          if (take(file, 'sync')) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
          return real.datasync();
        },
        truncate: (len) => real.truncate(len),
        close: () => real.close(),
      };
      return handle;
    },
  };
}
