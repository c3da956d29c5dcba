/**
 * 大屏 mode in a real browser (test/helpers/chromium.ts): the 30-day screen link /看板 gives,
 * on a district of 200 courtyards with long names, at 1920×1080. The whole page is on the
 * screen (nothing scrolls), the district's figures, the streets' chart and the overdue ticker
 * are there, the courtyard tiles come a page at a time and every name is whole on every page.
 * The pages are stepped through window.lytScreen.next(), never waited for. A screenshot goes
 * to $TMPDIR/lyt-screen/ for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { dashboardLink, SCREEN_LINK_VALID_MS, type DashboardScope } from '../../src/dashboard/link';
import { createModels, syncIndexes, type Models } from '../../src/db/models';
import { createCalendar } from '../../src/services/calendar';
import { launchChromium } from '../helpers/chromium';
import { serveLocally, type Served } from '../helpers/http';
import { openTestDb, type TestDb } from '../helpers/db';
import { seedDistrict } from './district-seed';
import { NOW, SECRET, bindGroups, dashboardApp } from './seeded-app';

jest.setTimeout(180_000);

const SHOTS = path.join(tmpdir(), 'lyt-screen');

/** Names as long as real ones get (the "东风电业局…" was cut on the old screen). */
const LONG_NAMES = ['东风电业局家属院', '中国铁路郑州局集团洛阳车务段家属院', '河南省第一建筑工程集团有限责任公司三分公司家属院', '市第二人民医院职工住宅'];
const LONG_STREET = '上街区中原西路街道办事处';

let db: TestDb;
let models: Models;
let browser: Browser;
let served: Served | undefined;
let origin: string;
let names: string[];
let seeded: { streetIds: string[]; courtyardIds: string[] };

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  db = await openTestDb();
  models = createModels(db.conn);
  await syncIndexes(models);
  const calendar = createCalendar();
  seeded = await seedDistrict(models, calendar);
  const { courtyardIds, streetIds } = seeded;
  await Promise.all(LONG_NAMES.map((name, i) => models.Courtyard.updateOne({ _id: courtyardIds[i * 37] }, { $set: { name } })));
  await models.Street.updateOne({ _id: streetIds[3] }, { $set: { name: LONG_STREET } });
  names = (await models.Courtyard.find({}, { name: 1 }).lean()).map((c) => c.name).sort();
  await bindGroups(models);
  served = await serveLocally(dashboardApp(models, calendar));
  origin = served.origin;
  ({ browser } = await launchChromium());
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
  await db?.close();
});

/** The 大屏 link /看板 sends in the group bound to `scope` (30 days valid), with `extra` query parameters. */
async function screenLink(extra = '', scope: DashboardScope = { kind: 'district' }): Promise<string> {
  const refId = scope.kind === 'street' ? scope.streetId : scope.kind === 'courtyard' ? scope.courtyardId : undefined;
  const group = await models.Group.findOne({ 'scope.kind': scope.kind, ...(refId ? { 'scope.refId': refId } : {}) }, { _id: 1 }).lean();
  const link = dashboardLink({ publicUrl: origin, dashboardSecret: SECRET }, scope, { groupId: String(group!._id), generation: 0 }, NOW, 'screen');
  expect(link.expiresAt.getTime() - NOW.getTime()).toBe(SCREEN_LINK_VALID_MS);
  expect(link.url).toContain('&mode=screen');
  return link.url + extra;
}

