import { z } from 'zod';
import { arg } from '../src/bot/args';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown } from '../src/text/markdown';
import { formatDueDay, requestTarget, takeRequest } from '../src/services/requests';

/** /接单 — 干部接单: a cadre of the request's courtyard (or an admin) takes it on. */
export default defineCommand({
  name: '接单',
  aliases: ['take'],
  summary: '接下一条居民诉求',
  allow: ['cadre', 'admin'],
  usage: ['/接单 #7'],
  args: z.object({ request: arg.request() }),
  keys: { 诉求: 'request' },
  async run(ctx, { request }) {
    await ctx.assertInScope({ courtyard: requestTarget(request).courtyard });
    const taken = await takeRequest(ctx, request);
    const courtyard = await ctx.models.Courtyard.findById(taken.courtyard, { name: 1 });
    return [
      `✅ ${bold(escapeMarkdown(ctx.caller.name))} 已接单 ${bold(`#${taken.no}`)} · ${escapeMarkdown(courtyard?.name ?? '')}`,
      `> ${escapeMarkdown(taken.text)}`,
      `请在 ${bold(formatDueDay(taken.dueAt, ctx.now))}前反馈：\`/反馈 #${taken.no} 进展\`；办好了：\`/办结 #${taken.no} 结果\``,
    ].join('\n');
  },
});
