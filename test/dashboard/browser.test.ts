/**
 * The dashboard in a real browser: Debian's Chromium (/usr/bin/chromium) when installed, else
 * the one packaged in @sparticuz/chromium (test/helpers/chromium.ts), driven by playwright-core,
 * which never downloads a browser. Opens signed links on seeded data served by the real app on
 * a local port, checks the ranking and a courtyard card, takes a phone-size and a screen-size
 * screenshot (tmp/dashboard/*.png, for a person to look at), checks that expired and tampered
 * links get 403, and that the page asked nothing of any other origin.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createModels, syncIndexes } from '../../src/db/models';
import { projectRoot } from '../../src/dashboard/build';
import { createCalendar } from '../../src/services/calendar';
import { launchChromium } from '../helpers/chromium';
import { serveLocally, type Served } from '../helpers/http';
import { openTestDb, type TestDb } from '../helpers/db';
import { seedDistrict } from './district-seed';
import { bindGroups, dashboardApp, seededDashboard, tokenFor, type SeededDashboard } from './seeded-app';

const SHOTS = path.join(projectRoot(), 'tmp', 'dashboard');

jest.setTimeout(180_000);

let browser: Browser;
let seeded: SeededDashboard;
let served: Served | undefined;
let origin: string;
/** Every URL any page asked for, and the app's origins (the two test servers). */
const requested: string[] = [];
const origins: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  seeded = await seededDashboard({ prepareAtStart: true });
  served = await serveLocally(seeded.app);
  origin = served.origin;
  origins.push(origin);
  ({ browser } = await launchChromium());
});
afterAll(async () => {
  await browser?.close();
  await served?.close();
  await seeded?.close();
});

