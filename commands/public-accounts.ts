import { z } from 'zod';
import { arg, keyOnly, userArg } from '../src/bot/args';
import { argModels } from '../src/bot/args/context';
import type { CommandContext } from '../src/bot/context';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font, paginate } from '../src/text/markdown';
import { contactsFor } from '../src/services/permissions';
import { normalizeWidth } from '../src/text/normalize';
import type { AccountKind, CourtyardDoc } from '../src/db/models';
import { PermissionError, UserError } from '../src/errors';
import { formatDateTime } from '../src/services/beijing-time';
import { findByNumber } from '../src/services/lookup';
import {
  contactCourtyards,
  formatYuan,
  KIND_LABELS,
  looksLikeMonth,
  MAX_ITEM_CHARS,
  MAX_NOTE_CHARS,
  mayRecordAccounts,
  monthKey,
  monthLabel,
  monthOf,
  parseAmountFen,
  parseMonth,
  publicAccounts,
  totalsLine,
  type Month,
} from '../src/services/public-accounts';
import { nextSequence } from '../src/services/sequence';

/**
 * /公开 — 事务公开 (seed 004, 建立楼院事务公开制度): a courtyard's fees and spending, month by
 * month. The self-governing body's contact (the roster's 自治组织联系人账号) or an admin of the
 * courtyard records (收入, 支出) and voids (作废) entries; anyone lists a month. On the 1st the
 * last month is published in the courtyard's group (jobs/monthly-accounts.ts).
 */

const MAX_REASON = 100;

/** Who records, for /帮助 and refusals. */
const RECORDERS = '本楼院自治组织联系人（花名册登记的企业微信账号）或管理员';

/** The courtyard named, else the group's, else (1:1) the one the caller is the contact of or assigned to. */
async function accountsCourtyard(ctx: CommandContext, given: CourtyardDoc | undefined): Promise<CourtyardDoc> {
  if (given) return given;
  if (ctx.defaultCourtyard) return ctx.defaultCourtyard;
  if (ctx.msg.chatType === 'single') {
    const mine = await contactCourtyards(ctx.models, ctx.caller.userId);
    if (mine.length === 1) return mine[0]!;
    if (mine.length > 1) return ctx.fail(`请写明楼院：你是 ${mine.map((c) => c.name).join('、')} 的联系人，如 楼院=${mine[0]!.name}`);
  }
  return ctx.fail('请写明楼院，如 楼院=东方花园（本群没有绑定楼院）');
}

/** Refuses unless the caller records this courtyard's accounts. */
async function assertRecorder(ctx: CommandContext, courtyard: CourtyardDoc): Promise<void> {
  if (mayRecordAccounts(ctx.caller, courtyard)) return;
  const who = await contactsFor(ctx.models, ctx.caller, ['admin'], { courtyard }, 3);
  const lines = [`${ctx.command.path} 仅限「${courtyard.name}」的${RECORDERS}使用。`];
  if (!courtyard.selfGovContact?.userId) lines.push('这个楼院在花名册里还没有登记自治组织联系人的企业微信账号（楼院表：联系人企业微信账号）。');
  if (who.length) lines.push(`可以找：${who.join('、')}`);
  throw new PermissionError(lines.join('\n'));
}

/** The recorder's name: the roster's, or for the self-governing body's contact the name the 楼院 sheet gives. */
function recorderName(ctx: CommandContext, courtyard: CourtyardDoc): string {
  const contact = courtyard.selfGovContact;
  if (!ctx.caller.cadre && contact?.userId === ctx.caller.userId && contact.name) return contact.name;
  return ctx.caller.name;
}

/** `1200 元 11月` → the amount's words and the month's (the last word, when it is one). */
function splitAmount(text: string): { amount: string; month?: string } {
  const words = normalizeWidth(text).trim().split(/\s+/);
  if (words.length > 1 && looksLikeMonth(words[words.length - 1]!)) return { amount: words.slice(0, -1).join(''), month: words[words.length - 1]! };
  // `1200元11月` typed together.
  const glued = /^(.*?元)(\S+月份?)$/.exec(words.join(''));
  if (glued && looksLikeMonth(glued[2]!)) return { amount: glued[1]!, month: glued[2]! };
  return { amount: words.join('') };
}

