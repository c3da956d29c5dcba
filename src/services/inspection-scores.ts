/**
 * Monthly inspection scores (每月观摩): street offices score each other against the standard
 * and the ranking is published. Each scorer gives a street at most one score a month; a
 * street's monthly score is the average of its scorers'.
 */
import type { Types } from 'mongoose';
import type { Models } from '../db/models';
import { UserError } from '../errors';
import { normalizeWidth } from '../text/normalize';
import { beijingMonthKey, beijingParts } from './beijing-time';

/** One street's scores in a month. */
export interface StreetMonthScore {
  streetId: Types.ObjectId;
  name: string;
  /** Average of the scorers, one decimal. */
  average: number;
  scores: { by: string; byName?: string | null; score: number }[];
}

/** A month's scores, best average first; and the streets nobody has scored yet. */
export interface MonthScores {
  month: string;
  scored: StreetMonthScore[];
  unscored: { streetId: Types.ObjectId; name: string }[];
}

/** The scores of `month` ('YYYY-MM') per street, ranked. */
export async function monthScores(models: Models, month: string): Promise<MonthScores> {
  const [streets, scores] = await Promise.all([
    models.Street.find({}, { name: 1 }).sort({ name: 1 }).lean(),
    models.InspectionScore.find({ month }).sort({ createdAt: 1 }).lean(),
  ]);
  const byStreet = new Map<string, StreetMonthScore['scores']>();
  for (const s of scores) {
    const list = byStreet.get(String(s.street)) ?? [];
    list.push({ by: s.by, byName: s.byName, score: s.score });
    byStreet.set(String(s.street), list);
  }
  const scored: StreetMonthScore[] = [];
  const unscored: MonthScores['unscored'] = [];
  for (const street of streets) {
    const list = byStreet.get(String(street._id));
    if (!list) {
      unscored.push({ streetId: street._id, name: street.name });
      continue;
    }
    const average = Math.round((list.reduce((sum, s) => sum + s.score, 0) / list.length) * 10) / 10;
    scored.push({ streetId: street._id, name: street.name, average, scores: list });
  }
  scored.sort((a, b) => b.average - a.average || a.name.localeCompare(b.name, 'zh-Hans-CN'));
  return { month, scored, unscored };
}

const MONTH_HINT = '可以写 2020-09、2020年9月、9月、去年12月、本月、上月';

/**
 * A month as 'YYYY-MM', relative to `now` (Beijing): `2020-09`, `2020/9`, `2020.9`,
 * `2020年9月`, `今年9月`, `去年12月`, `本月`, `上月`, and `9月`: its last occurrence (`12月` in
 * January is last December), as a score is for a month that has begun. A month after the
 * current one is refused.
 */
export function parseMonth(text: string, now: Date): string {
  const t = normalizeWidth(text).trim().replace(/份$/, '');
  const { year: thisYear, month: thisMonth } = beijingParts(now);
  let year: number | undefined;
  let month: number | undefined;
  let m: RegExpExecArray | null;
  if (t === '本月' || t === '这个月' || t === '当月') [year, month] = [thisYear, thisMonth];
  else if (t === '上月' || t === '上个月') [year, month] = thisMonth === 1 ? [thisYear - 1, 12] : [thisYear, thisMonth - 1];
  else if ((m = /^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})月?$/.exec(t))) [year, month] = [Number(m[1]), Number(m[2])];
  else if ((m = /^(今年|去年)(\d{1,2})月$/.exec(t))) [year, month] = [m[1] === '去年' ? thisYear - 1 : thisYear, Number(m[2])];
  else if ((m = /^(\d{1,2})月$/.exec(t))) [year, month] = [Number(m[1]) > thisMonth ? thisYear - 1 : thisYear, Number(m[1])];
  if (year === undefined || month === undefined) throw new UserError(`看不懂月份「${text}」，${MONTH_HINT}`);
  if (month < 1 || month > 12 || year < 2000) throw new UserError(`没有「${text}」这个月份，${MONTH_HINT}`);
  const key = `${year}-${String(month).padStart(2, '0')}`;
  if (key > beijingMonthKey(now)) throw new UserError(`「${text}」还没到，不能评分`);
  return key;
}

/** `2020年9月` from 'YYYY-MM'. */
export function formatMonth(month: string): string {
  const [y, m] = month.split('-');
  return `${y}年${Number(m)}月`;
}

/**
 * A score out of 100: `92`, `92.5`, `92分`, `９２`. At most one decimal; outside 0–100 is
 * refused.
 */
export function parseScore(text: string): number {
  const t = normalizeWidth(text).trim().replace(/分$/, '');
  if (!/^\d{1,3}(\.\d)?$/.test(t)) throw new UserError(`「${text}」不是分数，请写 0 到 100 的数，如 92 或 92.5`);
  const n = Number(t);
  if (n > 100) throw new UserError(`分数应在 0 到 100 之间，收到「${text}」`);
  return n;
}
