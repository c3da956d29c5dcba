/**
 * Fuzz: hundreds of generated malformed commands through the real callback path. Every one
 * must get a non-empty Chinese reply, never an HTTP error, never the "系统繁忙" answer of an
 * unexpected error, and must change no record.
 *
 * The command names come from the registry (allCommands), so commands added later are fuzzed
 * too. The senders and chats are chosen so that no generated line can be a legitimate change:
 * a stranger, a cadre of two courtyards (so nothing defaults to one) and an admin of a street
 * office that has no courtyards, each in a 1:1 chat or the street group; the records the
 * arguments may name (#1 project, #1 request, 水泵厂家属院, 中心路, 清洁家园) are outside all
 * their scopes, and no token names a place or person they cover.
 */
import { createHash } from 'node:crypto';
import { EJSON } from 'bson';
import { allCommands } from '../../commands';
import { SYSTEM_BUSY_TEXT } from '../../src/errors';
import type { Command } from '../../src/bot/define-command';
import { createTestBot, type BasicFixture, type TestBot, type TestUser } from '../helpers/bot';
import { prng } from '../../bench/city';

jest.setTimeout(300_000);

const SEED = 20200916;

const TOKENS = [
  // numbers and references
  '#1', '#0', '#-1', '#99999999999999999999', '99999999999999999999', '1e309', '-5', '0', '3.1415926', 'NaN', 'Infinity',
  '50%', '150%', '-20%', '８０％', '１２', '100', '完成', '三', '十万',
  // dates and durations
  '9月20日', '2月30日', '13月1日', '9.20', '今天', '昨天', '下周五', '月底', '0000-00-00', '99999-1-1', '半天', '25小时', '2h', '-3小时',
  // names outside every sender's scope, and names that do not exist
  '张三', '马六', '水泵厂家属院', '火星小区', '中心路', '屋顶防水', '清洁家园', '党支部', '志愿队', '已建', '满意', '领导群', '全区', '楼院', '街道',
  // injection-looking text
  '{"$gt":""}', '$where', '{$ne:null}', '{"$where":"sleep(1000)"}', "'; DROP TABLE projects; --", '<script>alert(1)</script>', '**粗体**',
  '<@all>', '<font color="warning">x</font>', '[链接](http://example.com)', '`code`', '> 引用', '# 标题', '__proto__', 'constructor',
  'toString', '../../etc/passwd', '%00', '${process.exit()}', '\\u0000',
  // emoji, scripts and widths
  '🎉', '👍🏻', '🏳️‍🌈', '𠮷野家', '\u202e反转', 'Ｚｅｎｋａｋｕ', '，，，', '、', '“未闭合', '「引号」', '"', "'", '（', '）', '／', '＝', '：',
  // control characters
  '\u0000', '\u0007', '\u001b[31m红', '\t', '\r', '\u200b', '\ufeff', '\u2028',
  // keys with wrong values
  '类别=', '类别=土木', '截止=', '截止=昨天', '截止=2020-02-30', '责任人=@all', '楼院=火星小区', '楼院=', '范围=火星', '原因=', '=', '==', ':',
  '进度=abc', '页码=-1', '页码=99999999999', 'webhook=javascript:alert(1)', '日期=明天', '状态=', '满意度=很好',
];

const HUGE = ['x'.repeat(3000), '很'.repeat(1500), '🎉'.repeat(800), '#'.repeat(500), '1'.repeat(400)];

/** Every way to call a command: its names and aliases, and each with each subcommand. */
function heads(commands: readonly Command[]): string[] {
  const out: string[] = [];
  for (const c of commands) {
    for (const name of [c.name, ...c.aliases]) {
      out.push(name);
      for (const sub of c.subcommands) for (const s of [sub.name, ...sub.aliases]) out.push(`${name} ${s}`);
    }
  }
  return out;
}

