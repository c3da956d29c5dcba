import type { Config } from '../config';
import type { CourtyardDoc, GroupRecord, Models } from '../db/models';
import type { Logger } from '../log';
import type { Audit } from '../services/audit';
import type { WorkingCalendar } from '../services/calendar';
import type { Scope } from '../services/scope';
import type { IncomingMessage } from '../wecom/message';
import type { WeComClient } from '../wecom/client';
import type { DeadPushQuery, Outbox } from '../wecom/outbox';
import type { Caller } from '../services/caller';
import type { Allow, ScopeTarget } from '../services/permissions';
import type { JobRunner } from '../jobs/scheduler';
import type { Registry } from './registry';

/** Everything a command's `run` gets besides its arguments. */
export interface CommandContext {
  msg: IncomingMessage;
  /** The command line as typed (recorded in the audit log). */
  text: string;
  /** The clock: use this, never `new Date()`, so tests and replays control time. */
  now: Date;
  models: Models;
  config: Config;
  log: Logger;
  /** Working days (诉求 are due within 2 working days). */
  calendar: WorkingCalendar;
  /** For commands that push beyond their reply (e.g. /导出 sends a file); absent in some tests. */
  outbox?: Pick<Outbox, 'enqueue'>;
  /** For a message that must be sent now and its outcome told (the test message of /绑定 … webhook=); absent in some tests. */
  wecom?: Pick<WeComClient, 'sendWebhook'>;
  /** The outbox's dead pushes, for an admin's /查询 (the runtime's); absent in some tests. */
  deadPushes?: DeadPushQuery;
  /** Runs a scheduled job now (/推送), through the runtime's scheduler; absent in some tests. */
  jobs?: JobRunner;
  caller: Caller;
  /** The group the message came from (null in a 1:1 chat, or a group WeCom told us nothing about yet). */
  group: GroupRecord | null;
  /** The group's bound scope ('none' in 1:1 chats and unbound groups). */
  scope: Scope;
  /** All commands (for /帮助). */
  registry: Registry;
  /** Record changes through this: it writes and logs them for /撤销 in one call. */
  audit: Audit;
  /** The command (or subcommand) running, as declared. */
  command: { name: string; path: string; allow: Allow; usage: readonly string[] };
  /**
   * The courtyard commands act on when none is named: the group's courtyard, or in a 1:1
   * chat the caller's only assigned courtyard.
   */
  defaultCourtyard: CourtyardDoc | null;
  /** `given`, else the default courtyard, else a UserError asking to name one. */
  courtyardOrDefault(given?: CourtyardDoc | null): CourtyardDoc;
  /**
   * Throws a PermissionError (naming who may) unless one of the command's roles held by the
   * caller covers `target`: see src/services/permissions.ts.
   */
  assertInScope(target: ScopeTarget): Promise<void>;
  /** Throws a UserError with `message` and this command's usage lines. */
  fail(message: string): never;
}
