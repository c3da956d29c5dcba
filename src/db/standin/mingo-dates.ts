/**
 * Corrected date operators for mingo 7.2, whose versions differ from MongoDB's:
 * - `$dateTrunc` with a timezone truncates by UTC days (a Beijing 01:30 lands on the previous
 *   day, week or month);
 * - `$isoWeekYear` and `%G` take the calendar year, not the ISO week-numbering year
 *   (2024-12-30 is in 2025-W01);
 * - `$week` and `%U` count from the wrong day (2024-01-06 is week 0, 2023-01-01 week 1);
 * - `$dateToString` drops `%%` instead of writing `%`.
 * They are registered over mingo's in ./mingo.ts; everything else stays mingo's.
 */
import { evalExpr } from 'mingo/core';
import type { Any, AnyObject, Options } from 'mingo/types';

const DAY = 86_400_000;
const MINUTE = 60_000;
const UNIT_MS: Record<string, number> = { millisecond: 1, second: 1000, minute: MINUTE, hour: 60 * MINUTE, day: DAY };
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** MongoDB's reference point for bins: 2000-01-01T00:00 local time. */
const REF = Date.UTC(2000, 0, 1);

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();

/** Minutes to add to UTC to get local time in `tz` at `date` (Olson name or ±hh[:mm]). */
export function offsetMinutes(date: Date, tz: string | undefined): number {
  if (!tz || tz === 'UTC' || tz === 'GMT') return 0;
  const fixed = /^([+-])(\d{2}):?(\d{2})?$/.exec(tz);
  if (fixed) return (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3] ?? 0));
  // Offsets change at most on quarter hours: cache per zone and quarter hour.
  const slot = `${tz}@${Math.floor(date.getTime() / (15 * MINUTE))}`;
  const cached = offsets.get(slot);
  if (cached !== undefined) return cached;
  if (offsets.size > 10_000) offsets.clear();
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(tz, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(date)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const local = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  const offset = Math.round((local - Math.floor(date.getTime() / 1000) * 1000) / MINUTE);
  offsets.set(slot, offset);
  return offset;
}

/** Local wall-clock time of `date` in `tz`, as a UTC-based millisecond count. */
function toLocal(date: Date, tz: string | undefined): number {
  return date.getTime() + offsetMinutes(date, tz) * MINUTE;
}

/** The instant whose local time in `tz` is `local`. */
function fromLocal(local: number, tz: string | undefined): Date {
  const guess = new Date(local - offsetMinutes(new Date(local), tz) * MINUTE);
  return new Date(local - offsetMinutes(guess, tz) * MINUTE);
}

function asDate(v: unknown): Date {
  if (v instanceof Date) return v;
  const t = v as { _bsontype?: string; getTimestamp?: () => Date };
  if (t?._bsontype === 'ObjectId' && t.getTimestamp) return t.getTimestamp();
  throw new Error(`can't convert from BSON type ${typeof v} to Date`);
}

function dateArg(obj: AnyObject, expr: Any, options: Options): { date: Date; timezone?: string } | null {
  const v = evalExpr(obj, expr, options) as unknown;
  if (v === null || v === undefined) return null;
  if (v instanceof Date || (v as { _bsontype?: string })._bsontype === 'ObjectId') return { date: asDate(v) };
  const o = v as { date?: unknown; timezone?: string };
  if (o.date === null || o.date === undefined) return null;
  return { date: asDate(o.date), timezone: o.timezone ?? undefined };
}

/** ISO 8601 week-numbering year and week of a local day. */
export function isoWeekOf(local: number): { year: number; week: number } {
  const day = Math.floor(local / DAY);
  const isoDow = ((day + 3) % 7 + 7) % 7 + 1; // 1970-01-01 was a Thursday (4)
  const thursday = day + 4 - isoDow;
  const year = new Date(thursday * DAY).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1) / DAY) / 7) + 1;
  return { year, week };
}

