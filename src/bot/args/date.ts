import { UserError } from '../../errors';
import { normalizeWidth } from '../../text/normalize';
import {
  addBeijingDays,
  beijingDate,
  beijingParts,
  formatDay,
  lastDayOfBeijingMonth,
  startOfBeijingDay,
} from '../../services/beijing-time';
import { parseNumber } from '../../text/chinese-number';
import { userArg } from './make-arg';

const HINT = '可以写 9月20日、2020-09-20、9.20、明年1月15日、下个月15日、今天、明天、下周五、月底、年底';

/**
 * Which side of today a date must fall on, and so which occurrence a date that leaves out
 * its year (month, week) means: `future` for deadlines and postponements (`1月15日` typed in
 * December is next January), `past` for records of what happened (`12月31日` typed in
 * January is last December).
 */
export type DateDirection = 'future' | 'past';

/**
 * A day that occurred just on the wrong side of today, by at most this many days, is taken
 * as a slip and refused, not moved a whole year (or month) on: a deadline of `9月15日` typed on
 * 9月16日 is a typo far more often than a date a year away.
 */
const SLIP_DAYS = 7;
const DAY_MS = 86_400_000;

const RELATIVE_DAYS: Record<string, number> = {
  今天: 0,
  今日: 0,
  明天: 1,
  明日: 1,
  后天: 2,
  大后天: 3,
  昨天: -1,
  昨日: -1,
  前天: -2,
  大前天: -3,
};

const WEEKDAYS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7, 末: 6 };
const YEAR_WORDS: Record<string, number> = { 今年: 0, 本年: 0, 明年: 1, 后年: 2, 去年: -1, 前年: -2 };
const MONTH_WORDS: Record<string, number> = {
  本月: 0,
  这个月: 0,
  这月: 0,
  当月: 0,
  下月: 1,
  下个月: 1,
  下下月: 2,
  下下个月: 2,
  上月: -1,
  上个月: -1,
};

/** A month or a day of the month: `9`, `12`, `九`, `十二`, `三十一`. */
const N = '(\\d{1,2}|[一二两三四五六七八九十]{1,3})';
const num = (s: string): number => parseNumber(s) ?? NaN;

/** A day whose year, month or week the words left out: each cycle has one occurrence. */
interface Recurring {
  /** The occurrence `k` cycles from the current one; undefined when that one does not exist (2月29日 of 2021). */
  at(k: number): Date | undefined;
  /** Its place in the current cycle against today's: negative earlier, 0 the same, positive later. */
  order: number;
  /** Whether a slip (see SLIP_DAYS) is refused rather than rolled: not for weekdays, whose cycle is a week. */
  slips: boolean;
  /** How to write the next occurrence explicitly, for the reply to a slip: `明年9月15日`. */
  nextWords?: string;
  /** Why occurrence `k` does not exist. */
  missing(k: number): string;
}

type Reading = Date | Recurring;

function refuseMissing(text: string): never {
  throw new UserError(`没有「${text}」这一天，${HINT}`);
}

function unclear(text: string, examples: string): never {
  throw new UserError(`「${text}」没有说是哪一天，请写具体日期，如 ${examples}`);
}

/** A calendar day that must exist. */
function fixed(year: number, month: number, dayOfMonth: number, text: string): Date {
  const d = beijingDate(year, month, dayOfMonth);
  if (d) return d;
  if (month === 2 && dayOfMonth === 29) throw new UserError(`${year}年不是闰年，没有2月29日`);
  return refuseMissing(text);
}

function monthEnd(year: number, month: number, text: string): Date {
  return lastDayOfBeijingMonth(fixed(year, month, 1, text));
}

/** (year, month) moved by `k` months. */
function shiftMonth(year: number, month: number, k: number): [number, number] {
  const i = year * 12 + (month - 1) + k;
  return [Math.floor(i / 12), (i % 12) + 1];
}

/** `M月D日` of the current year, the next or the previous one. */
function yearly(month: number, dayOfMonth: number, now: Date, text: string): Recurring {
  // 2000 was a leap year: a day missing there (2月30日, 13月1日) is missing in every year.
  if (!beijingDate(2000, month, dayOfMonth)) refuseMissing(text);
  const today = beijingParts(now);
  return {
    at: (k) => beijingDate(today.year + k, month, dayOfMonth),
    order: month * 100 + dayOfMonth - (today.month * 100 + today.day),
    slips: true,
    nextWords: `明年${month}月${dayOfMonth}日`,
    missing: (k) => `${today.year + k}年不是闰年，没有2月29日`,
  };
}

