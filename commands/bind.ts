import { z } from 'zod';
import { arg } from '../src/bot/args';
import type { CommandContext } from '../src/bot/context';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font } from '../src/bot/markdown';
import { scopeLabel } from '../src/services/scope';
import { maskWebhookUrl, webhookKey } from '../src/wecom/client';

/**
 * /绑定 — the worked example of a command with subcommands, `key=value` arguments, a scope
 * check on the target (`ctx.assertInScope`) and an audited write (`ctx.audit`).
 * It records the group's scope, its purpose and where pushes to it go.
 */

type Binding = { kind: 'district' | 'street' | 'courtyard'; refId?: unknown };

const webhookArg = () => arg.word('群推送地址').optional();
const webhookKeys = { webhook: 'webhook', 推送: 'webhook', 推送地址: 'webhook', 群推送地址: 'webhook' } as const;

/** The webhook as given (a URL with key=, or the bare key); a UserError when it is neither. */
function checkWebhook(ctx: CommandContext, given: string): string {
  const value = given.trim();
  let key: string;
  try {
    key = webhookKey(value);
  } catch {
    return ctx.fail('群推送地址不对：请复制群机器人的推送地址（…/cgi-bin/webhook/send?key=…），或只写其中的 key');
  }
  if (!/^[A-Za-z0-9_-]{8,80}$/.test(key)) return ctx.fail('群推送地址里的 key 不对：应为群机器人推送地址中 key= 后面的一串字符');
  if (value.includes('://') && !/^https?:\/\//i.test(value)) return ctx.fail('群推送地址应以 https:// 开头');
  return value;
}

async function bindGroup(ctx: CommandContext, binding: Binding, purpose: 'work' | 'leadership', label: string, webhook?: string) {
  if (ctx.msg.chatType !== 'group') return ctx.fail('请在要绑定的群里发送这条命令');
  const webhookUrl = webhook ? checkWebhook(ctx, webhook) : undefined;
  const previous = ctx.scope.kind === 'none' ? undefined : scopeLabel(ctx.scope);
  const set: Record<string, unknown> = { scope: binding, purpose, boundBy: ctx.caller.userId, boundAt: ctx.now, active: true };
  if (webhookUrl) set.webhookUrl = webhookUrl;
  const update = webhookUrl ? { $set: set, $unset: { webhookInvalidAt: 1 } } : { $set: set };
  const group =
    (await ctx.audit.update(ctx.models.Group, { chatId: ctx.msg.chatId }, update)) ??
    (await ctx.audit.create(ctx.models.Group, { chatId: ctx.msg.chatId, channel: ctx.msg.channel, firstSeenAt: ctx.now, ...set }));

  const kind = purpose === 'leadership' ? '领导群' : '工作群';
  const lines = [`✅ 本群已绑定为 ${bold(escapeMarkdown(label))} ${kind}`];
  if (previous && previous !== label) lines.push(font('comment', `原绑定：${escapeMarkdown(previous)}`));
  if (group.webhookUrl && !group.webhookInvalidAt) {
    lines.push(`推送地址：已记录（${maskWebhookUrl(group.webhookUrl)}）`);
  } else {
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
