/**
 * The dashboard on the two-week seed of test/services/ranking-seed.ts, served by the real
 * Koa app (never listening: `app.callback()`), with a fake clock and signed links.
 */
import { createHash } from 'node:crypto';
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

/** The _id of the group bound to `scope` that {@link bindGroups} creates: derived, so tokens can be signed without a lookup. */
function groupIdFor(scope: DashboardScope): string {
  const key = scope.kind === 'district' ? 'district' : scope.kind === 'street' ? `street:${scope.streetId}` : `courtyard:${scope.courtyardId}`;
  return createHash('sha1').update(key).digest('hex').slice(0, 24);
}

/** A token for `scope`, issued in the group bound to it, valid for `validMs` from NOW (negative: already expired). */
export function tokenFor(scope: DashboardScope, validMs = 7 * 86_400_000): string {
  return signDashboardToken(SECRET, scope, { groupId: groupIdFor(scope), generation: 0 }, new Date(NOW.getTime() + validMs));
}

/** A group bound to the district, to each street and to each courtyard: links are issued in a group and checked against it. */
export async function bindGroups(models: Models): Promise<void> {
  const scopes: DashboardScope[] = [
    { kind: 'district' },
    ...(await models.Street.find({}, { _id: 1 })).map((s) => ({ kind: 'street' as const, streetId: String(s._id) })),
    ...(await models.Courtyard.find({}, { _id: 1 })).map((c) => ({ kind: 'courtyard' as const, courtyardId: String(c._id) })),
  ];
  await models.Group.insertMany(
    scopes.map((scope) => ({
      _id: groupIdFor(scope),
      chatId: `grp-${groupIdFor(scope)}`,
      scope: scope.kind === 'district' ? { kind: 'district' } : { kind: scope.kind, refId: scope.kind === 'street' ? scope.streetId : scope.courtyardId },
      purpose: scope.kind === 'district' ? 'leadership' : 'work',
    })),
  );
}

export async function seededDashboard(opts: { prepareAtStart?: boolean } = {}): Promise<SeededDashboard> {
  const db = await openTestDb();
  const models = createModels(db.conn);
  await syncIndexes(models);
  const calendar = createCalendar();
  const seed = await seedTwoWeeks(models, calendar);
  await bindGroups(models);
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
