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

it('shares one scope’s figures for a minute, then computes them afresh', async () => {
  let clock = NOW;
  const router = createDashboardRouter({
    models: d.models,
    config: { dashboardSecret: SECRET, scoreWeights: DEFAULT_SCORE_WEIGHTS },
    log: silentLogger,
    calendar: createCalendar(),
    now: () => clock,
    prepareAtStart: false,
  });
  const http = request(createApp({ log: silentLogger, engine: 'test', pingDb: async () => {}, routers: [router] }).callback());
  const token = tokenFor({ kind: 'courtyard', courtyardId: d.seed.jianshe });
  const score = async () => ((await http.get('/dashboard/api/data').query({ t: token })).body as DashboardData).summary.score;

  // 建设院 scores 33.3 (ranking.test.ts); giving it a new project at 100% raises its progress part.
  expect(await score()).toBe(33.3);
  await d.models.Project.create({ no: 99, courtyard: d.seed.jianshe, street: d.seed.jiyuan, category: '工程', title: '新项目', percent: 100, createdAt: NOW });
  clock = new Date(NOW.getTime() + 59_000);
  expect(await score()).toBe(33.3);
  clock = new Date(NOW.getTime() + 61_000);
  expect(await score()).toBeGreaterThan(33.3);
});
