import { z } from 'zod';
import { arg } from '../src/bot/args';
import type { CommandContext } from '../src/bot/context';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font } from '../src/text/markdown';
import type { ScopeTarget } from '../src/services/permissions';
import { UserError } from '../src/errors';
import { buildProgressTable } from '../src/services/progress-table';
import { weekPeriod } from '../src/services/ranking';
import { scopeLabel } from '../src/services/scope';

/** How the group would be bound again with its push address: `/绑定 楼院 东方花园 webhook=…`. */
function rebindLine(ctx: CommandContext): string {
  const s = ctx.scope;
  const what = s.kind === 'courtyard' ? `楼院 ${s.courtyard.name}` : s.kind === 'street' ? `街道 ${s.street.name}` : ctx.group?.purpose === 'leadership' ? '领导群' : '全区';
  return `\`/绑定 ${what} webhook=群机器人推送地址\``;
}

/**
 * /导出 — the weekly progress table (.xlsx, src/services/progress-table.ts) of the group's
 * scope, sent into the group as a file through the outbox (the reply only says it is on its way).
 */
export default defineCommand({
  name: '导出',
  aliases: ['export'],
  summary: '导出每周进度表（Excel 文件发到群里）',
  allow: ['admin', 'leader'],
  usage: ['/导出', '/导出 上周'],
  args: z.object({ week: arg.choice('时段', ['本周', '上周'], { 这周: '本周' }).optional() }),
  keys: { 时段: 'week' },
  async run(ctx, { week }) {
    if (ctx.msg.chatType !== 'group' || !ctx.group) return ctx.fail('请在群里发送：进度表会以文件发到群里');
    const scope = ctx.scope;
    if (scope.kind === 'none') throw new UserError('本群还没有绑定楼院或街道，不知道导出哪个范围。请管理员先发送 `/绑定 街道 济源路` 等');
    const target: ScopeTarget = scope.kind === 'courtyard' ? { courtyard: scope.courtyard } : scope.kind === 'street' ? { street: scope.street._id } : { district: true };
    await ctx.assertInScope(target);

    const group = ctx.group;
    if (!group.webhookUrl || group.webhookInvalidAt) {
      const why = group.webhookUrl ? '本群的推送地址已失效' : '本群还没有推送地址';
      throw new UserError(`${why}，文件发不到群里。请在群里添加群机器人，复制它的推送地址后发送：${rebindLine(ctx)}`);
    }
    if (!ctx.outbox) throw new UserError('现在无法发送文件，请稍后重试');

    const period = weekPeriod(ctx.now, week === '上周' ? -1 : 0);
    const { filename, data } = await buildProgressTable(ctx.models, {
      period,
      streetId: scope.kind === 'street' ? String(scope.street._id) : undefined,
      courtyardId: scope.kind === 'courtyard' ? String(scope.courtyard._id) : undefined,
      now: ctx.now,
      calendar: ctx.calendar,
    });
    // One file per message: WeCom's retry of the same message finds this push already queued.
    await ctx.outbox.enqueue({
      dedupeKey: `export:${ctx.msg.channel}:${ctx.msg.msgId}`,
      target: { kind: 'webhook', url: group.webhookUrl },
      payload: { type: 'file', filename, data },
    });
    return [
      `📤 ${bold(escapeMarkdown(scopeLabel(scope)))} 每周进度表（${period.label}）正在发送到本群`,
      font('comment', `文件：${escapeMarkdown(filename)} · ${Math.max(1, Math.round(data.length / 1024))} KB`),
    ].join('\n');
  },
});
