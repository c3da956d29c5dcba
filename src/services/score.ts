/**
 * The campaign score: five parts, each 0–100, combined with configurable weights
 * (SCORE_WEIGHTS). Pure arithmetic; src/services/ranking.ts gathers what it measures.
 */

export { DEFAULT_SCORE_WEIGHTS, parseScoreWeights, SCORE_PARTS, type ScorePart, type ScoreWeights } from '../score-weights';
import { DEFAULT_SCORE_WEIGHTS, SCORE_PARTS, type ScorePart, type ScoreWeights } from '../score-weights';

/** Chinese names of the parts, for chat, the table and the chart. */
export const SCORE_PART_NAMES: Record<ScorePart, string> = {
  progress: '项目进度',
  onTime: '按时完成',
  requests: '诉求办理',
  visits: '干部下沉',
  orgs: '三类组织',
};

/** The weekly on-site duty of an assigned cadre: half a day (每周至少半天). */
export const VISIT_HOURS_PER_WEEK = 4;

/** What a part with nothing to measure shows, on every surface. */
export const UNMEASURED_TEXT = '—（本期无）';
/** What a row with no measured part shows instead of a score. */
export const NO_SCORE_TEXT = '无数据';
/** What a courtyard's 项目进度 shows when it has no project (scored 0). */
export const NO_PROJECT_TEXT = '无项目';

/**
 * The explanation of the formula in Chinese (the text on {@link DEFAULT_SCORE_WEIGHTS}, for
 * the README and `/排名`), with the weights in force.
 */
export function scoreExplanation(weights: ScoreWeights = DEFAULT_SCORE_WEIGHTS): string {
  const w = (part: ScorePart) => String(weights[part]);
  const configured = SCORE_PARTS.some((p) => weights[p] !== DEFAULT_SCORE_WEIGHTS[p]);
  return [
    `综合得分（0–100）由五项加权组成，每项 0–100 分，${configured ? '现行' : '默认'}权重如下（可用 SCORE_WEIGHTS 调整）：`,
    `- 项目进度（${w('progress')}）：楼院全部未取消项目截至期末的平均完成百分比，已完成的按 100 计；没有项目得 0 分（显示「${NO_PROJECT_TEXT}」）。`,
    `- 按时完成（${w('onTime')}）：本期完成的项目与期末仍逾期未完成的项目中，在截止日（经批准延期的以延期后日期为准）前完成的比例；逾期项目每期都计入，直到完成。`,
    `- 诉求办理（${w('requests')}）：本期到期（登记后 2 个工作日）的居民诉求中，按期反馈的比例与期末已办结的比例各占一半。`,
    `- 干部下沉（${w('visits')}）：楼院按周计，分包干部本周在本楼院登记的时长对照半天（${VISIT_HOURS_PER_WEEK} 小时），满 ${VISIT_HOURS_PER_WEEK} 小时为 100%，不超过 100%，按月统计时为各周的平均；干部为其分包楼院中每周在该楼院下沉满半天的比例。只计在本楼院登记的下沉。`,
    `- 三类组织（${w('orgs')}）：党组织、居民自治组织已建成，至少一支志愿服务队，每有一类得三分之一。`,
    `某项本期没有可衡量的内容（没有到期的项目或诉求）时不计入，权重按比例分给其余各项，显示为「${UNMEASURED_TEXT}」；各项都无可衡量内容的不计分（${NO_SCORE_TEXT}），排在有得分的之后。`,
    '楼院按上式计分；街道得分为所辖各楼院得分的平均数；干部计本人的下沉、负责的项目和所接的诉求。',
  ].join('\n');
}

/** One decimal, as scores are shown and compared. */
export function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** What was measured of each part (0–100); a part absent had nothing to measure. */
export type PartMeasures = Partial<Record<ScorePart, number>>;

/** Each part 0–100, or null when it had nothing to measure in the period. */
export type Parts = Record<ScorePart, number | null>;

export interface CombinedScore {
  /** 0–100, or null when no weighted part was measured (无数据). */
  score: number | null;
  parts: Parts;
  /** The parts that had nothing to measure. */
  unmeasured: ScorePart[];
}

/**
 * The weighted mean of the measured parts: the weight of an unmeasured part is shared out
 * among the others. Nothing measured (or all their weights 0): no score.
 */
