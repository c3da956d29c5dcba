import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Types } from 'mongoose';
import { createBackup } from '../../src/db/backup';
import { restoreBackup } from '../../src/db/restore';
import { createModels } from '../../src/db/models';
import { silentLogger } from '../../src/log';
import { createPhotoIntake, type PhotoIntake } from '../../src/services/photo-intake';
import { photoBucket, projectPhotoSummary, queuePhotos, type PhotoTarget } from '../../src/services/photos';
import type { IncomingMessage } from '../../src/wecom/message';
import { openTestDb } from '../helpers/db';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';
import { TEST_CREDS, testConfig } from '../helpers/wecom';
import { encrypted, phoneJpeg, startMediaSink, type MediaSink } from './media-sink';
import { weComMedia } from '../../src/wecom/media';

let sink: MediaSink;
let bot: TestBot;
let f: BasicFixture;
let target: PhotoTarget;
let n = 0;

const msg = (urls: string[], time: Date): IncomingMessage => ({
  channel: 'aibot',
  msgId: `limits-${++n}`,
  chatId: 'grp-dongfang',
  chatType: 'group',
  sender: { userId: 'zhangsan' },
  text: '',
  kind: 'image',
  images: urls.map((url) => ({ url, encrypted: true })),
  time,
});

beforeAll(async () => {
  sink = await startMediaSink();
  bot = await createTestBot({ apiBase: sink.base });
  f = await bot.seed.basic();
  const project = await bot.models.Project.create({ no: 7, title: '围墙粉刷', category: '工程', courtyard: f.courtyards.dongfang._id, street: f.streets.jiyuan._id, createdAt: bot.now() });
  target = { courtyard: f.courtyards.dongfang._id, project: project._id, record: { kind: 'Project', id: project._id }, label: '#7 围墙粉刷' };
});
afterAll(async () => {
  await bot.close();
  await sink.close();
});

function intake(env: NodeJS.ProcessEnv = {}, clock?: () => number): PhotoIntake {
  const config = testConfig({ WECOM_API_BASE: sink.base, ...env });
  return createPhotoIntake({ models: bot.models, conn: bot.db.conn, config, log: silentLogger, outbox: bot.outbox, clock, media: weComMedia(config.wecom) });
}

const put = async (name: string) => sink.put(`/limits/${name}`, encrypted(TEST_CREDS.encodingAesKey, await phoneJpeg(600, 400)));

it('a courtyard over its quota keeps no more photos, and says so', async () => {
  const photos = intake({ PHOTO_QUOTA_MB: '1' });
  const m1 = msg([await put('q1')], bot.now());
  await queuePhotos(bot.models, m1, target, bot.now(), { kind: 'response_url', url: `${sink.base}/cgi-bin/aibot/response?response_code=q` });
  photos.kick();
  await photos.idle();
  expect(await bot.models.Photo.findOne({ msgKey: `aibot:${m1.msgId}` }).lean()).toMatchObject({ status: 'stored' });
  // Fill the quota with a record of what the courtyard keeps.
  await bot.models.Photo.updateOne({ msgKey: `aibot:${m1.msgId}` }, { $set: { bytes: 1024 * 1024 } });
  const m2 = msg([await put('q2')], bot.now());
  await queuePhotos(bot.models, m2, target, bot.now(), { kind: 'response_url', url: `${sink.base}/cgi-bin/aibot/response?response_code=q2` });
  photos.kick();
  await photos.idle();
  expect(await bot.models.Photo.findOne({ msgKey: `aibot:${m2.msgId}` }).lean()).toMatchObject({ status: 'refused', reason: expect.stringContaining('照片存储已满（1 MB）') });
  expect(bot.outbox.requests.find((r) => r.dedupeKey === `photos:aibot:${m2.msgId}`)).toBeDefined();
  await bot.models.Photo.updateOne({ msgKey: `aibot:${m1.msgId}` }, { $set: { bytes: 1000 } });
  await photos.stop();
});

it('photos past PHOTO_RETENTION_DAYS are deleted with their files', async () => {
  // The clock of the test bot; the photos of the other tests are from today.
  const today = bot.now().getTime();
  const m = msg([await put('old')], new Date(today - 400 * 86_400_000));
  await queuePhotos(bot.models, m, target, bot.now());
  const photos = intake({ PHOTO_RETENTION_DAYS: '365' }, () => today);
  photos.kick();
  await photos.idle();
  const stored = (await bot.models.Photo.findOne({ msgKey: `aibot:${m.msgId}` }).lean())!;
  expect(stored.status).toBe('stored');
  const files = bot.db.conn.db!.collection('photos.files');
  expect(await files.countDocuments({ _id: { $in: [stored.fileId!, stored.thumbId!] } })).toBe(2);
  expect(await photos.sweepExpired()).toBe(1);
  expect(await bot.models.Photo.countDocuments({ msgKey: `aibot:${m.msgId}` })).toBe(0);
  expect(await files.countDocuments({ _id: { $in: [stored.fileId!, stored.thumbId!] } })).toBe(0);
  expect(await bot.db.conn.db!.collection('photos.chunks').countDocuments({ files_id: { $in: [stored.fileId!, stored.thumbId!] } })).toBe(0);
  // 0 keeps them for ever.
  expect(await intake({ PHOTO_RETENTION_DAYS: '0' }).sweepExpired()).toBe(0);
  await photos.stop();
});

it('a backup holds the photos, and a restore brings them back byte for byte', async () => {
  const m = msg([await put('b1')], bot.now());
  await queuePhotos(bot.models, m, target, bot.now());
  const photos = intake();
  photos.kick();
  await photos.idle();
  const stored = (await bot.models.Photo.findOne({ msgKey: `aibot:${m.msgId}` }).lean())!;
  const read = async (db: typeof bot.db.conn, id: Types.ObjectId) => {
    const chunks: Buffer[] = [];
    for await (const c of photoBucket(db).openDownloadStream(id)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };
  const original = await read(bot.db.conn, stored.fileId!);

  const dir = mkdtempSync(path.join(tmpdir(), 'lyt-photo-backup-'));
  const target2 = await openTestDb();
  try {
    const { manifest } = await createBackup(bot.db.conn.db!, { dir });
    expect(manifest.collections.map((c) => c.name)).toEqual(expect.arrayContaining(['photos', 'photos.files', 'photos.chunks']));
    await restoreBackup(target2.conn.db!, path.join(dir, (await import('node:fs')).readdirSync(dir).find((x) => x.endsWith('.tar.gz'))!));
    expect(await read(target2.conn, stored.fileId!)).toEqual(original);
    const summary = await projectPhotoSummary(createModels(target2.conn), target.project!);
    expect(summary).toMatchObject({ courtyardId: String(f.courtyards.dongfang._id), path: `/dashboard/api/courtyard/${String(f.courtyards.dongfang._id)}` });
    expect(summary!.count).toBeGreaterThanOrEqual(1);
  } finally {
    await target2.close();
    rmSync(dir, { recursive: true, force: true });
    await photos.stop();
  }
});

it('recording the same message twice adds nothing', async () => {
  const m = msg([await put('twice-1'), await put('twice-2')], bot.now());
  expect(await queuePhotos(bot.models, m, target, bot.now())).toBe(2);
  expect(await queuePhotos(bot.models, m, target, bot.now())).toBe(2);
  expect(await bot.models.Photo.countDocuments({ msgKey: `aibot:${m.msgId}` })).toBe(2);
});
