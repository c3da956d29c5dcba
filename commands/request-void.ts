import { z } from 'zod';
import { arg } from '../src/bot/args';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font } from '../src/text/markdown';
import { voidRequest } from '../src/services/request-corrections';
import { requestTarget } from '../src/services/requests';

/**
 * /诉求 作废 — a duplicate or spam request: an admin covering its courtyard voids it with a
 * reason. It then counts in no figure (count, rates, overdue, scores; src/services/counted.ts);
 * the record stays, with who voided it, when and why.
 */
export default defineCommand({
  name: '作废',
  aliases: ['void'],
  summary: '作废重复或无效的诉求（管理员；须写原因；不计入任何统计和得分，记录保留）',
  allow: ['admin'],
  usage: ['/诉求 作废 #7 原因=与#6重复'],
  args: z.object({ request: arg.request(), reason: arg.text('原因') }),
  keys: { 诉求: 'request', 原因: 'reason', 理由: 'reason' },
  async run(ctx, { request, reason }) {
    await ctx.assertInScope({ courtyard: requestTarget(request).courtyard });
    const voided = await voidRequest(ctx, request, reason);
    const yard = await ctx.models.Courtyard.findById(voided.courtyard, { name: 1 });
    return [
      `🗑 已作废诉求 ${bold(`#${voided.no}`)} · ${escapeMarkdown(yard?.name ?? '')}`,
      `> ${escapeMarkdown(voided.text)}`,
      `原因：${escapeMarkdown(voided.voidReason ?? reason)}`,
      font('comment', '不再计入诉求数量、反馈率、办结率、逾期和得分；记录保留'),
    ].join('\n');
  },
});
