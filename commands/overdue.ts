import { z } from 'zod';
import { arg } from '../src/bot/args';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font, paginate } from '../src/text/markdown';
import { findOverdue, OVERDUE_KINDS, type OverdueItem, type OverdueKind } from '../src/services/overdue';
import { callerScope, scopeLabel } from '../src/services/scope';
import { pageFooter } from '../src/render/status-card';

const SHORT: Record<OverdueKind, string> = { project: '项目', request: '诉求', milestone: '节点', visit: '下沉' };

function itemLine(item: OverdueItem, showCourtyard: boolean): string {
  const where = showCourtyard ? ` · ${escapeMarkdown(item.courtyardName)}` : '';
  const who = item.responsible.names.length ? ` · 责任人 ${escapeMarkdown(item.responsible.names.join('、'))}` : ' · 未分配责任人';
  const text = escapeMarkdown([...item.title].slice(0, 24).join('') + ([...item.title].length > 24 ? '…' : ''));
  switch (item.kind) {
    case 'project':
      return `${font('warning', `逾期${item.daysLate}天`)} 项目 #${item.no} ${text}${where}${who}`;
    case 'request':
      return `${font('warning', `超期${item.daysLate}天`)} 诉求 #${item.no} ${text}（未反馈）${where}${who}`;
    case 'milestone':
      return `${font('warning', `逾期${item.daysLate}天`)} 节点「${text}」未完成${where}${who}`;
    case 'visit':
      return `${font('warning', '本周未下沉')} ${text}（已下沉${item.hours ?? 0}小时，应不少于4小时）${where}`;
  }
}

/**
 * /逾期 — what is late in this group's scope (src/services/overdue.ts, the same list the
 * overdue alerts push): most late first, each with who answers for it, paged.
 */
export default defineCommand({
  name: '逾期',
  aliases: ['overdue'],
  summary: '查看逾期的项目、诉求、节点和未下沉的干部',
  allow: 'anyone',
  usage: ['/逾期', '/逾期 2'],
  args: z.object({ page: arg.int('页码', { min: 1, max: 999 }).optional() }),
  keys: { 页: 'page', 页码: 'page' },
  async run(ctx, { page }) {
    const place = await callerScope(ctx.models, ctx);
    if (!place) return ctx.fail('本群还没有绑定楼院或街道，请在楼院或街道工作群里发送');
    const items = await findOverdue(ctx.models, { scope: place, now: ctx.now, calendar: ctx.calendar });
    const title = bold(`⏰ ${escapeMarkdown(scopeLabel(place))} · 逾期事项`);
    if (items.length === 0) return `${title}\n${font('info', '✅ 目前没有逾期事项')}`;
    const counts = OVERDUE_KINDS.map((k) => [k, items.filter((i) => i.kind === k).length] as const)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${SHORT[k]} ${n}`)
      .join(' · ');
    return paginate({
      header: [`${title}${font('warning', ` 共 ${items.length} 项`)}`, font('comment', counts)],
      lines: items.map((i) => itemLine(i, place.kind !== 'courtyard')),
      page,
      ...pageFooter(`/${ctx.command.name}`),
    }).markdown;
  },
});
