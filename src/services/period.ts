/**
 * Reporting periods in Beijing time: weeks (Monday 00:00 to the next Monday 00:00) and
 * calendar months, each `[start, end)`.
 */
import { tz } from '@date-fns/tz';
import { addMonths } from 'date-fns';
import { TIME_ZONE } from '../config';
import { addBeijingDays, beijingParts, startOfBeijingMonth, startOfBeijingWeek } from './beijing-time';

/** `[start, end)` in Beijing time; `label` is how chat and the table name it. */
export interface Period {
  start: Date;
  end: Date;
  label: string;
  /** Set by weekPeriod / monthPeriod; a hand-made period without it is taken by its length. */
  kind?: 'week' | 'month';
}

const inBeijing = { in: tz(TIME_ZONE) };

function dayLabel(d: Date, withYear: boolean): string {
  const { year, month, day } = beijingParts(d);
  return `${withYear ? `${year}年` : ''}${month}月${day}日`;
}

/** '2020年9月21日–9月27日'; the year is repeated only when the week crosses New Year. */
function weekLabel(start: Date): string {
  const last = addBeijingDays(start, 6);
  const crossesYear = beijingParts(last).year !== beijingParts(start).year;
  return `${dayLabel(start, true)}–${dayLabel(last, crossesYear)}`;
}

/** The week (Monday to Sunday, Beijing time) of `at`; `offsetWeeks` -1 is last week. */
export function weekPeriod(at: Date, offsetWeeks = 0): Period {
  const start = addBeijingDays(startOfBeijingWeek(at), 7 * offsetWeeks);
  return { start, end: addBeijingDays(start, 7), label: weekLabel(start), kind: 'week' };
}

/** The calendar month (Beijing time) of `at`; `offsetMonths` -1 is last month. */
export function monthPeriod(at: Date, offsetMonths = 0): Period {
  const start = new Date(addMonths(startOfBeijingMonth(at), offsetMonths, inBeijing).getTime());
  const end = new Date(addMonths(start, 1, inBeijing).getTime());
  const { year, month } = beijingParts(start);
  return { start, end, label: `${year}年${month}月`, kind: 'month' };
}

function isMonth(p: Period): boolean {
  if (p.kind) return p.kind === 'month';
  const m = monthPeriod(p.start);
  return m.start.getTime() === p.start.getTime() && m.end.getTime() === p.end.getTime();
}

/** The period just before `p`: last week, last month, or else one of the same length. */
export function previousPeriod(p: Period): Period {
  if (isMonth(p)) return monthPeriod(p.start, -1);
  if (p.kind === 'week' || p.end.getTime() - p.start.getTime() === 7 * 86_400_000) {
    const week = weekPeriod(p.start, -1);
    if (week.end.getTime() === p.start.getTime()) return week;
  }
  const length = p.end.getTime() - p.start.getTime();
  return { start: new Date(p.start.getTime() - length), end: p.start, label: `${p.label}（上期）` };
}

/**
 * The Mondays of the weeks that belong to `p`: the Monday-to-Sunday weeks that end in it
 * (their Sunday is in `p`), so that each week belongs to one month and a month's weeks are
 * all over when the month is. A week period owns itself.
 */
export function weeksOf(p: Period): Date[] {
  const mondays: Date[] = [];
  for (let monday = startOfBeijingWeek(p.start); addBeijingDays(monday, 7) <= p.end; monday = addBeijingDays(monday, 7)) {
    mondays.push(monday);
  }
  return mondays;
}

/** '9月21日–27日' (a week; '9月28日–10月4日' across months), '9月' (a month): how charts and tables name a period. */
export function shortLabel(p: Period): string {
  const { month, day } = beijingParts(p.start);
  if (isMonth(p)) return `${month}月`;
  const last = beijingParts(addBeijingDays(p.end, -1));
  return `${month}月${day}日–${last.month === month ? '' : `${last.month}月`}${last.day}日`;
}