/** Week of the year with weeks starting on Sunday; days before the first Sunday are week 0 (%U). */
export function sundayWeekOf(local: number): number {
  const d = new Date(local);
  const yday = Math.floor((local - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY);
  return Math.floor((yday + 7 - d.getUTCDay()) / 7);
}

const mod = (a: number, n: number) => ((a % n) + n) % n;

export const $dateTrunc = (obj: AnyObject, expr: Any, options: Options): Date | null => {
  const args = evalExpr(obj, expr, options) as { date?: unknown; unit?: string; binSize?: number; timezone?: string; startOfWeek?: string };
  if (args.date === null || args.date === undefined || !args.unit) return null;
  const date = asDate(args.date);
  const binSize = args.binSize ?? 1;
  if (!(binSize > 0)) throw new Error(`$dateTrunc requires 'binSize' to be greater than 0, but got value ${binSize}.`);
  const tz = args.timezone ?? undefined;
  const local = toLocal(date, tz);
  let start: number;
  const unit = args.unit;
  if (UNIT_MS[unit]) {
    const bin = UNIT_MS[unit]! * binSize;
    start = local - mod(local - REF, bin);
  } else if (unit === 'week') {
    const first = WEEKDAYS.indexOf((args.startOfWeek ?? 'sunday').toLowerCase().slice(0, 3));
    if (first < 0) throw new Error(`$dateTrunc: startOfWeek '${args.startOfWeek}' is not valid`);
    const day = Math.floor(local / DAY);
    const weekStart = day - mod(day + 4 - first, 7); // day + 4: 1970-01-01 was a Thursday
    const refDay = REF / DAY + mod(first - (REF / DAY + 4), 7);
    const weeks = Math.floor((weekStart - refDay) / 7);
    start = (refDay + 7 * (weeks - mod(weeks, binSize))) * DAY;
  } else if (unit === 'month' || unit === 'quarter' || unit === 'year') {
    const d = new Date(local);
    const months = (d.getUTCFullYear() - 2000) * 12 + d.getUTCMonth();
    const size = binSize * (unit === 'month' ? 1 : unit === 'quarter' ? 3 : 12);
    const m = months - mod(months, size);
    start = Date.UTC(2000 + Math.floor(m / 12), mod(m, 12), 1);
  } else {
    throw new Error(`$dateTrunc: unit '${unit}' is invalid`);
  }
  return fromLocal(start, tz);
};

export const $isoWeekYear = (obj: AnyObject, expr: Any, options: Options): number | null => {
  const a = dateArg(obj, expr, options);
  return a && isoWeekOf(toLocal(a.date, a.timezone)).year;
};

export const $isoWeek = (obj: AnyObject, expr: Any, options: Options): number | null => {
  const a = dateArg(obj, expr, options);
  return a && isoWeekOf(toLocal(a.date, a.timezone)).week;
};

export const $week = (obj: AnyObject, expr: Any, options: Options): number | null => {
  const a = dateArg(obj, expr, options);
  return a && sundayWeekOf(toLocal(a.date, a.timezone));
};

/** $dateToString (mingo's turns `%%` into nothing and gets %G and %U wrong). */
export const $dateToString = (obj: AnyObject, expr: Any, options: Options): string | null => {
  const args = evalExpr(obj, expr, options) as { date?: unknown; format?: string; timezone?: string; onNull?: unknown };
  if (args.date === null || args.date === undefined) return (args.onNull ?? null) as string | null;
  const date = asDate(args.date);
  const offset = offsetMinutes(date, args.timezone ?? undefined);
  const local = date.getTime() + offset * MINUTE;
  const d = new Date(local);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const iso = isoWeekOf(local);
  const yday = Math.floor((local - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY) + 1;
  const sign = offset < 0 ? '-' : '+';
  const format = args.format ?? (args.timezone ? '%Y-%m-%dT%H:%M:%S.%L' : '%Y-%m-%dT%H:%M:%S.%LZ');
  return format.replace(/%(.)/g, (all, c: string) => {
    switch (c) {
      case 'd': return pad(d.getUTCDate());
      case 'G': return pad(iso.year, 4);
      case 'H': return pad(d.getUTCHours());
      case 'j': return pad(yday, 3);
      case 'L': return pad(d.getUTCMilliseconds(), 3);
      case 'm': return pad(d.getUTCMonth() + 1);
      case 'M': return pad(d.getUTCMinutes());
      case 'S': return pad(d.getUTCSeconds());
      case 'u': return String(((d.getUTCDay() + 6) % 7) + 1);
      case 'U': return pad(sundayWeekOf(local));
      case 'V': return pad(iso.week);
      case 'w': return String(d.getUTCDay());
      case 'Y': return pad(d.getUTCFullYear(), 4);
      case 'z': return sign + pad(Math.floor(Math.abs(offset) / 60)) + pad(Math.abs(offset) % 60);
      case 'Z': return sign + String(Math.abs(offset));
      case '%': return '%';
      default: throw new Error(`Invalid format character '%${c}' in format string`);
    }
  });
};