async function open(url: string, viewport: { width: number; height: number }, mobile: boolean): Promise<Page> {
  const context = await browser.newContext({
    viewport,
    isMobile: mobile,
    hasTouch: mobile,
    deviceScaleFactor: mobile ? 2 : 1,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    // WeCom's in-app browser on Android.
    userAgent: mobile ? 'Mozilla/5.0 (Linux; Android 12; M2102J2SC) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/108.0 Mobile Safari/537.36 wxwork/4.1.20 MicroMessenger/7.0.1' : undefined,
  });
  const page = await context.newPage();
  page.on('request', (r) => requested.push(r.url()));
  const res = await page.goto(url);
  expect(res?.status()).toBe(200);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

describe('the dashboard in Chromium', () => {
  it('on a phone: ranks the streets, opens a courtyard card', async () => {
    const page = await open(`${origin}/dashboard?t=${tokenFor({ kind: 'district' })}`, { width: 390, height: 844 }, true);
    expect(await page.textContent('#scope-label')).toBe('全区');
    // The page's Chinese is drawn with the font the app serves (or the same one installed), whatever the browser has.
    expect(await page.evaluate(`[...document.fonts].filter((f) => f.family.replace(/"/g, '') === 'Noto Sans SC').map((f) => f.status)`)).toEqual(['loaded']);
    // The overview is preloaded with the HTML and that one request is the one the page uses.
    expect(requested.filter((u) => u.includes('/dashboard/api/data')).length).toBe(1);
    // The chart's figures (its table for screen readers) and its drawn axis labels, best first.
    const rows = await page.locator('#chart-table tbody tr').all();
    // The week 09-14…20 as published (the first publication: nothing to compare with).
    expect(await Promise.all(rows.map((r) => r.locator('td').allTextContents()))).toEqual([
      ['1', '济源路街道', '68.9', '—', ''],
      ['2', '新安路街道', '10.0', '—', ''],
    ]);
    expect(await page.textContent('#summary')).toContain('本周进行中，截至9月27日');
    const axis = await page.locator('#chart svg text').allTextContents();
    const first = axis.findIndex((t) => t.includes('1. 济源路街道'));
    const second = axis.findIndex((t) => t.includes('2. 新安路街道'));
    expect(first).toBeGreaterThanOrEqual(0);
    expect(second).toBeGreaterThanOrEqual(0);
    expect(await page.locator('.tile').count()).toBe(4);
    expect(await page.textContent('.panel-overdue')).toContain('#2 楼道照明');
    await page.screenshot({ path: path.join(SHOTS, 'phone.png'), fullPage: true });

    await page.click('.tile[aria-label^="东方花园"]');
    await page.waitForSelector('#card-score');
    expect(await page.textContent('#card-score')).toBe('55.2');
    const card = (await page.textContent('#card-body')) ?? '';
    for (const text of ['党组织：已建（党支部）', '#2 楼道照明', '逾期 9 天', '#4', '还剩 1 个工作日', '超期反馈', '张伟（区财政局）', '已达标']) expect(card).toContain(text);
    await page.screenshot({ path: path.join(SHOTS, 'phone-card.png') });
    await page.keyboard.press('Escape');
    expect(await page.isHidden('#card')).toBe(true);

    // Printing shows the weekly table alone (the browser fires beforeprint; emulated here).
    await page.evaluate("window.dispatchEvent(new Event('beforeprint'))");
    await page.emulateMedia({ media: 'print' });
    expect(await page.isVisible('#weekly-table')).toBe(true);
    expect(await page.isHidden('.panel-chart')).toBe(true);
    expect(await page.locator('#weekly-table tbody tr').count()).toBe(4);
    expect(await page.locator('#weekly-table tbody tr th').allTextContents()).toEqual(['建设院', '东方花园', '幸福里', '红旗院']);
    await page.screenshot({ path: path.join(SHOTS, 'print.png'), fullPage: true });
    await page.context().close();
  });

  it('in 大屏 mode on a 1920×1080 screen, with 200 courtyards', async () => {
    const db: TestDb = await openTestDb();
    try {
      const models = createModels(db.conn);
      await syncIndexes(models);
      const calendar = createCalendar();
      await seedDistrict(models, calendar);
      await bindGroups(models);
      const big = await serveLocally(dashboardApp(models, calendar));
      try {
        const page = await open(`${big.origin}/dashboard?t=${tokenFor({ kind: 'district' })}&mode=screen`, { width: 1920, height: 1080 }, false);
        expect(await page.locator('body.screen').count()).toBe(1);
        expect(await page.locator('.tile').count()).toBe(200);
        expect(await page.locator('#chart-table tbody tr').count()).toBe(8);
        const scores = (await page.locator('#chart-table tbody tr td:nth-child(3)').allTextContents()).map(Number);
        expect(scores).toEqual([...scores].sort((a, b) => b - a));
        expect(await page.textContent('#meta')).toContain('每 5 分钟自动刷新');
        await page.screenshot({ path: path.join(SHOTS, 'screen.png') });
        await page.context().close();
        origins.push(big.origin);
      } finally {
        await big.close();
      }
    } finally {
      await db.close();
    }
  });

  it('refuses expired and tampered links with 403 and shows no data', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('request', (r) => requested.push(r.url()));
    const expired = tokenFor({ kind: 'district' }, -60_000);
    const tampered = tokenFor({ kind: 'street', streetId: seeded.seed.xinan }).replace(/^street\.[0-9a-f]{24}\./, `street.${seeded.seed.jiyuan}.`);
    for (const t of [expired, tampered]) {
      const res = await page.goto(`${origin}/dashboard?t=${t}`);
      expect(res?.status()).toBe(403);
      const text = (await page.textContent('body')) ?? '';
      expect(text).toContain('链接无效或已过期');
      expect(text).not.toContain('济源路');
    }
    await context.close();
  });

  it('asked nothing of any other origin', () => {
    expect(requested.length).toBeGreaterThan(0);
    const foreign = requested.filter((u) => !origins.some((o) => u.startsWith(`${o}/`)) && !u.startsWith('data:'));
    expect(foreign).toEqual([]);
  });
});
