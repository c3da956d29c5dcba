import type { Config } from '../config';
import type { CourtyardDoc, Models } from '../db/models';
import { PermissionError, SYSTEM_BUSY_TEXT, UserError } from '../errors';
import type { Logger } from '../log';
import { createAudit, type Logged } from '../services/audit';
import { createCalendar, type WorkingCalendar } from '../services/calendar';
import { notifyTargetOf, photoAttachment, photosLine, photoTargetOf, PHOTO_COMMANDS, queuePhotos, takePhotoWindow, MAX_PHOTOS_PER_MESSAGE } from '../services/photos';
import { resolveGroupScope, type Scope } from '../services/scope';
import { cachedCourtyard } from '../services/record-cache';
import type { Known, MessageHandler } from '../services/group-records';
import type { IncomingMessage, Reply } from '../wecom/message';
import type { WeComClient } from '../wecom/client';
import type { DeadPushQuery, Outbox } from '../wecom/outbox';
import type { JobRunner } from '../jobs/scheduler';
import { bindArgs } from './bind-args';
import { resolveCaller, type Caller } from '../services/caller';
import type { CommandContext } from './context';
import type { Command, CommandResult } from './define-command';
import { commandPath, usageCard } from './help-text';
import { escapeMarkdown, fitReply, inertLines } from '../text/markdown';
import { allowCovers, contactsFor, describeRoles, holdsRole, type Allow, type ScopeTarget } from '../services/permissions';
import { createRegistry, type Registry } from './registry';
import { parseCommandLine, type Token } from './tokenize';

export interface DispatcherDeps {
  models: Models;
  config: Config;
  log: Logger;
  /** The clock; default the real one. */
  now?: () => Date;
  /** Default: the shipped calendar plus DATA_DIR/holidays.json. */
  calendar?: WorkingCalendar;
  /** Handed to commands that push (ctx.outbox). */
  outbox?: Pick<Outbox, 'enqueue'>;
  /** Handed to commands that send at once and report the outcome (ctx.wecom). */
  wecom?: Pick<WeComClient, 'sendWebhook'>;
  /** Handed to the admin's views of failed pushes (ctx.deadPushes). */
  deadPushes?: DeadPushQuery;
  /** Handed to commands that run a job now (ctx.jobs, /推送). */
  jobs?: JobRunner;
  /** The commands this bot answers (the composition root hands in commands/index.ts). */
  commands: readonly Command[];
}

/**
 * The longest message a command is read from, in characters. Every command fits in a few
 * hundred; a longer one is refused before any command work, so that no message costs more
 * than a normal one many times over (bench: `npm run bench -- message`).
 */
export const MAX_MESSAGE_CHARS = 2000;

/** The number of characters (code points) of `text`, counting no further than `limit + 1`. */
function charsUpTo(text: string, limit: number): number {
  if (text.length <= limit) return text.length; // a code point is one or two UTF-16 units
  let n = 0;
  for (const _ of text) if (++n > limit) break;
  return n;
}

const HINT = '发送 `/帮助` 查看可用的命令';

/**
 * A UserError as chat text: the message, then the usage lines. Messages quote what the user
 * typed, so the message is made inert here, for every command at once (see inertLines).
 */
export function userErrorReply(err: UserError): Reply {
  const mark = err instanceof PermissionError ? '🚫' : '❌';
  const usage = err.usage?.length ? ['用法：' + err.usage.map((u) => `\`${u}\``).join('  ')] : [];
  return { markdown: [inertLines(`${mark} ${err.message}`), ...usage].join('\n') };
}

function toReply(result: CommandResult): Reply | null {
  if (result === null) return null;
  const reply = typeof result === 'string' ? { markdown: result } : result;
  return { ...reply, markdown: fitReply(reply.markdown) };
}

/** The scope target matching a group's binding (for "who may" in refusals). */
function scopeTarget(scope: Scope): ScopeTarget | undefined {
  if (scope.kind === 'courtyard') return { courtyard: scope.courtyard };
  if (scope.kind === 'street') return { street: scope.street._id };
  return undefined;
}

