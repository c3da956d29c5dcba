/**
 * The dashboard on the two-week seed of test/services/ranking-seed.ts, served by the real
 * Koa app (never listening: `app.callback()`), with a fake clock and signed links.
 */
import type Koa from 'koa';
import { createModels, syncIndexes, type Models } from '../../src/db/models';
import { signDashboardToken, type DashboardScope } from '../../src/dashboard/link';
import { createDashboardRouter } from '../../src/dashboard/router';
import { createApp } from '../../src/http/app';
import { silentLogger } from '../../src/log';
import { createCalendar, type WorkingCalendar } from '../../src/services/calendar';
import { weekPeriod } from '../../src/services/period';
import { DEFAULT_SCORE_WEIGHTS } from '../../src/services/score';
import { publishPeriod } from '../../src/services/snapshots';
import { openTestDb, type TestDb } from '../helpers/db';
import { bj, seedTwoWeeks, type Seeded } from '../services/ranking-seed';

export const SECRET = 'dashboard-test-secret-0123456789abcdef';

/**
 * Sunday 2020-09-27 20:00, the last evening of the seed's second week: the week 09-14…20 was
 * published on Monday 09-21 at 09:00 (the headline), the week 09-21…27 is running; both
 * weeks' figures are worked out by hand in test/services/ranking.test.ts.
 */
export const NOW = bj('2020-09-27 20:00');

export interface SeededDashboard {
  app: Koa;
  models: Models;
  db: TestDb;
  seed: Seeded;
  /** A token for `scope` valid for `validMs` from NOW (negative: already expired). */
  token(scope: DashboardScope, validMs?: number): string;
  close(): Promise<void>;
}

/** The app with only the dashboard router, on `models`, at {@link NOW}, with links signed by {@link SECRET}. */
export function dashboardApp(models: Models, calendar: WorkingCalendar, opts: { prepareAtStart?: boolean; cacheMs?: number } = {}): Koa {
  const router = createDashboardRouter({
    models,
    config: { dashboardSecret: SECRET, scoreWeights: DEFAULT_SCORE_WEIGHTS },
    log: silentLogger,
    calendar,
    now: () => NOW,
    prepareAtStart: opts.prepareAtStart ?? false,
    cacheMs: opts.cacheMs,
  });
  return createApp({ log: silentLogger, engine: 'test', pingDb: async () => {}, routers: [router] });
}

/** A token for `scope` valid for `validMs` from NOW (negative: already expired). */
export function tokenFor(scope: DashboardScope, validMs = 7 * 86_400_000): string {
  return signDashboardToken(SECRET, scope, new Date(NOW.getTime() + validMs));
}

export async function seededDashboard(opts: { prepareAtStart?: boolean } = {}): Promise<SeededDashboard> {
  const db = await openTestDb();
  const models = createModels(db.conn);
  await syncIndexes(models);
  const calendar = createCalendar();
  const seed = await seedTwoWeeks(models, calendar);
  await publishPeriod(models, { period: weekPeriod(bj('2020-09-21 09:00'), -1), now: bj('2020-09-21 09:00'), by: 'weekly-ranking' });
  const app = dashboardApp(models, calendar, opts);
  return {
    app,
    models,
    db,
    seed,
    token: tokenFor,
    close: () => db.close(),
  };
}
