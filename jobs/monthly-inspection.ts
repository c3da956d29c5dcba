import { bold, escapeMarkdown, font } from '../src/text/markdown';
import { defineJob, type PlannedPush } from '../src/jobs/define-job';
import { districtGroups, loadPushGroups, pushTo, streetGroups } from '../src/jobs/targets';
import { monthPeriod } from '../src/services/period';
import type { RankRow } from '../src/services/ranking';
import { formatScore } from '../src/services/score';
import { compareRows, rowsIn, scorersOf } from '../src/services/snapshots';
import { publicationNotes, rankChange, rankingToPush } from './weekly-ranking';

const change = (r: RankRow) => {
  const c = rankChange(r);
  return c ? ` ${c}` : '';
};

/**
 * 月度评分 (the 1st, 09:00; on a day off it waits for the next working morning): publishes
 * last month (src/services/snapshots.ts) — the inspection scores (/评分) per street office,
 * averaged over the scorers and ranked, and the month's campaign score — and pushes both, with
 * ↑↓ against the previous published month, to the leadership groups; each street's groups
 * get their own place.
 */
export default defineJob({
  name: 'monthly-inspection',
  title: '月度评分',
  schedule: '0 9 1 * *',
  onDayOff: 'hold',
  publishes: true,
  async build(ctx) {
    const groups = await loadPushGroups(ctx.models);
    if (groups.length === 0) return [];
    const month = monthPeriod(ctx.firedAt, -1);
    const { snapshot, previous } = await rankingToPush(ctx, month, 'monthly-inspection');
    const rows = compareRows(rowsIn(snapshot, 'inspection'), previous, 'inspection');
    const scorers = scorersOf(snapshot);
    const streets = compareRows(rowsIn(snapshot, 'street'), previous, 'street');
    const line = (r: RankRow) => `${r.rank}. ${escapeMarkdown(r.name)} ${bold(formatScore(r.score))}${change(r)} · ${scorers.get(r.id) ?? 0} 人评分`;

    const pushes: PlannedPush[] = [];
    const title = `## 月度观摩评分 ${month.label}`;
    const notes = publicationNotes(ctx, snapshot, previous, '上月');
    const inspection = rows.length
      ? [font('comment', '各位评分人打分的平均分'), ...rows.map(line)]
      : [font('comment', `${month.label}没有观摩评分记录（领导用 /评分 济源路 92 打分）。`)];
    const score = streets.length ? ['', bold(`${month.label}综合得分`), ...streets.map((r) => `${r.rank}. ${escapeMarkdown(r.name)} ${bold(formatScore(r.score))}${change(r)}`)] : [];
    const district = [title, ...notes, ...inspection, ...score].join('\n');
    for (const g of districtGroups(groups)) pushes.push(pushTo(g, 'inspection', { type: 'markdown', content: district }));
    for (const s of streets) {
      const r = rows.find((x) => x.id === s.id);
      const content = [
        title,
        ...notes,
        r ? `${escapeMarkdown(r.name)}：观摩评分第 ${bold(String(r.rank))} 名（共 ${rows.length} 个街道）平均 ${bold(formatScore(r.score))} 分${change(r)} · ${scorers.get(r.id) ?? 0} 人评分` : `${escapeMarkdown(s.name)}：${month.label}没有观摩评分`,
        `综合得分：第 ${s.rank} 名（共 ${streets.length} 个）${bold(formatScore(s.score))} 分${change(s)}`,
      ].join('\n');
      for (const g of streetGroups(groups, s.id)) pushes.push(pushTo(g, 'inspection', { type: 'markdown', content }));
    }
    return pushes;
  },
});