/** `/公开 收入 …` and `/公开 支出 …`. */
function recordCommand(kind: AccountKind) {
  const label = KIND_LABELS[kind];
  const example = kind === 'income' ? '停车费 1200 元 11月' : '保洁 800 元 11月 备注=两名保洁员工资';
  return defineCommand({
    name: label,
    aliases: [kind],
    summary: `登记楼院的一笔${label}：事项、金额、月份，每月 1 日在楼院群公示`,
    // The self-governing body's contact holds no role: the check is in run (assertRecorder).
    allow: 'anyone',
    who: RECORDERS,
    usage: [`/公开 ${label} ${example}`, `/公开 ${label} ${kind === 'income' ? '卫生费 ¥3,450.50 上月' : '门卫 1,500 元 本月'} 楼院=东方花园`],
    args: z.object({
      item: arg.word('事项'),
      amount: arg.text('金额'),
      note: keyOnly(arg.text('备注').optional()),
      month: keyOnly(arg.word('月份').optional()),
      courtyard: keyOnly(arg.courtyard().optional()),
    }),
    keys: { 事项: 'item', 项目: 'item', 金额: 'amount', 备注: 'note', 说明: 'note', 月份: 'month', 月: 'month', 楼院: 'courtyard' },
    async run(ctx, { item, amount: amountText, note, month: monthText, courtyard: given }) {
      const courtyard = await accountsCourtyard(ctx, given);
      await assertRecorder(ctx, courtyard);
      const split = splitAmount(amountText);
      if (split.month && monthText) return ctx.fail(`月份写了两次：「${split.month}」和「${monthText}」`);
      if ([...item].length > MAX_ITEM_CHARS) return ctx.fail(`事项最多 ${MAX_ITEM_CHARS} 个字：「${item.slice(0, 10)}…」太长`);
      if (looksLikeMonth(item) || /^[-¥￥]?[\d,.]+(元|块)?$/.test(normalizeWidth(item))) return ctx.fail(`请先写事项，再写金额和月份，如 \`/公开 ${label} ${example}\``);
      let amountFen: number;
      let month: Month;
      try {
        amountFen = parseAmountFen(split.amount);
        month = parseMonth(split.month ?? monthText ?? '本月', ctx.now);
      } catch (err) {
        if (err instanceof UserError) return ctx.fail(err.message);
        throw err;
      }
      const text = note?.trim() ?? '';
      if ([...text].length > MAX_NOTE_CHARS) return ctx.fail(`备注最多 ${MAX_NOTE_CHARS} 个字`);

      const entry = await ctx.audit.create(ctx.models.AccountEntry, async () => ({
        no: await nextSequence(ctx.models, 'account'),
        courtyard: courtyard._id,
        street: courtyard.street,
        month: monthKey(month),
        kind,
        item,
        amountFen,
        note: text,
        createdByName: recorderName(ctx, courtyard),
      }));
      const totals = await publicAccounts(ctx.models, courtyard._id, month);
      const lines = [
        `✅ 已登记${label} ${bold(`#${entry.no}`)}：${escapeMarkdown(courtyard.name)} · ${monthLabel(month)} · ${escapeMarkdown(entry.item)} ${bold(`${formatYuan(entry.amountFen)} 元`)}`,
      ];
      if (entry.note) lines.push(`备注：${escapeMarkdown(entry.note)}`);
      lines.push(`${monthLabel(month)}合计：${totalsLine(totals)}`);
      lines.push(font('comment', `登记错了？10 分钟内 /撤销；之后 \`/公开 作废 #${entry.no} 原因=…\``));
      return lines.join('\n');
    },
  });
}

const list = defineCommand({
  name: '列表',
  aliases: ['list', '查看'],
  summary: '查看楼院某月的收支明细、合计和结余（默认本月）',
  allow: 'anyone',
  usage: ['/公开 列表', '/公开 列表 上月', '/公开 列表 2020年11月 楼院=东方花园'],
  args: z.object({
    month: userArg('月份', (text, c) => parseMonth(text, c.now)).optional(),
    courtyard: keyOnly(arg.courtyard().optional()),
    page: keyOnly(arg.int('页码', { min: 1, max: 999 }).optional()),
  }),
  keys: { 月份: 'month', 月: 'month', 楼院: 'courtyard', 页码: 'page', 页: 'page' },
  async run(ctx, { month: given, courtyard: named, page }) {
    const courtyard = await accountsCourtyard(ctx, named);
    const month = given ?? monthOf(ctx.now);
    const a = await publicAccounts(ctx.models, courtyard._id, month);
    const header = [bold(`${escapeMarkdown(courtyard.name)} · ${monthLabel(month)} 事务公开`), totalsLine(a)];
    const line = (e: (typeof a.entries)[number]) =>
      `${bold(`#${e.no}`)} ${KIND_LABELS[e.kind]} ${escapeMarkdown(e.item)} ${formatYuan(e.amountFen)} 元${e.note ? ` · ${escapeMarkdown(e.note)}` : ''}`;
    const lines = [
      ...a.entries.map(line),
      ...a.voided.map((v) => font('comment', `#${v.no} 已作废（${formatDateTime(v.voidedAt, ctx.now)}：${escapeMarkdown(v.voidReason)}）${KIND_LABELS[v.kind]} ${escapeMarkdown(v.item)} ${formatYuan(v.amountFen)} 元`)),
    ];
    if (lines.length === 0) return [...header, font('comment', `${monthLabel(month)}还没有登记收支：\`/公开 收入 停车费 1200 元 ${month.month}月\``)].join('\n');
    const where = named ? ` 楼院=${escapeMarkdown(courtyard.name)}` : '';
    return paginate({
      header,
      lines,
      page,
      footer: (p, n) => (p < n ? `第 ${p}/${n} 页，下一页：\`/公开 列表 ${monthLabel(month)}${where} 页码=${p + 1}\`` : `第 ${p}/${n} 页`),
    }).markdown;
  },
});

