import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mongoose';
import help from '../../commands/help';
import register from '../../commands/register';
import { connectMongoose } from '../../src/db/connect';
import { processedMessageModel } from '../../src/db/models/processed-message';
import { ANSWER_DEADLINE_MS, BUSY_NOT_RUN_TEXT } from '../../src/wecom/ingress/router';
import type { Channel } from '../../src/wecom/message';
import { spawnStandin, type StandinProcess } from '../db/standin-process';
import { botAppOn, type BotApp } from './helpers/bot-app';
import { postWithin5s } from './helpers/post';

/**
 * The database stops under a running app: a stand-in child process, on a data dir, that the
 * test kills (connection refused) or freezes (SIGSTOP: connections open, nothing answers),
 * then starts again on the same port and data.
 */
let dataDir: string;
let standin: StandinProcess;
let conn: Connection;
let bot: BotApp;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'lyt-fault-db-'));
  standin = await spawnStandin(dataDir);
  conn = await connectMongoose(standin.uri, 'fault');
  // the production deadline: what this test is about
  bot = await botAppOn(conn, { commands: [help, register], answerDeadlineMs: ANSWER_DEADLINE_MS });
  const street = await bot.models.Street.create({ name: '济源路街道', aliases: ['济源路'], district: '上街区' });
  const yard = await bot.models.Courtyard.create({ name: '东方花园', street: street._id });
  for (const name of ['张三', '李四', '王五', '赵六']) {
    await bot.models.Cadre.create({ name, unit: '区医保局', roles: ['cadre'], courtyards: [yard._id], scope: { kind: 'district' } });
  }
});
afterAll(async () => {
  standin.child.kill('SIGCONT');
  await conn?.close(true).catch(() => {});
  standin?.child.kill('SIGKILL');
  await standin?.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

/** The account whose claim to the roster entry `name` is on file (/登记 files a claim an admin approves). */
const claimantOf = async (name: string) => {
  const entry = await bot.models.Cadre.findOne({ name }).lean();
  return (await bot.models.RegistrationClaim.findOne({ cadre: entry?._id }).lean())?.userId ?? null;
};

async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end && !(await check()); ) await new Promise((r) => setTimeout(r, 100));
}

it('answers 系统繁忙 with a 200 within 5 s while the database is frozen or gone, loses nothing it acknowledged, and works again once it is back', async () => {
  expect((await postWithin5s(bot.app, { user: 'u-zhang', text: '/登记 张三 区医保局' })).text).toContain('已提交登记申请');

  // 1. Frozen: the claim hangs. The answer comes at the router's deadline, and says the message was not run.
  standin.child.kill('SIGSTOP');
  const frozen = await postWithin5s(bot.app, { user: 'u-li', text: '/登记 李四 区医保局', msgId: 'frozen-1' });
  expect(frozen).toEqual({ status: 200, text: BUSY_NOT_RUN_TEXT, finished: true });
  expect(frozen.text).toContain('系统繁忙，请稍后重试');
  standin.child.kill('SIGCONT');
  // The claim may still land once the database wakes up; the message must not run all the same.
  await until(async () => (await processedMessageModel(conn).countDocuments({ key: 'aibot:frozen-1' })) > 0, 3000);
  await new Promise((r) => setTimeout(r, 300));
  expect(await claimantOf('李四')).toBeNull();

  // 2. Gone: every channel still gets a 200 and the short 系统繁忙 answer.
  standin.child.kill('SIGKILL');
  await standin.exited;
  for (const channel of ['aibot', 'bot', 'app'] satisfies Channel[]) {
    const res = await postWithin5s(bot.app, { channel, user: 'u-wang', chat: channel === 'app' ? undefined : 'grp-1', text: '/登记 王五 区医保局' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('系统繁忙，请稍后重试');
  }

  // 3. Back on the same port and data: the next delivery works without restarting the app.
  standin = await spawnStandin(dataDir, ['--port', new URL(standin.uri).port]);
  let again = { status: 0, text: '', finished: false };
  await until(async () => {
    again = await postWithin5s(bot.app, { user: 'u-wang', text: '/登记 王五 区医保局' });
    return !again.text.includes('系统繁忙');
  }, 15_000);
  expect(again.text).toContain('已提交登记申请');
  expect(await claimantOf('王五')).toBe('u-wang');
  // What was acknowledged before the database went away is still there.
  expect(await claimantOf('张三')).toBe('u-zhang');
  expect(await claimantOf('李四')).toBeNull();
}, 90_000);