async function open(url: string, viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  const res = await page.goto(url);
  expect(res?.status()).toBe(200);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

/**
 * What could be wrong with the names and tiles of the page shown now: [] when nothing. In the
 * page's own terms (a string: the server's TypeScript has no DOM types).
 */
const PROBLEMS_ON_PAGE = `(() => {
  const problems = [];
  const grid = document.getElementById('grid').getBoundingClientRect();
  const shown = [...document.querySelectorAll('.screen-page:not([hidden]) .tile')];
  if (shown.length === 0) problems.push('no tiles shown');
  for (const tile of shown) {
    const box = tile.getBoundingClientRect();
    const name = tile.querySelector('.tile-name');
    const label = name.textContent;
    if (box.bottom > grid.bottom + 0.5 || box.right > grid.right + 0.5) problems.push(label + ': tile outside its panel');
    if (name.scrollWidth > name.clientWidth || name.scrollHeight > name.clientHeight) problems.push(label + ': name overflows');
    if (/…|\\.\\.\\./.test(label) || getComputedStyle(name).textOverflow === 'ellipsis') problems.push(label + ': ellipsis');
    for (const part of tile.querySelectorAll('.tile-name, .tile-street, .tile-line')) {
      const r = part.getBoundingClientRect();
      if (r.bottom > box.bottom + 0.5 || r.right > box.right + 0.5) problems.push(label + ': ' + part.className + ' cut off by the tile');
    }
  }
  return problems;
})()`;

const problemsOnPage = (page: Page) => page.evaluate<string[]>(PROBLEMS_ON_PAGE);

interface Fit {
  scrollWidth: number;
  scrollHeight: number;
  stage: { x: number; y: number; width: number; height: number };
  /** The chart (its axis too) inside its panel. */
  chartInPanel: boolean;
}

/** The document's scroll size and where the stage is. */
const fitOf = (page: Page) =>
  page.evaluate<Fit>(`(() => {
    const r = document.getElementById('stage').getBoundingClientRect();
    return {
      scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
      scrollHeight: Math.max(document.documentElement.scrollHeight, document.body.scrollHeight),
      stage: { x: r.x, y: r.y, width: r.width, height: r.height },
      chartInPanel: document.getElementById('chart').getBoundingClientRect().bottom <= document.querySelector('.panel-chart').getBoundingClientRect().bottom + 0.5,
    };
  })()`);

describe('大屏 mode at 1920×1080', () => {
  it('fits the screen whole, with figures, chart, ticker and pages of whole names', async () => {
    const page = await open(await screenLink(), { width: 1920, height: 1080 });
    const size = await fitOf(page);
    expect(size.scrollWidth).toBeLessThanOrEqual(1920);
    expect(size.scrollHeight).toBeLessThanOrEqual(1080);
    expect(size.chartInPanel).toBe(true);
    expect(size.stage).toMatchObject({ x: 0, y: 0, width: 1920, height: 1080 });

    // The district's figures, the streets' chart (every street, names whole), the ticker.
    expect(await page.textContent('#scope-label')).toBe('全区');
    expect(await page.textContent('#summary')).toContain('楼院200');
    expect(await page.locator('#chart svg').count()).toBe(1);
    expect(await page.locator('#chart-table tbody tr').count()).toBe(8);
    const axis = (await page.locator('#chart svg text').allTextContents()).join('|');
    expect(axis).not.toMatch(/…|\.\.\./);
    // A wrapped label is drawn as one text per line.
    expect(axis.replace(/\|/g, '')).toContain(LONG_STREET);
    expect(await page.isVisible('#ticker')).toBe(true);
    expect(await page.locator('#ticker .ticker-item').count()).toBeGreaterThan(0);
    expect(await page.textContent('#ticker .ticker-label')).toMatch(/^逾期事项 \d+ 项$/);
    expect(await page.textContent('#ticker')).toContain('逾期');
    expect(await page.textContent('#meta')).toContain('每 5 分钟自动刷新');
    await page.screenshot({ path: path.join(SHOTS, 'screen-1080p.png') });

    // The pages: every courtyard on exactly one, every name whole on each; they turn in a loop.
    const pages = Number(await page.getAttribute('#grid', 'data-pages'));
    expect(pages).toBeGreaterThan(1);
    expect(await page.textContent('#screen-page')).toBe(`第 1/${pages} 页 · 每 15 秒翻页`);
    const seen: string[] = [];
    for (let p = 1; p <= pages; p++) {
      expect(await page.getAttribute('#grid', 'data-page')).toBe(String(p));
      expect(await problemsOnPage(page)).toEqual([]);
      seen.push(...(await page.locator('.screen-page:not([hidden]) .tile-name').allTextContents()));
      if (p === 2) await page.screenshot({ path: path.join(SHOTS, 'screen-1080p-page2.png') });
      await page.evaluate('window.lytScreen.next()');
    }
    expect(await page.getAttribute('#grid', 'data-page')).toBe('1');
    expect(seen.sort()).toEqual(names);
    for (const name of LONG_NAMES) expect(seen).toContain(name);
    expect(await page.locator('.tile').count()).toBe(200);
    await page.context().close();
  });

  it('takes the page interval from the address, and fits a smaller screen whole too', async () => {
    const page = await open(await screenLink('&rotate=7'), { width: 1366, height: 768 });
    expect(await page.textContent('#screen-page')).toMatch(/ · 每 7 秒翻页$/);
    const size = await fitOf(page);
    expect(size.scrollWidth).toBeLessThanOrEqual(1366);
    expect(size.scrollHeight).toBeLessThanOrEqual(768);
    // 16:9 scaled down to the width: 1366 × 768.4, centred.
    expect(size.stage.width).toBeGreaterThan(1360);
    expect(size.stage.x + size.stage.width).toBeLessThanOrEqual(1366.5);
    expect(size.stage.y + size.stage.height).toBeLessThanOrEqual(768.5);
    expect(await problemsOnPage(page)).toEqual([]);
    await page.context().close();
  });

  it('shows a street (its courtyards in the chart, as many as fit) and a courtyard just as whole', async () => {
    const street = await open(await screenLink('', { kind: 'street', streetId: seeded.streetIds[3]! }), { width: 1920, height: 1080 });
    expect(await street.textContent('#scope-label')).toBe(LONG_STREET);
    expect(await fitOf(street)).toMatchObject({ scrollWidth: 1920, scrollHeight: 1080, chartInPanel: true });
    // 25 courtyards: the best that get 40 px a bar, and a note saying so.
    const shown = await street.locator('#chart-table tbody tr').count();
    expect(shown).toBeGreaterThan(8);
    expect(shown).toBeLessThan(25);
    expect(await street.textContent('#chart-note')).toBe(`前 ${shown} 名（共 25）`);
    expect((await street.locator('#chart svg text').allTextContents()).join('|')).not.toMatch(/…|\.\.\./);
    expect(await problemsOnPage(street)).toEqual([]);
    await street.screenshot({ path: path.join(SHOTS, 'screen-street.png') });
    await street.context().close();

    const yard = await open(await screenLink('', { kind: 'courtyard', courtyardId: seeded.courtyardIds[37]! }), { width: 1920, height: 1080 });
    expect(await yard.textContent('#scope-label')).toBe(LONG_NAMES[1]);
    expect(await fitOf(yard)).toMatchObject({ scrollWidth: 1920, scrollHeight: 1080, chartInPanel: true });
    expect(await yard.getAttribute('#grid', 'data-pages')).toBe('1');
    expect(await yard.textContent('#screen-page')).toBe('');
    expect(await problemsOnPage(yard)).toEqual([]);
    await yard.screenshot({ path: path.join(SHOTS, 'screen-courtyard.png') });
    await yard.context().close();
  });
});
