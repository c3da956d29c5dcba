import request from 'supertest';
import { createDashboardRouter } from '../../src/dashboard/router';
import type { DashboardData } from '../../src/dashboard/types';
import { createApp } from '../../src/http/app';
import { silentLogger } from '../../src/log';
import { createCalendar } from '../../src/services/calendar';
import { DEFAULT_SCORE_WEIGHTS } from '../../src/services/score';
import { NOW, SECRET, seededDashboard, tokenFor, type SeededDashboard } from './seeded-app';

let d: SeededDashboard;
beforeAll(async () => {
  d = await seededDashboard();
});
afterAll(() => d.close());

function dashboard(clock: () => Date, opts: { keepDistrictFresh?: boolean } = {}) {
  const router = createDashboardRouter({
    models: d.models,
    config: { dashboardSecret: SECRET, scoreWeights: DEFAULT_SCORE_WEIGHTS },
    log: silentLogger,
    calendar: createCalendar(),
    now: clock,
    prepareAtStart: false,
    ...opts,
  });
  return request(createApp({ log: silentLogger, engine: 'test', pingDb: async () => {}, routers: [router] }).callback());
}

/** 建设院's running week has 项目进度 100 (its one project, done); a new project at 0 % halves it. */
async function addAProject(): Promise<void> {
  await d.models.Project.create({ no: 99, courtyard: d.seed.jianshe, street: d.seed.jiyuan, category: '工程', title: '新项目', percent: 0, createdAt: NOW });
}
const progress = (data: DashboardData) => data.running.parts.find((p) => p.key === 'progress')!.text;

it('shares a scope’s figures for a minute; later shows them at once while computing new ones, and after 10 minutes waits for new ones', async () => {
  let clock = NOW;
  const http = dashboard(() => clock);
  const token = tokenFor({ kind: 'courtyard', courtyardId: d.seed.jianshe });
  const data = async () => (await http.get('/dashboard/api/data').query({ t: token })).body as DashboardData;

  expect(progress(await data())).toBe('100.0');
  await addAProject();
  clock = new Date(NOW.getTime() + 59_000);
  expect(progress(await data())).toBe('100.0');

  // Older than a minute: the old figures (saying when they were computed), and new ones for the next visitor.
  clock = new Date(NOW.getTime() + 61_000);
  const stale = await data();
  expect(progress(stale)).toBe('100.0');
  expect(stale.generatedAt).toBe(NOW.toISOString());
  let next = stale;
  for (let i = 0; i < 50 && progress(next) === '100.0'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    next = await data();
  }
  expect(progress(next)).toBe('50.0');
  expect(next.generatedAt).toBe(clock.toISOString());

  // Nobody looked for over 10 minutes: this visitor waits for figures of now (更新于 now).
  clock = new Date(clock.getTime() + 601_000);
  expect((await data()).generatedAt).toBe(clock.toISOString());
});

it('keeps the district’s figures computed from the start when asked to', async () => {
  const start = new Date(NOW.getTime() + 3_600_000);
  let clock = start;
  const http = dashboard(() => clock, { keepDistrictFresh: true });
  const token = tokenFor({ kind: 'district' });
  // Half a minute later, the first request gets the figures computed at start.
  clock = new Date(start.getTime() + 30_000);
  const first = (await http.get('/dashboard/api/data').query({ t: token })).body as DashboardData;
  expect(first.generatedAt).toBe(start.toISOString());
  expect(first.courtyards.length).toBeGreaterThan(0);
});

it('shows a street its published place among the streets, as the district overview does', async () => {
  const district = tokenFor({ kind: 'district' });
  const street = tokenFor({ kind: 'street', streetId: d.seed.jiyuan });
  const alone = (await dashboard(() => NOW).get('/dashboard/api/data').query({ t: street })).body as DashboardData;

  const http = dashboard(() => NOW);
  const overview = (await http.get('/dashboard/api/data').query({ t: district })).body as DashboardData;
  const after = (await http.get('/dashboard/api/data').query({ t: street })).body as DashboardData;
  const row = overview.chart.rows.find((r) => r.id === String(d.seed.jiyuan))!;
  expect(after.summary).toMatchObject({ score: row.score, rank: row.rank, of: overview.chart.rows.length, peers: '全区街道', change: row.change });
  expect(after.summary).toEqual(alone.summary);
  expect(after.courtyards).toEqual(alone.courtyards);
});
