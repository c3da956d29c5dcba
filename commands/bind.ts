import type { Types } from 'mongoose';
import { z } from 'zod';
import { arg } from '../src/bot/args';
import type { CommandContext } from '../src/bot/context';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font } from '../src/text/markdown';
import { allowCovers, contactsFor, type ScopeTarget } from '../src/services/permissions';
import { PermissionError, UserError, WeComApiError, WeComNetworkError } from '../src/errors';
import { isDuplicateKey } from '../src/db/duplicate-key';
import { nameOfUser } from '../src/services/lookup';
import { resolveGroupScope, scopeLabel } from '../src/services/scope';
import { maskWebhookUrl, webhookKey } from '../src/wecom/client';
import { isWeComApiUrl } from '../src/wecom/origin';

/**
 * /绑定 — the worked example of a command with subcommands, `key=value` arguments, a scope
 * check on the target (`ctx.assertInScope`) and an audited write (`ctx.audit`).
 * It records the group's scope, its purpose and where pushes to it go.
 */

type Binding = { kind: 'district' | 'street' | 'courtyard'; refId?: Types.ObjectId };

const webhookArg = () => arg.word('群推送地址').optional();
const webhookKeys = { webhook: 'webhook', 推送: 'webhook', 推送地址: 'webhook', 群推送地址: 'webhook' } as const;
const ADMINS = ['admin'] as const;
/** How long the test message of a new webhook may take before the reply says it did not arrive. */
const TEST_MESSAGE_MS = 4000;

/**
 * The webhook as given (a URL with key= on the WeCom API origin, or the bare key), as the
 * robot's send URL on that origin; a UserError when it is neither.
 */
function checkWebhook(ctx: CommandContext, given: string): string {
  const value = given.trim();
  let key: string;
  try {
    key = webhookKey(value);
  } catch {
    return ctx.fail('群推送地址不对：请复制群机器人的推送地址（…/cgi-bin/webhook/send?key=…），或只写其中的 key');
  }
  if (!/^[A-Za-z0-9_-]{8,80}$/.test(key)) return ctx.fail('群推送地址里的 key 不对：应为群机器人推送地址中 key= 后面的一串字符');
  const apiBase = ctx.config.wecom.apiBase;
  if (value.includes('://') && !isWeComApiUrl(value, apiBase)) {
    return ctx.fail(`群推送地址只能是企业微信的地址（${new URL(apiBase).origin}/cgi-bin/webhook/send?key=…）；其他网址不接受`);
  }
  return `${apiBase}/cgi-bin/webhook/send?key=${key}`;
}

/** The permission target of a binding (a leadership group, like a district one, is the district's). */
function bindingTarget(kind: string | null | undefined, refId: Types.ObjectId | null | undefined, street?: Types.ObjectId): ScopeTarget | null {
  if (kind === 'district') return { district: true };
  if (kind === 'street' && refId) return { street: refId };
  if (kind === 'courtyard' && refId && street) return { courtyard: { _id: refId, street } };
  return null;
}

/**
 * Rebinding needs authority over the group's current binding too: a street admin cannot
 * take over another street's group or the leadership group.
 */
async function assertMayRebind(ctx: CommandContext): Promise<void> {
  const { scope, group } = ctx;
  if (!group?.scope?.kind) return;
  const street = scope.kind === 'courtyard' ? scope.courtyard.street : undefined;
  const target = bindingTarget(group.scope.kind, group.scope.refId, street);
  if (!target || allowCovers(ctx.caller, ADMINS, target)) return;
  const who = await contactsFor(ctx.models, ctx.caller, ADMINS, target, 3);
  const current = `${escapeMarkdown(scopeLabel(scope))} ${group.purpose === 'leadership' ? '领导群' : '工作群'}`;
  const lines = [`本群现在是 ${current}，改绑需要${target.district ? '全区' : `「${escapeMarkdown(scopeLabel(scope))}」`}的管理员。`];
  if (who.length) lines.push(`可以找：${who.join('、')}`);
  throw new PermissionError(lines.join('\n'));
}

