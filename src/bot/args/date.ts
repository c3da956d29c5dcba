import { UserError } from '../../errors';
import { normalizeWidth } from '../normalize';
import {
  addBeijingDays,
  beijingDate,
  beijingParts,
  lastDayOfBeijingMonth,
  startOfBeijingDay,
} from '../../services/beijing-time';
import { parseNumber } from './chinese-number';
import { userArg } from './make-arg';

const HINT = '可以写 9月20日、2020-09-20、9.20、今天、明天、下周五、月底';

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
};

const WEEKDAYS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7, 末: 6 };

function day(year: number, month: number, dayOfMonth: number, text: string): Date {
  const d = beijingDate(year, month, dayOfMonth);
  if (!d) throw new UserError(`没有「${text}」这一天，${HINT}`);
  return d;
}

/**
 * A calendar day, in Beijing time relative to `now`, returned as 00:00 Beijing time of
 * that day:
 * - `2020-09-20`, `2020/9/20`, `2020.9.20`, `2020年9月20日`;
 * - `9月20日`, `9月20号`, `9/20`, `9-20`, `9.20`: in the current year;
 * - `今天`, `明天`, `后天`, `昨天`, `前天`, `3天后`;
 * - `周五`/`星期五`/`本周五` (this week, Monday to Sunday), `下周五`, `上周五`, `周末` (Saturday);
 * - `月底` (last day of this month), `下月底`, `9月底`, `年底`.
 */
export function parseDate(text: string, now: Date): Date {
  const t = normalizeWidth(text).replace(/\s+/g, '');
  const today = startOfBeijingDay(now);
  const { year, month, weekday } = beijingParts(now);

  if (t in RELATIVE_DAYS) return addBeijingDays(today, RELATIVE_DAYS[t]!);

  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?$/.exec(t);
  if (m) return day(Number(m[1]), Number(m[2]), Number(m[3]), text);

  m = /^(\d{1,2})(?:[-/.]|月)(\d{1,2})[日号]?$/.exec(t);
  if (m) return day(year, Number(m[1]), Number(m[2]), text);

  m = /^(.{1,3})天(后|以后|之后)$/.exec(t);
  const n = m ? parseNumber(m[1]!) : undefined;
  if (m && n !== undefined && Number.isInteger(n)) return addBeijingDays(today, n);

  m = /^(本|这|下下|下|上)?(?:周|星期|礼拜)([一二三四五六日天末1-7])$/.exec(t);
  if (m) {
    const target = WEEKDAYS[m[2]!] ?? Number(m[2]);
    const weekOffset = { 下下: 2, 下: 1, 上: -1 }[m[1] as string] ?? 0;
    return addBeijingDays(today, weekOffset * 7 + target - weekday);
  }

  if (t === '月底' || t === '本月底' || t === '月末') return lastDayOfBeijingMonth(now);
  if (t === '下月底' || t === '下个月底') return lastDayOfBeijingMonth(day(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1, text));
  if (t === '年底' || t === '年末') return day(year, 12, 31, text);
  m = /^(\d{1,2})月(底|末)$/.exec(t);
  if (m) return lastDayOfBeijingMonth(day(year, Number(m[1]), 1, text));

  throw new UserError(`看不懂日期「${text}」，${HINT}`);
}

/** Argument type: a calendar day (see {@link parseDate}), relative to the context's now. */
export const dateArg = (label = '日期') => userArg(label, (text, ctx) => parseDate(text, ctx.now));
