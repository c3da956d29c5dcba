import { z } from 'zod';
import { arg } from '../src/bot/args';
import { defineCommand } from '../src/bot/define-command';
import { commandLine, usageCard } from '../src/bot/help-text';
import { escapeMarkdown, font } from '../src/text/markdown';
import { holdsRole, ROLE_LABELS } from '../src/services/permissions';
import { scopeLabel } from '../src/services/scope';

/**
 * /帮助 — the worked example of a command with one optional argument and no database
 * writes. The list is generated from the declarations (ctx.registry) and shows only what
 * the caller may use.
 */
export default defineCommand({
  name: '帮助',
  aliases: ['help'],
  summary: '查看你可以用的命令；加命令名查看用法',
  allow: 'anyone',
  usage: ['/帮助', '/帮助 进度'],
  args: z.object({ command: arg.word('命令').optional() }),
  keys: { 命令: 'command' },
  async run(ctx, { command: wanted }) {
    const { registry, caller } = ctx;
    if (wanted) {
      const name = wanted.replace(/^\//, '');
      const command = registry.find(name) ?? registry.splitName(name)?.command;
      if (!command) {
        const near = registry.suggest(name);
        return ctx.fail(`没有「${escapeMarkdown(name)}」这个命令${near.length ? `，你是不是要找 ${near.map((c) => '/' + c.name).join('、')}？` : ''}`);
      }
      if (holdsRole(caller, command.allow)) return usageCard(command, caller);
      return `${usageCard(command)}\n${font('warning', '你目前没有使用这个命令的权限')}`;
    }

    const roles = [...caller.roles].map((r) => ROLE_LABELS[r]);
    const who = `${escapeMarkdown(caller.name)} · ${caller.cadre ? roles.join('、') || '已登记' : '未登记'}`;
    const where = ctx.msg.chatType === 'group' ? ` · 本群：${escapeMarkdown(scopeLabel(ctx.scope))}` : '';
    const lines = ['**楼院通 · 可用命令**', font('comment', who + where), ''];
    for (const command of registry.commands) {
      if (!holdsRole(caller, command.allow)) continue;
      const usable = command.subcommands.length ? command.subcommands.filter((s) => holdsRole(caller, s.allow)) : [command];
      lines.push(commandLine(command), `\`${usable[0]!.usage[0]}\``);
    }
    lines.push('');
    if (!caller.cadre) lines.push('分包干部请先登记：`/登记 姓名 单位`');
    lines.push(font('comment', '发送 `/帮助 命令名` 查看详细用法，如 `/帮助 进度`'));
    return lines.join('\n');
  },
});