export function combineParts(measured: PartMeasures, weights: ScoreWeights): CombinedScore {
  let sum = 0;
  let weight = 0;
  for (const part of SCORE_PARTS) {
    const value = measured[part];
    if (value === undefined) continue;
    sum += weights[part] * value;
    weight += weights[part];
  }
  const parts = {} as Parts;
  for (const part of SCORE_PARTS) parts[part] = measured[part] ?? null;
  return { score: weight > 0 ? sum / weight : null, parts, unmeasured: SCORE_PARTS.filter((p) => measured[p] === undefined) };
}

/** 100 × part / whole; undefined when there is nothing to measure. */
export function percentOf(part: number, whole: number): number | undefined {
  return whole > 0 ? (100 * part) / whole : undefined;
}

/** The mean of some values; undefined for none. */
export function mean(values: readonly number[]): number | undefined {
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
}

/** 项目进度 of a courtyard: the mean percent of all its projects not cancelled (done: 100); no project scores 0. */
export function progressPart(percents: readonly number[]): number {
  return mean(percents) ?? 0;
}

/** 项目进度 of a cadre: the mean percent of the projects they own; unmeasured when they own none. */
export function ownProgressPart(percents: readonly number[]): number | undefined {
  return mean(percents);
}

/** 按时完成: on-time completions among the completions and the still-overdue projects. */
export function onTimePart(onTime: number, measured: number): number | undefined {
  return percentOf(onTime, measured);
}

/** 诉求办理: half for feedback within 2 working days, half for being closed. */
export function requestsPart(fedBackOnTime: number, closed: number, due: number): number | undefined {
  return due > 0 ? (50 * fedBackOnTime) / due + (50 * closed) / due : undefined;
}

/**
 * 干部下沉 of a courtyard: for each week of the period, the hours its assigned cadres logged
 * at it against half a day, capped at 100 %; the mean over the weeks. No week begun: unmeasured.
 */
export function courtyardVisitsPart(hoursPerWeek: readonly number[]): number | undefined {
  const m = mean(hoursPerWeek.map((h) => Math.min(1, h / VISIT_HOURS_PER_WEEK)));
  return m === undefined ? undefined : 100 * m;
}

/**
 * 干部下沉 of a cadre: the share of (courtyard, week) pairs of their assignment in which they
 * logged half a day at that courtyard. None (no week begun): unmeasured.
 */
export function cadreVisitsPart(met: number, pairs: number): number | undefined {
  return percentOf(met, pairs);
}

/** 三类组织: a third for each of party organisation, self-governing body, ≥ 1 volunteer team. */
export function orgsPart(party: boolean, selfGov: boolean, volunteerTeams: number): number {
  return (100 * (Number(party) + Number(selfGov) + Number(volunteerTeams >= 1))) / 3;
}

/**
 * The order of a ranking: scored rows best first (equal scores by name, sharing a rank:
 * 1, 2, 2, 4); rows without a score after them, by name, all on the next rank.
 */
export function rankOrder<T extends { score: number | null; name: string }>(rows: readonly T[]): Array<T & { rank: number }> {
  const byName = (a: T, b: T) => a.name.localeCompare(b.name, 'zh-Hans-CN');
  const scored = rows.filter((r) => r.score !== null).sort((a, b) => b.score! - a.score! || byName(a, b));
  const unscored = rows.filter((r) => r.score === null).sort(byName);
  const out: Array<T & { rank: number }> = [];
  scored.forEach((row, i) => {
    const prev = out[i - 1];
    out.push({ ...row, rank: prev && prev.score === row.score ? prev.rank : i + 1 });
  });
  for (const row of unscored) out.push({ ...row, rank: scored.length + 1 });
  return out;
}

/** `72.5`, one decimal everywhere a score is shown; no score: 无数据. */
export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined ? NO_SCORE_TEXT : score.toFixed(1);
}

/** How one part of a row reads: '72.5', '—（本期无）' (nothing to measure), '0.0（无项目）'. */
export function partText(row: { parts: Record<string, number | null>; noProjects?: boolean }, part: ScorePart): string {
  const value = row.parts[part];
  if (value === null || value === undefined) return UNMEASURED_TEXT;
  if (part === 'progress' && row.noProjects) return `${value.toFixed(1)}（${NO_PROJECT_TEXT}）`;
  return value.toFixed(1);
}