/** `M月底` of the current year, the next or the previous one. */
function yearlyMonthEnd(month: number, now: Date, text: string): Recurring {
  if (!(month >= 1 && month <= 12)) refuseMissing(text);
  const today = beijingParts(now);
  return {
    at: (k) => monthEnd(today.year + k, month, text),
    order: month - today.month,
    slips: true,
    nextWords: `明年${month}月底`,
    missing: () => refuseMissing(text),
  };
}

/** `D日` of the current month, the next or the previous one. */
function monthly(dayOfMonth: number, now: Date, text: string): Recurring {
  if (!(dayOfMonth >= 1 && dayOfMonth <= 31)) refuseMissing(text);
  const today = beijingParts(now);
  return {
    at: (k) => {
      const [y, m] = shiftMonth(today.year, today.month, k);
      return beijingDate(y, m, dayOfMonth);
    },
    order: dayOfMonth - today.day,
    slips: true,
    nextWords: `下个月${dayOfMonth}日`,
    missing: (k) => {
      const [y, m] = shiftMonth(today.year, today.month, k);
      return `${y === today.year ? '' : `${y}年`}${m}月没有${dayOfMonth}日`;
    },
  };
}

/** A weekday of this week (Monday to Sunday), the next or the previous one. */
function weekly(weekday: number, now: Date): Recurring {
  const today = startOfBeijingDay(now);
  const order = weekday - beijingParts(now).weekday;
  return { at: (k) => addBeijingDays(today, 7 * k + order), order, slips: false, missing: () => '' };
}

/** What follows a year (`明年`, `2021年`): a day, a month's end, a month, or the year's end. */
function inYear(year: number, rest: string, text: string, direction: DateDirection | undefined): Date {
  let m = new RegExp(`^${N}月${N}[日号]?$`).exec(rest);
  if (m) return fixed(year, num(m[1]!), num(m[2]!), text);
  m = new RegExp(`^${N}月(?:底|末)$`).exec(rest);
  if (m) return monthEnd(year, num(m[1]!), text);
  m = new RegExp(`^${N}月份?$`).exec(rest);
  if (m) {
    // `截止=明年3月`: by the end of that month. A record needs its day.
    if (direction === 'future') return monthEnd(year, num(m[1]!), text);
    unclear(text, `${text}15日`);
  }
  if (/^年?(?:底|末)$/.test(rest)) return fixed(year, 12, 31, text);
  if (rest === '') unclear(text, `${text}1月15日、${text}3月底、${text}年底`);
  throw new UserError(`看不懂日期「${text}」，${HINT}`);
}

/** What follows a month (`下个月`, `本月`): a day, the month's end, or the month itself. */
function inMonth(year: number, month: number, rest: string, text: string, direction: DateDirection | undefined): Date {
  const m = new RegExp(`^${N}[日号]$`).exec(rest);
  if (m) return fixed(year, month, num(m[1]!), text);
  if (rest === '底' || rest === '末') return monthEnd(year, month, text);
  if (rest === '' || rest === '份') {
    if (direction === 'future') return monthEnd(year, month, text);
    unclear(text, `${text}15日`);
  }
  throw new UserError(`看不懂日期「${text}」，${HINT}`);
}

function read(t: string, text: string, now: Date, direction: DateDirection | undefined): Reading {
  const today = startOfBeijingDay(now);
  const { year, month, weekday } = beijingParts(now);

  if (t in RELATIVE_DAYS) return addBeijingDays(today, RELATIVE_DAYS[t]!);

  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?$/.exec(t);
  if (m) return fixed(Number(m[1]), Number(m[2]), Number(m[3]), text);

  m = /^(今年|本年|明年|后年|去年|前年|\d{4}年)(.*)$/.exec(t);
  if (m) {
    const named = YEAR_WORDS[m[1]!];
    return inYear(named === undefined ? Number(m[1]!.slice(0, 4)) : year + named, m[2]!, text, direction);
  }

  if (t === '月底' || t === '月末') return lastDayOfBeijingMonth(now);
  m = /^(本月|这个月|这月|当月|下下个月|下下月|下个月|下月|上个月|上月)(.*)$/.exec(t);
  if (m) return inMonth(...shiftMonth(year, month, MONTH_WORDS[m[1]!]!), m[2]!, text, direction);

  m = /^(\d{1,2})[-/.](\d{1,2})$/.exec(t) ?? new RegExp(`^${N}月${N}[日号]?$`).exec(t);
  if (m) return yearly(num(m[1]!), num(m[2]!), now, text);
  m = new RegExp(`^${N}月(?:底|末)$`).exec(t);
  if (m) return yearlyMonthEnd(num(m[1]!), now, text);
  m = new RegExp(`^${N}月份?$`).exec(t);
  if (m) {
    if (direction === 'future') return yearlyMonthEnd(num(m[1]!), now, text);
    unclear(text, `${num(m[1]!)}月15日`);
  }
  m = new RegExp(`^${N}[日号]$`).exec(t);
  if (m) return monthly(num(m[1]!), now, text);

  m = /^(.{1,3}?)(天|周|个星期|星期)(后|以后|之后|前|以前|之前)$/.exec(t);
  const n = m ? parseNumber(m[1]!) : undefined;
  if (m && n !== undefined && Number.isInteger(n)) return addBeijingDays(today, (m[2] === '天' ? 1 : 7) * n * (m[3]!.endsWith('后') ? 1 : -1));

  m = /^(本|这|下下|下|上)?(?:周|星期|礼拜)([一二三四五六日天末1-7])$/.exec(t);
  if (m) {
    const target = WEEKDAYS[m[2]!] ?? Number(m[2]);
    if (!m[1]) return weekly(target, now);
    const weekOffset = { 下下: 2, 下: 1, 上: -1 }[m[1]] ?? 0;
    return addBeijingDays(today, weekOffset * 7 + target - weekday);
  }

  if (t === '年底' || t === '年末') return fixed(year, 12, 31, text);
  throw new UserError(`看不懂日期「${text}」，${HINT}`);
}

