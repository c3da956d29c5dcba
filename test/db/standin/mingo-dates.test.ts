import { aggregator } from '../../../src/db/standin/mingo';

/** Evaluates one expression against `{ d }` through the stand-in's mingo context. */
function evaluate(expr: unknown, d: Date): unknown {
  return (aggregator([{ $project: { _id: 0, v: expr } }]).run([{ d }])[0] as { v: unknown }).v;
}

const TZ = 'Asia/Shanghai';

describe('date operators as MongoDB computes them', () => {
  // 2024-03-10T17:30Z is Monday 11 March, 01:30 in Beijing.
  const lateSunday = new Date('2024-03-10T17:30:00Z');

  it('$dateTrunc truncates in the given time zone', () => {
    expect(evaluate({ $dateTrunc: { date: '$d', unit: 'day', timezone: TZ } }, lateSunday)).toEqual(new Date('2024-03-10T16:00:00Z'));
    expect(evaluate({ $dateTrunc: { date: '$d', unit: 'week', timezone: TZ, startOfWeek: 'monday' } }, lateSunday)).toEqual(new Date('2024-03-10T16:00:00Z'));
    expect(evaluate({ $dateTrunc: { date: '$d', unit: 'week', timezone: TZ } }, lateSunday)).toEqual(new Date('2024-03-09T16:00:00Z'));
    expect(evaluate({ $dateTrunc: { date: '$d', unit: 'month', timezone: TZ } }, new Date('2024-02-29T16:30:00Z'))).toEqual(new Date('2024-02-29T16:00:00Z'));
    expect(evaluate({ $dateTrunc: { date: '$d', unit: 'hour', binSize: 6, timezone: TZ } }, lateSunday)).toEqual(new Date('2024-03-10T16:00:00Z'));
    expect(evaluate({ $dateTrunc: { date: '$d', unit: 'day' } }, lateSunday)).toEqual(new Date('2024-03-10T00:00:00Z'));
  });

  it('ISO week-numbering year and week across New Year', () => {
    // Beijing 2024-12-30 is in 2025-W01; Beijing 2021-01-01 (Friday) is in 2020-W53.
    const dec30 = new Date('2024-12-30T04:00:00Z');
    const jan1 = new Date('2020-12-31T20:00:00Z');
    expect(evaluate({ $isoWeekYear: { date: '$d', timezone: TZ } }, dec30)).toBe(2025);
    expect(evaluate({ $isoWeek: { date: '$d', timezone: TZ } }, dec30)).toBe(1);
    expect(evaluate({ $dateToString: { date: '$d', format: '%G-W%V-%u', timezone: TZ } }, jan1)).toBe('2020-W53-5');
    expect(evaluate({ $dateToString: { date: '$d', format: '%Y-%m-%d %%G', timezone: TZ } }, jan1)).toBe('2021-01-01 %G');
  });

  it('$week counts Sunday-started weeks from the first Sunday (week 0 before it)', () => {
    expect(evaluate({ $week: '$d' }, new Date('2024-01-06T12:00:00Z'))).toBe(0);
    expect(evaluate({ $week: '$d' }, new Date('2024-01-07T12:00:00Z'))).toBe(1);
    expect(evaluate({ $week: '$d' }, new Date('2023-01-01T12:00:00Z'))).toBe(1);
    expect(evaluate({ $dateToString: { date: '$d', format: '%U', timezone: TZ } }, new Date('2024-03-10T17:00:00Z'))).toBe('10');
  });
});
