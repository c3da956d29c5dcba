import { z } from 'zod';
import { arg, userArg } from '../src/bot/args';
import { argModels } from '../src/bot/args/context';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font } from '../src/text/markdown';
import { UserError } from '../src/errors';
import { formatDateTime, startOfBeijingWeek } from '../src/services/beijing-time';
import { findByNumber } from '../src/services/lookup';
import { recordExists, removeVoided, voidObstacle } from '../src/services/records';

/**
 * /作废 记录 — an admin voids a wrong record after /撤销's 10 minutes, with a reason: the
 * number is the one /记录 lists. The record leaves every figure of the open periods at once
 * (it is removed through the audit log, its content kept there and in the listing); a
 * published ranking changes only when re-published (/推送 重新发布). See src/services/records.ts.
 */

const MAX_REASON = 100;

/** `#12`: a number /记录 gave. */
const recordArg = () => userArg('记录', (text, ctx) => findByNumber(argModels(ctx).RecordRef, text, '记录', '/记录 姓名'));

const voidRecord = defineCommand({
  name: '记录',
  aliases: ['record'],
  summary: '作废一条下沉、进度或反馈记录（须写原因；编号见 /记录 姓名；本期数据随之更正，已发布的排名需重新发布）',
  allow: ['admin'],
  usage: ['/作废 记录 #12 原因=重复登记', '/作废 记录 #12 原因=进度填错，应为8%'],
  args: z.object({ ref: recordArg(), reason: arg.text('原因') }),
  keys: { 编号: 'ref', 原因: 'reason', 理由: 'reason' },
  async run(ctx, { ref, reason }) {
    const { models, now } = ctx;
    await ctx.assertInScope({ courtyard: { _id: ref.courtyard, street: ref.street } });
    if ([...reason].length > MAX_REASON) ctx.fail(`原因不超过 ${MAX_REASON} 个字`);
    if (ref.voidedAt) {
      // A void interrupted after its decision: complete it.
      if (await recordExists(models, ref)) await removeVoided(models, ctx.audit, ref);
      return `#${ref.no} 已于 ${formatDateTime(ref.voidedAt, now)} 由 ${escapeMarkdown(ref.voidedByName ?? ref.voidedBy ?? '?')} 作废（原因：${escapeMarkdown(ref.voidReason ?? '')}）`;
    }
    if (!(await recordExists(models, ref))) throw new UserError(`#${ref.no} 这条记录已被撤销，无需作废`);
    const obstacle = await voidObstacle(models, ref);
    if (obstacle) throw new UserError(obstacle);

    // The decision: one conditional write on the number; the loser of two at once is told.
    const claimed = await ctx.audit.update(
      models.RecordRef,
      { _id: ref._id, voidedAt: null },
      { $set: { voidedAt: now, voidedBy: ctx.caller.userId, voidedByName: ctx.caller.name, voidReason: reason } },
    );
    if (!claimed) {
      const won = await models.RecordRef.findById(ref._id).lean();
      throw new UserError(`#${ref.no} 刚刚已由 ${won?.voidedByName ?? won?.voidedBy ?? '他人'} 作废`);
    }
    await removeVoided(models, ctx.audit, ref);
    const lines = [`🗑️ 已作废 ${bold(`#${ref.no}`)}：${escapeMarkdown(ref.summary)}`, `原因：${escapeMarkdown(reason)}`, font('comment', '本周（本月）的排名、查询、看板已不再计入这条记录')];
    if (ref.at < startOfBeijingWeek(now)) lines.push(font('comment', '已发布的排名不变；需要更正时：`/推送 重新发布 上周 原因=…`'));
    lines.push(font('comment', '作废错了？10 分钟内发 /撤销 可恢复'));
    return lines.join('\n');
  },
});

export default defineCommand({
  name: '作废',
  aliases: ['void'],
  summary: '作废过了撤销时限的记录（须写原因）',
  subcommands: [voidRecord],
  // `/作废 #12 原因=…` means the record #12.
  fallbackSubcommand: '记录',
});