function generate(count: number): string[] {
  const rnd = prng(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const args = (n: number) => Array.from({ length: n }, () => (rnd() < 0.03 ? pick(HUGE) : pick(TOKENS)));
  const sep = () => pick([' ', ' ', ' ', '　', '，', '、', '  ', '\t']);
  // (The harness already puts the "@楼院通 " WeCom adds before a group message.)
  const slash = () => pick(['/', '/', '/', '／', ' /', '\u3000/']);
  const mangle = (name: string) => {
    const r = rnd();
    if (r < 0.1) return name.toUpperCase();
    if (r < 0.15) return name.replace(/^(.)/, '$1\u200b');
    if (r < 0.2) return name + pick(['#1', '１', '🎉', '$gt']);
    return name;
  };
  const all = heads(allCommands);
  const lines: string[] = [];
  // Every name, alias and subcommand: bare, with wrong or extra arguments.
  for (const head of all) {
    for (const n of [0, 1 + Math.floor(rnd() * 3), 3 + Math.floor(rnd() * 5)]) {
      lines.push(`${slash()}${head.split(' ').map(mangle).join(sep())}${n ? sep() : ''}${args(n).join(sep())}`);
    }
  }
  // Unknown and garbled command names.
  while (lines.length < count) {
    const r = rnd();
    if (r < 0.3) lines.push(`${slash()}${args(1 + Math.floor(rnd() * 4)).join(sep())}`);
    else if (r < 0.5) lines.push(`${slash()}${pick(['', '/', '／', ' ', '🎉', '\u0000'])}${pick(all).split(' ')[0]}${args(Math.floor(rnd() * 3)).join('')}`);
    else lines.push(`${slash()}${mangle(pick(all))}${sep()}${args(Math.floor(rnd() * 8)).join(sep())}`);
  }
  return lines;
}

/**
 * A digest of every document of every collection, except the message log and the audit log.
 * `updatedAt` is left out: the gateway's group bookkeeping touches it on every group message
 * (mongoose timestamps), which is not a change of the record.
 */
async function snapshot(bot: TestBot): Promise<Map<string, string>> {
  const db = bot.db.conn.db!;
  const out = new Map<string, string>();
  for (const { name } of await db.listCollections().toArray()) {
    if (/processedmessages|auditentries/i.test(name)) continue;
    const docs = await db.collection(name).find({}, { projection: { updatedAt: 0 } }).sort({ _id: 1 }).toArray();
    out.set(name, `${docs.length}:${createHash('sha256').update(EJSON.stringify(docs)).digest('hex')}`);
  }
  return out;
}

function changed(a: Map<string, string>, b: Map<string, string>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k));
}

let bot: TestBot;
let f: BasicFixture;

beforeAll(async () => {
  bot = await createTestBot();
  f = await bot.seed.basic();
  // Records for the arguments to hit, all in 中心路街道 (no sender covers it).
  await bot.send(f.users.admin, '', '/项目 新建 屋顶防水 类别=工程 截止=9月30日 责任人=李四 楼院=水泵厂家属院');
  await bot.send(f.users.lisi, '', '/诉求 3号楼楼道灯不亮 楼院=水泵厂家属院');
  await bot.send(f.users.admin, '', '/节点 新建 清洁家园 截止=10月31日 范围=中心路');
  const town = await bot.seed.street('峡窝镇');
  await bot.seed.cadre({ name: '孙镇长', unit: '峡窝镇政府', userId: 'town-admin', roles: ['admin'], scope: town });
  await bot.seed.cadre({ name: '周七', unit: '区民政局', userId: 'zhou', courtyards: [f.courtyards.dongfang, f.courtyards.longhai] });
});
afterAll(() => bot.close());

it('seeds what the arguments refer to', async () => {
  expect(await bot.models.Project.countDocuments({ no: 1 })).toBe(1);
  expect(await bot.models.ResidentRequest.countDocuments({ no: 1 })).toBe(1);
  expect(await bot.models.Milestone.countDocuments({ title: '清洁家园' })).toBe(1);
});

it('answers 500+ malformed commands in Chinese, without errors, changing nothing', async () => {
  const lines = generate(520);
  expect(lines.length).toBeGreaterThanOrEqual(500);
  const names = new Set(heads(allCommands).map((h) => h.split(' ')[0]));
  for (const c of allCommands) expect(names.has(c.name)).toBe(true);

  const zhou: TestUser = { userId: 'zhou', name: '周七' };
  const town: TestUser = { userId: 'town-admin', name: '孙镇长' };
  const senders: [TestUser, string][] = [
    [f.users.stranger, ''],
    [f.users.stranger, f.groups.jiyuan],
    [zhou, ''],
    [zhou, f.groups.jiyuan],
    [town, ''],
    [town, f.groups.jiyuan],
  ];
  const failures: { text: string; user: string; chat: string; problem: string; reply: string }[] = [];
  let before = await snapshot(bot);
  const start = await snapshot(bot);
  for (const [i, text] of lines.entries()) {
    const [user, chat] = senders[i % senders.length]!;
    let reply = '';
    let problem = '';
    try {
      reply = await bot.send(user, chat, text);
      if (reply.trim() === '') problem = 'no reply';
      else if (reply.includes(SYSTEM_BUSY_TEXT) || reply.includes('系统繁忙')) problem = '系统繁忙';
      else if (!/\p{Script=Han}/u.test(reply)) problem = 'reply not in Chinese';
    } catch (err) {
      problem = String((err as Error).message);
    }
    const after = await snapshot(bot);
    const diff = changed(before, after);
    if (diff.length) problem = [problem, `changed ${diff.join(', ')}`].filter(Boolean).join('; ');
    before = after;
    if (problem) failures.push({ text: JSON.stringify(text).slice(0, 200), user: user.userId, chat, problem, reply: reply.slice(0, 200) });
  }
  expect(failures).toEqual([]);
  expect(changed(start, await snapshot(bot))).toEqual([]);
});
