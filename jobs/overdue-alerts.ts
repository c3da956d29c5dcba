import { bold, escapeMarkdown, font, utf8Bytes } from '../src/text/markdown';
import { alertedOn } from '../src/jobs/alert-marks';
import { defineJob, sentLate, type PlannedPush } from '../src/jobs/define-job';
import { fitLines } from '../src/jobs/fit-lines';
import { courtyardGroups, loadPushGroups, pushTo, streetGroups } from '../src/jobs/targets';
import { formatDateTime, formatDay } from '../src/services/beijing-time';
import { findOverdue, OVERDUE_KIND_LABELS, type OverdueItem } from '../src/services/overdue';

const MAX_MARKDOWN_BYTES = 4096;

/** The key of an item for "at most once a day": a milestone is late once per courtyard. */
export function alertKey(i: OverdueItem): string {
  return i.kind === 'milestone' ? `milestone:${i.id}:${i.courtyardId}` : `${i.kind}:${i.id}`;
}

function itemText(i: OverdueItem, withCourtyard: boolean): string {
  const what = i.no ? `#${i.no} ${escapeMarkdown(i.title)}` : escapeMarkdown(i.title);
  const who = i.responsible.names.length ? ` · ${escapeMarkdown(i.responsible.names.join('、'))}` : ' · 未指定责任人';
  const where = withCourtyard ? `${escapeMarkdown(i.courtyardName)} · ` : '';
  return `${where}${OVERDUE_KIND_LABELS[i.kind]} ${what} · 逾期${i.daysLate}天${who}`;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) out.set(key(t), [...(out.get(key(t)) ?? []), t]);
  return out;
}

/**
 * 逾期提醒 (working days 09:00): projects past their deadline, requests without feedback
 * after 2 working days and missed milestones — to each courtyard's group with @mentions of
 * the people responsible, and a digest to each street's groups. Each item at most once a
 * day: items already alerted on the day the pushes go out are left out.
 */
export default defineJob({
  name: 'overdue-alerts',
  title: '逾期',
  schedule: '0 9 * * *',
  onDayOff: 'skip',
  async build({ models, conn, calendar, firedAt, sendAt }) {
    const groups = await loadPushGroups(models);
    if (groups.length === 0) return [];
    const all = await findOverdue(models, { scope: {}, now: firedAt, calendar, kinds: ['project', 'request', 'milestone'] });
    const done = await alertedOn(conn, all.map(alertKey), calendar.dayKey(sendAt));
    const items = all.filter((i) => !done.has(alertKey(i)));
    const day = formatDay(firedAt);
    // Sent later than its fire (after downtime): the day counts are those of the fire.
    const asOf = sentLate({ firedAt, sendAt }) ? [font('comment', `截至${formatDateTime(firedAt)}（推送顺延，逾期天数按此时计算）`)] : [];
    const pushes: PlannedPush[] = [];

    for (const [courtyardId, list] of groupBy(items, (i) => i.courtyardId)) {
      const targets = courtyardGroups(groups, courtyardId);
      if (targets.length === 0) continue;
      const mentions = [...new Set(list.flatMap((i) => i.responsible.userIds))];
      const room = MAX_MARKDOWN_BYTES - utf8Bytes(mentions.map((u) => `<@${u}>`).join('')) - 1;
      const content = fitLines(
        [`## ${font('warning', '逾期提醒')} ${escapeMarkdown(list[0]!.courtyardName)} ${day}`, ...asOf],
        list.map((i, n) => `${n + 1}. ${itemText(i, false)}`),
        ['', font('comment', '请责任人尽快处理，并用 /进度、/反馈 或 /项目 延期 更新。')],
        (n) => `……另有 ${n} 项，发送 /逾期 查看`,
        room,
      );
      for (const g of targets) pushes.push(pushTo(g, 'alert', { type: 'markdown', content, ...(mentions.length ? { mentions } : {}) }, list.map(alertKey)));
    }

    for (const [streetId, list] of groupBy(items, (i) => i.streetId)) {
      const targets = streetGroups(groups, streetId);
      if (targets.length === 0) continue;
      const yards = groupBy(list, (i) => i.courtyardId).size;
      const content = fitLines(
        [`## 逾期汇总 ${escapeMarkdown(list[0]!.streetName)} ${day}`, ...asOf, `今日提醒 ${bold(String(list.length))} 项，涉及 ${yards} 个楼院`],
        list.map((i) => itemText(i, true)),
        [],
        (n) => `……另有 ${n} 项，发送 /逾期 查看`,
      );
      for (const g of targets) pushes.push(pushTo(g, 'digest', { type: 'markdown', content }, list.map(alertKey)));
    }
    return pushes;
  },
});
