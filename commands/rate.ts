import { z } from 'zod';
import { arg } from '../src/bot/args';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font } from '../src/text/markdown';
import { allowCovers, contactsFor } from '../src/services/permissions';
import { RATINGS } from '../src/db/models';
import { PermissionError } from '../src/errors';
import { formatFigures, rateRequest, requestFigures, requestTarget } from '../src/services/requests';

/** Besides the reporter, these record a resident's rating (a cadre of the courtyard, an admin of it). */
const RECORDERS = ['cadre', 'admin'] as const;

/**
 * /评价 — 群众评单: the resident's rating of a closed request, given by whoever logged it, or
 * recorded for the resident by a cadre or admin of the courtyard. Rating again replaces it.
 */
export default defineCommand({
  name: '评价',
  aliases: ['rate'],
  summary: '评价已办结的诉求：满意、基本满意、不满意',
  allow: 'anyone',
  usage: ['/评价 #7 满意', '/评价 #7 不满意 灯还是不亮'],
  args: z.object({
    request: arg.request(),
    rating: arg.choice('评价', RATINGS, { 非常满意: '满意', 很满意: '满意', 比较满意: '基本满意', 一般: '基本满意', 不满: '不满意' }),
    note: arg.text('说明').optional(),
  }),
  keys: { 诉求: 'request', 评价: 'rating', 说明: 'note' },
  async run(ctx, { request, rating, note }) {
    const target = requestTarget(request);
    if (request.reporter.userId !== ctx.caller.userId && !allowCovers(ctx.caller, RECORDERS, target)) {
      const who = await contactsFor(ctx.models, ctx.caller, RECORDERS, target, 3);
      throw new PermissionError(
        [`/评价 仅限诉求登记人，或该楼院的分包干部、管理员代居民评价。`, who.length ? `可以找：${who.join('、')}` : ''].filter(Boolean).join('\n'),
      );
    }
    const { request: rated, previous } = await rateRequest(ctx, request, rating, note);
    const courtyard = await ctx.models.Courtyard.findById(rated.courtyard, { name: 1 });
    const figures = await requestFigures(ctx.models, { courtyard: rated.courtyard }, ctx.now);
    const color = rating === '不满意' ? 'warning' : 'info';
    const lines = [`✅ ${previous ? '已更新评价' : '已评价'} ${bold(`#${rated.no}`)}：${font(color, rating)}`];
    if (rated.ratingNote) lines.push(`> ${escapeMarkdown(rated.ratingNote)}`);
    lines.push(font('comment', `${escapeMarkdown(courtyard?.name ?? '本楼院')}诉求 ${figures.total} 件：${formatFigures(figures)}`));
    return lines.join('\n');
  },
});
