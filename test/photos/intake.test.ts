import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Types } from 'mongoose';
import sharp from 'sharp';
import { buildCourtyardCard } from '../../src/dashboard/courtyard-card';
import { createCalendar } from '../../src/services/calendar';
import { exifTakenAt, THUMB_SIZE } from '../../src/services/photo-image';
import { photoBucket } from '../../src/services/photos';
import { isWeComMediaUrl } from '../../src/wecom/origin';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';
import { TEST_CREDS } from '../helpers/wecom';
import { encrypted, phoneJpeg, plainPng, plainWebp, startMediaSink, type MediaSink } from './media-sink';

let sink: MediaSink;
let bot: TestBot;
let f: BasicFixture;
/** A server on another origin (another port of 127.0.0.1): nothing may be fetched from it. */
let other: http.Server;
let otherHits = 0;
let otherBase: string;
const key = TEST_CREDS.encodingAesKey;

beforeAll(async () => {
  sink = await startMediaSink();
  other = http.createServer((_req, res) => {
    otherHits++;
    res.writeHead(200).end('x');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  otherBase = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  bot = await createTestBot({ apiBase: sink.base, photos: { retryDelaysMs: [20, 20, 20] } });
  f = await bot.seed.basic();
  expect(await bot.send(f.users.admin, f.groups.dongfang, '/项目 新建 路面硬化 类别=工程 截止=9月30日 责任人=张三')).toContain('#1');
});
afterAll(async () => {
  await bot.close();
  await sink.close();
  await new Promise<void>((resolve) => other.close(() => resolve()));
});

async function readFile(id: Types.ObjectId): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of photoBucket(bot.db.conn).openDownloadStream(id)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const project1 = () => bot.models.Project.findOne({ no: 1 }).lean();

describe('pictures with a command (intelligent robot, mixed)', () => {
  it('attaches them to the record the command made, stores each once, EXIF gone but the capture time, with thumbnails', async () => {
    const a = sink.put('/img/a', encrypted(key, await phoneJpeg()));
    const b = sink.put('/img/b', encrypted(key, await plainPng()));
    const msgId = 'CAIQmixed-progress-1';
    const reply = await bot.sendWith(f.users.zhangsan, f.groups.dongfang, { text: '/进度 #1 40% 主路已硬化', images: [a, b], msgId });
    expect(reply).toContain('进度已更新');
    expect(reply).toContain('📷 已保存照片 2 张，关联到 #1 路面硬化 的进度（40%）');
    await bot.photos!.idle();

    const report = await bot.models.ProgressReport.findOne({ msgId: `aibot:${msgId}` }).lean();
    const photos = await bot.models.Photo.find({ msgKey: `aibot:${msgId}` }).sort({ item: 1 }).lean();
    expect(photos).toEqual([
      expect.objectContaining({ status: 'stored', contentType: 'image/jpeg', project: (await project1())!._id, courtyard: f.courtyards.dongfang._id, record: { kind: 'ProgressReport', id: report!._id }, width: 1200, height: 900 }),
      expect.objectContaining({ status: 'stored', contentType: 'image/png', width: 640, height: 480 }),
    ]);
    expect(photos[0]!.url).toBeUndefined();
    expect(photos[0]!.takenAt).toEqual(new Date('2020-09-15T00:30:00Z'));

    const jpeg = await readFile(photos[0]!.fileId!);
    const meta = await sharp(jpeg).metadata();
    const exif = meta.exif!.toString('latin1');
    expect(exif).not.toContain('PhoneMaker');
    expect(exif).not.toContain('张三');
    expect(meta.exif!.includes(Buffer.from([0x25, 0x88]))).toBe(false); // no GPS IFD pointer (tag 0x8825, little-endian)
    expect(exifTakenAt(meta.exif)).toEqual(new Date('2020-09-15T00:30:00Z'));
    const thumb = await sharp(await readFile(photos[0]!.thumbId!)).metadata();
    expect(thumb).toMatchObject({ format: 'jpeg', width: THUMB_SIZE, height: (THUMB_SIZE * 3) / 4 });
    expect(await bot.db.conn.db!.collection('photos.files').countDocuments()).toBe(4);
    expect(sink.hits('/img/a')).toBe(1);

    // WeCom retries the callback: the same answer, nothing added, nothing fetched again.
    const again = await bot.sendWith(f.users.zhangsan, f.groups.dongfang, { text: '/进度 #1 40% 主路已硬化', images: [a, b], msgId });
    expect(again).toBe(reply);
    await bot.photos!.idle();
    expect(await bot.models.Photo.countDocuments({ msgKey: `aibot:${msgId}` })).toBe(2);
    expect(await bot.db.conn.db!.collection('photos.files').countDocuments()).toBe(4);
    expect(sink.hits('/img/a')).toBe(1);
  });

  it('says the pictures were not kept when the command fails', async () => {
    const c = sink.put('/img/c', encrypted(key, await plainPng()));
    const reply = await bot.sendWith(f.users.zhangsan, f.groups.dongfang, { text: '/进度 #99 40%', images: [c] });
    expect(reply).toContain('命令没有执行，1 张照片未保存');
    await bot.photos!.idle();
    expect(sink.hits('/img/c')).toBe(0);
  });
});

describe('pictures alone', () => {
  it('a picture within 10 minutes after a record attaches to it (1:1 chat, intelligent robot image message)', async () => {
    expect(await bot.send(f.users.zhangsan, '', '/下沉 半天 清理杂物')).toContain('✅');
    const visit = await bot.models.Visit.findOne({ cadre: f.cadres.zhangsan._id }).sort({ createdAt: -1 }).lean();
    bot.advance(9 * 60_000);
    const url = sink.put('/img/visit', encrypted(key, await plainWebp()));
    expect(await bot.sendWith(f.users.zhangsan, '', { images: [url] })).toContain('📷 已保存照片 1 张，关联到 本次下沉记录');
    await bot.photos!.idle();
    expect(await bot.models.Photo.findOne({ 'record.id': visit!._id }).lean()).toMatchObject({ status: 'stored', contentType: 'image/webp', chatId: 'zhangsan' });

    bot.advance(2 * 60_000);
    const late = sink.put('/img/late', encrypted(key, await plainWebp()));
    expect(await bot.sendWith(f.users.zhangsan, '', { images: [late] })).toContain('没有可关联的记录，未保存');
    await bot.photos!.idle();
    expect(sink.hits('/img/late')).toBe(0);
  });

  it('/照片 #1 takes the next picture only (group robot image callback, plain bytes)', async () => {
    await bot.models.Group.updateOne({ chatId: f.groups.dongfang }, { $set: { webhookUrl: `${sink.base}/cgi-bin/webhook/send?key=k1` } });
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/照片 #1')).toContain('将关联到 #1 **路面硬化**（东方花园）');
    const url = sink.put('/img/after', await phoneJpeg(800, 600, { r: 40, g: 160, b: 200 }));
    const reply = await bot.sendWith(f.users.zhangsan, f.groups.dongfang, { channel: 'bot', images: [url] });
    expect(reply).toContain('📷 已保存照片 1 张，关联到 #1 路面硬化');
    await bot.photos!.idle();
    expect(await bot.models.Photo.findOne({ msgKey: /^bot:/ }).lean()).toMatchObject({ status: 'stored', record: { kind: 'Project' }, project: (await project1())!._id, encrypted: false });
    const next = sink.put('/img/next', await phoneJpeg());
    expect(await bot.sendWith(f.users.zhangsan, f.groups.dongfang, { channel: 'bot', images: [next] })).toContain('没有可关联的记录');
    // The JSON variant of the group robot callback (robot_callback_format=json) the same.
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/照片 #1')).toContain('将关联到');
    expect(await bot.sendWith(f.users.zhangsan, f.groups.dongfang, { channel: 'bot', json: true, images: [next] })).toContain('📷 已保存照片 1 张，关联到 #1 路面硬化');
    await bot.photos!.idle();
    expect(await bot.models.Photo.countDocuments({ msgKey: /^bot:/, status: 'stored' })).toBe(2);
  });
});

describe('refusals', () => {
  it('a file that is not a picture, and one over 10 MB, are refused with a clear message', async () => {
    const notImage = sink.put('/img/pdf', encrypted(key, Buffer.from('%PDF-1.4 not a photo')));
    const huge = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(10 * 1024 * 1024)]);
    const big = sink.put('/img/big', encrypted(key, huge));
    const ok = sink.put('/img/ok', encrypted(key, await plainPng()));
    const msgId = 'CAIQmixed-refusals';
    const reply = await bot.sendWith(f.users.zhangsan, f.groups.dongfang, { text: '/进度 #1 50% 铺设完成', images: [notImage, big, ok], msgId, responseUrl: `${sink.base}/cgi-bin/aibot/response?response_code=r1` });
    expect(reply).toContain('📷 已保存照片 3 张');
    await bot.photos!.idle();
    const photos = await bot.models.Photo.find({ msgKey: `aibot:${msgId}` }).sort({ item: 1 }).lean();
    expect(photos.map((p) => p.status)).toEqual(['refused', 'refused', 'stored']);
    const notice = bot.outbox.requests.find((r) => r.dedupeKey === `photos:aibot:${msgId}`);
    expect(notice).toMatchObject({ target: { kind: 'response_url', url: expect.stringContaining('response_code=r1') } });
    const content = (notice!.payload as { content: string }).content;
    expect(content).toContain('⚠️ 2 张照片没有保存（另 1 张已保存）');
    expect(content).toContain('第 1 张：不是图片（只保存 JPEG、PNG、WebP 格式的照片）');
    expect(content).toContain('第 2 张：图片超过 10 MB，未保存');
  });

  it('fetches nothing from another origin', async () => {
    const before = sink.hits();
    const reply = await bot.sendWith(f.users.zhangsan, f.groups.dongfang, {
      text: '/进度 #1 55%',
      images: [`${otherBase}/img/x.jpg`, 'https://ww-aibot-img-1258476243.cos.ap-guangzhou.myqcloud.com/x.jpg', 'https://evil.example/x.jpg'],
    });
    expect(reply).toContain('进度已更新');
    expect(reply).not.toContain('已保存照片');
    expect(reply).toContain('3 张图片的链接不是企业微信的地址，未保存');
    expect(await bot.sendWith(f.users.zhangsan, f.groups.dongfang, { images: [`${otherBase}/img/y.jpg`] })).toContain('图片链接不是企业微信的地址');
    await bot.photos!.idle();
    expect(otherHits).toBe(0);
    expect(sink.hits()).toBe(before);
  });

  it('trusts WeCom media hosts only when WECOM_API_BASE is WeCom itself', () => {
    const cos = 'https://ww-aibot-img-1258476243.cos.ap-guangzhou.myqcloud.com/BHoPdA3/cdnimg_e2e.png?sign=x';
    expect(isWeComMediaUrl(cos, 'https://qyapi.weixin.qq.com')).toBe(true);
    expect(isWeComMediaUrl(cos, sink.base)).toBe(false);
    expect(isWeComMediaUrl('http://ww-aibot-img-1258476243.cos.ap-guangzhou.myqcloud.com/x', 'https://qyapi.weixin.qq.com')).toBe(false);
    expect(isWeComMediaUrl('https://ww-aibot-img-1258476243.cos.ap-guangzhou.myqcloud.com.evil.example/x', 'https://qyapi.weixin.qq.com')).toBe(false);
    expect(isWeComMediaUrl('https://other-bucket.cos.ap-guangzhou.myqcloud.com/x', 'https://qyapi.weixin.qq.com')).toBe(false);
    expect(isWeComMediaUrl('https://u@ww-aibot-img-1258476243.cos.ap-guangzhou.myqcloud.com/x', 'https://qyapi.weixin.qq.com')).toBe(false);
  });
});

