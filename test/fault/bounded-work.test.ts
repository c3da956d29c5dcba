import { Writable } from 'node:stream';
import { z } from 'zod';
import { allCommands } from '../../commands';
import { arg } from '../../src/bot/args';
import { createDispatcher, MAX_MESSAGE_CHARS } from '../../src/bot/dispatcher';
import { defineCommand } from '../../src/bot/define-command';
import { createModels, syncIndexes } from '../../src/db/models';
import { createLogger } from '../../src/log';
import { createCalendar } from '../../src/services/calendar';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';
import { openTestDb } from '../helpers/db';
import { createTestApp, recordingOutbox, sendText, testConfig } from '../helpers/wecom';

/**
 * One message must not freeze the process (issue 12, finding 6): a message's text is capped
 * before any command work, name matching is bounded by the name's length, and the process
 * keeps answering everyone else. The inputs are the issue's: a 4,000-character /查询 against
 * 5,000 courtyards, a 44 KB /撤销 full of markup. What they cost is in `npm run bench -- message`.
 */
let bot: TestBot;
let fx: BasicFixture;

/** `n` characters of Chinese text, none of it a courtyard's name. */
const chinese = (n: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20000))).join('');

beforeAll(async () => {
  bot = await createTestBot();
  fx = await bot.seed.basic();
  const streets = [fx.streets.jiyuan._id, fx.streets.zhongxin._id];
  await bot.models.Courtyard.insertMany(Array.from({ length: 5000 }, (_, i) => ({ name: `测试楼院${i}号院`, street: streets[i % 2] })));
}, 60_000);
afterAll(() => bot.close());

describe('a message over the cap', () => {
  it('a 4,000-character /查询 at 5,000 courtyards: a polite refusal, nothing looked up, and the next /查询 works', async () => {
    const [long, help] = await Promise.all([
      bot.send(fx.users.zhangsan, fx.groups.dongfang, `/查询 ${chinese(4000)}`),
      bot.send(fx.users.lisi, fx.groups.jiyuan, '/帮助'),
    ]);
    expect(long).toContain(`这条消息太长了（超过 ${MAX_MESSAGE_CHARS} 字），没有处理`);
    expect(long).not.toContain('没有找到');
    expect(help).toContain('/查询');
    expect(await bot.send(fx.users.admin, fx.groups.dongfang, '/查询 测试楼院4999号院')).toContain('测试楼院4999号院');
  });

  it('a 44 KB /撤销 full of markup: refused without echoing any of it, nothing undone', async () => {
    expect(await bot.send(fx.users.zhangsan, fx.groups.dongfang, '/诉求 3号楼楼道灯不亮')).toContain('#');
    const requests = await bot.models.ResidentRequest.find().lean();
    const hostile = `/撤销 ${'<font color="warning">!</font><@all>[x](http://127.0.0.1/x)<font color="info">'.repeat(570)}`;
    expect(Buffer.byteLength(hostile)).toBeGreaterThan(44_000);
    const reply = await bot.send(fx.users.zhangsan, fx.groups.dongfang, hostile);
    expect(reply).toContain('这条消息太长了');
    expect(reply).not.toContain('<font');
    expect(reply).not.toContain('<@all>');
    expect(Buffer.byteLength(reply)).toBeLessThan(300);
    expect(await bot.models.ResidentRequest.find().lean()).toEqual(requests);
  });

  it('counts characters, not bytes: exactly the cap passes on to the command; anything longer addressed to the bot is refused, command or not', async () => {
    const atCap = `/查询 ${chinese(MAX_MESSAGE_CHARS - 4)}`;
    expect([...atCap]).toHaveLength(MAX_MESSAGE_CHARS);
    const reply = await bot.send(fx.users.zhangsan, fx.groups.dongfang, atCap);
    // Past the cap's check, the name is too long for near spellings: no "did you mean" work over 5,000 courtyards.
    expect(reply).toContain('没有找到楼院或街道');
    expect(reply).not.toContain('你是不是要找');
    expect(await bot.send(fx.users.zhangsan, fx.groups.dongfang, chinese(3000))).toContain('这条消息太长了');
    expect(await bot.send(fx.users.zhangsan, '', chinese(3000))).toContain('这条消息太长了');
  });
});

describe('name matching stays within its bounds', () => {
  it('near spellings are still found among 5,000 courtyards, and a 40-character name gets no fuzzy search', async () => {
    expect(await bot.send(fx.users.zhangsan, fx.groups.dongfang, '/查询 东方花圆')).toContain('东方花园');
    const near = await bot.send(fx.users.zhangsan, fx.groups.dongfang, '/查询 东风花圆');
    expect(near).toContain('你是不是要找：东方花园');
    expect(await bot.send(fx.users.zhangsan, fx.groups.dongfang, `/查询 ${'东方花园'.repeat(11)}`)).not.toContain('你是不是要找');
  });
});

describe('logs', () => {
  it('carry the command’s name and the message’s ids, never its text (residents’ names, phone numbers)', async () => {
    const db = await openTestDb();
    try {
      const models = createModels(db.conn);
      await syncIndexes(models);
      const lines: string[] = [];
      const log = createLogger('trace', new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
      const broken = defineCommand({
        name: '坏了',
        summary: '总是失败（测试用）',
        allow: 'anyone',
        usage: ['/坏了 内容'],
        args: z.object({ text: arg.text().optional() }),
        run: async () => {
          throw new Error('database went away');
        },
      });
      const config = testConfig();
      const handle = createDispatcher({ models, config, log, calendar: createCalendar(), outbox: recordingOutbox(), commands: [...allCommands, broken] });
      const { app } = createTestApp({ conn: db.conn, handle, log, config });
      const secret = '张大爷 13800001111 3号楼2单元501';
      const failed = await sendText(app, { user: 'zhangsan', chat: 'wrG', text: `/坏了 ${secret}`, msgId: 'msg-broken' });
      expect(failed.replyText).toBe('系统繁忙，请稍后重试');
      await sendText(app, { user: 'zhangsan', chat: 'wrG', text: `/诉求 ${secret} 家里漏水`, msgId: 'msg-request' });
      await sendText(app, { user: 'zhangsan', chat: 'wrG', text: `/撤销 ${secret}`, msgId: 'msg-undo' });

      const failure = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'command failed');
      expect(failure).toMatchObject({ command: '/坏了', msgId: 'msg-broken', channel: 'aibot', chatId: 'wrG', userId: 'zhangsan' });
      expect(lines.length).toBeGreaterThan(3);
      for (const part of ['13800001111', '张大爷', '3号楼2单元501', '家里漏水']) expect(lines.filter((l) => l.includes(part))).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
