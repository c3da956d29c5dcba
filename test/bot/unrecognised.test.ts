/**
 * Every message addressed to the bot gets an answer: text it does not understand
 * (`@楼院通 你好`; the callback builder puts the @mention before group messages, as WeCom
 * does) gets a one-line hint naming /帮助, through each callback channel — signed and
 * encrypted callbacks in, the decrypted passive reply out (the app's is plain text).
 */
import type { Channel } from '../../src/wecom/message';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';

describe.each<[Channel, string]>([
  ['aibot', 'the intelligent robot, in a group'],
  ['bot', 'the group robot callback, in a group'],
  ['app', 'the self-built app, 1:1'],
])('an unrecognised message through %s (%s)', (channel) => {
  let bot: TestBot;
  let f: BasicFixture;
  beforeAll(async () => {
    bot = await createTestBot({ channel });
    f = await bot.seed.basic();
  });
  afterAll(() => bot.close());

  const chat = () => (channel === 'app' ? '' : f.groups.dongfang);
  /** The app answers in plain text: compare without markdown. */
  const plain = (s: string) => s.replace(/\*\*|`/g, '');

  it('answers @楼院通 你好 with one line pointing to /帮助', async () => {
    const reply = await bot.send(f.users.zhangsan, chat(), '你好');
    expect(plain(reply)).toBe('你好，我是楼院通，只懂以斜杠开头的命令。发送 /帮助 查看可用的命令');
    if (channel !== 'app') expect(reply).toBe('你好，我是**楼院通**，只懂以斜杠开头的命令。发送 `/帮助` 查看可用的命令');
  });

  it('answers a stranger in an unbound group too, and a command word without its slash names the command', async () => {
    const group = channel === 'app' ? '' : 'grp-unbound';
    expect(plain(await bot.send(f.users.stranger, group, '在吗？'))).toContain('发送 /帮助 查看可用的命令');
    expect(plain(await bot.send(f.users.stranger, group, '帮助'))).toBe('命令前要加斜杠，例如 /帮助。发送 /帮助 查看可用的命令');
  });
});
