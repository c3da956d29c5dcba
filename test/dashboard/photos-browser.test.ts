/**
 * Photos on the courtyard card, in a real browser (test/helpers/chromium.ts): pictures are
 * queued as a chat would (src/services/photos.ts), downloaded by the real intake from a
 * local sink serving them encrypted, and the card of 东方花园 shows project #2's first and
 * latest as 整治前 / 整治后 (loaded images, naturalWidth > 0), its timeline, and a visit
 * with its photo. The photo URLs answer only a link whose scope holds the courtyard.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { projectRoot } from '../../src/dashboard/build';
import { THUMB_SIZE } from '../../src/services/photo-image';
import { createPhotoIntake } from '../../src/services/photo-intake';
import { queuePhotos, type PhotoTarget } from '../../src/services/photos';
import { silentLogger } from '../../src/log';
import type { IncomingMessage } from '../../src/wecom/message';
import { launchChromium } from '../helpers/chromium';
import { serveLocally, type Served } from '../helpers/http';
import { TEST_CREDS, testConfig } from '../helpers/wecom';
import { encrypted, phoneJpeg, startMediaSink, type MediaSink } from '../photos/media-sink';
import { NOW, seededDashboard, tokenFor, type SeededDashboard } from './seeded-app';
import { weComMedia } from '../../src/wecom/media';

jest.setTimeout(180_000);

const SHOTS = path.join(projectRoot(), 'tmp', 'dashboard');

let browser: Browser;
let seeded: SeededDashboard;
let served: Served | undefined;
let origin: string;
let sink: MediaSink;
let dongfangId: string;
let otherId: string;

function message(msgId: string, images: string[], minutesBefore: number): IncomingMessage {
  return {
    channel: 'aibot',
    msgId,
    chatId: 'grp-dongfang',
    chatType: 'group',
    sender: { userId: 'zhangwei' },
    text: '',
    kind: 'image',
    images: images.map((url) => ({ url, encrypted: true })),
    time: new Date(NOW.getTime() - minutesBefore * 60_000),
  };
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  seeded = await seededDashboard();
  sink = await startMediaSink();
  const { models } = seeded;
  const dongfang = (await models.Courtyard.findOne({ name: '东方花园' }).lean())!;
  dongfangId = String(dongfang._id);
  otherId = String((await models.Courtyard.findOne({ name: { $ne: '东方花园' } }).lean())!._id);
  const p2 = (await models.Project.findOne({ courtyard: dongfang._id, title: '楼道照明' }).lean())!;
  const visit = (await models.Visit.findOne({ courtyard: dongfang._id }).sort({ date: -1 }).lean())!;
  const key = TEST_CREDS.encodingAesKey;
  const put = async (name: string, color: { r: number; g: number; b: number }) => sink.put(`/img/${name}`, encrypted(key, await phoneJpeg(800, 600, color)));
  const project: PhotoTarget = { courtyard: dongfang._id, project: p2._id, record: { kind: 'Project', id: p2._id }, label: '#2 楼道照明' };
  // Dark corridor first (整治前), then the lights on (整治后), a middle one on the timeline.
  await queuePhotos(models, message('p-before', [await put('before', { r: 40, g: 40, b: 40 })], 3 * 24 * 60), project, NOW);
  await queuePhotos(models, message('p-middle', [await put('middle', { r: 120, g: 120, b: 90 })], 2 * 24 * 60), project, NOW);
  await queuePhotos(models, message('p-after', [await put('after', { r: 250, g: 240, b: 200 })], 24 * 60), project, NOW);
  await queuePhotos(models, message('v-1', [await put('visit', { r: 60, g: 160, b: 80 })], 60), { courtyard: dongfang._id, record: { kind: 'Visit', id: visit._id }, label: '本次下沉记录' }, NOW);
  const config = testConfig({ WECOM_API_BASE: sink.base });
  const intake = createPhotoIntake({ models, conn: seeded.db.conn, config, log: silentLogger, media: weComMedia(config.wecom) });
  intake.kick();
  await intake.idle();
  expect(await models.Photo.countDocuments({ status: 'stored' })).toBe(4);

  served = await serveLocally(seeded.app);
  origin = served.origin;
  ({ browser } = await launchChromium());
});
afterAll(async () => {
  await browser?.close();
  await served?.close();
  await sink?.close();
  await seeded?.close();
});

it('shows 整治前 / 整治后 and the timeline of a project, and a visit with its photo', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, deviceScaleFactor: 2, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  const requested: string[] = [];
  page.on('request', (r) => requested.push(r.url()));
  expect((await page.goto(`${origin}/dashboard?t=${tokenFor({ kind: 'street', streetId: String((await seeded.models.Courtyard.findById(dongfangId))!.street) })}`))?.status()).toBe(200);
  await page.waitForSelector('body[data-ready="true"]');
  await page.click('.tile[aria-label^="东方花园"]');
  await page.waitForSelector('.before-after');
  const pair = page.locator('.project', { hasText: '楼道照明' }).locator('.before-after figure');
  // The captions give the capture time the camera recorded (kept in the stripped EXIF).
  expect(await pair.locator('figcaption').allTextContents()).toEqual(['整治前 · 9月15日', '整治后 · 9月15日']);
  const idOf = async (msgId: string) => String((await seeded.models.Photo.findOne({ msgKey: `aibot:${msgId}` }).lean())!._id);
  const srcs = await pair.locator('img').evaluateAll((imgs) => imgs.map((img) => img.getAttribute('src') ?? ''));
  expect(srcs[0]).toContain(await idOf('p-before'));
  expect(srcs[1]).toContain(await idOf('p-after'));
  // (Strings: the server's TypeScript program has no DOM types.)
  await page.waitForFunction("[...document.querySelectorAll('.before-after img, .timeline img')].every((img) => img.complete && img.naturalWidth > 0)");
  const naturalWidths = (selector: string) => page.evaluate(`[...document.querySelectorAll(${JSON.stringify(selector)})].map((img) => img.naturalWidth)`);
  const widths = await naturalWidths('.project:has(.before-after) .before-after img');
  expect(widths).toEqual([THUMB_SIZE, THUMB_SIZE]);
  expect(await page.locator('.project', { hasText: '楼道照明' }).locator('.timeline figure').count()).toBe(3);
  expect(await page.textContent('.project:has-text("楼道照明") .project-meta')).toContain('照片 3 张');
  expect(await page.textContent('.visit-photos')).toContain('近 30 天下沉照片');
  expect(await naturalWidths('.visit-photos img')).toEqual([expect.any(Number)]);
  expect(((await naturalWidths('.visit-photos img')) as number[])[0]).toBeGreaterThan(0);
  await page.locator('.before-after').first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, 'phone-card-photos.png') });
  // Everything came from the app itself.
  expect(requested.filter((u) => !u.startsWith(origin))).toEqual([]);
  await context.close();
});

it("opens the courtyard's card at once from the link /项目 详情 gives (&courtyard=)", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  const street = String((await seeded.models.Courtyard.findById(dongfangId))!.street);
  await page.goto(`${origin}/dashboard?t=${tokenFor({ kind: 'street', streetId: street })}&courtyard=${dongfangId}`);
  await page.waitForSelector('.before-after');
  expect(await page.textContent('.project:has-text("楼道照明") .project-meta')).toContain('照片 3 张');
  await context.close();
});

it('serves a photo only to a link whose scope holds its courtyard', async () => {
  const photo = (await seeded.models.Photo.findOne({ status: 'stored' }).lean())!;
  const get = (token: string, size = '') => fetch(`${origin}/dashboard/api/photo/${String(photo._id)}?t=${encodeURIComponent(token)}${size}`);
  const mine = await get(tokenFor({ kind: 'courtyard', courtyardId: dongfangId }));
  expect(mine.status).toBe(200);
  expect(mine.headers.get('content-type')).toBe('image/jpeg');
  expect(Buffer.from(await mine.arrayBuffer()).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  expect((await get(tokenFor({ kind: 'district' }), '&size=thumb')).status).toBe(200);
  expect((await get(tokenFor({ kind: 'courtyard', courtyardId: otherId }))).status).toBe(403);
  expect((await get(tokenFor({ kind: 'courtyard', courtyardId: dongfangId }, -1000))).status).toBe(403);
  expect((await get('tampered')).status).toBe(403);
  expect((await fetch(`${origin}/dashboard/api/photo/000000000000000000000000?t=${encodeURIComponent(tokenFor({ kind: 'district' }))}`)).status).toBe(403);
});
