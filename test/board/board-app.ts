/**
 * A test bot (the real chat path, fake clock) and the public board's router on the same
 * database, clock and recording outbox, with the 事务公开 main.ts gives it, in an app of their
 * own (main.ts mounts both in one).
 */
import type Koa from 'koa';
import { boardAccounts } from '../../src/board/accounts';
import { createBoardRouter, type BoardRouterDeps } from '../../src/board/router';
import { createApp } from '../../src/http/app';
import { silentLogger } from '../../src/log';
import { createCalendar } from '../../src/services/calendar';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';
import { testConfig } from '../helpers/wecom';

export interface BoardTestbed {
  bot: TestBot;
  fx: BasicFixture;
  /** The board's app (no port; supertest or a test server). */
  app: Koa;
  /** The webhook of 东方花园's group (pushes recorded in bot.outbox). */
  webhook: string;
}

export async function boardTestbed(opts: Pick<BoardRouterDeps, 'limits' | 'accounts'> = {}): Promise<BoardTestbed> {
  const bot = await createTestBot({ adminUserIds: ['admin'] });
  const fx = await bot.seed.basic();
  const webhook = `${bot.apiBase}/cgi-bin/webhook/send?key=dongfang-robot`;
  await bot.models.Group.updateOne({ chatId: fx.groups.dongfang }, { $set: { webhookUrl: webhook, name: '东方花园工作群' } });
  const config = testConfig({ ADMIN_USERIDS: 'admin' });
  const board = createBoardRouter({ models: bot.models, config, log: silentLogger, calendar: createCalendar(), outbox: bot.outbox, now: bot.now, accounts: boardAccounts(bot.models), ...opts });
  const app = createApp({ log: silentLogger, engine: 'test', pingDb: async () => {}, routers: [board] });
  return { bot, fx, app, webhook };
}

/** The board link in a /公示码 reply, as a path (the test serves it on its own origin). */
export function boardPathOf(reply: string): string {
  const m = /\]\((https?:\/\/[^)]+\/board\/[^)]+)\)/.exec(reply);
  if (!m) throw new Error(`no board link in the reply: ${reply}`);
  return new URL(m[1]!).pathname;
}
