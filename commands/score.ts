import { z } from 'zod';
import { arg, keyOnly, userArg } from '../src/bot/args';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font, paginate } from '../src/text/markdown';
import type { InspectionScoreDoc } from '../src/db/models';
import { PermissionError } from '../src/errors';
import { isDuplicateKey } from '../src/db/duplicate-key';
import { beijingMonthKey } from '../src/services/beijing-time';
import { formatMonth, monthScores, parseMonth, parseScore } from '../src/services/inspection-scores';

const MAX_NOTE = 200;


/**
 * /评分 — the monthly inspection score (每月观摩: street offices score each other against the
 * standard). One score per street, month and scorer; scoring again replaces it. District
 * leaders and admins score any street; a street office's own admins and leaders score the
 * other streets, not their own. The reply ranks the month's scores so far.
 */
export default defineCommand({
  name: '评分',
  aliases: ['score'],
  summary: '每月观摩评分（街道互评，0–100 分）',
  allow: ['leader', 'admin'],
  usage: ['/评分 济源路 92', '/评分 济源路 88.5 月份=2020-09 楼道杂物未清完'],
  args: z.object({
    street: arg.street(),
    score: userArg('分数', (text) => parseScore(text)),
    note: arg.text('说明').optional(),
    month: keyOnly(userArg('月份', (text, ctx) => parseMonth(text, ctx.now)).optional()),
  }),
  keys: { 街道: 'street', 分数: 'score', 说明: 'note', 月份: 'month' },
  async run(ctx, { street, score, note, month = beijingMonthKey(ctx.now) }) {
    const own = ctx.caller.roleScope.kind === 'street' && ctx.caller.roleScope.street.equals(street._id);
    if (own) throw new PermissionError(`观摩评分由各街道互评，不能给本街道（${street.name}）评分；请给其他街道评分`);
    if (note && note.length > MAX_NOTE) return ctx.fail(`说明最多 ${MAX_NOTE} 字`);

    const mine = { street: street._id, month, by: ctx.caller.userId };
    const fields = { score, byName: ctx.caller.name, note: note ?? '' };
    // Replace this scorer's score if there is one (the write says what it replaced), else
    // create it; the unique (street, month, scorer) index makes one of two at once the creator.
    const replace = () => ctx.audit.change(ctx.models.InspectionScore, mine, { $set: fields });
    let replaced = await replace();
    let saved: InspectionScoreDoc | null = replaced?.after ?? null;
    if (!saved) {
      saved = await ctx.audit.create(ctx.models.InspectionScore, { ...mine, ...fields }).catch((err: unknown) => {
        if (!isDuplicateKey(err)) throw err;
        return null; // the same scorer's other message got there first: replace it
      });
    }
    if (!saved) {
      replaced = await replace();
      saved = replaced!.after;
    }
    const previous = replaced ? { score: replaced.before.score as number } : null;

    const ranking = await monthScores(ctx.models, month);
    const lines = ranking.scored.map((s, i) => {
      const me = s.streetId.equals(street._id) ? ' ←' : '';
      return `${i + 1}. ${escapeMarkdown(s.name)} ${bold(s.average.toFixed(1))}（${s.scores.length} 人评）${me}`;
    });
    if (ranking.unscored.length) lines.push(font('comment', `未评：${ranking.unscored.map((s) => escapeMarkdown(s.name)).join('、')}`));
    const verb = previous ? `已更新（原 ${previous.score} 分）` : '已记录';
    const header = [
      `✅ ${verb}：${bold(escapeMarkdown(street.name))} ${formatMonth(month)} ${bold(`${saved!.score} 分`)}`,
      ...(saved!.note ? [`> ${escapeMarkdown(saved!.note)}`] : []),
      '',
      `${bold(`${formatMonth(month)}观摩评分`)}（已评 ${ranking.scored.length} 个街道）`,
    ];
    return paginate({ header, lines, page: 1, footer: (p, n) => `第 ${p}/${n} 页` }).markdown;
  },
});
