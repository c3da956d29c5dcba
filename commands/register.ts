import type { Types } from 'mongoose';
import { z } from 'zod';
import { arg } from '../src/bot/args';
import type { CommandContext } from '../src/bot/context';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font } from '../src/text/markdown';
import { nameKey } from '../src/text/normalize';
import { allowCovers, describeRoles, whoMay } from '../src/services/permissions';
import type { CadreDoc, RegistrationClaimDoc } from '../src/db/models';
import { PermissionError, UserError } from '../src/errors';
import { loadPushGroups } from '../src/jobs/targets';
import { formatDateTime } from '../src/services/beijing-time';
import {
  approveClaim,
  entryLabel,
  entryStreets,
  fileClaim,
  findEntry,
  pendingClaim,
  rejectClaim,
  unlinkEntry,
} from '../src/services/registration';

/**
 * /登记 — linking a WeCom account to the roster (花名册). An entry that carries a userid is
 * that account's alone (the roster import put it there); for an entry without one,
 * `/登记 张三 区医保局` files a claim, announced in the street group, that the entry's street
 * admin or a district admin approves (`/登记 批准 张三`) or rejects (`/登记 驳回 张三`); until
 * then the claimant has no role. `/登记 解除 张三` unlinks. Never grants admin or leader
 * rights (those need the userid in the roster itself, or ADMIN_USERIDS).
 */

const ADMINS = ['admin'] as const;

/** The courtyards of an entry, for the "你已登记为" card. */
async function linkedCard(ctx: CommandContext, entry: CadreDoc, first: string): Promise<string> {
  const courtyards = await ctx.models.Courtyard.find({ _id: { $in: entry.courtyards } }).sort({ name: 1 });
  const lines = [first, `分包楼院：${courtyards.length ? courtyards.map((c) => escapeMarkdown(c.name)).join('、') : '无'}`];
  const withheld = entry.roles.filter((r) => r !== 'cadre');
  if (withheld.length && entry.userIdSource !== 'roster') {
    lines.push(font('warning', '管理员、领导权限需要在花名册里填写企业微信账号（或由 ADMIN_USERIDS 指定）后才生效'));
  }
  lines.push('发送 `/帮助` 查看你可以用的命令');
  return lines.join('\n');
}

/**
 * Pushes `markdown` to the work groups of the entry's streets (district work groups for an
 * entry without a street), and to the group the claim was sent from; how many groups got it.
 */
async function announce(ctx: CommandContext, streets: Types.ObjectId[], markdown: string, key: string, alsoChat?: string | null): Promise<number> {
  if (!ctx.outbox) return 0;
  const groups = await loadPushGroups(ctx.models);
  const ids = new Set(streets.map(String));
  const targets = groups.filter((g) =>
    streets.length ? g.scope.kind === 'street' && ids.has(g.scope.refId ?? '') : g.scope.kind === 'district' && g.purpose === 'work',
  );
  const from = alsoChat ? groups.find((g) => g.chatId === alsoChat) : undefined;
  if (from && !targets.includes(from)) targets.push(from);
  for (const g of targets) {
    await ctx.outbox.enqueue({ dedupeKey: `register:${key}:${g.chatId}`, target: { kind: 'webhook', url: g.webhookUrl }, payload: { type: 'markdown', content: markdown } });
  }
  return targets.length;
}

/** Refuses unless the caller is an admin of one of the entry's streets, or of the district. */
async function assertMayDecide(ctx: CommandContext, entry: CadreDoc, streets: Types.ObjectId[]): Promise<void> {
  const targets = streets.length ? streets.map((street) => ({ street })) : [{ district: true }];
  if (targets.some((t) => allowCovers(ctx.caller, ADMINS, t))) return;
  const who = await whoMay(ctx.models, ADMINS, targets[0], 3);
  const where = streets.length ? '所在街道或全区' : '全区';
  const lines = [`${ctx.command.path} ${escapeMarkdown(entryLabel(entry))} 仅限${where}的${describeRoles(ADMINS)}使用。`];
  if (who.length) lines.push(`可以找：${who.join('、')}`);
  throw new PermissionError(lines.join('\n'));
}

