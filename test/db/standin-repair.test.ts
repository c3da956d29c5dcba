import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectMongoose } from '../../src/db/connect';
import { startStandin } from '../../src/db/standin';
import { bodySeq, decodeBody } from '../../src/db/standin/journal-format';
import { walkRecords } from '../../src/db/standin/record-file';
import { deserialize } from 'bson';
import { ROOT } from './standin-process';

interface Doc {
  _id: number;
  label: string;
  payload: string;
}
const doc = (i: number): Doc => ({ _id: i, label: `楼院-${i}`, payload: 'x'.repeat(200 + (i % 50)) });

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'lyt-repair-'));
  dir = path.join(root, 'standin');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function write(ids: number[], compactBytes?: number) {
  const s = await startStandin({ dataDir: dir, compactBytes });
  const conn = await connectMongoose(s.uri, 'app');
  for (const i of ids) await conn.db!.collection<Doc>('yards').insertOne(doc(i));
  await conn.close();
  await s.stop();
}

async function readAll(): Promise<Doc[]> {
  const s = await startStandin({ dataDir: dir });
  const conn = await connectMongoose(s.uri, 'app');
  try {
    return await conn.db!.collection<Doc>('yards').find().sort({ _id: 1 }).toArray();
  } finally {
    await conn.close();
    await s.stop();
  }
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const listing = () => readdirSync(dir).sort();

function flipByte(file: string, at: number): void {
  const bytes = readFileSync(file);
  bytes[at] = bytes[at]! ^ 0x20;
  writeFileSync(file, bytes);
}

/** `npm run db -- --repair` on DATA_DIR=root. */
function repairCli() {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: root, LOG_LEVEL: 'silent' };
  delete env.MONGODB_URI;
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/db/serve.ts'), '--repair'], { cwd: ROOT, env, encoding: 'utf8' });
}

it('a flipped byte mid-journal stops the start without changing the file; --repair recovers every other record and names the lost one', async () => {
  const ids = Array.from({ length: 300 }, (_, k) => k + 1);
  await write(ids);
  const journal = path.join(dir, readdirSync(dir).find((f) => f.startsWith('journal-'))!);
  // The record holding byte 40 % into the journal: which document it wrote, and where it starts.
  const records: Array<{ at: number; end: number; id: number; seq: number }> = [];
  walkRecords(journal, {
    record(body, at, end) {
      const op = decodeBody(body).ops.find((o) => o.op === 'insert');
      if (op?.op === 'insert') records.push({ at, end, id: deserialize(op.doc)._id as number, seq: bodySeq(body) });
    },
  });
  const size = readFileSync(journal).length;
  const target = Math.floor(size * 0.4);
  const hit = records.find((r) => r.at <= target && target < r.end)!;
  flipByte(journal, target);
  const damagedSha = sha(journal);
  const before = listing();

  await expect(startStandin({ dataDir: dir })).rejects.toThrow(
    new RegExp(`${journal.replace(/[.\\/]/g, '\\$&')} 第 ${hit.at} 字节起[\\s\\S]*npm run db -- --repair`),
  );
  // Nothing was truncated, rewritten or added (the lock was given back).
  expect(sha(journal)).toBe(damagedSha);
  expect(listing()).toEqual(before);
  await expect(startStandin({ dataDir: dir })).rejects.toThrow(/已损坏/);

  const run = repairCli();
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toContain(`已修复 ${path.basename(journal)}`);
  expect(run.stdout).toContain(`第 ${hit.seq} 条写入`);
  expect(run.stdout).toContain(`insert app.yards _id=${hit.id}`);
  expect(run.stdout).toContain(`保留了损坏处之前的 ${records.indexOf(hit)} 条记录和之后能通过校验的 ${records.length - records.indexOf(hit) - 1} 条记录`);
  // The damaged original is kept, byte for byte.
  const aside = readdirSync(dir).find((f) => f.startsWith('damaged-'))!;
  expect(sha(path.join(dir, aside, path.basename(journal)))).toBe(damagedSha);

  expect(await readAll()).toEqual(ids.filter((i) => i !== hit.id).map(doc));
  // A second repair finds nothing more to do.
  expect(repairCli().stdout).toContain('没有发现损坏的数据文件');
});

it('a damaged snapshot stops the start too; --repair keeps the records that pass their checksum and lists what the lost one held', async () => {
  await write(Array.from({ length: 60 }, (_, k) => k + 1), 4000);
  await write([61, 62]);
  const snapshot = path.join(dir, 'snapshot.bin');
  const snapshotSha = sha(snapshot);
  expect(snapshotSha).toBeTruthy();
  flipByte(snapshot, 200);
  const damagedSha = sha(snapshot);

  await expect(startStandin({ dataDir: dir })).rejects.toThrow(/snapshot\.bin 第 16 字节起[\s\S]*npm run db -- --repair/);
  expect(sha(snapshot)).toBe(damagedSha);

  const run = repairCli();
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('已修复 snapshot.bin');
  expect(run.stdout).toMatch(/似乎是以下 \d+ 项改动/);
  expect(run.stdout).toContain('insert app.yards _id=1');
  const left = (await readAll()).map((d) => d._id);
  // The snapshot's documents were in the damaged record; what the journal wrote after it is all there.
  expect(left).toEqual(expect.arrayContaining([61, 62]));
  expect(left.length).toBeLessThan(62);
});
