import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { runChatSession } from '../../src/sim/chat-session';
import { simChatId } from '../../src/local/sim-identity';
import { startWebhookSink, type WebhookSink } from '../../src/sim/webhook-sink';
import { createTestBot, type TestBot } from '../helpers/bot';
import { TEST_CREDS } from '../helpers/wecom';
import { phoneJpeg } from './media-sink';

let sink: WebhookSink;
let bot: TestBot;
let server: Server;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'lyt-sim-photo-'));
  sink = await startWebhookSink();
  // The simulator signs with the real clock.
  bot = await createTestBot({ apiBase: sink.url, photos: {}, now: new Date() });
  const f = await bot.seed.basic();
  await bot.seed.group(simChatId('东方花园工作群'), f.courtyards.dongfang);
  await bot.models.Project.create({ no: 1, title: '路面硬化', category: '工程', courtyard: f.courtyards.dongfang._id, street: f.streets.jiyuan._id, createdAt: bot.now() });
  server = bot.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await bot.close();
  await sink.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('npm run chat sends an image file as the intelligent robot would: encrypted, served by the sink', async () => {
  writeFileSync(path.join(dir, '整治前.jpg'), await phoneJpeg(640, 480));
  writeFileSync(path.join(dir, 'notes.txt'), 'not a picture');
  let shown = '';
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      shown += chunk.toString();
      done();
    },
  });
  const input = new PassThrough();
  input.end([`/图片 ${path.join(dir, '整治前.jpg')} /进度 #1 30% 开工`, `/图片 ${path.join(dir, 'notes.txt')}`, `/图片 ${path.join(dir, 'missing.jpg')}`, ''].join('\n'));
  const { port } = server.address() as AddressInfo;
  await runChatSession({ baseUrl: `http://127.0.0.1:${port}`, creds: TEST_CREDS, sink, user: '张三', group: '东方花园工作群', channel: 'aibot', input, output, interactive: false, refreshMs: 50 });
  expect(shown).toContain('进度已更新');
  expect(shown).toContain('📷 已保存照片 1 张，关联到 #1 路面硬化 的进度（30%）');
  expect(shown).toContain('读不到图片');
  await bot.photos!.idle();
  const photos = await bot.models.Photo.find({}).sort({ at: 1, item: 1 }).lean();
  expect(photos.map((p) => p.status).sort()).toEqual(['refused', 'stored']);
  expect(photos.find((p) => p.status === 'stored')).toMatchObject({ encrypted: true, contentType: 'image/jpeg', width: 640 });
  expect(photos.find((p) => p.status === 'refused')?.reason).toContain('不是图片');
});