/** `王五(区教育局)`: how an entry is written in a command, unambiguous. */
const asArg = (entry: CadreDoc) => `${entry.name}(${entry.unit})`;

/** `企业微信用户「王五」（wangwu）`, or `企业微信账号 wangwu` when WeCom gave no display name. */
const account = (claim: RegistrationClaimDoc) =>
  claim.userName && claim.userName !== claim.userId
    ? `企业微信用户「${escapeMarkdown(claim.userName)}」（${escapeMarkdown(claim.userId)}）`
    : `企业微信账号 ${escapeMarkdown(claim.userId)}`;

const apply = defineCommand({
  name: '申请',
  aliases: ['claim'],
  summary: '申请把你的企业微信账号关联到花名册（姓名 + 单位），管理员批准后生效',
  allow: 'anyone',
  usage: ['/登记 张三 区医保局'],
  args: z.object({ name: arg.word('姓名'), unit: arg.text('单位').optional() }),
  keys: { 姓名: 'name', 单位: 'unit' },
  async run(ctx, { name, unit }) {
    const { models, caller } = ctx;
    const mine = caller.cadre;
    if (mine) {
      const same = mine.name === name.replace(/^@/, '').trim() && (!unit || nameKey(unit) === nameKey(mine.unit));
      if (!same) throw new UserError(`你的企业微信账号已登记为 ${entryLabel(mine)}；如需更改，请联系管理员`);
      return linkedCard(ctx, mine, `你已登记为 ${bold(escapeMarkdown(entryLabel(mine)))}`);
    }
    if (!unit) return ctx.fail(`请同时写上你的单位：\`/登记 ${escapeMarkdown(name)} 单位\``);
    const wanted = `${name}（${unit}）`;
    const matches = await findEntry(models, name, unit);
    if (matches.length === 0) return ctx.fail(`花名册里没有「${wanted}」。请核对姓名和单位（单位写全称，与花名册一致），或请管理员导入花名册`);
    if (matches.length > 1) throw new UserError(`花名册里「${wanted}」有多条记录，请联系管理员核对花名册`);
    const entry = matches[0]!;
    if (entry.userId) {
      throw new UserError(`「${entryLabel(entry)}」已关联企业微信账号，不能再登记；如果这是你本人，请联系管理员`);
    }

    const outcome = await fileClaim(ctx, entry, ctx.msg.chatType === 'group' ? ctx.msg.chatId : undefined);
    const { claim } = outcome;
    if (outcome.kind === 'already') {
      return `你在 ${formatDateTime(claim.createdAt, ctx.now)} 已申请登记为 ${bold(escapeMarkdown(entryLabel(entry)))}，正在等待街道或区管理员审核`;
    }
    const streets = await entryStreets(models, entry);
    const told = await announce(
      ctx,
      streets,
      [
        `📝 ${bold('登记申请')}：${account(claim)} 申请关联花名册 ${bold(escapeMarkdown(entryLabel(entry)))}`,
        `街道或区管理员审核：\`/登记 批准 ${escapeMarkdown(asArg(entry))}\` 或 \`/登记 驳回 ${escapeMarkdown(asArg(entry))} 原因\``,
      ].join('\n'),
      `claim:${claim._id}`,
    );
    return [
      `📝 已提交登记申请：${bold(escapeMarkdown(entryLabel(entry)))}`,
      '街道或区管理员批准后生效；在此之前你还不能使用分包干部的命令。',
      font('comment', told ? '申请已发到街道工作群，管理员审核后会在群里通知' : '请告知所在街道的管理员审核'),
    ].join('\n');
  },
});

const entryArgs = z.object({ entry: arg.person('姓名') });
const entryKeys = { 姓名: 'entry', 人员: 'entry' } as const;

