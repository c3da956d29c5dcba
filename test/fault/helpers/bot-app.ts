import type Koa from 'koa';
import type { Connection } from 'mongoose';
import type { Command } from '../../../src/bot/define-command';
import type { Models } from '../../../src/db/models';
import { createRuntime } from '../../../src/runtime';
import { silentLogger } from '../../../src/log';
import { createCalendar } from '../../../src/services/calendar';
import { recordingOutbox, testConfig } from '../../helpers/wecom';

export interface BotApp {
  app: Koa;
  models: Models;
  outbox: ReturnType<typeof recordingOutbox>;
}

/**
 * The whole callback path (WeCom router → dispatcher → every command) on a connection the
 * test opened itself, e.g. to a stand-in child process it can kill.
 */
export async function botAppOn(conn: Connection, opts: { now?: () => Date; env?: NodeJS.ProcessEnv; commands?: readonly Command[]; answerDeadlineMs?: number } = {}): Promise<BotApp> {
  const config = testConfig(opts.env);
  const outbox = recordingOutbox();
  const runtime = await createRuntime(config, conn, {
    log: silentLogger,
    now: opts.now,
    calendar: createCalendar(),
    outbox,
    commands: opts.commands,
    timers: false,
    answerDeadlineMs: opts.answerDeadlineMs ?? 10_000,
  });
  return { app: runtime.app('test'), models: runtime.models, outbox };
}
