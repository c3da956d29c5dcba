/**
 * The dashboard page (挂图作战). Reads its signed token from the address (`?t=…`), fetches
 * the overview from the app (never from anywhere else) and draws it; `&mode=screen` is the
 * 大屏 mode (screen.mts), which refreshes itself every few minutes.
 */
import './styles.css';
import type { CourtyardCard, DashboardData } from '../types.js';
import { closeCard, showCard, showCardMessage } from './card.mjs';
import { prepareChart, renderChart, resizeChart } from './chart.mjs';
import { byId, fill, h } from './dom.mjs';
import { beijingTime, change, score } from './format.mjs';
import { renderGrid, renderLegend } from './grid.mjs';
import { renderOverdue } from './overdue.mjs';
import { renderScreen, screenChart, setupScreen } from './screen.mjs';
import { renderWeeklyTable } from './table.mjs';

/** How often the 大屏 mode fetches fresh figures. */
const SCREEN_REFRESH_MS = 5 * 60_000;

const params = new URLSearchParams(location.search);
const token = params.get('t') ?? '';
const screen = params.get('mode') === 'screen';
let data: DashboardData | undefined;

class Refused extends Error {}

/** GETs JSON from the app, relative to the page (works under a path prefix too). */
async function getJson<T>(path: string): Promise<T> {
  const sep = path.includes('?') ? '&' : '?';
  // Default mode and credentials: the page preloads the overview with the same URL, and only an identical request picks it up. The API answers no-store, so nothing is cached.
  const res = await fetch(`${path}${sep}t=${encodeURIComponent(token)}`);
  if (res.status === 403) throw new Refused();
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return (await res.json()) as T;
}

function showProblem(err: unknown): void {
  const text = err instanceof Refused ? '链接无效或已过期。请在工作群里发送 /看板 获取新链接。' : '暂时无法获取数据，请稍后刷新。';
  fill(byId('status'), text);
  byId('status').hidden = false;
}

async function openCourtyard(id: string): Promise<void> {
  showCardMessage('加载中…');
  try {
    const card = await getJson<CourtyardCard>(`dashboard/api/courtyard/${encodeURIComponent(id)}`);
    showCard(card, data?.parts ?? []);
  } catch (err) {
    showCardMessage(err instanceof Refused ? '无权查看这个楼院，或链接已过期。' : '暂时无法获取这个楼院的数据。');
  }
}

function drawChart(d: DashboardData): void {
  const shown = screen ? screenChart(d.chart.rows) : { rows: d.chart.rows, height: undefined };
  renderChart(byId('chart'), byId<HTMLTableElement>('chart-table'), shown.rows, { large: screen, height: shown.height, names: { current: d.chart.currentLabel, previous: d.chart.previousLabel } });
}

function render(d: DashboardData): void {
  performance.mark('lyt:data');
  byId('status').hidden = true;
  fill(byId('scope-label'), d.scope.label);
  document.title = `挂图作战 · ${d.scope.label}`;
  fill(byId('meta'), `${d.period.label} · 更新于 ${beijingTime(d.generatedAt)}${screen ? ' · 每 5 分钟自动刷新' : ''} · 链接有效至 ${d.linkExpires.replace(/-/g, '/')}`);
  const s = d.summary;
  const before = s.previousScore !== undefined ? `${d.period.previousLabel} ${score(s.previousScore)} ${change(s.score, s.previousScore)}` : d.period.published ? '首次发布' : '';
  fill(
    byId('summary'),
    h('div', { class: 'kpi' }, h('span', { class: 'kpi-label' }, `综合得分 · ${d.period.label}`), h('strong', { class: 'kpi-value', id: 'headline-score' }, d.period.published ? score(s.score) : '—'), h('span', { class: 'kpi-note' }, before)),
    s.rank ? h('div', { class: 'kpi' }, h('span', { class: 'kpi-label' }, `${s.peers ?? ''}排名`), h('strong', { class: 'kpi-value', id: 'headline-rank' }, `${s.rank}`), h('span', { class: 'kpi-note' }, `共 ${s.of}${s.change ? ` · ${s.change}` : ''}`)) : null,
    h('div', { class: 'kpi running' }, h('span', { class: 'kpi-label' }, d.running.label), h('span', { class: 'kpi-note' }, d.running.parts.map((p) => `${p.label} ${p.text}`).join(' · '))),
    h('div', { class: 'kpi' }, h('span', { class: 'kpi-label' }, '楼院'), h('strong', { class: 'kpi-value' }, d.courtyards.length)),
    h('div', { class: d.overdue.total ? 'kpi warn' : 'kpi' }, h('span', { class: 'kpi-label' }, '逾期事项'), h('strong', { class: 'kpi-value' }, d.overdue.total)),
  );
  fill(byId('chart-title'), `${d.chart.title}（${d.chart.currentLabel} / ${d.chart.previousLabel}）`);
  drawChart(d);
  performance.mark('lyt:chart');
  if (screen) renderScreen(d, (id) => void openCourtyard(id));
  else renderGrid(byId('grid'), d.courtyards, (id) => void openCourtyard(id));
  performance.mark('lyt:grid');
  renderOverdue(byId('overdue'), byId('overdue-count'), d.overdue, (id) => void openCourtyard(id));
  renderWeeklyTable(byId<HTMLTableElement>('weekly-table'), d);
  fill(byId('print-title'), `楼院通 · 每周进度表 · ${d.scope.label} · ${d.period.label} · 打印于 ${beijingTime(new Date().toISOString())}`);
  performance.mark('lyt:drawn');
  document.body.dataset.ready = 'true';
}

/**
 * Resolves once the fonts the page's text needs are in (3 s at most): ECharts measures its
 * labels when it draws, so the served CJK font (styles.css) must be there first where the
 * device has none of its own. Laying the page out is what starts that download.
 */
function fontsSettled(): Promise<unknown> {
  void document.body.offsetHeight;
  return Promise.race([document.fonts.ready, new Promise((resolve) => setTimeout(resolve, 3000))]);
}

async function load(): Promise<void> {
  try {
    const [fresh] = await Promise.all([getJson<DashboardData>('dashboard/api/data'), fontsSettled()]);
    data = fresh;
    render(data);
    // `/项目 详情` links straight to a courtyard's card (its photos are on the timeline).
    const courtyard = params.get('courtyard');
    if (courtyard && !screen) await openCourtyard(courtyard);
  } catch (err) {
    showProblem(err);
  }
}

function start(): void {
  // Marks the bench reads to split a load into its parts (bench/dashboard-load.ts).
  performance.mark('lyt:script');
  if (screen) setupScreen(params);
  renderLegend(byId('legend'));
  byId('print').addEventListener('click', () => window.print());
  byId('card-close').addEventListener('click', closeCard);
  byId('card').addEventListener('click', (e) => {
    if (e.target === e.currentTarget) closeCard();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') closeCard();
  });
  // The weekly table folds away on screen; printing always shows it whole.
  window.addEventListener('beforeprint', () => {
    (byId('weekly') as HTMLDetailsElement).open = true;
  });
  window.addEventListener('resize', resizeChart);
  // A font that came in after the chart was drawn (a slow network): draw it again with the font's measures.
  document.fonts.addEventListener('loadingdone', () => {
    if (data) drawChart(data);
  });
  void load();
  prepareChart(byId('chart'), { large: screen });
  if (screen) window.setInterval(() => void load(), SCREEN_REFRESH_MS);
}

start();
