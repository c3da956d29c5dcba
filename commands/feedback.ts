import { z } from 'zod';
import { arg } from '../src/bot/args';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font } from '../src/text/markdown';
import { formatDueDay, giveFeedback, requestTarget } from '../src/services/requests';

/**
 * /反馈 — feedback to the resident (due within 2 working days of the request); may be given
 * more than once, every one is kept. The assignee, a cadre of the courtyard or an admin.
 */
export default defineCommand({
  name: '反馈',
  aliases: ['feedback'],
  summary: '反馈诉求办理进展（2个工作日内）',
  allow: ['cadre', 'admin'],
  usage: ['/反馈 #7 已联系电工，明天上门'],
  args: z.object({ request: arg.request(), text: arg.text('反馈内容') }),
  keys: { 诉求: 'request', 反馈内容: 'text', 内容: 'text' },
  async run(ctx, { request, text }) {
    await ctx.assertInScope(requestTarget(request));
    const { request: updated, count, onTime } = await giveFeedback(ctx, request, text);
    const timing =
      count > 1
        ? font('comment', `第 ${count} 次反馈`)
        : onTime
          ? font('info', '按时反馈（2个工作日内）')
          : font('warning', `超期反馈（期限 ${formatDueDay(updated.dueAt, ctx.now)}）`);
    return [
      `✅ 已反馈 ${bold(`#${updated.no}`)} · ${timing}`,
      `> ${escapeMarkdown(updated.feedback ?? text)}`,
      `办好后发送：\`/办结 #${updated.no} 结果\``,
    ].join('\n');
  },
});
