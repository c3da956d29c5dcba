import { z } from 'zod';
import { arg, keyOnly } from '../src/bot/args';
import type { CommandContext } from '../src/bot/context';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font } from '../src/text/markdown';
import { contactsFor, roleCovers } from '../src/services/permissions';
import type { CadreDoc, CourtyardDoc, ResidentRequestDoc } from '../src/db/models';
import { PermissionError } from '../src/errors';
import { courtyardGroups, loadPushGroups } from '../src/jobs/targets';
import { transferRequest } from '../src/services/request-corrections';
import { formatDueDay, requestTarget } from '../src/services/requests';

/**
 * Who may hand a request on: an admin covering its courtyard, or the cadre who has it (the
 * assignee knows best who should). Moving it to another courtyard also needs that
 * courtyard: an admin covering it, or, for the assignee, a courtyard of the same street.
 */
async function assertMayTransfer(ctx: CommandContext, request: ResidentRequestDoc, to: CourtyardDoc | undefined): Promise<void> {
  const { caller, models } = ctx;
  const here = requestTarget(request).courtyard!;
  const assignee = Boolean(request.assignee && caller.cadre?._id.equals(request.assignee));
  const yard = await models.Courtyard.findById(request.courtyard, { name: 1 });
  if (!assignee && !roleCovers(caller, 'admin', { courtyard: here })) {
    const who = await contactsFor(models, caller, ['admin'], { courtyard: here }, 3);
    const lines = [`${ctx.command.path} 仅限「${yard?.name ?? '该楼院'}」的管理员或这条诉求的接单人使用。`];
    if (who.length) lines.push(`可以找：${who.join('、')}`);
    throw new PermissionError(lines.join('\n'));
  }
  if (!to || roleCovers(caller, 'admin', { courtyard: to })) return;
  if (assignee && to.street.equals(request.street)) return;
  const who = await contactsFor(models, caller, ['admin'], { courtyard: to }, 3);
  const lines = [`转到「${to.name}」需要该楼院的管理员办理${assignee ? '（接单人只能转到同一街道的楼院）' : ''}。`];
  if (who.length) lines.push(`可以找：${who.join('、')}`);
  throw new PermissionError(lines.join('\n'));
}

/**
 * Tells the courtyard a request was moved to, in its work groups (unless it was moved from
 * one of them): its cadres, or the cadre named, are @mentioned to take it on. How many
 * groups were told.
 */
async function tellNewCourtyard(ctx: CommandContext, request: ResidentRequestDoc, lines: string[], assignee: CadreDoc | undefined): Promise<number> {
  const here = ctx.scope.kind === 'courtyard' && ctx.scope.courtyard._id.equals(request.courtyard);
  if (here || !ctx.outbox) return 0;
  const people = assignee
    ? [assignee]
    : await ctx.models.Cadre.find({ courtyards: request.courtyard, roles: 'cadre', active: true, userId: { $exists: true } }).sort({ name: 1 }).limit(5);
  const mentions = people.flatMap((c) => (c.userId ? [c.userId] : []));
  const groups = courtyardGroups(await loadPushGroups(ctx.models), String(request.courtyard));
  for (const g of groups) {
    await ctx.outbox.enqueue({
      dedupeKey: `request-transfer:${request._id}:${request.transfers.length}:${g.chatId}`,
      target: { kind: 'webhook', url: g.webhookUrl },
      payload: { type: 'markdown', content: lines.join('\n'), mentions },
    });
  }
  return groups.length;
}

/**
 * /诉求 转派 — a request logged at the wrong courtyard, or taken by someone who cannot do
 * it: to another cadre (`给=李四`) and/or another courtyard (`楼院=…`). Each hand-over is
 * kept (who had it, where it was, who moved it, when); the feedback deadline stays.
 */
export default defineCommand({
  name: '转派',
  aliases: ['transfer', '改派'],
  summary: '把诉求转给别的干部或楼院（管理员或接单人；转派记录保留）',
  allow: ['admin', 'cadre'],
  usage: ['/诉求 转派 #7 给=李四', '/诉求 转派 #7 楼院=陇海安居'],
  args: z.object({ request: arg.request(), assignee: arg.person('给').optional(), courtyard: keyOnly(arg.courtyard().optional()) }),
  keys: { 诉求: 'request', 给: 'assignee', 转给: 'assignee', 接单人: 'assignee', 责任人: 'assignee', 楼院: 'courtyard' },
  async run(ctx, { request, assignee, courtyard }) {
    if (!assignee && !courtyard) ctx.fail('请写转给谁（`给=李四`）或转到哪个楼院（`楼院=陇海安居`）');
    await assertMayTransfer(ctx, request, courtyard);
    const moved = await transferRequest(ctx, request, { assignee, courtyard });
    const yard = await ctx.models.Courtyard.findById(moved.courtyard, { name: 1 });
    const to = [assignee ? `${assignee.name}（${assignee.unit}）` : undefined, yard?.name].filter(Boolean).join(' · ');
    const lines = [
      `✅ 已转派诉求 ${bold(`#${moved.no}`)} → ${escapeMarkdown(to)}`,
      `> ${escapeMarkdown(moved.text)}`,
      `反馈期限：${bold(formatDueDay(moved.dueAt, ctx.now))}前（不因转派改变）`,
    ];
    if (moved.assignee) lines.push(`请 ${escapeMarkdown(assignee?.name ?? '接单人')} 跟进：\`/反馈 #${moved.no} 进展\``);
    else if (moved.status === '点单') lines.push(`请 ${escapeMarkdown(yard?.name ?? '')} 的分包干部接单：\`/接单 #${moved.no}\``);
    // Fed back already: whoever follows it up next takes it over (立行立办).
    else lines.push(`请 ${escapeMarkdown(yard?.name ?? '')} 的分包干部跟进：\`/反馈 #${moved.no} 进展\` 或 \`/办结 #${moved.no} 结果\``);
    const told = moved.courtyard.equals(request.courtyard) ? 0 : await tellNewCourtyard(ctx, moved, lines, assignee);
    lines.push(font('comment', `转派记录已保留${told ? `；已通知 ${escapeMarkdown(yard?.name ?? '')} 工作群` : ''}`));
    return lines.join('\n');
  },
});
