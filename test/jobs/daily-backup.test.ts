import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import type { BackupManifest } from '../../src/db/backup';
import { jobRunModel } from '../../src/db/models/job-run';
import { testConfig } from '../helpers/wecom';
import { bj, openBench, type Bench } from './harness';

/** The daily backup of the embedded database: a job in jobs/, fired through the scheduler on a fake clock. */
let bench: Bench;
let dir: string;
beforeEach(async () => {
  bench = await openBench(bj('2020-09-25 10:00'));
  dir = mkdtempSync(path.join(tmpdir(), 'lyt-auto-backup-'));
  await bench.models.Street.create({ name: '济源路街道' });
  await bench.models.Street.create({ name: '五龙口街道' });
});
afterEach(async () => {
  await bench.close();
  rmSync(dir, { recursive: true, force: true });
});

const archives = () => readdirSync(dir).filter((f) => f.endsWith('.tar.gz')).sort();

async function manifestOf(file: string): Promise<BackupManifest> {
  const x = mkdtempSync(path.join(tmpdir(), 'lyt-manifest-'));
  try {
    await tar.extract({ file: path.join(dir, file), cwd: x });
    return JSON.parse(readFileSync(path.join(x, 'manifest.json'), 'utf8')) as BackupManifest;
  } finally {
    rmSync(x, { recursive: true, force: true });
  }
}

it('backs the database up at 03:30 Beijing time, once across two app processes', async () => {
  const a = await bench.instance({ backupDir: dir });
  const b = await bench.instance({ backupDir: dir });
  bench.at('2020-09-26 03:30'); // a Saturday: backups run on days off too
  const results = (await Promise.all([a.scheduler.tick(bench.now()), b.scheduler.tick(bench.now())])).flat().filter((r) => r.job.name === 'daily-backup');
  expect(results.map((r) => r.status).sort()).toEqual(['done', 'not-elected']);
  expect(archives()).toEqual(['louyuantong-auto-20200926-033000.tar.gz']);

  const manifest = await manifestOf(archives()[0]!);
  expect(manifest).toMatchObject({ format: 'louyuantong-backup', database: bench.db.dbName, pointInTime: false });
  expect(manifest.collections.find((c) => c.name === 'streets')).toMatchObject({ count: 2 });
  const run = await jobRunModel(bench.db.conn).findById(`daily-backup:${bj('2020-09-26 03:30').toISOString()}`).lean();
  expect(run).toMatchObject({ status: 'done', summary: expect.stringContaining('已备份到') });
  // Not at other minutes.
  bench.at('2020-09-26 09:00');
  await a.scheduler.tick(bench.now());
  expect(archives()).toHaveLength(1);
});

it('keeps the newest seven automatic backups and never deletes one made by hand', async () => {
  const manual = 'louyuantong-backup-20200901-120000.tar.gz';
  writeFileSync(path.join(dir, manual), 'made by npm run backup');
  const app = await bench.instance({ backupDir: dir });
  for (let day = 1; day <= 9; day++) {
    bench.at(`2020-10-${String(day).padStart(2, '0')} 03:30`);
    await app.scheduler.tick(bench.now());
  }
  expect(archives()).toEqual([manual, ...[3, 4, 5, 6, 7, 8, 9].map((d) => `louyuantong-auto-2020100${d}-033000.tar.gz`)].sort());
});

it('keeps as many as BACKUP_KEEP says, and makes none with BACKUP_KEEP=0', async () => {
  const three = await bench.instance({ backupDir: dir, config: testConfig({ BACKUP_KEEP: '3' }) });
  for (let day = 1; day <= 5; day++) {
    bench.at(`2020-10-0${day} 03:30`);
    await three.scheduler.tick(bench.now());
  }
  expect(archives()).toHaveLength(3);

  const none = await bench.instance({ backupDir: dir, config: testConfig({ BACKUP_KEEP: '0' }) });
  bench.at('2020-10-06 03:30');
  const [result] = (await none.scheduler.tick(bench.now())).filter((r) => r.job.name === 'daily-backup');
  expect(result).toMatchObject({ status: 'done', summary: '已关闭（BACKUP_KEEP=0）' });
  expect(archives()).toHaveLength(3);
});

it('does nothing without the embedded database, and a dry run writes nothing', async () => {
  const external = await bench.instance(); // no backupDir: MONGODB_URI is set
  bench.at('2020-09-26 03:30');
  const [result] = (await external.scheduler.tick(bench.now())).filter((r) => r.job.name === 'daily-backup');
  expect(result!.summary).toMatch(/未启用.*mongodump/);

  const app = await bench.instance({ backupDir: dir });
  const dry = await app.scheduler.runNow('每日备份', bj('2020-09-27 03:30'), { dryRun: true });
  expect(dry.summary).toBe(`将把数据库备份到 ${dir}，保留最近 7 份自动备份`);
  expect(archives()).toEqual([]);
});
