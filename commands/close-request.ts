import { z } from 'zod';
import { arg } from '../src/bot/args';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font } from '../src/text/markdown';
import { closeRequest, formatDueDay, requestTarget } from '../src/services/requests';

/**
 * /办结 — the request is resolved. Also straight from 点单 or 已接单: what can be done at once
 * is done at once (立行立办), which counts as fed back at the same moment.
 */
export default defineCommand({
  name: '办结',
  aliases: ['close'],
  summary: '诉求办结（可直接办结：立行立办）',
  allow: ['cadre', 'admin'],
  usage: ['/办结 #7 已更换灯泡'],
  args: z.object({ request: arg.request(), resolution: arg.text('办结说明').optional() }),
  keys: { 诉求: 'request', 说明: 'resolution' },
  async run(ctx, { request, resolution }) {
    await ctx.assertInScope(requestTarget(request));
    const { request: closed, atOnce, onTime } = await closeRequest(ctx, request, resolution);
    const timing = atOnce
      ? font('info', '立行立办')
      : onTime
        ? font('info', '按时反馈')
        : font('warning', `反馈超期（期限 ${formatDueDay(closed.dueAt, ctx.now)}）`);
    const lines = [`✅ 已办结 ${bold(`#${closed.no}`)} · ${timing}`, `> ${escapeMarkdown(closed.text)}`];
    if (closed.resolution) lines.push(`办结说明：${escapeMarkdown(closed.resolution)}`);
    lines.push(`请居民评价：\`/评价 #${closed.no} 满意\`（满意 / 基本满意 / 不满意）`);
    return lines.join('\n');
  },
});
