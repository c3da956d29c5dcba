/**
 * Mainland China's working-day calendar, in Beijing time (Asia/Shanghai) whatever the
 * machine's time zone.
 *
 * Shipped data: `calendar-cn.json` beside this file, 2020 through 2026, each year
 * transcribed from the State Council General Office notice it names
 * (国务院办公厅关于YYYY年部分节假日安排的通知).
 *
 * Override: `DATA_DIR/holidays.json`, same format, adds years not shipped or replaces
 * shipped ones (a year given there replaces that whole year). Add a year when its notice
 * comes out (usually in November of the year before):
 *
 * ```json
 * {
 *   "years": {
 *     "2027": {
 *       "sources": ["国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕N号）"],
 *       "holidays": [{ "name": "元旦", "from": "2027-01-01", "to": "2027-01-03" }],
 *       "workdays": ["2027-01-04"]
 *     }
 *   }
 * }
 * ```
 * - `holidays`: inclusive `from`…`to` ranges of days off (weekend days inside included);
 * - `workdays`: weekend days that are working days (调休上班);
 * - every other day is a working day Monday to Friday and a rest day on weekends.
 * A year in neither file falls back to Monday–Friday, with one warning naming the file;
 * from 1 December district admins are told when next year is missing
 * ({@link missingHolidayYears}: their /查询 and the 节假日数据提醒 push).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { tz } from '@date-fns/tz';
import { addDays, format, getDay, getHours, isBefore, set, startOfDay } from 'date-fns';
import { z } from 'zod';
import { TIME_ZONE } from '../config';
import { silentLogger, type Logger } from '../log';
import shipped from './calendar-cn.json';

/** The override file's name inside DATA_DIR. */
export const HOLIDAYS_FILE = 'holidays.json';

const inBeijing = { in: tz(TIME_ZONE) };

const dayString = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .refine((s) => new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'is not a real date');

const yearSchema = z
  .object({
    sources: z.array(z.string().min(1)).min(1, 'name the notice the dates come from'),
    notes: z.array(z.string()).optional(),
    holidays: z.array(
      z
        .object({ name: z.string().min(1), from: dayString, to: dayString })
        .refine((h) => h.from <= h.to, 'from must not be after to'),
    ),
    workdays: z.array(dayString),
  })
  .strict();

const calendarFileSchema = z.object({
  about: z.string().optional(),
  years: z.record(z.string().regex(/^\d{4}$/, 'year keys are four digits, e.g. "2027"'), yearSchema),
});

/** One year of official holidays and adjusted working days. */
export type CalendarYear = z.infer<typeof yearSchema>;

/** Hours of the day during which pushes may go out: `from` inclusive, `to` exclusive. */
export interface DayWindow {
  /** First allowed hour, e.g. 8 for 08:00. */
  from: number;
  /** First hour no longer allowed, e.g. 21: 21:00 is already night. */
  to: number;
}

/** Working-day arithmetic in Beijing time; see {@link createCalendar}. */
export interface WorkingCalendar {
  /** `'2020-09-30'`: the Beijing calendar day of an instant. */
  dayKey(date: Date): string;
  /** Whether the Beijing day of `date` is a working day (official holidays and 调休 applied). */
  isWorkingDay(date: Date): boolean;
  /**
   * The same Beijing time of day on the `n`-th working day after the day of `from` (before
   * it when `n` is negative). The day of `from` itself never counts, working or not:
   * `addWorkingDays(Wed 2020-09-30 15:00, 2)` is `Sat 2020-10-10 15:00`, the holidays
   * 10-01…10-08 skipped. `n = 0` returns `from`.
   */
  addWorkingDays(from: Date, n: number): Date;
  /**
   * Working days after the day of `a` up to and including the day of `b`, negative when
   * `b` is earlier: `workingDaysBetween(t, addWorkingDays(t, n)) === n`.
   */
  workingDaysBetween(a: Date, b: Date): number;
  /**
   * The deadline of something that must be done "within `n` working days" (诉求 feedback:
   * 2个工作日内) of `loggedAt`: the last millisecond (23:59:59.999 Beijing time) of the
   * `n`-th working day after the day it was logged. Logged on a non-working day, it counts
   * as logged on the next working day. Overdue when `now > due`.
   * Logged Wed 2020-09-30 → due 2020-10-10 23:59:59.999 (the adjusted working Saturday);
   * logged Sat 2020-10-03 (holiday) → counts from Fri 10-09 → due Mon 10-12 23:59:59.999.
   */
  dueAfterWorkingDays(loggedAt: Date, n: number): Date;
  /**
   * The first instant at or after `at` that is on a working day with a Beijing hour in
   * [`window.from`, `window.to`): where a push that falls due at night or on a day off waits.
   */
  nextWorkingMoment(at: Date, window: DayWindow): Date;
  /** Whether the official holidays and adjusted working days of `year` are known (shipped or in holidays.json). */
  covers(year: number): boolean;
}

/**
 * The years whose official calendar an admin must add now: this year when it is missing,
 * and from 1 December (Beijing time) next year when it is missing — the State Council
 * publishes it around November, and deadlines and pushes of January depend on it.
 */
export function missingHolidayYears(calendar: Pick<WorkingCalendar, 'covers'>, now: Date): number[] {
  const [year, month] = format(now, 'yyyy M', inBeijing).split(' ').map(Number) as [number, number];
  return [year, ...(month === 12 ? [year + 1] : [])].filter((y) => !calendar.covers(y));
}

