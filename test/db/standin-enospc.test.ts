import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectMongoose } from '../../src/db/connect';
import { spawnStandin, type StandinProcess } from './standin-process';

/**
 * The disk really full: the stand-in's data directory on a small tmpfs, nearly filled by
 * another file. Needs the right to mount one (root in a container that allows it); elsewhere
 * the injected faults of standin-durability.test.ts cover the same path.
 */
const mountPoint = mkdtempSync(path.join(tmpdir(), 'lyt-enospc-'));
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mountPoint], { stdio: 'ignore' });
  mounted = true;
} catch {
  process.stdout.write('[standin-enospc] cannot mount a tmpfs here (needs root); the real-ENOSPC test is skipped\n');
}
const children: StandinProcess[] = [];
afterAll(async () => {
  for (const c of children) {
    c.child.kill('SIGKILL');
    await c.exited;
  }
  if (mounted) execFileSync('umount', ['-l', mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

interface Doc {
  _id: number;
  label: string;
  payload: string;
}
const doc = (i: number): Doc => ({ _id: i, label: `r-${i}`, payload: 'z'.repeat(300 + (i % 40)) });

(mounted ? it : it.skip)('a full disk refuses writes without losing acknowledged ones or showing refused ones, through space freed and a SIGKILL', async () => {
  const dataDir = path.join(mountPoint, 'standin');
  mkdirSync(dataDir);
  const first = await spawnStandin(dataDir);
  children.push(first);
  const conn = await connectMongoose(first.uri, 'full');
  const recs = conn.db!.collection<Doc>('recs');
  // Leave about 150 KB: a few hundred records.
  const { bavail, bsize } = statfsSync(mountPoint);
  const filler = path.join(mountPoint, 'filler');
  writeFileSync(filler, Buffer.alloc(bavail * bsize - 150 * 1024));

  const acked = new Set<number>();
  const refused = new Set<number>();
  const seen: number[][] = [];
  let next = 0;
  let freedAt = -1;
  let done = false;
  const writer = async () => {
    while (!done) {
      const i = next++;
      try {
        await recs.insertOne(doc(i));
        acked.add(i);
      } catch (err) {
        expect((err as Error).message).toMatch(/journal write failed: ENOSPC/);
        refused.add(i);
      }
      if (refused.size >= 20 && freedAt < 0) {
        rmSync(filler);
        freedAt = acked.size;
      }
      if (freedAt >= 0 && acked.size >= freedAt + 200) done = true;
    }
  };
  const reader = async () => {
    while (!done) {
      try {
        seen.push((await recs.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id));
      } catch {
        // refused with a write it may have seen
      }
    }
  };
  await Promise.all([writer(), writer(), writer(), writer(), reader()]);
  expect(refused.size).toBeGreaterThanOrEqual(20);
  for (const ids of seen) expect(ids.filter((id) => refused.has(id))).toEqual([]);
  const live = new Set((await recs.find().toArray()).map((d) => d._id));
  expect([...refused].filter((i) => live.has(i))).toEqual([]);
  expect([...acked].filter((i) => !live.has(i))).toEqual([]);

  first.child.kill('SIGKILL');
  await first.exited;
  await conn.close(true);

  const second = await spawnStandin(dataDir);
  children.push(second);
  const conn2 = await connectMongoose(second.uri, 'full');
  try {
    const docs = await conn2.db!.collection<Doc>('recs').find().toArray();
    const ids = new Set(docs.map((d) => d._id));
    expect([...acked].filter((i) => !ids.has(i))).toEqual([]);
    expect([...refused].filter((i) => ids.has(i))).toEqual([]);
    for (const d of docs) expect(d).toEqual(doc(d._id));
  } finally {
    await conn2.close();
    second.child.kill('SIGTERM');
    await second.exited;
  }
});