/** The occurrence of a recurring day that the direction asks for: the next one, the last one, or (no direction) the current one. */
function occurrence(r: Recurring, today: Date, direction: DateDirection | undefined, now: Date): Date {
  let k = 0;
  if (direction === 'future' && r.order < 0) {
    const current = r.at(0);
    if (r.slips && current && today.getTime() - current.getTime() <= SLIP_DAYS * DAY_MS) {
      throw new UserError(`${formatDay(current, now)}已经过了（今天是${formatDay(today, now)}），请写今天或以后的日期${r.nextWords ? `；如指${r.nextWords.startsWith('明年') ? '明年' : '下个月'}，请写 ${r.nextWords}` : ''}`);
    }
    k = 1;
  } else if (direction === 'past' && r.order > 0) {
    const current = r.at(0);
    if (r.slips && current && current.getTime() - today.getTime() <= SLIP_DAYS * DAY_MS) {
      throw new UserError(`不能登记以后的日期（${formatDay(current, now)}）`);
    }
    k = -1;
  }
  const d = r.at(k);
  if (!d) throw new UserError(r.missing(k));
  return d;
}

/**
 * A calendar day, in Beijing time relative to `now`, returned as 00:00 Beijing time of
 * that day:
 * - `2020-09-20`, `2020/9/20`, `2020.9.20`, `2020年9月20日`;
 * - `明年1月15日`, `今年年底`, `明年底`, `去年12月31日`, `2021年3月底`, `明年3月` (deadlines: its last day);
 * - `下个月15日`, `本月底`, `下月底`, `上月20日`, `下个月` (deadlines: its last day), `月底`, `年底`;
 * - `今天`, `明天`, `后天`, `昨天`, `前天`, `3天后`, `3天前`, `两周后`;
 * - `周五`/`星期五`, `本周五` (this week, Monday to Sunday), `下周五`, `上周五`, `周末` (Saturday);
 * - without a year, month or week, `9月20日`, `9月20号`, `9/20`, `9-20`, `9.20`, `九月二十日`, `10月底`,
 *   `15日`, `周五`: with a direction, the next occurrence (`future`) or the last (`past`),
 *   but one that slipped by at most a week is refused; without one, the current year's
 *   (month's, week's).
 * With a direction, a day on the wrong side of today is refused.
 */
export function parseDate(text: string, now: Date, direction?: DateDirection): Date {
  const t = normalizeWidth(text).replace(/\s+/g, '');
  const today = startOfBeijingDay(now);
  const reading = read(t, text, now, direction);
  const day = reading instanceof Date ? reading : occurrence(reading, today, direction, now);
  if (direction === 'future' && day < today) throw new UserError(`${formatDay(day, now)}已经过了（今天是${formatDay(today, now)}），请写今天或以后的日期`);
  if (direction === 'past' && day > today) throw new UserError(`不能登记以后的日期（${formatDay(day, now)}）`);
  return day;
}

/** Which way a date argument looks (see {@link DateDirection}); none: the current year's day. */
export type DateOptions = { future: true } | { past: true } | Record<string, never>;

/**
 * Argument type: a calendar day (see {@link parseDate}), relative to the context's now.
 * `arg.date('截止', { future: true })` for deadlines, `arg.date('日期', { past: true })` for
 * when something happened.
 */
export const dateArg = (label = '日期', options: DateOptions = {}) => {
  const direction: DateDirection | undefined = 'future' in options ? 'future' : 'past' in options ? 'past' : undefined;
  return userArg(label, (text, ctx) => parseDate(text, ctx.now, direction));
};
