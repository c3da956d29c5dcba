/**
 * A stand-in process whose compaction is slowed down and announces its steps on stdout, so
 * that a test can SIGKILL it at a chosen step:
 *   node --import tsx test/db/slow-compaction-child.ts DATA_DIR COMPACT_BYTES
 * Prints the URI first, then "phase:writing" (snapshot.tmp being written),
 * "phase:before-rename" (complete, waiting to replace snapshot.bin) and "phase:after-rename"
 * (snapshot.bin replaced, old journal files not yet deleted).
 */
import path from 'node:path';
import { startStandin } from '../../src/db/standin';
import { nodeFileIo, type FileIo } from '../../src/db/standin/journal-file';

const [dataDir, compactBytes] = process.argv.slice(2);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (line: string) => process.stdout.write(`${line}\n`);

const io: FileIo = {
  async open(file) {
    const fh = await nodeFileIo.open(file);
    if (path.basename(file) !== 'snapshot.tmp') return fh;
    let announced = false;
    return {
      async write(buffer, offset, length, position) {
        if (!announced) say('phase:writing');
        announced = true;
        await pause(150);
        return fh.write(buffer, offset, length, position);
      },
      datasync: () => fh.datasync(),
      truncate: (n) => fh.truncate(n),
      close: () => fh.close(),
    };
  },
  async rename(from, to) {
    say('phase:before-rename');
    await pause(300);
    await nodeFileIo.rename(from, to);
    say('phase:after-rename');
    await pause(300);
  },
};

startStandin({ dataDir, compactBytes: Number(compactBytes), io }).then(
  (s) => say(s.uri),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
