/**
 * The campaign score's parts and weights (SCORE_WEIGHTS): what the configuration reads.
 * Below the services, so that src/config.ts needs nothing above it; the arithmetic is in
 * src/services/score.ts.
 */

/** The five parts of the score, in the order they are shown. */
export const SCORE_PARTS = ['progress', 'onTime', 'requests', 'visits', 'orgs'] as const;
export type ScorePart = (typeof SCORE_PARTS)[number];

/** How much each part counts; only the ratios matter (30/20/20/20/10 is the same as 3/2/2/2/1). */
export type ScoreWeights = Record<ScorePart, number>;

/**
 * The rules, as the README's 评分规则 states them (with a worked example each):
 * - 项目进度（30）：楼院全部未取消项目截至期末的平均完成百分比，已完成的按 100 计；没有项目得 0 分（显示「无项目」）。
 * - 按时完成（20）：本期完成的项目与期末仍逾期未完成的项目中，在截止日（经批准延期的以延期后日期为准）前完成的比例；逾期项目每期都计入，直到完成。
 * - 诉求办理（20）：本期到期（登记后 2 个工作日）的居民诉求中，按期反馈的比例与期末已办结的比例各占一半。
 * - 干部下沉（20）：楼院按周计，分包干部本周在本楼院登记的时长对照半天（4 小时），满 4 小时为 100%，不超过 100%；
 *   按月统计时为各周的平均。干部为其分包楼院中本期每周在该楼院下沉满半天的比例。只计在本楼院登记的下沉。
 * - 三类组织（10）：党组织、居民自治组织已建成，至少一支志愿服务队，每有一类得三分之一。
 * 某项本期没有可衡量的内容（没有到期的项目或诉求）时不计入，权重按比例分给其余各项，各处显示「—（本期无）」；
 * 各项都无可衡量内容的，不计分（无数据），排在有得分的之后。
 * 楼院按上式计分；街道得分为所辖各楼院得分的平均数；干部计本人的下沉、负责的项目和所接的诉求（不计三类组织）。
 */
export const DEFAULT_SCORE_WEIGHTS: ScoreWeights = { progress: 30, onTime: 20, requests: 20, visits: 20, orgs: 10 };

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
