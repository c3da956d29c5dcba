import { z } from 'zod';
import { arg, keyOnly } from '../src/bot/args';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font, mention } from '../src/text/markdown';
import { courtyardGroups, loadPushGroups } from '../src/jobs/targets';
import { canSee, chatVisibility } from '../src/services/chat-visibility';
import { formatDueDay, logRequest } from '../src/services/requests';
import transfer from './request-transfer';
import voidRequest from './request-void';

/**
 * /诉求 — 居民点单: anyone logs a resident's request (often a cadre or the community typing
 * it in for the resident). It gets the next number and is due for feedback within 2
 * working days; the courtyard's cadres are @mentioned to take it (社区下单): in the reply
 * when they are someone the sender may see here, and in the courtyard's group when it is
 * logged elsewhere.
 */
// No aliases: any word taken as a subcommand would be dropped from a request's text.
const log = defineCommand({
  name: '登记',
  summary: '登记居民诉求（2个工作日内反馈）',
  allow: 'anyone',
  usage: ['/诉求 3号楼楼道灯不亮', '/诉求 3号楼楼道灯不亮 楼院=东方花园'],
  args: z.object({ text: arg.text('诉求内容'), courtyard: keyOnly(arg.courtyard().optional()) }),
  keys: { 诉求内容: 'text', 内容: 'text', 楼院: 'courtyard' },
  async run(ctx, { text, courtyard: given }) {
    const courtyard = ctx.courtyardOrDefault(given);
    const request = await logRequest(ctx, courtyard, text, ctx.config.requestLimits);
    const cadres = await ctx.models.Cadre.find({ courtyards: courtyard._id, roles: 'cadre', active: true, userId: { $exists: true } })
      .sort({ name: 1 })
      .limit(5);
    const name = escapeMarkdown(courtyard.name);
    const takeIt = `\`/接单 #${request.no}\``;
    const mentions = cadres.map((c) => c.userId!);
    const lines = [`✅ 已登记诉求 ${bold(`#${request.no}`)} · ${name}`, `> ${escapeMarkdown(request.text)}`, `反馈期限：${bold(formatDueDay(request.dueAt, ctx.now))}前（2个工作日内）`];

    // 社区下单: the courtyard's cadres are asked to take it where they work, its group.
    const here = ctx.scope.kind === 'courtyard' && ctx.scope.courtyard._id.equals(courtyard._id);
    let told = 0;
    if (!here && cadres.length && ctx.outbox) {
      const groups = courtyardGroups(await loadPushGroups(ctx.models), String(courtyard._id));
      for (const g of groups) {
        await ctx.outbox.enqueue({
          dedupeKey: `request:${request._id}:${g.chatId}`,
          target: { kind: 'webhook', url: g.webhookUrl },
          payload: { type: 'markdown', content: [...lines, `请接单：${takeIt}`].join('\n'), mentions },
        });
      }
      told = groups.length;
    }
    if (!cadres.length) lines.push(font('warning', '这个楼院还没有登记的分包干部，请管理员安排接单'));
    // Who the cadres are is for those who may read this courtyard here (src/services/chat-visibility.ts).
    else if (canSee(chatVisibility(ctx.caller, ctx.scope), { courtyard })) {
      lines.push(`请 ${cadres.map((c) => mention(c.userId!)).join(' ')} 接单：${takeIt}`);
      return { markdown: lines.join('\n'), mentions };
    } else lines.push(told ? `已通知 ${name} 工作群的分包干部接单` : `请告知 ${name} 的分包干部接单：${takeIt}`);
    return lines.join('\n');
  },
});

/**
 * /诉求 — 登记 is what a bare `/诉求 内容` does (the fallback); 转派 and 作废 correct a
 * request afterwards (commands/request-transfer.ts, request-void.ts).
 */
export default defineCommand({
  name: '诉求',
  aliases: ['request'],
  summary: '登记居民诉求（2个工作日内反馈）；转派、作废',
  subcommands: [log, transfer, voidRequest],
  defaultSubcommand: '登记',
  fallbackSubcommand: '登记',
});
