import { bold, escapeMarkdown, font } from '../src/text/markdown';
import { defineJob, type PlannedPush } from '../src/jobs/define-job';
import { courtyardGroups, loadPushGroups, pushTo } from '../src/jobs/targets';
import { findOverdue, type OverdueItem } from '../src/services/overdue';
import { weekPeriod } from '../src/services/period';
import { VISIT_HOURS_PER_WEEK } from '../src/services/score';

/**
 * 下沉提醒 (Thursday 16:00, when a working day): the assigned cadres with less than half a day
 * (4 hours) on site this week (Monday to Sunday), mentioned in the group of each courtyard
 * they are assigned to.
 */
export default defineJob({
  name: 'visit-reminder',
  title: '下沉提醒',
  schedule: '0 16 * * 4',
  onDayOff: 'skip',
  async build({ models, calendar, firedAt }) {
    const groups = await loadPushGroups(models);
    if (groups.length === 0) return [];
    // findOverdue lists missing half days from Thursday on; a run by hand earlier in the week asks as of that Thursday's view.
    const missing = await findOverdue(models, { scope: {}, now: firedAt, calendar, kinds: ['visit'] });
    const week = weekPeriod(firedAt);
    const byYard = new Map<string, OverdueItem[]>();
    for (const item of missing) for (const yard of item.courtyardIds) byYard.set(yard, [...(byYard.get(yard) ?? []), item]);
    const names = new Map((await models.Courtyard.find({ _id: { $in: [...byYard.keys()] } }).select({ name: 1 }).lean()).map((c) => [String(c._id), c.name]));

    const pushes: PlannedPush[] = [];
    for (const [yardId, cadres] of byYard) {
      const targets = courtyardGroups(groups, yardId);
      if (targets.length === 0) continue;
      const mentions = [...new Set(cadres.flatMap((c) => c.responsible.userIds))];
      const content = [
        `## 下沉提醒 ${escapeMarkdown(names.get(yardId) ?? '')} ${week.label}`,
        `以下干部本周在楼院不足半天（${VISIT_HOURS_PER_WEEK} 小时）：`,
        ...cadres.map((c) => `${bold(escapeMarkdown(c.title))} 本周已记 ${c.hours ?? 0} 小时`),
        '',
        font('comment', '请在周日前到楼院开展活动，并用 /下沉 记录，例如：/下沉 半天 清理杂物'),
      ].join('\n');
      for (const g of targets) pushes.push(pushTo(g, 'visits', { type: 'markdown', content, ...(mentions.length ? { mentions } : {}) }));
    }
    return pushes;
  },
});
