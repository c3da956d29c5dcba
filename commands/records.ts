import type { Types } from 'mongoose';
import { z } from 'zod';
import { arg, keyOnly, userArg } from '../src/bot/args';
import { argModels } from '../src/bot/args/context';
import type { CommandContext } from '../src/bot/context';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font, paginate } from '../src/text/markdown';
import type { CadreDoc } from '../src/db/models';
import { PermissionError } from '../src/errors';
import { addBeijingDays, formatDateTime } from '../src/services/beijing-time';
import { findPerson, personLabel, personRef as personRefOf } from '../src/services/cadres';
import { assignmentsOf } from '../src/services/history';
import { numberRecords, recentRecords, RECORDS_SINCE_DAYS, voidedRecords } from '../src/services/records';

/**
 * /记录 — an admin lists a person's recent records (/下沉, /进度, /反馈) with short numbers, to
 * void a wrong one after /撤销's 10 minutes (/作废 记录 #12 原因=…). A street admin sees the
 * records in their street, of people assigned there (now or before); a district admin all.
 */

/**
 * The street a street admin may read `person`'s records in; undefined for a district admin.
 * Refuses one whose person was never assigned in the admin's street.
 */
export async function recordsStreet(ctx: CommandContext, person: CadreDoc): Promise<Types.ObjectId | undefined> {
  if (ctx.caller.roleScope.kind !== 'street') return undefined;
  const street = ctx.caller.roleScope.street;
  const ids = [...new Set([...person.courtyards, ...assignmentsOf(person).map((a) => a.courtyard)].map(String))];
  const yards = await ctx.models.Courtyard.find({ _id: { $in: ids } }, { name: 1, street: 1 });
  if (yards.some((y) => y.street.equals(street))) return street;
  if (yards[0]) await ctx.assertInScope({ courtyard: yards[0] });
  throw new PermissionError(`${personLabel(person)} 没有分包本街道的楼院，只有区管理员可以查看其记录`);
}

export default defineCommand({
  name: '记录',
  aliases: ['records'],
  summary: `查看一个人近 ${RECORDS_SINCE_DAYS} 天的下沉、进度、反馈记录及编号（过了撤销时限，用 /作废 记录 更正）`,
  allow: ['admin'],
  usage: ['/记录 张三', '/记录 张三(区医保局) 页码=2'],
  args: z.object({
    person: userArg('姓名', (text, ctx) => findPerson(argModels(ctx), text, { inactive: true })),
    page: keyOnly(arg.int('页码', { min: 1, max: 9999 }).optional()),
  }),
  keys: { 姓名: 'person', 干部: 'person', 页码: 'page', 页: 'page' },
  async run(ctx, { person, page }) {
    const { models, now } = ctx;
    const street = await recordsStreet(ctx, person);
    const since = addBeijingDays(now, -RECORDS_SINCE_DAYS);
    const [records, voided] = await Promise.all([recentRecords(models, person, { since, street, now }), voidedRecords(models, person._id, { since, street })]);
    const numbers = await numberRecords(models, person._id, records, now);
    const rows = [
      ...records.map((r) => ({ at: r.at, line: `${bold(`#${numbers.get(r.key)!}`)} ${formatDateTime(r.at, now)} ${escapeMarkdown(r.summary)}` })),
      ...voided.map((v) => ({
        at: v.at,
        line: font('comment', `#${v.no} 已作废（${escapeMarkdown(v.voidedByName ?? v.voidedBy ?? '')} ${formatDateTime(v.voidedAt!, now)}：${escapeMarkdown(v.voidReason ?? '')}）${formatDateTime(v.at, now)} ${escapeMarkdown(v.summary)}`),
      })),
    ].sort((a, b) => b.at.getTime() - a.at.getTime());
    const header = [bold(`${escapeMarkdown(personLabel(person))} · 近 ${RECORDS_SINCE_DAYS} 天的记录`)];
    if (!person.active) header.push(font('comment', '（已停用）'));
    if (rows.length === 0) return [...header, font('comment', `近 ${RECORDS_SINCE_DAYS} 天没有下沉、进度、反馈记录`)].join('\n');
    header.push(font('comment', '作废一条：`/作废 记录 #编号 原因=…`'));
    return paginate({
      header,
      lines: rows.map((r) => r.line),
      page,
      footer: (p, n) => (p < n ? `第 ${p}/${n} 页，下一页：\`/记录 ${escapeMarkdown(personRefOf(person))} 页码=${p + 1}\`` : `第 ${p}/${n} 页`),
    }).markdown;
  },
});
