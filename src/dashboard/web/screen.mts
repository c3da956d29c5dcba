/**
 * 大屏 mode (`&mode=screen`, the 30-day screen link): the page as a fixed 1920×1080 stage,
 * scaled to fit the screen whole, to be read from across a room — the scope's figures, the
 * chart, the courtyard tiles one page at a time, and the overdue items running along the
 * bottom. Nothing scrolls and no name is cut: a long name wraps, a very long one gets a
 * smaller font.
 *
 * The pages turn every `&rotate=<seconds>` (default {@link DEFAULT_ROTATE_S}). The tiles'
 * panel says which page shows (`data-page`, 1-based, and `data-pages`), and
 * `window.lytScreen.next()` turns the page at once (tests, a remote).
 */
import './screen.css';
import type { CourtyardTile, DashboardData, ScoreRow } from '../types.js';
import { bandOf } from './bands.mjs';
import { byId, fill, h } from './dom.mjs';
import { score } from './format.mjs';

/** The stage the layout is made for. */
export const STAGE = { width: 1920, height: 1080 } as const;
/** Seconds between two pages of tiles, unless `&rotate=` says otherwise. */
export const DEFAULT_ROTATE_S = 15;
const MIN_ROTATE_S = 3;
/** The smallest tile (two lines of name, the street, the score) and the gap between tiles (screen.css), in stage pixels; tiles grow to fill the panel. */
const TILE = { minWidth: 200, minHeight: 132, gap: 10 } as const;
/** The fewest pixels a bar of the chart gets; more rows than fit show the best ones. */
const CHART_ROW_MIN = 40;
/** The ticker runs through at most this many items (most late first); the rest are counted. */
const TICKER_ITEMS = 40;
/** How fast the ticker runs, in stage pixels a second (about four characters). */
const TICKER_PX_PER_S = 90;

declare global {
  interface Window {
    /** The 大屏's page turner. */
    lytScreen?: { next(): void; page(): number; pages(): number };
  }
}

let pages: HTMLElement[] = [];
let current = 0;
let rotateS = DEFAULT_ROTATE_S;

/** The rotation interval from the address: whole seconds, at least {@link MIN_ROTATE_S}. */
export function rotateSeconds(params: URLSearchParams): number {
  const given = Number(params.get('rotate'));
  return Number.isFinite(given) && given >= MIN_ROTATE_S ? Math.round(given) : DEFAULT_ROTATE_S;
}

/** Scales the stage to the window, centred: the whole layout on any screen, 16:9 or not. */
function fitStage(stage: HTMLElement): void {
  const scale = Math.min(window.innerWidth / STAGE.width, window.innerHeight / STAGE.height);
  const left = (window.innerWidth - STAGE.width * scale) / 2;
  const top = (window.innerHeight - STAGE.height * scale) / 2;
  stage.style.transform = `translate(${left}px, ${top}px) scale(${scale})`;
}

function showPage(index: number): void {
  current = pages.length ? ((index % pages.length) + pages.length) % pages.length : 0;
  pages.forEach((p, i) => (p.hidden = i !== current));
  const grid = byId('grid');
  grid.dataset.page = String(pages.length ? current + 1 : 0);
  grid.dataset.pages = String(pages.length);
  const note = pages.length > 1 ? `第 ${current + 1}/${pages.length} 页 · 每 ${rotateS} 秒翻页` : '';
  fill(byId('screen-page'), note);
}

/**
 * Turns the page into the 大屏: moves the header and the panels onto the stage, adds the
 * ticker and the page note, keeps the stage fitted to the window and starts the page turning.
 */
export function setupScreen(params: URLSearchParams): void {
  rotateS = rotateSeconds(params);
  document.documentElement.classList.add('screen');
  document.body.classList.add('screen');
  const stage = h('div', { id: 'stage', class: 'stage' });
  const header = document.querySelector('header.top');
  stage.append(...[header, byId('status'), document.querySelector('main')].filter((e): e is Element => e !== null));
  stage.append(h('footer', { id: 'ticker', class: 'ticker', 'aria-label': '逾期事项' }));
  document.body.prepend(stage);
  byId('chart-title').after(h('p', { id: 'chart-note', class: 'chart-note' }));
  fill(byId('grid-title'), '楼院得分', h('small', { id: 'screen-page' }));
  fitStage(stage);
  window.addEventListener('resize', () => fitStage(stage));
  window.lytScreen = { next: () => showPage(current + 1), page: () => current + 1, pages: () => pages.length };
  window.setInterval(() => showPage(current + 1), rotateS * 1000);
}

/** Unscaled pixels of an element's content box (the stage's scale does not count). */
function contentBox(el: HTMLElement): { width: number; height: number } {
  const cs = getComputedStyle(el);
  return {
    width: el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight),
    height: el.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom),
  };
}

/**
 * What the chart shows on the stage: its height (the rest of its panel) and as many rows,
 * best first, as get {@link CHART_ROW_MIN} pixels each; a note says when some are left out.
 */
