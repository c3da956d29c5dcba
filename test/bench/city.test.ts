import { CITY_NOW, FULL_CITY, cityActivity, cityRoster, scaleCity, type CityBatch, type CityPlan } from '../../bench/city';

const small = scaleCity(FULL_CITY, 0.002);
const plan = (seed: number): CityPlan => ({ seed, size: small, batchSize: 500 });
const all = (batches: Iterable<CityBatch>) => [...batches];
const count = (batches: CityBatch[], model: CityBatch['model']) => batches.filter((b) => b.model === model).reduce((n, b) => n + b.docs.length, 0);
const WEEK_MS = 7 * 86_400_000;

describe('the synthetic city', () => {
  it('is the same city for the same seed, and another city for another seed', () => {
    const a = JSON.stringify([...all(cityRoster(plan(7))), ...all(cityActivity(plan(7), { endWeeksAgo: 0, weeks: 2, slice: 0 }))]);
    const b = JSON.stringify([...all(cityRoster(plan(7))), ...all(cityActivity(plan(7), { endWeeksAgo: 0, weeks: 2, slice: 0 }))]);
    const c = JSON.stringify([...all(cityRoster(plan(8))), ...all(cityActivity(plan(8), { endWeeksAgo: 0, weeks: 2, slice: 0 }))]);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('has the size it was asked for, history included', () => {
    const roster = all(cityRoster(plan(1)));
    expect(count(roster, 'Street')).toBe(small.streets);
    expect(count(roster, 'Courtyard')).toBe(small.courtyards);
    expect(count(roster, 'Cadre')).toBe(small.cadres);
    expect(count(roster, 'Project')).toBe(small.projects);
    const history = all(cityActivity(plan(1), { endWeeksAgo: 0, weeks: small.historyWeeks, slice: 0 }));
    expect(count(history, 'ProgressReport')).toBe(small.progressReports);
    expect(count(history, 'ResidentRequest')).toBe(small.requests);
    expect(count(history, 'Visit')).toBeGreaterThan(0);
  });

  it('puts older history before the base history, under ids of its own', () => {
    const base = all(cityActivity(plan(1), { endWeeksAgo: 0, weeks: small.historyWeeks, slice: 0 }));
    const older = all(cityActivity(plan(1), { endWeeksAgo: small.historyWeeks, weeks: small.historyWeeks, slice: 1 }));
    const baseStart = CITY_NOW.getTime() - small.historyWeeks * WEEK_MS;
    const reportTimes = (bs: CityBatch[]) => bs.filter((b) => b.model === 'ProgressReport').flatMap((b) => b.docs.map((d) => (d.at as Date).getTime()));
    expect(Math.min(...reportTimes(base))).toBeGreaterThanOrEqual(baseStart);
    expect(Math.max(...reportTimes(base))).toBeLessThan(CITY_NOW.getTime());
    expect(Math.max(...reportTimes(older))).toBeLessThan(baseStart);
    const ids = new Set([...base, ...older].flatMap((b) => b.docs.map((d) => `${b.model}:${String(d._id)}`)));
    expect(ids.size).toBe([...base, ...older].reduce((n, b) => n + b.docs.length, 0));
  });

  it('gives every project, report, request and visit a courtyard of the city and that courtyard\'s street', () => {
    const roster = all(cityRoster(plan(3)));
    const streetOf = new Map(roster.filter((b) => b.model === 'Courtyard').flatMap((b) => b.docs.map((d) => [String(d._id), String(d.street)] as const)));
    const activity = all(cityActivity(plan(3), { endWeeksAgo: 0, weeks: 2, slice: 0 }));
    for (const b of [...roster.filter((x) => x.model === 'Project'), ...activity]) {
      for (const d of b.docs) expect(String(d.street)).toBe(streetOf.get(String(d.courtyard)));
    }
  });
});
