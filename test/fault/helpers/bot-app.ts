import type Koa from 'koa';
import type { Connection } from 'mongoose';
import type { Command } from '../../../src/bot/define-command';
import { createDispatcher } from '../../../src/bot/dispatcher';
import { createModels, syncIndexes, type Models } from '../../../src/db/models';
import { silentLogger } from '../../../src/log';
import { createCalendar } from '../../../src/services/calendar';
import { createTestApp, recordingOutbox, testConfig } from '../../helpers/wecom';

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
  const models = createModels(conn);
  await syncIndexes(models);
  const config = testConfig(opts.env);
  const outbox = recordingOutbox();
  const handle = createDispatcher({ models, config, log: silentLogger, now: opts.now, calendar: createCalendar(), outbox, commands: opts.commands });
  const { app } = createTestApp({ conn, handle, outbox, now: opts.now, config, answerDeadlineMs: opts.answerDeadlineMs });
  return { app, models, outbox };
}