export function screenChart(rows: ScoreRow[]): { rows: ScoreRow[]; height: number } {
  const el = byId('chart');
  const panel = el.parentElement!;
  const note = byId('chart-note');
  let height = 0;
  let fit = 0;
  // Twice: the note, once there, takes a line from the chart.
  for (let pass = 0; pass < 2; pass++) {
    height = Math.max(160, Math.floor(panel.clientHeight - parseFloat(getComputedStyle(panel).paddingBottom) - el.offsetTop));
    fit = Math.max(1, Math.floor((height - 60) / CHART_ROW_MIN));
    fill(note, rows.length > fit ? `前 ${fit} 名（共 ${rows.length}）` : '');
  }
  return { rows: rows.slice(0, fit), height };
}

/** Smaller type for names that would not fit two lines of the tile. */
function nameSize(name: string): string {
  const n = [...name].length;
  return n <= 16 ? '' : n <= 20 ? ' long' : ' longer';
}

function tile(t: CourtyardTile, open: (id: string) => void, withStreet: boolean): HTMLElement {
  const band = bandOf(t.score);
  return h(
    'li',
    {},
    h(
      'button',
      {
        type: 'button',
        class: `tile ${band.cls}`,
        'data-id': t.id,
        'aria-label': `${t.name}，${t.streetName}，${score(t.score)}分，${band.mark}${t.overdue ? `，逾期${t.overdue}项` : ''}，查看详情`,
        onclick: () => open(t.id),
      },
      h('span', { class: `tile-name${nameSize(t.name)}` }, t.name),
      withStreet ? h('span', { class: 'tile-street' }, t.streetName) : null,
      h(
        'span',
        { class: 'tile-line' },
        h('span', { class: 'tile-score' }, score(t.score)),
        h('span', { class: 'tile-mark' }, band.mark, t.change ? ` ${t.change}` : ''),
        t.overdue ? h('span', { class: 'tile-late' }, `逾期${t.overdue}`) : null,
      ),
    ),
  );
}

/** The tiles as pages of as many as the panel holds; the page shown stays where it was. */
function renderPages(tiles: CourtyardTile[], open: (id: string) => void): void {
  const grid = byId('grid');
  if (tiles.length === 0) {
    pages = [];
    fill(grid, h('p', { class: 'empty' }, '这里还没有楼院'));
    showPage(0);
    return;
  }
  // The grid takes the rest of its panel (screen.css); measured empty, before the tiles go in.
  fill(grid);
  const box = contentBox(grid);
  const columns = Math.max(1, Math.floor((box.width + TILE.gap) / (TILE.minWidth + TILE.gap)));
  const rows = Math.max(1, Math.floor((box.height + TILE.gap) / (TILE.minHeight + TILE.gap)));
  const perPage = columns * rows;
  const rowHeight = Math.floor((box.height - (rows - 1) * TILE.gap) / rows);
  // A street's or a courtyard's screen: the street is in the title already.
  const withStreet = new Set(tiles.map((t) => t.streetId)).size > 1;
  pages = [];
  for (let i = 0; i < tiles.length; i += perPage) {
    const page = h('ul', { class: 'tiles screen-page' }, ...tiles.slice(i, i + perPage).map((t) => tile(t, open, withStreet)));
    page.style.gridTemplateColumns = `repeat(${columns}, minmax(0, 1fr))`;
    page.style.gridAutoRows = `${rowHeight}px`;
    pages.push(page);
  }
  fill(grid, ...pages);
  showPage(current);
}

function tickerItem(o: DashboardData['overdue']['items'][number]): HTMLElement {
  return h(
    'span',
    { class: 'ticker-item' },
    h('span', { class: 'late-kind' }, o.kindLabel),
    ` ${o.no ? `#${o.no} ` : ''}${o.title} · ${o.courtyardName}（${o.streetName}）· `,
    h('b', { class: 'late-days' }, o.daysLate > 0 ? `逾期 ${o.daysLate} 天` : '今日到期未完成'),
    o.responsible.length ? ` · 责任人：${o.responsible.join('、')}` : '',
  );
}

/** The overdue items running right to left along the bottom, in a loop (two copies, the second hidden from screen readers). */
function renderTicker(overdue: DashboardData['overdue']): void {
  const ticker = byId('ticker');
  const label = h('strong', { class: 'ticker-label' }, overdue.total ? `逾期事项 ${overdue.total} 项` : '逾期事项');
  if (overdue.items.length === 0) {
    fill(ticker, label, h('div', { class: 'ticker-window' }, h('span', { class: 'ticker-item ticker-calm' }, '没有逾期事项 👍')));
    return;
  }
  const items = overdue.items.slice(0, TICKER_ITEMS);
  const more = overdue.total > items.length ? `另有 ${overdue.total - items.length} 项，详见看板` : '';
  const run = () => [...items.map(tickerItem), more ? h('span', { class: 'ticker-item' }, more) : null];
  const track = h('div', { class: 'ticker-track' }, h('span', { class: 'ticker-run' }, ...run()), h('span', { class: 'ticker-run', 'aria-hidden': 'true' }, ...run()));
  fill(ticker, label, h('div', { class: 'ticker-window' }, track));
  // One run's width (the track holds two) at a reading pace.
  track.style.animationDuration = `${Math.max(20, Math.round(track.scrollWidth / 2 / TICKER_PX_PER_S))}s`;
}

/** Draws the 大屏's own parts: the pages of tiles and the ticker (the rest is the page's). */
export function renderScreen(d: DashboardData, open: (id: string) => void): void {
  renderPages(d.courtyards, open);
  renderTicker(d.overdue);
}