/** Sends the short test message to a new webhook: undefined when it arrived, else why not. */
async function testWebhook(ctx: CommandContext, url: string, label: string): Promise<string | undefined> {
  if (!ctx.wecom) return '现在无法发送测试消息';
  const sent = ctx.wecom.sendWebhook(url, { type: 'markdown', content: `✅ 楼院通：本群已绑定为 ${bold(escapeMarkdown(label))}，定时排名和提醒会发到这里。` });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), TEST_MESSAGE_MS)));
  try {
    if ((await Promise.race([sent.then(() => 'sent' as const), late])) === 'late') return `${TEST_MESSAGE_MS / 1000} 秒内没有送达`;
    return undefined;
  } catch (err) {
    if (err instanceof WeComApiError) return `企业微信拒收（错误码 ${err.errcode}${err.errcode === 93000 ? '：推送地址无效，群机器人可能已被移除' : ''}）`;
    if (err instanceof WeComNetworkError) return '连不上企业微信，或没有回应';
    throw err;
  } finally {
    clearTimeout(timer);
    sent.catch(() => {}); // a late failure after the reply is of no more interest
  }
}

async function bindGroup(ctx: CommandContext, binding: Binding, purpose: 'work' | 'leadership', label: string, webhook?: string) {
  if (ctx.msg.chatType !== 'group') return ctx.fail('请在要绑定的群里发送这条命令');
  const webhookUrl = webhook ? checkWebhook(ctx, webhook) : undefined;
  await assertMayRebind(ctx);
  const { models, group: current } = ctx;
  const previous = ctx.scope.kind === 'none' ? undefined : scopeLabel(ctx.scope);
  const was = current?.scope?.kind ? { kind: current.scope.kind, refId: current.scope.refId ?? null, purpose: current.purpose ?? null } : null;
  const same = Boolean(was && was.kind === binding.kind && String(was.refId ?? '') === String(binding.refId ?? '') && was.purpose === purpose);

  const set: Record<string, unknown> = { scope: binding, purpose, boundBy: ctx.caller.userId, boundAt: ctx.now, active: true };
  if (webhookUrl) set.webhookUrl = webhookUrl;
  // Another scope: the old robot is not this binding's (its pushes would reach the wrong people).
  const unset: Record<string, 1> = webhookUrl ? { webhookInvalidAt: 1 } : same ? {} : { webhookUrl: 1, webhookInvalidAt: 1 };
  const update = Object.keys(unset).length ? { $set: set, $unset: unset } : { $set: set };
  // Guarded on the binding read: of two rebinds at once, one stands and the other is told whose.
  const asRead = was
    ? { chatId: ctx.msg.chatId, 'scope.kind': was.kind, 'scope.refId': was.refId, purpose: was.purpose }
    : { chatId: ctx.msg.chatId, 'scope.kind': null };
  const rebind = () => ctx.audit.update(models.Group, asRead, update);
  // The gateway records every group it hears from, so the group is there; if not, create it
  // (a concurrent first record of it, or another bind, makes that a rebind of what we read).
  const group =
    current || (await models.Group.exists({ chatId: ctx.msg.chatId }))
      ? await rebind()
      : await ctx.audit.create(models.Group, { chatId: ctx.msg.chatId, channel: ctx.msg.channel, firstSeenAt: ctx.now, ...set }).catch((err: unknown) => {
          if (isDuplicateKey(err)) return rebind();
          throw err;
        });
  if (!group) {
    const now = await models.Group.findOne({ chatId: ctx.msg.chatId });
    const scopeNow = await resolveGroupScope(models, now);
    const who = await nameOfUser(models, now?.boundBy);
    throw new UserError(`本群刚刚已由 ${who} 绑定为 ${scopeLabel(scopeNow)} ${now?.purpose === 'leadership' ? '领导群' : '工作群'}`);
  }

  const kind = purpose === 'leadership' ? '领导群' : '工作群';
  const lines = [`✅ 本群已绑定为 ${bold(escapeMarkdown(label))} ${kind}`];
  if (previous && !same) lines.push(font('comment', `原绑定：${escapeMarkdown(previous)}`));
  if (group.webhookUrl && !group.webhookInvalidAt) {
    lines.push(`推送地址：已记录（${maskWebhookUrl(group.webhookUrl)}）`);
    if (webhookUrl) {
      const failed = await testWebhook(ctx, webhookUrl, `${label} ${kind}`);
      lines.push(failed ? font('warning', `⚠️ 测试消息没有送达：${failed}。请核对推送地址，或确认群机器人还在群里`) : '已向本群发送一条测试消息，请确认收到');
    }
  } else {
    if (was?.kind && !same && current?.webhookUrl) lines.push(font('comment', '原推送地址属于原绑定，已停用'));
    lines.push(
      font('warning', '还没有本群的推送地址，定时排名和提醒发不到本群。'),
      `请在群里添加群机器人，复制它的推送地址后发送：\`${ctx.command.usage[0]} webhook=推送地址\``,
    );
  }
  return lines.join('\n');
}

