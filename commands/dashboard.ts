import type { CommandContext } from '../src/bot/context';
import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font } from '../src/text/markdown';
import type { ScopeTarget } from '../src/services/permissions';
import { dashboardLink, type DashboardScope } from '../src/dashboard/link';
import { dashboardScopeOf } from '../src/dashboard/scope';
import type { GroupRecord } from '../src/db/models';
import { formatDateTime } from '../src/services/beijing-time';
import { scopeLabel } from '../src/services/scope';

/** The bound group and its link scope, or a refusal saying how to bind it. */
function boundGroup(ctx: CommandContext): { group: GroupRecord; scope: DashboardScope } {
  const scope = dashboardScopeOf(ctx.scope);
  if (!scope || !ctx.group) {
    return ctx.fail(
      ctx.msg.chatType === 'group'
        ? '本群还没有绑定范围，看板不知道显示什么。请管理员先发送 `/绑定 楼院 名称`、`/绑定 街道 名称` 或 `/绑定 领导群`'
        : '请在已绑定的工作群里发送 /看板：链接按群的范围显示（领导群看全区，街道群看本街道，楼院群看本楼院）',
    );
  }
  return { group: ctx.group, scope };
}

/**
 * /看板 — a link to the read-only 挂图作战 dashboard, signed for this group's scope and valid
 * 7 days, and a 大屏 link valid 30 days. Anyone in a bound group may ask: the page shows what
 * /查询, /排名 and /逾期 already tell anyone there. A leadership group's link shows the
 * district, a street group's that street, a courtyard group's only that courtyard (with its
 * place in the street): a courtyard group holds residents' representatives and cadres of
 * other units, and the requests and names of other courtyards are not theirs to read — the
 * street's ranking reaches them in the weekly brief anyway. The links carry the group's link
 * generation, so `/看板 重置` voids them all.
 */
const link = defineCommand({
  name: '链接',
  aliases: ['link'],
  summary: '挂图作战看板的链接（按群的范围，7 天有效；大屏链接 30 天）',
  allow: 'anyone',
  usage: ['/看板 链接'],
  async run(ctx) {
    const { group, scope } = boundGroup(ctx);
    const issuer = { groupId: String(group._id), generation: group.linkGeneration ?? 0 };
    const page = dashboardLink(ctx.config, scope, issuer, ctx.now);
    const screen = dashboardLink(ctx.config, scope, issuer, ctx.now, 'screen');
    const label = escapeMarkdown(scopeLabel(ctx.scope));
    return [
      `📊 ${bold(`挂图作战看板 · ${label}`)}`,
      `[点击打开看板](${page.url})`,
      font('comment', `有效期至 ${formatDateTime(page.expiresAt, ctx.now)}`),
      `大屏模式（每 5 分钟自动刷新）：[打开大屏](${screen.url})`,
      font('comment', `大屏链接有效期至 ${formatDateTime(screen.expiresAt, ctx.now)}`),
      font('comment', '持有链接即可查看，请勿转发到群外；链接外泄时，群管理员发送 /看板 重置 即可作废本群发出的全部链接'),
    ].join('\n');
  },
});

/** /看板 重置 — voids every link this group was given (page and 大屏 alike): one write raising its link generation. */
const reset = defineCommand({
  name: '重置',
  aliases: ['reset'],
  summary: '作废本群此前发出的全部看板链接（含大屏链接）',
  allow: ['admin'],
  usage: ['/看板 重置'],
  async run(ctx) {
    const { group } = boundGroup(ctx);
    const s = ctx.scope;
    const target: ScopeTarget = s.kind === 'courtyard' ? { courtyard: s.courtyard } : s.kind === 'street' ? { street: s.street._id } : { district: true };
    await ctx.assertInScope(target);
    await ctx.models.Group.updateOne({ _id: group._id }, { $inc: { linkGeneration: 1 } });
    ctx.log.info({ chatId: group.chatId, by: ctx.caller.userId }, 'dashboard links of a group revoked (/看板 重置)');
    return [
      `✅ 已作废本群此前发出的全部看板链接（含大屏链接），打开旧链接将提示"链接无效或已过期"。`,
      '需要新链接请发送 `/看板`；大屏请换用新的大屏链接。',
    ].join('\n');
  },
});

export default defineCommand({
  name: '看板',
  aliases: ['dashboard'],
  summary: '挂图作战看板的链接（按群的范围，7 天有效）；管理员可重置',
  subcommands: [link, reset],
  defaultSubcommand: '链接',
});
