import type { Types } from 'mongoose';
import { bold, escapeMarkdown, font } from '../src/bot/markdown';
import { defineJob, type PlannedPush } from '../src/jobs/define-job';
import { districtGroups, loadPushGroups, pushTo, streetGroups } from '../src/jobs/targets';
import { beijingMonthKey } from '../src/services/beijing-time';
import { monthPeriod } from '../src/services/period';
import type { Models } from '../src/db/models';
import { rankChange } from './weekly-ranking';

/** A street's monthly inspection result: the mean over its scorers. */
interface InspectionRow {
  id: string;
  name: string;
  score: number;
  scorers: number;
  rank: number;
  previousRank?: number;
}

/** The /评分 scores of a month ('YYYY-MM') per street, averaged over scorers, best first; equal scores share a rank. */
async function inspectionRanking(models: Models, month: string): Promise<InspectionRow[]> {
  const means = await models.InspectionScore.aggregate<{ _id: Types.ObjectId; score: number; scorers: number }>([
    { $match: { month } },
    { $group: { _id: '$street', score: { $avg: '$score' }, scorers: { $sum: 1 } } },
  ]);
  const names = new Map((await models.Street.find({ _id: { $in: means.map((m) => m._id) } }).select({ name: 1 }).lean()).map((s) => [String(s._id), s.name]));
  const rows = means
    .map((m) => ({ id: String(m._id), name: names.get(String(m._id)) ?? '?', score: Math.round(m.score * 10) / 10, scorers: m.scorers, rank: 0 }))
    .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name, 'zh-Hans-CN'));
  rows.forEach((r, i) => (r.rank = i > 0 && rows[i - 1]!.score === r.score ? rows[i - 1]!.rank : i + 1));
  return rows;
}

function line(r: InspectionRow): string {
  return `${r.rank}. ${escapeMarkdown(r.name)} ${bold(r.score.toFixed(1))} ${rankChange(r)} · ${r.scorers} 人评分`;
}

/**
 * 月度评分 (the 1st, 09:00; on a day off it waits for the next working morning): last month's
 * inspection scores (/评分) per street office, averaged over the scorers and ranked, to the
 * leadership groups; each street's groups get their own place.
 */
export default defineJob({
  name: 'monthly-inspection',
  title: '月度评分',
  schedule: '0 9 1 * *',
  onDayOff: 'hold',
  async build({ models, firedAt }) {
    const groups = await loadPushGroups(models);
    if (groups.length === 0) return [];
    const month = monthPeriod(firedAt, -1);
    const rows = await inspectionRanking(models, beijingMonthKey(month.start));
    const before = new Map((await inspectionRanking(models, beijingMonthKey(monthPeriod(firedAt, -2).start))).map((r) => [r.id, r.rank]));
    for (const r of rows) if (before.has(r.id)) r.previousRank = before.get(r.id);

    const pushes: PlannedPush[] = [];
    const title = `## 月度观摩评分 ${month.label}`;
    const district = rows.length
      ? [title, font('comment', '各位评分人打分的平均分；分数后为与上月相比的名次变化'), ...rows.map(line)].join('\n')
      : [title, font('comment', `${month.label}没有观摩评分记录（领导用 /评分 济源路 92 打分）。`)].join('\n');
    for (const g of districtGroups(groups)) pushes.push(pushTo(g, 'inspection', { type: 'markdown', content: district }));
    for (const r of rows) {
      const content = [title, `${escapeMarkdown(r.name)}：第 ${bold(String(r.rank))} 名（共 ${rows.length} 个街道）`, `平均 ${bold(r.score.toFixed(1))} 分 ${rankChange(r)} · ${r.scorers} 人评分`].join('\n');
      for (const g of streetGroups(groups, r.id)) pushes.push(pushTo(g, 'inspection', { type: 'markdown', content }));
    }
    return pushes;
  },
});
