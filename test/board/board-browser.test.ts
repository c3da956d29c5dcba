/**
 * A resident's whole path on the public board, in a real Chromium at phone size
 * (test/helpers/chromium.ts; playwright-core never downloads a browser): the QR code of the
 * poster /公示码 pushed is decoded and opened, a request is submitted on the page (it reaches
 * the courtyard's group with its deadline), closed in chat by signed callbacks (/接单,
 * /反馈, /办结), and rated on the follow page; the courtyard's 满意率 on the board changes.
 * Screenshots in tmp/board/ for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import jsQR from 'jsqr';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { projectRoot } from '../../src/dashboard/build';
import { launchChromium } from '../helpers/chromium';
import { serveLocally, type Served } from '../helpers/http';
import { boardPathOf, boardTestbed, type BoardTestbed } from './board-app';

const SHOTS = path.join(projectRoot(), 'tmp', 'board');

jest.setTimeout(180_000);

let browser: Browser;
let t: BoardTestbed;
let served: Served | undefined;
let origin: string;
const requested: string[] = [];
const problems: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  t = await boardTestbed();
  served = await serveLocally(t.app);
  origin = served.origin;
  ({ browser } = await launchChromium());
});
afterAll(async () => {
  await browser?.close();
  await served?.close();
  await t?.bot.close();
});

async function phone(): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 2,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    userAgent: 'Mozilla/5.0 (Linux; Android 12; M2102J2SC) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/108.0 Mobile Safari/537.36 MicroMessenger/8.0.1',
  });
  const page = await context.newPage();
  page.on('request', (r) => requested.push(r.url()));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  return page;
}

describe('the public board in Chromium, on a phone', () => {
  it('from the poster\'s QR code to a rated request', async () => {
    const { bot, fx } = t;
    expect(await bot.send(fx.users.admin, fx.groups.dongfang, '/项目 新建 楼道照明 类别=工程 截止=9月30日 责任人=张三 标准=每层感应灯')).toContain('#1');
    // 1. /公示码 in the courtyard's group: the link, and the poster pushed as an image.
    const reply = await bot.send(fx.users.zhangsan, fx.groups.dongfang, '/公示码');
    const poster = bot.outbox.requests.find((r) => r.payload.type === 'image');
    const png = (poster!.payload as { png: Buffer }).png;
    const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    expect(info.width / info.height).toBeCloseTo(210 / 297, 3);
    const qr = jsQR(new Uint8ClampedArray(data), info.width, info.height);
    const boardPath = new URL(qr!.data).pathname;
    expect(boardPath).toBe(boardPathOf(reply));

    // 2. The board, as a resident's phone opens it.
    const page = await phone();
    expect((await page.goto(`${origin}${boardPath}`))?.status()).toBe(200);
    expect(await page.textContent('h1')).toBe('东方花园');
    expect(await page.textContent('#accounts')).toContain('本月尚未公开收支');
    const project = (await page.textContent('#projects .project')) ?? '';
    for (const shown of ['#1 楼道照明', '每层感应灯', '张三', '9月30日', '0%']) expect(project).toContain(shown);
    expect(await page.textContent('[data-figure="satisfaction"]')).toBe('—');
    // Laid out for the phone: nothing wider than the screen.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(SHOTS, 'phone-board.png'), fullPage: true });

    // 3. A request from the page.
    await page.selectOption('select[name="category"]', '设施维修');
    await page.fill('textarea[name="text"]', '3号楼楼道灯不亮');
    await page.fill('input[name="phone"]', '13800001234');
    await Promise.all([page.waitForURL(/\/board\/r\//), page.click('button[type="submit"]')]);
    expect(await page.textContent('[role="status"]')).toContain('已提交，诉求编号 #1');
    expect(await page.textContent('[data-status]')).toBe('点单');
    const follow = page.url().replace(/\?.*$/, '');
    await page.screenshot({ path: path.join(SHOTS, 'phone-follow.png'), fullPage: true });

    // It reached the courtyard's group with the deadline and the cadre @-mentioned.
    const request = await bot.models.ResidentRequest.findOne({ no: 1 });
    expect(request).toMatchObject({ source: 'board', category: '设施维修', status: '点单' });
    const push = bot.outbox.requests.find((r) => r.dedupeKey === `request:${request!._id}:${fx.groups.dongfang}`);
    expect(push?.target).toEqual({ kind: 'webhook', url: t.webhook });
    expect((push!.payload as { content: string }).content).toContain('反馈期限：**9月18日（周五）**前');
    expect((push!.payload as { mentions: string[] }).mentions).toEqual(['zhangsan']);

    // 4. Closed in chat by the cadre.
    expect(await bot.send(fx.users.zhangsan, fx.groups.dongfang, '/接单 #1')).toContain('#1');
    bot.advance(3_600_000);
    expect(await bot.send(fx.users.zhangsan, fx.groups.dongfang, '/反馈 #1 已联系电工')).toContain('#1');
    bot.advance(3_600_000);
    expect(await bot.send(fx.users.zhangsan, fx.groups.dongfang, '/办结 #1 已更换灯泡')).toContain('#1');
    expect(await bot.models.ResidentRequest.findOne({ no: 1 })).toMatchObject({ status: '已办结' });

    // 5. Rated on the follow page.
    await page.goto(follow);
    expect(await page.textContent('[data-status]')).toBe('已办结');
    expect(await page.textContent('main')).toContain('已联系电工');
    await Promise.all([page.waitForURL(/rated=1/), page.click('button[value="满意"]')]);
    expect(await page.textContent('[role="status"]')).toBe('感谢您的评价');
    expect(await page.textContent('[data-rating]')).toBe('满意');
    expect(await bot.models.ResidentRequest.findOne({ no: 1 })).toMatchObject({ rating: '满意', ratedBy: request!.reporter.userId });

    // 6. The board's figures moved.
    await page.click('a[href^="/board/"]');
    await page.waitForSelector('[data-figure="satisfaction"]');
    expect(await page.textContent('[data-figure="satisfaction"]')).toBe('100%');
    expect(await page.textContent('[data-figure="completion"]')).toBe('100%');
    expect(await page.textContent('#figures')).toContain('#1 · 设施维修 · 已办结');
    expect(await page.content()).not.toContain('13800001234');
    await page.screenshot({ path: path.join(SHOTS, 'phone-board-after.png'), fullPage: true });
    await page.context().close();
  });

  it('asked nothing of any other origin, and the CSP blocked nothing', () => {
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((u) => !u.startsWith(`${origin}/`))).toEqual([]);
    expect(requested.some((u) => u.endsWith('/board/assets/board.css'))).toBe(true);
    expect(problems).toEqual([]);
  });
});
