import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Binary, Decimal128, Double, Int32, Long, MinKey, ObjectId, Timestamp, type Document } from 'bson';
import mongoose, { type Connection } from 'mongoose';
import * as tar from 'tar';
import { connectMongoose } from '../../src/db/connect';
import { createModels, syncIndexes } from '../../src/db/models';
import { startStandin, type RunningStandin } from '../../src/db/standin';
import { silentLogger } from '../../src/log';
import { importSampleRosterIfEmpty } from '../../src/roster/sample';
import { ROOT } from './standin-process';

/**
 * Backup and restore through the real CLIs (`npm run backup`, `npm run restore`) on the
 * embedded engine in a DATA_DIR of their own: the app's database with the sample roster,
 * documents of every BSON type, and a GridFS file.
 */
let dataDir: string;
let standin: RunningStandin | undefined;
let conn: Connection | undefined;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'lyt-backup-'));
});
afterEach(async () => {
  await conn?.close().catch(() => {});
  await standin?.stop();
  conn = standin = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

/** The app's database on the embedded stand-in of dataDir (the database `npm start` uses). */
async function openAppDb(): Promise<Connection> {
  standin = await startStandin({ dataDir: path.join(dataDir, 'standin') });
  conn = await connectMongoose(standin.uri);
  return conn;
}

async function closeAppDb(): Promise<void> {
  await conn?.close();
  await standin?.stop();
  conn = standin = undefined;
}

function cli(script: 'backup-cli' | 'restore-cli', args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', MONGOMS_RUNTIME_DOWNLOAD: 'false' };
  delete env.MONGODB_URI;
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, `src/db/${script}.ts`), ...args], { cwd: ROOT, env, encoding: 'utf8' });
}

const PHOTO = Buffer.from(Array.from({ length: 700_000 }, (_, i) => (i * 31) % 251));

async function seed(c: Connection): Promise<void> {
  const models = createModels(c);
  await syncIndexes(models);
  expect(await importSampleRosterIfEmpty(models, silentLogger)).toBe(true);
  await c.db!.collection('kinds').insertMany([
    {
      _id: new ObjectId(),
      int: new Int32(7),
      long: Long.fromString('9007199254740993'),
      double: new Double(1),
      negZero: new Double(-0),
      dec: Decimal128.fromString('12.50'),
      date: new Date('2020-09-28T01:00:00Z'),
      bin: new Binary(Buffer.from([0, 1, 2, 255]), 0),
      ts: new Timestamp({ t: 1, i: 2 }),
      min: new MinKey(),
      re: /楼院.*/i,
      nested: { a: [1, '二', { b: null }], 'dotted.key': true },
      text: '东方花园 3号楼',
    },
    { _id: 'string-id', empty: {}, list: [] },
  ] as Document[]);
  const bucket = new mongoose.mongo.GridFSBucket(c.db!);
  await new Promise<void>((resolve, reject) =>
    bucket.openUploadStream('整治前-东方花园.jpg', { metadata: { courtyard: '东方花园' } }).on('finish', () => resolve()).on('error', reject).end(PHOTO),
  );
}

/** Every collection: its documents as raw BSON (order aside) and its indexes. */
async function dump(c: Connection): Promise<Record<string, { docs: string[]; indexes: Document[] }>> {
  const db = c.db!;
  const out: Record<string, { docs: string[]; indexes: Document[] }> = {};
  for (const { name } of await db.listCollections().toArray()) {
    const raw = (await db.collection(name).find({}, { raw: true }).toArray()) as unknown as Buffer[];
    const indexes = (await db.collection(name).indexes()).map(({ v: _v, ...i }) => i).sort((a, b) => String(a.name).localeCompare(String(b.name)));
    out[name] = { docs: raw.map((b) => Buffer.from(b).toString('base64')).sort(), indexes };
  }
  return out;
}

async function download(c: Connection): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const bucket = new mongoose.mongo.GridFSBucket(c.db!);
  await new Promise<void>((resolve, reject) =>
    bucket.openDownloadStreamByName('整治前-东方花园.jpg').on('data', (d: Buffer) => chunks.push(d)).on('end', () => resolve()).on('error', reject),
  );
  return Buffer.concat(chunks);
}