const approve = defineCommand({
  name: '批准',
  aliases: ['approve', '通过'],
  summary: '批准登记申请（所在街道或全区的管理员）',
  allow: [...ADMINS],
  usage: ['/登记 批准 张三', '/登记 批准 张三(区医保局)'],
  args: entryArgs,
  keys: entryKeys,
  async run(ctx, { entry }) {
    const streets = await entryStreets(ctx.models, entry);
    await assertMayDecide(ctx, entry, streets);
    const claim = await pendingClaim(ctx.models, entry);
    if (claim.userId === ctx.caller.userId) throw new PermissionError('不能批准自己的登记申请，请另一位管理员审核');
    const linked = await approveClaim(ctx, entry, claim);
    const label = bold(escapeMarkdown(entryLabel(linked)));
    await announce(ctx, streets, `✅ ${label} 的登记已由 ${escapeMarkdown(ctx.caller.name)} 批准（${account(claim)}）`, `claim:${claim._id}:decided`, claim.chatId);
    return `✅ 已批准：${label} 关联 ${account(claim)}\n${font('comment', '撤回：`/撤销`（10 分钟内），或 `/登记 解除 ' + escapeMarkdown(asArg(linked)) + '`')}`;
  },
});

const reject = defineCommand({
  name: '驳回',
  aliases: ['reject', '拒绝'],
  summary: '驳回登记申请（所在街道或全区的管理员）',
  allow: [...ADMINS],
  usage: ['/登记 驳回 张三', '/登记 驳回 张三 不是本人'],
  args: z.object({ entry: arg.person('姓名'), reason: arg.text('原因').optional() }),
  keys: { ...entryKeys, 原因: 'reason' },
  async run(ctx, { entry, reason }) {
    const streets = await entryStreets(ctx.models, entry);
    await assertMayDecide(ctx, entry, streets);
    if (reason && [...reason].length > 100) return ctx.fail('原因不超过 100 个字');
    const claim = await pendingClaim(ctx.models, entry);
    await rejectClaim(ctx, entry, claim, reason);
    const label = bold(escapeMarkdown(entryLabel(entry)));
    const why = reason ? `，原因：${escapeMarkdown(reason)}` : '';
    await announce(ctx, streets, `❎ ${account(claim)} 关联 ${label} 的登记申请已由 ${escapeMarkdown(ctx.caller.name)} 驳回${why}`, `claim:${claim._id}:decided`, claim.chatId);
    return `❎ 已驳回 ${account(claim)} 关联 ${label} 的申请${why}`;
  },
});

const unlink = defineCommand({
  name: '解除',
  aliases: ['unlink'],
  summary: '解除花名册与企业微信账号的关联（所在街道或全区的管理员）',
  allow: [...ADMINS],
  usage: ['/登记 解除 张三', '/登记 解除 张三(区医保局)'],
  args: entryArgs,
  keys: entryKeys,
  async run(ctx, { entry }) {
    const streets = await entryStreets(ctx.models, entry);
    await assertMayDecide(ctx, entry, streets);
    const { userId } = await unlinkEntry(ctx, entry);
    const label = bold(escapeMarkdown(entryLabel(entry)));
    await announce(ctx, streets, `🔓 ${label} 与企业微信账号的关联已由 ${escapeMarkdown(ctx.caller.name)} 解除`, `unlink:${ctx.msg.channel}:${ctx.msg.msgId}`);
    return `🔓 已解除 ${label} 与企业微信账号（${escapeMarkdown(userId)}）的关联；本人可重新发送 \`/登记 姓名 单位\` 申请`;
  },
});

export default defineCommand({
  name: '登记',
  aliases: ['register'],
  summary: '把你的企业微信账号关联到花名册（姓名 + 单位），管理员审核',
  subcommands: [apply, approve, reject, unlink],
  defaultSubcommand: '申请',
  fallbackSubcommand: '申请',
});
