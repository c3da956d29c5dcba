import type { Caller } from '../services/caller';
import type { Command } from './define-command';
import { bold, font } from '../text/markdown';
import { describeRoles, holdsRole } from '../services/permissions';

/** `/绑定 楼院` for a subcommand, `/帮助` for a command. */
export function commandPath(command: Command, parent?: Command): string {
  return parent ? `/${parent.name} ${command.name}` : `/${command.name}`;
}

/** One line per command for the /帮助 list: the bold command name and its summary. */
export function commandLine(command: Command): string {
  return `${bold('/' + command.name)} ${command.summary}`;
}

/**
 * The usage card of a command: summary, other names, who may use it, the examples; for a
 * command with subcommands, one block per subcommand the caller may use (all when
 * `caller` is undefined).
 */
export function usageCard(command: Command, caller?: Caller): string {
  const lines = [`${bold('/' + command.name)} ${command.summary}`];
  if (command.aliases.length) lines.push(font('comment', `也可写作：${command.aliases.map((a) => '/' + a).join('、')}`));
  if (command.subcommands.length === 0) {
    lines.push(font('comment', `可用：${command.who ?? describeRoles(command.allow)}`));
    lines.push(...command.usage.map((u) => `\`${u}\``));
    return lines.join('\n');
  }
  for (const sub of command.subcommands) {
    if (caller && !holdsRole(caller, sub.allow)) continue;
    const names = [sub.name, ...sub.aliases].join('/');
    lines.push('', `${bold(names)} ${sub.summary}${font('comment', `（${sub.who ?? describeRoles(sub.allow)}）`)}`);
    lines.push(...sub.usage.map((u) => `\`${u}\``));
  }
  return lines.join('\n');
}
