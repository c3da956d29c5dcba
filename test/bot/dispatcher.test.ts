import { Writable } from 'node:stream';
import { z } from 'zod';
import { allCommands } from '../../commands';
import { arg } from '../../src/bot/args';
import { defineCommand } from '../../src/bot/define-command';
import { createDispatcher } from '../../src/bot/dispatcher';
import { utf8Bytes } from '../../src/text/markdown';
import { createLogger } from '../../src/log';
import { nextSequence } from '../../src/services/sequence';
import type { IncomingMessage } from '../../src/wecom/message';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';
import { testConfig } from '../helpers/wecom';

const boom = defineCommand({
  name: '爆炸',
  aliases: ['boom'],
  summary: 'throws a bug',
  allow: 'anyone',
  usage: ['/爆炸'],
  run: async () => {
    throw new Error('secret internals at /srv/app.js:12');
  },
});
const quiet = defineCommand({ name: '安静', summary: 'says nothing', allow: 'anyone', usage: ['/安静'], run: async () => null });
const long = defineCommand({
  name: '长文',
  summary: 'too long',
  allow: 'anyone',
  usage: ['/长文'],
  run: async () => Array.from({ length: 800 }, (_, i) => `第${i}行 东方花园`).join('\n'),
});
const yard = defineCommand({
  name: '楼院',
  summary: 'the courtyard meant',
  allow: 'anyone',
  usage: ['/楼院 东方花园'],
  args: z.object({ courtyard: arg.courtyard().optional() }),
  run: async (ctx, { courtyard }) => `楼院：${ctx.courtyardOrDefault(courtyard).name}`,
});
const edit = defineCommand({
  name: '修改',
  summary: 'cadres of the courtyard only',
  allow: ['cadre', 'admin'],
  usage: ['/修改 东方花园'],
  args: z.object({ courtyard: arg.courtyard() }),
  run: async (ctx, { courtyard }) => {
    await ctx.assertInScope({ courtyard });
    return `可以修改 ${courtyard.name}`;
  },
});
const make = defineCommand({
  name: '新建',
  summary: 'creates a project',
  allow: ['admin'],
  usage: ['/新建 东方花园 路面硬化'],
  args: z.object({ courtyard: arg.courtyard(), title: arg.text('标题') }),
  run: async (ctx, { courtyard, title }) => {
    const project = await ctx.audit.create(ctx.models.Project, async () => ({
      no: await nextSequence(ctx.models, 'project'),
      courtyard: courtyard._id,
      street: courtyard.street,
      category: '工程' as const,
      title,
    }));
    return `#${project.no} ${project.title}`;
  },
});

let bot: TestBot;
let f: BasicFixture;
const logged: string[] = [];

beforeAll(async () => {
  bot = await createTestBot({ commands: [...allCommands, boom, quiet, long, yard, edit, make] });
  f = await bot.seed.basic();
});
afterAll(() => bot.close());

describe('dispatcher', () => {
  it('answers a bug with 系统繁忙 and logs it, never showing internals', async () => {
    const sink = new Writable({ write: (chunk, _e, done) => (logged.push(String(chunk)), done()) });
    const handle = createDispatcher({ models: bot.models, config: testConfig(), log: createLogger('error', sink), commands: [boom] });
    const msg: IncomingMessage = {
      channel: 'aibot',
      msgId: 'm-boom',
      chatId: 'g',
      chatType: 'group',
      sender: { userId: 'u' },
      text: '/爆炸',
      kind: 'text',
      time: new Date(),
    };
    await expect(handle(msg)).resolves.toEqual({ markdown: '系统繁忙，请稍后重试' });
    expect(logged.join('')).toContain('secret internals');
    expect(await bot.send(f.users.admin, 'g', '/boom')).toBe('系统繁忙，请稍后重试');
  });

  it('says nothing when a command returns null', async () => {
    expect(await bot.send(f.users.admin, 'g', '/安静')).toBe('');
  });

  it('keeps a reply within 4,096 bytes', async () => {
    const reply = await bot.send(f.users.admin, 'g', '/长文');
    expect(utf8Bytes(reply)).toBeLessThanOrEqual(4096);
    expect(reply).toContain('内容过长，已截断');
  });

  it('suggests the closest command for an unknown one', async () => {
    expect(await bot.send(f.users.admin, 'g', '/帮住')).toContain('❓ 没有「/帮住」这个命令。你是不是要找 `/帮助`？');
    expect(await bot.send(f.users.admin, 'g', '/天气预报')).toBe('❓ 没有「/天气预报」这个命令。\n发送 `/帮助` 查看可用的命令');
  });

  it('answers text without a slash with a hint, naming a command word missing its slash', async () => {
    expect(await bot.send(f.users.admin, 'g', '大家好')).toBe('你好，我是**楼院通**，只懂以斜杠开头的命令。发送 `/帮助` 查看可用的命令');
    expect(await bot.send(f.users.admin, 'g', '帮助')).toContain('命令前要加斜杠，例如 `/帮助`');
    expect(await bot.send(f.users.admin, 'g', '')).toContain('发送 `/帮助` 查看可用的命令');
    expect(await bot.send(f.users.admin, '', '你好')).toContain('发送 `/帮助` 查看可用的命令');
  });

  it('uses the group courtyard as the default, and a 1:1 chat uses the caller’s only courtyard', async () => {
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/楼院')).toBe('楼院：东方花园');
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/楼院 陇海')).toBe('楼院：陇海安居');
    expect(await bot.send(f.users.zhangsan, '', '/楼院')).toBe('楼院：东方花园');
    expect(await bot.send(f.users.lisi, '', '/楼院')).toContain('❌ 请写明楼院');
    expect(await bot.send(f.users.zhangsan, f.groups.jiyuan, '/楼院')).toContain('❌ 请写明楼院');
  });

  it('checks the target scope: a cadre of another courtyard is refused, with who may', async () => {
    expect(await bot.send(f.users.zhangsan, 'g', '/修改 东方花园')).toBe('可以修改 东方花园');
    const reply = await bot.send(f.users.zhangsan, 'g', '/修改 陇海安居');
    expect(reply).toContain('🚫 /修改 仅限「陇海安居」的分包干部或管理员使用。');
    expect(reply).toContain('李四（分包干部）');
    expect(await bot.send(f.users.jyAdmin, 'g', '/修改 陇海安居')).toBe('可以修改 陇海安居');
    expect(await bot.send(f.users.stranger, 'g', '/修改 陇海安居')).toContain('你还没有登记');
  });

  it('creates one record per message even if the message is handled twice', async () => {
    const handle = createDispatcher({ models: bot.models, config: testConfig(), log: createLogger('silent'), now: () => bot.now(), commands: [make] });
    const msg: IncomingMessage = {
      channel: 'aibot',
      msgId: 'm-twice',
      chatId: 'g',
      chatType: 'group',
      sender: { userId: 'admin' },
      text: '/新建 东方花园 路面硬化',
      kind: 'text',
      time: bot.now(),
    };
    const first = await handle(msg);
    const second = await handle(msg);
    expect(second).toEqual(first);
    expect(await bot.models.Project.countDocuments({ title: '路面硬化' })).toBe(1);
    expect(await bot.models.AuditEntry.countDocuments({ msgId: 'aibot:m-twice' })).toBe(1);
    expect(await bot.send(f.users.admin, 'g', '/新建 东方花园 楼道照明')).toBe('#2 楼道照明');
  });
});
