/**
 * Calendar-day helpers in Beijing time (Asia/Shanghai), whatever the machine's time zone.
 * A "day" value (a project's deadline, a visit's date) is stored as 00:00 Beijing time of
 * that day.
 */
import { tz } from '@date-fns/tz';
import { addDays, endOfDay, endOfMonth, format, startOfDay, startOfMonth, startOfWeek } from 'date-fns';
import { TIME_ZONE } from '../config';

const inBeijing = { in: tz(TIME_ZONE) };

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** From 1992 on Beijing is UTC+8 all year (no daylight saving since 1991): plain arithmetic, no time-zone lookups. */
const FIXED_OFFSET_FROM = Date.UTC(1992, 0, 1);

/** 00:00 Beijing time of the day of `d`. */
export function startOfBeijingDay(d: Date): Date {
  const t = d.getTime();
  if (t >= FIXED_OFFSET_FROM) return new Date(Math.floor((t + 8 * HOUR_MS) / DAY_MS) * DAY_MS - 8 * HOUR_MS);
  return new Date(startOfDay(d, inBeijing).getTime());
}

/** 23:59:59.999 Beijing time of the day of `d`. */
export function endOfBeijingDay(d: Date): Date {
  return new Date(endOfDay(d, inBeijing).getTime());
}

/** Monday 00:00 Beijing time of the week of `d` (weeks run Monday to Sunday). */
export function startOfBeijingWeek(d: Date): Date {
  return new Date(startOfWeek(d, { ...inBeijing, weekStartsOn: 1 }).getTime());
}

/** 00:00 Beijing time on the 1st of the month of `d`. */
export function startOfBeijingMonth(d: Date): Date {
  return new Date(startOfMonth(d, inBeijing).getTime());
}

/** 00:00 Beijing time of the last day of the month of `d`. */
export function lastDayOfBeijingMonth(d: Date): Date {
  return startOfBeijingDay(endOfMonth(d, inBeijing));
}

/** `d` plus `n` calendar days, keeping the Beijing wall-clock time. */
export function addBeijingDays(d: Date, n: number): Date {
  const t = d.getTime();
  if (t >= FIXED_OFFSET_FROM && Number.isInteger(n) && t + n * DAY_MS >= FIXED_OFFSET_FROM) return new Date(t + n * DAY_MS);
  return new Date(addDays(d, n, inBeijing).getTime());
}

/** The 00:00 Beijing instant of a calendar date; `month` is 1–12. Undefined for a date that does not exist (2月30日). */
export function beijingDate(year: number, month: number, day: number): Date | undefined {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > 31 || year < 1970 || year > 9999) return undefined;
  const utc = new Date(Date.UTC(year, month - 1, day));
  if (utc.getUTCMonth() !== month - 1 || utc.getUTCDate() !== day) return undefined;
  // Beijing has been UTC+8 without daylight saving since 1991.
  return new Date(utc.getTime() - 8 * 3600_000);
}

/** Beijing year, month (1–12), day and weekday (1 = Monday … 7 = Sunday) of `d`. */
export function beijingParts(d: Date): { year: number; month: number; day: number; weekday: number } {
  if (d.getTime() >= FIXED_OFFSET_FROM) {
    const wall = new Date(d.getTime() + 8 * HOUR_MS);
    return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate(), weekday: wall.getUTCDay() || 7 };
  }
  const [year, month, day, weekday] = format(d, 'yyyy M d i', inBeijing).split(' ').map(Number);
  return { year: year!, month: month!, day: day!, weekday: weekday! };
}

/** 'YYYY-MM' of `d` in Beijing time (the key of monthly inspection scores). */
export function beijingMonthKey(d: Date): string {
  return format(d, 'yyyy-MM', inBeijing);
}

/** 'YYYY-MM-DD' of `d` in Beijing time. */
export function beijingDayKey(d: Date): string {
  return format(d, 'yyyy-MM-dd', inBeijing);
}

/** How a day is shown in chat: '9月20日', with the year when it is not the year of `now`. */
export function formatDay(d: Date, now?: Date): string {
  const { year, month, day } = beijingParts(d);
  const sameYear = !now || year === beijingParts(now).year;
  return sameYear ? `${month}月${day}日` : `${year}年${month}月${day}日`;
}

/** A change this recent is told as 刚刚: it most likely crossed the caller's own message (a race just lost). */
const JUST_NOW_MS = 60_000;

/** Whether `at` is recent enough to be told as 刚刚. */
export function isJustNow(at: Date, now: Date): boolean {
  return now.getTime() - at.getTime() < JUST_NOW_MS;
}

/** How an instant is shown in chat: '9月20日 14:05'. */
export function formatDateTime(d: Date, now?: Date): string {
  return `${formatDay(d, now)} ${format(d, 'HH:mm', inBeijing)}`;
}

/** An instant in full for command-line tools and logs: '2020年9月21日 08:00'. */
export function formatFullDateTime(d: Date): string {
  return format(d, 'yyyy年M月d日 HH:mm', inBeijing);
}