/** `#12`: an entry's number. */
const entryArg = () => userArg('编号', (text, ctx) => findByNumber(argModels(ctx).AccountEntry, text, '收支', '/公开 列表'));

const voidEntry = defineCommand({
  name: '作废',
  aliases: ['void'],
  summary: '作废一笔登记错的收支（须写原因）：记录保留，不再计入合计',
  allow: 'anyone',
  who: RECORDERS,
  usage: ['/公开 作废 #12 原因=金额填错，应为1500元'],
  args: z.object({ entry: entryArg(), reason: arg.text('原因').optional() }),
  keys: { 编号: 'entry', 原因: 'reason', 理由: 'reason' },
  async run(ctx, { entry, reason }) {
    const { models, now } = ctx;
    const courtyard = await models.Courtyard.findById(entry.courtyard);
    if (!courtyard) throw new UserError(`#${entry.no} 所在的楼院已不在花名册中`);
    await assertRecorder(ctx, courtyard);
    const why = reason?.trim() ?? '';
    if (!why) return ctx.fail('请写明作废原因，如 原因=金额填错');
    if ([...why].length > MAX_REASON) return ctx.fail(`原因不超过 ${MAX_REASON} 个字`);
    const done = (e: typeof entry) =>
      `#${e.no} 已于 ${formatDateTime(e.voidedAt!, now)} 由 ${escapeMarkdown(e.voidedByName ?? e.voidedBy ?? '?')} 作废（原因：${escapeMarkdown(e.voidReason ?? '')}）`;
    if (entry.status === 'void') throw new UserError(done(entry));

    // One conditional write: only an entry still counted is voided; the loser of two is told who won.
    const voided = await ctx.audit.update(
      models.AccountEntry,
      { _id: entry._id, status: 'active' },
      { $set: { status: 'void', voidedAt: now, voidedBy: ctx.caller.userId, voidedByName: recorderName(ctx, courtyard), voidReason: why } },
    );
    if (!voided) {
      const won = await models.AccountEntry.findById(entry._id);
      throw new UserError(won?.status === 'void' ? `#${entry.no} 刚刚已由 ${won.voidedByName ?? won.voidedBy ?? '他人'} 作废` : `#${entry.no} 正在被修改，请稍后再发一次`);
    }
    const month = { year: Number(voided.month.slice(0, 4)), month: Number(voided.month.slice(5)) };
    const totals = await publicAccounts(models, courtyard._id, month);
    return [
      `🗑️ 已作废 ${bold(`#${voided.no}`)}：${escapeMarkdown(courtyard.name)} · ${monthLabel(month)} · ${KIND_LABELS[voided.kind]} ${escapeMarkdown(voided.item)} ${formatYuan(voided.amountFen)} 元`,
      `原因：${escapeMarkdown(why)}`,
      `${monthLabel(month)}合计：${totalsLine(totals)}`,
      font('comment', '作废错了？10 分钟内发 /撤销 可恢复'),
    ].join('\n');
  },
});

/** /公开 — 楼院事务公开. */
export default defineCommand({
  name: '公开',
  aliases: ['accounts'],
  summary: '楼院事务公开：登记每月收支（停车费、卫生费、保洁、门卫…），查看明细和结余，每月 1 日在楼院群公示',
  subcommands: [recordCommand('income'), recordCommand('expense'), list, voidEntry],
  defaultSubcommand: '列表',
});
