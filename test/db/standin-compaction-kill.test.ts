import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { connectMongoose } from '../../src/db/connect';
import { ROOT, spawnStandin } from './standin-process';

interface Doc {
  _id: number;
  label: string;
  payload: string;
}
const doc = (i: number): Doc => ({ _id: i, label: `r-${i}`, payload: 'y'.repeat(250 + (i % 30)) });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'lyt-compact-kill-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

type Phase = 'writing' | 'before-rename' | 'after-rename';

/** Starts test/db/slow-compaction-child.ts; resolves its URI and a promise of each phase line. */
async function spawnSlow() {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/db/slow-compaction-child.ts'), dir, '12000'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = readline.createInterface({ input: child.stdout! });
  const waiters = new Map<string, () => void>();
  const seen = new Set<string>();
  let resolveUri!: (uri: string) => void;
  const uri = new Promise<string>((resolve) => (resolveUri = resolve));
  lines.on('line', (line) => {
    if (line.startsWith('mongodb://')) resolveUri(line.trim());
    seen.add(line);
    waiters.get(line)?.();
  });
  const phase = (p: Phase) => new Promise<void>((resolve) => (seen.has(`phase:${p}`) ? resolve() : waiters.set(`phase:${p}`, resolve)));
  return { child, exited, uri: await uri, phase };
}

it.each<Phase>(['writing', 'before-rename', 'after-rename'])('SIGKILL during compaction (%s) loses no acknowledged write', async (phase) => {
  const slow = await spawnSlow();
  const conn = await connectMongoose(slow.uri, 'compact');
  const recs = conn.db!.collection<Doc>('recs');
  const acked = new Set<number>();
  let next = 0;
  let killed = false;
  const kill = slow.phase(phase).then(() => {
    killed = true;
    slow.child.kill('SIGKILL');
  });
  const writer = async () => {
    while (!killed) {
      const i = next++;
      try {
        await recs.insertOne(doc(i));
        acked.add(i);
      } catch {
        return; // the server is gone
      }
    }
  };
  await Promise.all([writer(), writer(), writer(), writer(), kill]);
  await slow.exited;
  await conn.close(true);

  // The kill landed where it was meant to.
  const files = readdirSync(dir);
  const journals = files.filter((f) => f.startsWith('journal-'));
  if (phase === 'writing' || phase === 'before-rename') expect(files).toContain('snapshot.tmp');
  if (phase !== 'writing') expect(journals.length).toBeGreaterThan(1);
  if (phase === 'after-rename') expect(existsSync(path.join(dir, 'snapshot.tmp'))).toBe(false);
  expect(acked.size).toBeGreaterThan(20);

  const again = await spawnStandin(dir);
  const conn2 = await connectMongoose(again.uri, 'compact');
  try {
    const docs = await conn2.db!.collection<Doc>('recs').find().toArray();
    const found = new Set(docs.map((d) => d._id));
    expect([...acked].filter((i) => !found.has(i))).toEqual([]);
    for (const d of docs) expect(d).toEqual(doc(d._id));
  } finally {
    await conn2.close();
    again.child.kill('SIGTERM');
    await again.exited;
  }
});
