/**
 * The campaign score: five parts, each 0–100, combined with configurable weights
 * (SCORE_WEIGHTS). Pure arithmetic; src/services/ranking.ts gathers what it measures.
 */

/** The five parts of the score, in the order they are shown. */
export const SCORE_PARTS = ['progress', 'onTime', 'requests', 'visits', 'orgs'] as const;
export type ScorePart = (typeof SCORE_PARTS)[number];

/** How much each part counts; only the ratios matter (30/20/20/20/10 is the same as 3/2/2/2/1). */
export type ScoreWeights = Record<ScorePart, number>;

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

/**
 * 综合得分（0–100）由五项加权组成，每项 0–100 分，默认权重如下（可用 SCORE_WEIGHTS 调整）：
 * - 项目进度（30）：本期在建项目（含本期完成的，不含已取消的）截至期末的平均完成百分比，已完成的按 100 计。
 * - 按时完成（20）：本期完成的项目与期末仍逾期未完成的项目中，在截止日（经批准延期的以延期后日期为准）前完成的比例；逾期项目每期都计入，直到完成。
 * - 诉求办理（20）：本期到期（登记后 2 个工作日）的居民诉求中，按期反馈的比例与期末已办结的比例各占一半。
 * - 干部下沉（20）：分包干部每周在楼院不少于半天（4 小时）的比例；按月统计时为达标周数占比。
 * - 三类组织（10）：党组织、居民自治组织已建成，至少一支志愿服务队，每有一类得三分之一。
 * 某项本期没有可衡量的内容（如没有到期的诉求）时不扣分也不加分：该项的权重按比例分给其余各项。
 * 楼院按上式计分；街道得分为所辖各楼院得分的平均数；干部只计本人的下沉、负责的项目和所接的诉求。
 */
export const DEFAULT_SCORE_WEIGHTS: ScoreWeights = { progress: 30, onTime: 20, requests: 20, visits: 20, orgs: 10 };

/**
 * The explanation of the formula in Chinese (the text on {@link DEFAULT_SCORE_WEIGHTS}, for
 * the README and `/排名`), with the weights in force.
 */
export function scoreExplanation(weights: ScoreWeights = DEFAULT_SCORE_WEIGHTS): string {
  const w = (part: ScorePart) => String(weights[part]);
  const configured = SCORE_PARTS.some((p) => weights[p] !== DEFAULT_SCORE_WEIGHTS[p]);
  return [
    `综合得分（0–100）由五项加权组成，每项 0–100 分，${configured ? '现行' : '默认'}权重如下（可用 SCORE_WEIGHTS 调整）：`,
    `- 项目进度（${w('progress')}）：本期在建项目（含本期完成的，不含已取消的）截至期末的平均完成百分比，已完成的按 100 计。`,
    `- 按时完成（${w('onTime')}）：本期完成的项目与期末仍逾期未完成的项目中，在截止日（经批准延期的以延期后日期为准）前完成的比例；逾期项目每期都计入，直到完成。`,
    `- 诉求办理（${w('requests')}）：本期到期（登记后 2 个工作日）的居民诉求中，按期反馈的比例与期末已办结的比例各占一半。`,
    `- 干部下沉（${w('visits')}）：分包干部每周在楼院不少于半天（4 小时）的比例；按月统计时为达标周数占比。`,
    `- 三类组织（${w('orgs')}）：党组织、居民自治组织已建成，至少一支志愿服务队，每有一类得三分之一。`,
    '某项本期没有可衡量的内容（如没有到期的诉求）时不扣分也不加分：该项的权重按比例分给其余各项。',
    '楼院按上式计分；街道得分为所辖各楼院得分的平均数；干部只计本人的下沉、负责的项目和所接的诉求。',
  ].join('\n');
}

/**
 * Reads `progress=30,onTime=20,requests=20,visits=20,orgs=10` (any subset; parts not named
 * keep their default; `，` and spaces also separate). Returns the problems instead of
 * throwing, so that config can list them with the other variables.
 */
export function parseScoreWeights(text: string): { weights: ScoreWeights; problems: string[] } {
  const weights: ScoreWeights = { ...DEFAULT_SCORE_WEIGHTS };
  const problems: string[] = [];
  for (const item of text.split(/[,，\s]+/).filter(Boolean)) {
    const [name = '', value = '', ...extra] = item.split(/[=＝:]/);
    if (!(SCORE_PARTS as readonly string[]).includes(name)) {
      problems.push(`"${item}": unknown part "${name}"; the parts are ${SCORE_PARTS.join(', ')}`);
      continue;
    }
    const n = Number(value);
    if (value.trim() === '' || extra.length > 0 || !Number.isFinite(n) || n < 0) {
      problems.push(`"${item}": the weight must be a number ≥ 0, e.g. ${name}=20`);
      continue;
    }
    weights[name as ScorePart] = n;
  }
  if (problems.length === 0 && SCORE_PARTS.every((p) => weights[p] === 0)) {
    problems.push('at least one weight must be positive');
  }
  return { weights, problems };
}

/** One decimal, as scores are shown and compared. */
export function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** What was measured of each part (0–100); a part absent had nothing to measure. */
export type PartMeasures = Partial<Record<ScorePart, number>>;

export interface CombinedScore {
  /** 0–100, one decimal. */
  score: number;
  /**
   * Every part, 0–100. A part with nothing to measure is given the weighted mean of the
   * measured ones (= the score), which is the same as sharing its weight out among them.
   */
  parts: Record<ScorePart, number>;
  /** The parts that had nothing to measure. */
  unmeasured: ScorePart[];
}

/** The weighted mean of the measured parts; nothing measured (or all their weights 0) scores 0. */
export function combineParts(measured: PartMeasures, weights: ScoreWeights): CombinedScore {
  let sum = 0;
  let weight = 0;
  for (const part of SCORE_PARTS) {
    const value = measured[part];
    if (value === undefined) continue;
    sum += weights[part] * value;
    weight += weights[part];
  }
  const raw = weight > 0 ? sum / weight : 0;
  const parts = {} as Record<ScorePart, number>;
  for (const part of SCORE_PARTS) parts[part] = measured[part] ?? raw;
  return { score: raw, parts, unmeasured: SCORE_PARTS.filter((p) => measured[p] === undefined) };
}

/** 100 × part / whole; undefined when there is nothing to measure. */
export function percentOf(part: number, whole: number): number | undefined {
  return whole > 0 ? (100 * part) / whole : undefined;
}

/** The mean of some values; undefined for none. */
export function mean(values: readonly number[]): number | undefined {
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
}

/** 项目进度: the mean percent of the projects active in the period (done ones count 100). */
export function progressPart(percents: readonly number[]): number | undefined {
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

/** 干部下沉: the mean over cadres of the share of weeks each met the half day (0–1 each). */
export function visitsPart(shares: readonly number[]): number | undefined {
  const m = mean(shares);
  return m === undefined ? undefined : 100 * m;
}

/** 三类组织: a third for each of party organisation, self-governing body, ≥ 1 volunteer team. */
export function orgsPart(party: boolean, selfGov: boolean, volunteerTeams: number): number {
  return (100 * (Number(party) + Number(selfGov) + Number(volunteerTeams >= 1))) / 3;
}
