import { defineCommand } from '../src/bot/define-command';
import { bold, escapeMarkdown, font } from '../src/bot/markdown';
import { dashboardLink } from '../src/dashboard/link';
import { dashboardScopeOf } from '../src/dashboard/scope';
import { formatDateTime } from '../src/services/beijing-time';
import { scopeLabel } from '../src/services/scope';

/**
 * /看板 — a link to the read-only 挂图作战 dashboard, signed for this group's scope and valid
 * 7 days. Anyone in a bound group may ask: the page shows what /查询, /排名 and /逾期 already
 * tell anyone there. A leadership group's link shows the district, a street group's that
 * street, a courtyard group's only that courtyard (with its place in the street): a
 * courtyard group holds residents' representatives and cadres of other units, and the
 * requests and names of other courtyards are not theirs to read — the street's ranking
 * reaches them in the weekly brief anyway.
 */
export default defineCommand({
  name: '看板',
  aliases: ['dashboard'],
  summary: '挂图作战看板的链接（按群的范围，7 天有效）',
  allow: 'anyone',
  usage: ['/看板'],
  async run(ctx) {
    const scope = dashboardScopeOf(ctx.scope);
    if (!scope) {
      return ctx.fail(
        ctx.msg.chatType === 'group'
          ? '本群还没有绑定范围，看板不知道显示什么。请管理员先发送 `/绑定 楼院 名称`、`/绑定 街道 名称` 或 `/绑定 领导群`'
          : '请在已绑定的工作群里发送 /看板：链接按群的范围显示（领导群看全区，街道群看本街道，楼院群看本楼院）',
      );
    }
    const { url, expiresAt } = dashboardLink(ctx.config, scope, ctx.now);
    const label = escapeMarkdown(scopeLabel(ctx.scope));
    return [
      `📊 ${bold(`挂图作战看板 · ${label}`)}`,
      `[点击打开看板](${url})`,
      `大屏模式（每 5 分钟自动刷新）：[打开大屏](${url}&mode=screen)`,
      font('comment', `有效期至 ${formatDateTime(expiresAt, ctx.now)}；持有链接即可查看，请勿转发到群外`),
    ].join('\n');
  },
});
