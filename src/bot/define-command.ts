import type { z } from 'zod';
import type { Role } from '../db/models';
import type { Reply } from '../wecom/message';
import type { CommandContext } from './context';
import type { Allow } from '../services/permissions';

/** What `run` may return: markdown text, a Reply (with mentions), or null for no answer. */
export type CommandResult = string | Reply | null;

/** The argument schema of a command: a zod object whose fields are filled from the words typed. */
export type ArgsSchema = z.ZodObject;

/** A command that does one thing. */
export interface CommandSpec<S extends ArgsSchema> {
  /** The Chinese name typed after the slash: `进度`. */
  name: string;
  /** Other names, Chinese first, then English: `['progress']`. */
  aliases?: readonly string[];
  /** One line for /帮助. */
  summary: string;
  /** Who may run it; the target's scope is checked in `run` with `ctx.assertInScope`. */
  allow: Allow;
  /**
   * Who may, as /帮助 says it, where `run` checks more than `allow` can say (e.g. the
   * courtyard's contact on the roster); default: the roles of `allow`.
   */
  who?: string;
  /** Examples, each a full command line starting with `/name` (or an alias); the first is the main form. */
  usage: readonly string[];
  /**
   * Arguments. Words typed are assigned to the fields in declaration order; `key=value`
   * (or `key：value`) fills a field by its name or by a key from `keys`. A field made with
   * `arg.text()` or `arg.words()` (last) takes the rest of the line. Optional fields should
   * come after required ones.
   */
  args?: S;
  /** Chinese (or other) keys for `key=value`: `{ 类别: 'category', 截止: 'deadline' }`; the first key of a field is its label in errors. */
  keys?: Readonly<Record<string, keyof z.output<S> & string>>;
  run(ctx: CommandContext, args: z.output<S>): Promise<CommandResult>;
}

/** A command made of subcommands chosen by its first word: `/绑定 楼院 …`, `/项目 新建 …`. */
export interface CommandGroupSpec {
  name: string;
  aliases?: readonly string[];
  summary: string;
  /** Each made with `defineCommand`; its `name` and `aliases` are the words after the command. */
  subcommands: readonly Command[];
  /** The subcommand run when nothing follows the command (otherwise the list of subcommands is shown). */
  defaultSubcommand?: string;
  /**
   * The subcommand run, with every word, when the first word names none of them
   * (`/登记 张三 区医保局` runs 申请); its usage lines may leave its own name out.
   */
  fallbackSubcommand?: string;
}

/** A declared command, as the registry and dispatcher see it. */
export interface Command {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly summary: string;
  readonly allow: Allow;
  /** /帮助's "who may" when it is not just the roles of `allow`. */
  readonly who?: string;
  readonly usage: readonly string[];
  readonly args?: ArgsSchema;
  readonly keys: Readonly<Record<string, string>>;
  readonly run?: (ctx: CommandContext, args: unknown) => Promise<CommandResult>;
  readonly subcommands: readonly Command[];
  readonly defaultSubcommand?: string;
  readonly fallbackSubcommand?: string;
}

/** Who may run some subcommand: the parent's entry in /帮助 and its role gate. */
function unionAllow(subs: readonly Command[]): Allow {
  const roles = new Set<Role>();
  for (const { allow } of subs) {
    if (allow === 'anyone') return 'anyone';
    allow.forEach((r) => roles.add(r));
  }
  return [...roles];
}

/**
 * Declares a command (one file in `commands/`, listed in `commands/index.ts`):
 *
 * ```ts
 * export default defineCommand({
 *   name: '进度',
 *   aliases: ['progress'],
 *   summary: '报告项目进度',
 *   allow: ['cadre'],
 *   usage: ['/进度 #12 80% 主路已硬化'],
 *   args: z.object({ project: arg.project(), percent: arg.percent(), note: arg.text().optional() }),
 *   keys: { 项目: 'project', 进度: 'percent', 备注: 'note' },
 *   run: async (ctx, { project, percent, note }) => { … return '✅ …'; },
 * });
 * ```
 * or, with subcommands, `defineCommand({ name, aliases, summary, subcommands: [defineCommand({…}), …] })`.
 */
export function defineCommand<S extends ArgsSchema = z.ZodObject<Record<never, never>>>(spec: CommandSpec<S>): Command;
export function defineCommand(spec: CommandGroupSpec): Command;
export function defineCommand(spec: CommandSpec<ArgsSchema> | CommandGroupSpec): Command {
  if ('subcommands' in spec) {
    return {
      name: spec.name,
      aliases: spec.aliases ?? [],
      summary: spec.summary,
      allow: unionAllow(spec.subcommands),
      usage: spec.subcommands.flatMap((s) => s.usage),
      keys: {},
      subcommands: spec.subcommands,
      defaultSubcommand: spec.defaultSubcommand,
      fallbackSubcommand: spec.fallbackSubcommand,
    };
  }
  return {
    name: spec.name,
    aliases: spec.aliases ?? [],
    summary: spec.summary,
    allow: spec.allow,
    who: spec.who,
    usage: spec.usage,
    args: spec.args,
    keys: spec.keys ?? {},
    run: spec.run as Command['run'],
    subcommands: [],
  };
}