describe('a slow WeCom', () => {
  it('is retried a bounded number of times', async () => {
    const url = sink.put('/img/slow', encrypted(key, await plainPng()));
    sink.failFirst('/img/slow', 2);
    const msgId = 'CAIQslow';
    await bot.sendWith(f.users.zhangsan, f.groups.dongfang, { text: '/进度 #1 60%', images: [url], msgId });
    await bot.photos!.idle();
    expect(await bot.models.Photo.findOne({ msgKey: `aibot:${msgId}` }).lean()).toMatchObject({ status: 'stored', attempts: 3 });

    const never = sink.put('/img/never', encrypted(key, await plainPng()));
    sink.failFirst('/img/never', 100);
    await bot.sendWith(f.users.zhangsan, f.groups.dongfang, { text: '/进度 #1 65%', images: [never], msgId: 'CAIQnever' });
    await bot.photos!.idle();
    expect(await bot.models.Photo.findOne({ msgKey: 'aibot:CAIQnever' }).lean()).toMatchObject({ status: 'failed', attempts: 4 });
    expect(sink.hits('/img/never')).toBe(4);
  });
});

describe('on the courtyard card', () => {
  it('a project shows its stored photos oldest first; /撤销 of a report takes its photos off', async () => {
    const card = () => buildCourtyardCard(bot.models, f.courtyards.dongfang, { now: bot.now(), calendar: createCalendar() }).then((c) => c.projects.find((p) => p.no === 1)!);
    const before = await card();
    expect(before.photoCount).toBe(before.photos.length);
    expect(before.photos.map((p) => p.at)).toEqual([...before.photos.map((p) => p.at)].sort());
    const url = sink.put('/img/undo', encrypted(key, await plainPng()));
    bot.advance(60_000);
    await bot.sendWith(f.users.zhangsan, f.groups.dongfang, { text: '/进度 #1 70% 面层', images: [url] });
    await bot.photos!.idle();
    expect((await card()).photoCount).toBe(before.photoCount + 1);
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/撤销')).toContain('已撤销');
    expect((await card()).photoCount).toBe(before.photoCount);
  });
});

describe('/项目 详情', () => {
  it('gives the count of kept photos and a link that opens the courtyard card', async () => {
    const url = sink.put('/img/detail', encrypted(key, await plainPng()));
    bot.advance(60_000);
    await bot.sendWith(f.users.zhangsan, f.groups.dongfang, { text: '/进度 #1 75% 面层', images: [url] });
    await bot.photos!.idle();
    const count = await bot.models.Photo.countDocuments({ project: (await project1())!._id, status: 'stored' });
    expect(count).toBeGreaterThan(0);

    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/项目 详情 #1');
    expect(reply).toMatch(new RegExp(`照片：${count} 张，整治前 \\S+ · 整治后 \\S+ · \\[在看板上查看\\]\\(http[^)]+/dashboard\\?t=[^)]+&courtyard=${String(f.courtyards.dongfang._id)}\\)`));
    // In a 1:1 chat there is no group link to hand out: the reply says where to look.
    expect(await bot.send(f.users.zhangsan, '', '/项目 详情 #1')).toContain(`照片：${count} 张`);
    expect(await bot.send(f.users.zhangsan, '', '/项目 详情 #1')).toContain('发送 /看板 链接 查看');
  });
});
