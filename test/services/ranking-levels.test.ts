import { createModels, syncIndexes, type Models } from '../../src/db/models';
import { createCalendar } from '../../src/services/calendar';
import { computeRanking, computeRankings, weekPeriod } from '../../src/services/ranking';
import { openTestDb, type TestDb } from '../helpers/db';
import { seedTwoWeeks, bj } from './ranking-seed';

const calendar = createCalendar();
const now = bj('2020-09-28 09:00');
const period = weekPeriod(now, -1);

let db: TestDb;
let models: Models;

beforeAll(async () => {
  db = await openTestDb();
  models = createModels(db.conn);
  await syncIndexes(models);
  await seedTwoWeeks(models, calendar);
});
afterAll(() => db.close());

describe('computeRankings (several levels from one pass, as the dashboard asks)', () => {
  it('gives each level the rows computeRanking gives it, for the default and configured weights', async () => {
    for (const weights of [undefined, { progress: 0, onTime: 0, requests: 0, visits: 0, orgs: 1 }]) {
      const both = await computeRankings(models, { levels: ['courtyard', 'street', 'cadre'], period, calendar, now, weights });
      for (const level of ['courtyard', 'street', 'cadre'] as const) {
        const alone = await computeRanking(models, { level, period, calendar, now, weights });
        expect(alone.length).toBeGreaterThan(1);
        expect(both[level]).toEqual(alone);
      }
    }
  });
});