const courtyard = defineCommand({
  name: '楼院',
  aliases: ['courtyard'],
  summary: '绑定为楼院工作群（本群命令默认针对这个楼院）',
  allow: ['admin'],
  usage: ['/绑定 楼院 东方花园', '/绑定 楼院 东方花园 webhook=https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…'],
  args: z.object({ courtyard: arg.courtyard(), webhook: webhookArg() }),
  keys: { 楼院: 'courtyard', ...webhookKeys },
  async run(ctx, { courtyard, webhook }) {
    await ctx.assertInScope({ courtyard });
    return bindGroup(ctx, { kind: 'courtyard', refId: courtyard._id }, 'work', courtyard.name, webhook);
  },
});

const street = defineCommand({
  name: '街道',
  aliases: ['street'],
  summary: '绑定为街道工作群',
  allow: ['admin'],
  usage: ['/绑定 街道 济源路', '/绑定 街道 济源路 webhook=…'],
  args: z.object({ street: arg.street(), webhook: webhookArg() }),
  keys: { 街道: 'street', ...webhookKeys },
  async run(ctx, { street, webhook }) {
    await ctx.assertInScope({ street: street._id });
    return bindGroup(ctx, { kind: 'street', refId: street._id }, 'work', street.name, webhook);
  },
});

const district = defineCommand({
  name: '全区',
  aliases: ['district'],
  summary: '绑定为全区工作群',
  allow: ['admin'],
  usage: ['/绑定 全区', '/绑定 全区 webhook=…'],
  args: z.object({ webhook: webhookArg() }),
  keys: webhookKeys,
  async run(ctx, { webhook }) {
    await ctx.assertInScope({ district: true });
    return bindGroup(ctx, { kind: 'district' }, 'work', '全区', webhook);
  },
});

const leadership = defineCommand({
  name: '领导群',
  aliases: ['leadership'],
  summary: '绑定为领导群（每周排名和逾期汇总推送到这里）',
  allow: ['admin'],
  usage: ['/绑定 领导群', '/绑定 领导群 webhook=…'],
  args: z.object({ webhook: webhookArg() }),
  keys: webhookKeys,
  async run(ctx, { webhook }) {
    await ctx.assertInScope({ district: true });
    return bindGroup(ctx, { kind: 'district' }, 'leadership', '全区', webhook);
  },
});

const show = defineCommand({
  name: '查看',
  aliases: ['show'],
  summary: '查看本群的绑定',
  allow: ['admin'],
  usage: ['/绑定 查看'],
  async run(ctx) {
    const g = ctx.group;
    const bound = ctx.scope.kind === 'none' ? '未绑定' : `${scopeLabel(ctx.scope)} ${g?.purpose === 'leadership' ? '领导群' : '工作群'}`;
    const push = g?.webhookUrl ? (g.webhookInvalidAt ? font('warning', '已失效，请重新绑定') : '已记录') : font('warning', '未设置');
    return [`本群：${bold(escapeMarkdown(bound))}`, `推送地址：${push}`, '', '绑定方法：', ...ctx.registry.find('绑定')!.usage.slice(0, 4).map((u) => `\`${u}\``)].join(
      '\n',
    );
  },
});

export default defineCommand({
  name: '绑定',
  aliases: ['bind'],
  summary: '绑定本群：楼院工作群、街道工作群或领导群，并记录推送地址',
  subcommands: [courtyard, street, district, leadership, show],
  defaultSubcommand: '查看',
});