export interface CalendarOptions {
  /** Where `holidays.json` may add or replace years; none read when absent. */
  dataDir?: string;
  log?: Logger;
}

/** Checks calendar data; throws saying which file and which entries are wrong. */
function checkCalendarData(json: unknown, file: string): Record<string, CalendarYear> {
  const parsed = calendarFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(file)'}: ${i.message}`).join('\n');
    throw new Error(`${file} has the wrong format:\n${problems}\nSee the format at the top of src/services/calendar.ts`);
  }
  return parsed.data.years;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${(err as Error).message}); see the format at the top of src/services/calendar.ts`, { cause: err });
  }
}

function eachDay(from: string, to: string): string[] {
  const days: string[] = [];
  // Plain calendar-day arithmetic on the date strings: UTC has no daylight saving to trip on.
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/**
 * Builds the calendar from the shipped data plus `dataDir/holidays.json` if present.
 * A malformed override file throws at once (better at start-up than a wrong deadline later).
 */
export function createCalendar(options: CalendarOptions = {}): WorkingCalendar {
  const log = options.log ?? silentLogger;
  const years = { ...checkCalendarData(shipped, 'src/services/calendar-cn.json') };
  const overrideFile = options.dataDir ? path.join(options.dataDir, HOLIDAYS_FILE) : undefined;
  if (overrideFile && existsSync(overrideFile)) {
    const overrides = checkCalendarData(readJson(overrideFile), overrideFile);
    Object.assign(years, overrides);
    log.info({ file: overrideFile, years: Object.keys(overrides) }, 'holiday calendar: years added or replaced from override file');
  }

  const offDays = new Set<string>();
  const adjustedWorkdays = new Set<string>();
  for (const year of Object.values(years)) {
    for (const h of year.holidays) for (const day of eachDay(h.from, h.to)) offDays.add(day);
    for (const day of year.workdays) adjustedWorkdays.add(day);
  }
  const warnedYears = new Set<string>();
  const fileToAdd = overrideFile ?? `DATA_DIR/${HOLIDAYS_FILE}`;

  const dayKey = (date: Date): string => format(date, 'yyyy-MM-dd', inBeijing);

  const isWorkingDay = (date: Date): boolean => {
    const key = dayKey(date);
    const year = key.slice(0, 4);
    if (!(year in years) && !warnedYears.has(year)) {
      warnedYears.add(year);
      log.warn(
        { year, file: fileToAdd },
        `holiday calendar has no data for ${year}: counting Monday–Friday as working days. ` +
          `Add "${year}" from the State Council notice 国务院办公厅关于${year}年部分节假日安排的通知 to ` +
          `${fileToAdd} (format at the top of src/services/calendar.ts)`,
      );
    }
    if (adjustedWorkdays.has(key)) return true;
    if (offDays.has(key)) return false;
    const weekday = getDay(date, inBeijing);
    return weekday !== 0 && weekday !== 6;
  };

  const addWorkingDays = (from: Date, n: number): Date => {
    if (!Number.isInteger(n)) throw new RangeError(`addWorkingDays: n must be an integer, got ${n}`);
    const step = Math.sign(n);
    let day = from;
    for (let left = Math.abs(n); left > 0; ) {
      // addDays in the Beijing context keeps the Beijing wall-clock time.
      day = addDays(day, step, inBeijing);
      if (isWorkingDay(day)) left--;
    }
    return new Date(day.getTime());
  };

  const workingDaysBetween = (a: Date, b: Date): number => {
    const [first, last, sign] = isBefore(b, a) ? [b, a, -1] : [a, b, 1];
    const end = dayKey(last);
    let count = 0;
    for (let day = addDays(startOfDay(first, inBeijing), 1, inBeijing); dayKey(day) <= end; day = addDays(day, 1, inBeijing)) {
      if (isWorkingDay(day)) count++;
    }
    return sign * count;
  };

  const firstWorkingDayFrom = (date: Date): Date => {
    let day = startOfDay(date, inBeijing);
    while (!isWorkingDay(day)) day = addDays(day, 1, inBeijing);
    return day;
  };

  const dueAfterWorkingDays = (loggedAt: Date, n: number): Date => {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`dueAfterWorkingDays: n must be a whole number ≥ 0, got ${n}`);
    const dueDay = addWorkingDays(firstWorkingDayFrom(loggedAt), n);
    return new Date(addDays(dueDay, 1, inBeijing).getTime() - 1);
  };

  const nextWorkingMoment = (at: Date, window: DayWindow): Date => {
    const { from, to } = window;
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > 24 || from >= to) {
      throw new RangeError(`nextWorkingMoment: need whole hours 0 ≤ from < to ≤ 24, got ${from}–${to}`);
    }
    if (isWorkingDay(at)) {
      const hour = getHours(at, inBeijing);
      if (hour >= from && hour < to) return at;
      if (hour < from) return new Date(set(at, { hours: from, minutes: 0, seconds: 0, milliseconds: 0 }, inBeijing).getTime());
    }
    const next = firstWorkingDayFrom(addDays(startOfDay(at, inBeijing), 1, inBeijing));
    return new Date(set(next, { hours: from }, inBeijing).getTime());
  };

  const covers = (year: number): boolean => String(year) in years;

  return { dayKey, isWorkingDay, addWorkingDays, workingDaysBetween, dueAfterWorkingDays, nextWorkingMoment, covers };
}