async function targetLabel(models: Models, target: ScopeTarget): Promise<string> {
  if (target.courtyard) {
    const c = await models.Courtyard.findById(target.courtyard._id, { name: 1 });
    return c ? `「${c.name}」` : '该楼院';
  }
  if (target.street) {
    const s = await models.Street.findById(target.street, { name: 1 });
    return s ? `「${s.name}」` : '该街道';
  }
  return '全区';
}

/**
 * The command router: a MessageHandler for the WeCom gateway. For each text message it
 * resolves the caller and the group's scope, finds the command, checks the caller's role,
 * binds the arguments, runs the command and turns the result into a Reply. A UserError
 * becomes a short Chinese answer (with the usage); any other error is logged and answered
 * "系统繁忙，请稍后重试". Every message gets an answer: text without a slash a one-line hint
 * pointing to /帮助 (naming the command when its word came without the slash).
 *
 * Throws at creation when the command declarations are inconsistent (duplicate names …).
 */
export function createDispatcher(deps: DispatcherDeps): MessageHandler & { registry: Registry } {
  const registry = createRegistry(deps.commands);
  const { models, config, log } = deps;
  const clock = deps.now ?? (() => new Date());
  const calendar = deps.calendar ?? createCalendar({ dataDir: config.dataDir, log });

  async function refuse(allow: Allow, path: string, caller: Caller, target: ScopeTarget | undefined, where: string): Promise<never> {
    const who = await contactsFor(models, caller, allow, target, 3);
    const lines = [`${path} 仅限${where}${describeRoles(allow)}使用。`];
    if (!caller.cadre) lines.push('你还没有登记：发送 `/登记 姓名 单位` 关联花名册。');
    if (who.length) lines.push(`可以找：${who.join('、')}`);
    throw new PermissionError(lines.join('\n'));
  }

  /** Text without a slash. Every message reaching the bot is addressed to it (groups deliver only @mentions), so each gets a hint. */
  function noCommand(msg: IncomingMessage): Reply {
    const first = msg.text.trim().split(/\s+/)[0] ?? '';
    if (first && registry.find(first)) return { markdown: `命令前要加斜杠，例如 \`/${first}\`。${HINT}` };
    return { markdown: `你好，我是**楼院通**，只懂以斜杠开头的命令。${HINT}` };
  }

  function unknownCommand(name: string): Reply {
    const near = registry.suggest(name);
    const guess = near.length ? `你是不是要找 ${near.map((c) => `\`/${c.name}\``).join('、')}？` : '';
    return { markdown: `❓ 没有「/${escapeMarkdown(name)}」这个命令。${guess}\n${HINT}` };
  }

  /** What the log may say about the message being handled: ids and the command's name, never its text. */
  interface Seen {
    command?: string;
  }

  /** Opens a window for the next picture itself (commands/photo.ts). */
  const PHOTO_COMMAND = '/照片';

  /** The reply with more lines after it (a reply of nothing stays nothing when there is nothing to add). */
  const withLines = (reply: Reply | null, ...lines: string[]): Reply | null => {
    const more = lines.filter(Boolean);
    return more.length ? { ...(reply ?? { markdown: '' }), markdown: [reply?.markdown, ...more].filter(Boolean).join('\n') } : reply;
  };
  const foreignLine = (msg: IncomingMessage) => (msg.foreignImages ? `❌ ${msg.foreignImages} 张图片的链接不是企业微信的地址，未保存。` : '');

  async function notifyTarget(msg: IncomingMessage, group: { webhookUrl?: string | null } | null | undefined) {
    const g = group === undefined && msg.channel === 'bot' ? await models.Group.findOne({ chatId: msg.chatId }, { webhookUrl: 1 }).lean() : group;
    return notifyTargetOf(msg, g?.webhookUrl);
  }

  /**
   * Pictures with a command: the record it made takes them (found through its audit entries,
   * so no command has to say what it made), and the sender's next pictures for 10 minutes.
   */
  async function withPhotos(reply: Reply | null, msg: IncomingMessage, path: string, now: Date, group: { webhookUrl?: string | null } | null, logged: readonly Logged[]): Promise<Reply | null> {
    const images = msg.images?.length ?? 0;
    const target = PHOTO_COMMANDS.has(path) ? await photoTargetOf(models, `${msg.channel}:${msg.msgId}`, logged) : null;
    // The sender's next pictures: the ingress keeps the target with this message's claim.
    if (target && reply) reply = { ...reply, attach: photoAttachment(target, now) };
    if (!images) return withLines(reply, foreignLine(msg));
    const to = target ?? (path === PHOTO_COMMAND ? await takePhotoWindow(models, msg, now) : null);
    const line = to
      ? photosLine(await queuePhotos(models, msg, to, now, await notifyTarget(msg, group)), to, Math.max(0, images - MAX_PHOTOS_PER_MESSAGE))
      : `📷 这条命令不关联照片，${images} 张照片未保存（照片可随 \`/进度\`、\`/下沉\`、\`/反馈\`、\`/办结\`、\`/项目 新建\` 一起发送）`;
    return withLines(reply, line, foreignLine(msg));
  }

  /** Pictures without a command: the sender's open window in this chat takes them. */
  async function photosAlone(msg: IncomingMessage, now: Date, known: Known): Promise<Reply> {
    if (!msg.images?.length) return { markdown: msg.foreignImages ? '❌ 图片链接不是企业微信的地址，未保存。' : '❌ 没有收到图片。' };
    const target = await takePhotoWindow(models, msg, now);
    if (!target) {
      return {
        markdown:
          '📷 收到照片，但没有可关联的记录，未保存。请先发送 `/进度`、`/下沉`、`/反馈`、`/办结` 或 `/项目 新建`，10 分钟内再发照片；' +
          '或先发送 `/照片 #项目编号`，再发照片。',
      };
    }
    const count = await queuePhotos(models, msg, target, now, await notifyTarget(msg, known.group));
    return withLines({ markdown: photosLine(count, target, Math.max(0, msg.images.length - MAX_PHOTOS_PER_MESSAGE)) }, foreignLine(msg))!;
  }

  async function handle(msg: IncomingMessage, now: Date, seen: Seen, known: Known): Promise<Reply | null> {
    if (msg.kind === 'event') return null;
    if (msg.kind === 'image') return photosAlone(msg, now, known);
    if (msg.kind !== 'text') return { markdown: `暂时只能处理文字命令。${HINT}` };
    if (charsUpTo(msg.text, MAX_MESSAGE_CHARS) > MAX_MESSAGE_CHARS) {
      log.info({ msgId: msg.msgId, channel: msg.channel, chatId: msg.chatId, userId: msg.sender.userId, length: msg.text.length }, 'message over MAX_MESSAGE_CHARS refused');
      return { markdown: `❌ 这条消息太长了（超过 ${MAX_MESSAGE_CHARS} 字），没有处理。请精简内容，或分成几条发送。${HINT}` };
    }
    const line = parseCommandLine(msg.text);
    if (!line) return msg.images?.length ? photosAlone(msg, now, known) : noCommand(msg);
    if (line.name === '') return { markdown: HINT };

    let tokens: Token[] = line.args;
    let command = registry.find(line.name);
    if (!command) {
      const split = registry.splitName(line.name);
      if (!split) return unknownCommand(line.name);
      command = split.command;
      const start = line.nameStart + line.name.length - split.rest.length;
      tokens = [{ text: split.rest, start, end: start + split.rest.length, quoted: false, keySep: -1 }, ...tokens];
    }

    const caller = await resolveCaller(models, config, msg.sender);
    const group = msg.chatType !== 'group' ? null : known.group !== undefined ? known.group : await models.Group.findOne({ chatId: msg.chatId });
    const scope = await resolveGroupScope(models, group);

    let parent: Command | undefined;
    if (command.subcommands.length) {
      parent = command;
      const word = tokens[0];
      let sub = word ? registry.findSub(parent, word.text) : parent.defaultSubcommand ? registry.findSub(parent, parent.defaultSubcommand) : undefined;
      if (!word && !sub) return { markdown: usageCard(parent, caller) };
      if (sub && word) tokens = tokens.slice(1);
      // A first word that is no subcommand: the fallback subcommand gets all the words.
      sub ??= parent.fallbackSubcommand ? registry.findSub(parent, parent.fallbackSubcommand) : undefined;
      if (!sub) {
        // Short: the subcommands' names and where their examples are, not every example on one line.
        const names = parent.subcommands.map((s) => s.name).join('、');
        throw new UserError(`「/${parent.name}」后面应为 ${names} 之一，收到「${escapeMarkdown(word!.text)}」\n各项用法：\`/帮助 ${parent.name}\``);
      }
      command = sub;
    }
    const path = commandPath(command, parent);
    seen.command = path;
    if (!holdsRole(caller, command.allow)) await refuse(command.allow, path, caller, scopeTarget(scope), '');

    let defaultCourtyard: CourtyardDoc | null = scope.kind === 'courtyard' ? scope.courtyard : null;
    if (!defaultCourtyard && msg.chatType === 'single' && caller.courtyardIds.length === 1) {
      defaultCourtyard = await cachedCourtyard(models, caller.courtyardIds[0]!);
    }
    const current = command;
    const audit = createAudit({ models, actor: caller.userId, actorName: caller.name, command: msg.text.trim(), msgId: `${msg.channel}:${msg.msgId}`, now, batched: true });
    const fail = (message: string): never => {
      throw new UserError(message, [...current.usage]);
    };
    const ctx: CommandContext = {
      msg,
      text: msg.text.trim(),
      now,
      models,
      config,
      log,
      calendar,
      outbox: deps.outbox,
      wecom: deps.wecom,
      jobs: deps.jobs,
      deadPushes: deps.deadPushes,
      caller,
      group,
      scope,
      registry,
      audit,
      command: { name: command.name, path, allow: command.allow, usage: command.usage },
      defaultCourtyard,
      courtyardOrDefault(given) {
        const courtyard = given ?? defaultCourtyard;
        if (!courtyard) return fail('请写明楼院（本群没有绑定楼院）');
        return courtyard;
      },
      async assertInScope(target) {
        if (allowCovers(caller, current.allow, target)) return;
        await refuse(current.allow, path, caller, target, `${await targetLabel(models, target)}的`);
      },
      fail,
    };
    const args = await bindArgs(command, tokens, msg.text, { now, models, scope });
    log.debug({ command: path, userId: caller.userId, msgId: msg.msgId }, 'running command');
    let result: Awaited<ReturnType<NonNullable<typeof command.run>>>;
    try {
      result = await command.run!(ctx, args);
    } finally {
      // Also after a failure: what the command changed before it failed stays undoable.
      await audit.flush();
    }
    return withPhotos(toReply(result), msg, path, now, group, audit.logged);
  }

  const dispatch = async (msg: IncomingMessage, known: Known = {}): Promise<Reply | null> => {
    const seen: Seen = {};
    try {
      return await handle(msg, clock(), seen, known);
    } catch (err) {
      if (err instanceof UserError) {
        const reply = userErrorReply(err);
        return msg.images?.length ? { markdown: `${reply.markdown}\n📷 命令没有执行，${msg.images.length} 张照片未保存。` } : reply;
      }
      // Never the message's text: it may hold residents' names, addresses and phone numbers.
      log.error({ err, command: seen.command, msgId: msg.msgId, channel: msg.channel, chatId: msg.chatId, userId: msg.sender.userId }, 'command failed');
      return { markdown: SYSTEM_BUSY_TEXT };
    }
  };
  return Object.assign(dispatch, { registry });
}