it('backup → wipe → restore gives every document back, byte for byte, with the indexes and the GridFS file', async () => {
  await seed(await openAppDb());
  const before = await dump(conn!);
  expect(Object.keys(before)).toEqual(expect.arrayContaining(['fs.files', 'fs.chunks', 'kinds', 'cadres']));
  expect(before['fs.chunks']!.docs.length).toBe(3);
  await closeAppDb();

  const backup = cli('backup-cli', []);
  expect(backup.stderr).toBe('');
  expect(backup.status).toBe(0);
  const archives = readdirSync(path.join(dataDir, 'backups'));
  expect(archives).toEqual([expect.stringMatching(/^louyuantong-backup-\d{8}-\d{6}\.tar\.gz$/)]);
  const archive = path.join(dataDir, 'backups', archives[0]!);
  expect(backup.stdout).toContain(`✅ 备份完成：${archive}`);
  expect(backup.stdout).toMatch(/时间 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d（北京时间）/);
  expect(backup.stdout).toMatch(/fs\.chunks\s+3 条/);

  // Wipe: the data directory moved aside, as the README tells an office to do.
  renameSync(path.join(dataDir, 'standin'), path.join(dataDir, 'standin.old'));
  const restore = cli('restore-cli', [archive]);
  expect(restore.stderr).toBe('');
  expect(restore.status).toBe(0);
  expect(restore.stdout).toContain('✅ 恢复完成');

  const after = await openAppDb();
  expect(await dump(after)).toEqual(before);
  expect((await download(after)).equals(PHOTO)).toBe(true);
  // The restored unique indexes are enforced, not just listed.
  const cadre = await after.db!.collection('cadres').findOne({});
  await expect(after.db!.collection('cadres').insertOne({ ...cadre, _id: new ObjectId() })).rejects.toMatchObject({ code: 11000 });
});

it('restore refuses a database that is not empty, and changes nothing', async () => {
  const c = await openAppDb();
  await c.db!.collection('notes').insertOne({ text: '备份里的' });
  await closeAppDb();
  expect(cli('backup-cli', []).status).toBe(0);
  const archive = path.join(dataDir, 'backups', readdirSync(path.join(dataDir, 'backups'))[0]!);

  const again = await openAppDb();
  await again.db!.collection('notes').insertOne({ text: '后来写的' });
  await closeAppDb();
  const restore = cli('restore-cli', [archive]);
  expect(restore.status).toBe(1);
  expect(restore.stderr).toMatch(/目标数据库 test 不是空的（notes里有数据），没有恢复/);

  const after = await openAppDb();
  expect((await after.db!.collection('notes').find().toArray()).map((d) => d.text)).toEqual(['备份里的', '后来写的']);
});

it('a damaged archive is refused before anything is written', async () => {
  const c = await openAppDb();
  await c.db!.collection('notes').insertMany([{ text: '一' }, { text: '二' }]);
  await closeAppDb();
  expect(cli('backup-cli', [path.join(dataDir, 'out')]).status).toBe(0);
  const archive = path.join(dataDir, 'out', readdirSync(path.join(dataDir, 'out'))[0]!);

  // One byte of a document changed inside the archive.
  const x = mkdtempSync(path.join(tmpdir(), 'lyt-tamper-'));
  await tar.extract({ file: archive, cwd: x });
  const bson = path.join(x, 'test', 'notes.bson');
  const bytes = readFileSync(bson);
  bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 1;
  writeFileSync(bson, bytes);
  await tar.create({ gzip: true, file: archive, cwd: x }, readdirSync(x));
  rmSync(x, { recursive: true, force: true });

  renameSync(path.join(dataDir, 'standin'), path.join(dataDir, 'standin.old'));
  const restore = cli('restore-cli', [archive]);
  expect(restore.status).toBe(1);
  expect(restore.stderr).toContain('notes：文件校验和不符');
  const after = await openAppDb();
  expect(await after.db!.listCollections().toArray()).toEqual([]);
});
