import { z } from 'zod';
import { arg, keyOnly } from '../src/bot/args';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font, mention } from '../src/bot/markdown';
import { formatDueDay, logRequest } from '../src/services/requests';

/**
 * /诉求 — 居民点单: anyone logs a resident's request (often a cadre or the community typing
 * it in for the resident). It gets the next number and is due for feedback within 2
 * working days; the courtyard's cadres are @mentioned to take it (社区下单).
 */
export default defineCommand({
  name: '诉求',
  aliases: ['request'],
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
    const lines = [
      `✅ 已登记诉求 ${bold(`#${request.no}`)} · ${escapeMarkdown(courtyard.name)}`,
      `> ${escapeMarkdown(request.text)}`,
      `反馈期限：${bold(formatDueDay(request.dueAt, ctx.now))}前（2个工作日内）`,
    ];
    if (cadres.length) lines.push(`请 ${cadres.map((c) => mention(c.userId!)).join(' ')} 接单：\`/接单 #${request.no}\``);
    else lines.push(font('warning', '这个楼院还没有登记的分包干部，请管理员安排接单'));
    return { markdown: lines.join('\n'), mentions: cadres.map((c) => c.userId!) };
  },
});
