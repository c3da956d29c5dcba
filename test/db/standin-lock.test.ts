import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectMongoose, startStorage } from '../../src/db/connect';
import { processStartTime } from '../../src/db/standin/lock';
import { silentLogger } from '../../src/log';
import { spawnStandin, type StandinProcess } from './standin-process';

/**
 * A LOCK in DATA_DIR/standin naming a live process that does not serve this directory: here
 * a stand-in serving another data directory, listening where the URI file points (the case
 * seen in the field: a stale LOCK whose pid the system gave to another process).
 */
let root: string;
let other: StandinProcess;
beforeAll(async () => {
  other = await spawnStandin(mkdtempSync(path.join(tmpdir(), 'lyt-other-')));
});
afterAll(async () => {
  other.child.kill('SIGTERM');
  await other.exited;
});
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'lyt-lock-'));
  mkdirSync(path.join(root, 'standin'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function plantLock(lock: string): void {
  writeFileSync(path.join(root, 'standin', 'LOCK'), lock);
  writeFileSync(path.join(root, 'standin', 'URI'), other.uri);
}

async function otherDatabases(): Promise<string[]> {
  const conn = await connectMongoose(other.uri);
  try {
    return (await conn.db!.admin().listDatabases()).databases.map((d) => d.name);
  } finally {
    await conn.close();
  }
}

const open = () => startStorage({ dataDir: root, log: silentLogger, downloadTimeoutMs: 0 });

it('a stale LOCK whose pid now belongs to an unrelated process: the app serves its own DATA_DIR, not what listens on the old port', async () => {
  plantLock(JSON.stringify({ pid: other.child.pid, started: 'an-earlier-process', instance: 'gone' }));
  const storage = await open();
  expect(storage.uri).not.toBe(other.uri);
  const conn = await connectMongoose(storage.uri, 'app');
  await conn.db!.collection('notes').insertOne({ _id: 'a' as never, text: '本目录的数据' });
  await conn.close();
  await storage.stop();

  const again = await open();
  const conn2 = await connectMongoose(again.uri, 'app');
  try {
    expect(await conn2.db!.collection('notes').findOne({ _id: 'a' as never })).toEqual({ _id: 'a', text: '本目录的数据' });
  } finally {
    await conn2.close();
    await again.stop();
  }
  expect(await otherDatabases()).not.toContain('app');
});

it('a LOCK naming a live process whose server does not prove it serves this DATA_DIR: refused, and nothing goes to that server', async () => {
  plantLock(JSON.stringify({ pid: other.child.pid, started: processStartTime(other.child.pid!), instance: 'not-the-one-it-serves' }));
  await expect(open()).rejects.toThrow(new RegExp(`正由进程 ${other.child.pid} 使用`));
  expect(await otherDatabases()).not.toContain('app');
});

it('an old-style LOCK (a bare pid) of a live process that proves nothing: refused with how to clear it', async () => {
  plantLock(String(other.child.pid));
  await expect(open()).rejects.toThrow(/无法确认它是否在使用这个目录[\s\S]*LOCK 后重试/);
});
