/**
 * Hostile text is inert: mentions (`<@all>`), colours (`<font>`), links, bold, headings and
 * quotes after a line or paragraph separator (U+2028, U+2029, a newline), typed into every
 * argument of every command and subcommand — and as a WeCom display name — never come back
 * as live markup, neither in a reply nor in a push (the street group's announcement of a
 * claim, the overdue alerts, the weekly ranking, a request's notice to its courtyard).
 *
 * The lines are generated from the registry (allCommands): each usage example with each of
 * its words replaced by hostile text, with hostile text appended, and each command and
 * subcommand with hostile text alone and three times over; a command added later is covered
 * without touching this file. Records named in the usage examples (#12, #7, 党组织全覆盖)
 * exist, so that the hostile text is also stored and shown again by the reading commands.
 */
import { allCommands } from '../../commands';
import type { Command } from '../../src/bot/define-command';
import { createTestBot, type BasicFixture, type TestBot, type TestUser } from '../helpers/bot';

jest.setTimeout(300_000);

/** Each kind of markup, in pieces short enough for every field's length limit. */
const HOSTILE = [
  '<@all>\u2028#注入标题**加粗**',
  '[领补贴](http://evil.example/x)',
  '“<font color="warning">紧急通知</font>”',
  '\u2029>引用注入<@evil>',
  '\n## 换行标题 <@all>',
];

/** What would render as markup if it came back as typed. */
export function liveMarkup(text: string): string[] {
  const found: string[] = [];
  if (/<@(all|evil)>/.test(text)) found.push('a mention');
  if (/<font[^>]*>[^<]*紧急通知/.test(text)) found.push('a colour');
  if (/\]\(http:\/\/evil\.example/.test(text)) found.push('a link');
  if (/\*\*加粗\*\*/.test(text)) found.push('bold');
  if (/[\u2028\u2029\u0085\v\f]/.test(text)) found.push('a line or paragraph separator');
  for (const line of text.split(/\r?\n|\r/)) {
    // A heading is `#`…`######` and a space at the start of a line; a quote `>` there.
    if (/^\s*#{1,6}\s+.*(注入标题|换行标题)/.test(line) || /^\s*#{1,6}\s*(注入标题|换行标题)/.test(line)) found.push('a heading');
    if (/^\s*(>\s*)+引用注入/.test(line)) found.push('a quote');
  }
  return found;
}

let bot: TestBot;
let f: BasicFixture;
const LEAD_HOOK = 'http://127.0.0.1:9/cgi-bin/webhook/send?key=lead-hook';
const STREET_HOOK = 'http://127.0.0.1:9/cgi-bin/webhook/send?key=street-hook';
const YARD_HOOK = 'http://127.0.0.1:9/cgi-bin/webhook/send?key=yard-hook';
/** Someone whose WeCom display name is hostile. */
const hostileName: TestUser = { userId: 'hostile-name', name: HOSTILE[0]! + HOSTILE[1]! };

beforeAll(async () => {
  bot = await createTestBot({ channel: 'bot' }); // the group robot callback carries display names
  f = await bot.seed.basic();
  await bot.models.Group.updateOne({ chatId: f.groups.jiyuan }, { $set: { webhookUrl: STREET_HOOK } });
  await bot.models.Group.updateOne({ chatId: f.groups.dongfang }, { $set: { webhookUrl: YARD_HOOK } });
  await bot.seed.group('grp-lead', 'district', { purpose: 'leadership', webhookUrl: LEAD_HOOK });
  // The records the usage examples name.
  await bot.models.Project.create({
    no: 12, courtyard: f.courtyards.dongfang._id, street: f.streets.jiyuan._id, category: '工程', title: '路面硬化',
    owner: f.cadres.zhangsan._id, deadline: new Date('2020-09-20T16:00:00Z'), createdAt: bot.now(),
  });
  await bot.models.ResidentRequest.create({
    no: 7, courtyard: f.courtyards.dongfang._id, street: f.streets.jiyuan._id, text: '3号楼楼道灯不亮', reporter: { userId: 'stranger' },
    status: '点单', createdAt: bot.now(), dueAt: new Date('2020-09-18T15:59:59.999Z'),
  });
  await bot.models.Milestone.create({ title: '党组织全覆盖', deadline: new Date('2020-10-09T16:00:00Z'), scope: { kind: 'district' }, createdAt: bot.now() });
});
afterAll(() => bot.close());

/** Every command path with its declaration. */
type PathOf = { path: string; command: Command; sub: boolean };
function paths(): PathOf[] {
  return allCommands.flatMap((c): PathOf[] => (c.subcommands.length ? c.subcommands.map((s) => ({ path: `${c.name} ${s.name}`, command: s, sub: true })) : [{ path: c.name, command: c, sub: false }]));
}

/** The lines to send, from the registry. */
function hostileLines(): { path: string; line: string }[] {
  let k = 0;
  const h = () => HOSTILE[k++ % HOSTILE.length]!;
  const out: { path: string; line: string }[] = [];
  for (const { path, command, sub } of paths()) {
    out.push({ path, line: `/${path} ${h()}` }, { path, line: `/${path} ${h()} ${h()} ${h()}` });
    for (const usage of command.usage) {
      const words = usage.split(' ');
      const head = sub && words[1] && [command.name, ...command.aliases].includes(words[1]) ? 2 : 1;
      out.push({ path, line: `${usage} ${h()}` });
      for (let i = head; i < words.length; i++) {
        const word = words[i]!;
        const eq = word.indexOf('=');
        const replaced = [...words];
        replaced[i] = eq > 0 ? `${word.slice(0, eq + 1)}${h()}` : h();
        out.push({ path, line: replaced.join(' ') });
      }
    }
  }
  return out;
}

it('generates lines for every command and subcommand', () => {
  const covered = new Set(hostileLines().map((l) => l.path));
  expect(paths().filter((p) => !covered.has(p.path)).map((p) => p.path)).toEqual([]);
});

it('never echoes hostile text as live markup, in any reply or push', async () => {
  const problems: string[] = [];
  const check = (where: string, text: string) => {
    const found = liveMarkup(text);
    if (found.length) problems.push(`${where}: ${found.join(', ')} — ${JSON.stringify(text.slice(0, 300))}`);
  };
  const send = async (user: TestUser, chat: string, line: string) => check(`${user.userId} ${JSON.stringify(line)}`, await bot.send(user, chat, line));

  const lines = hostileLines();
  for (const { path, line } of lines) {
    const chat = path.startsWith('推送') ? 'grp-lead' : f.groups.dongfang;
    await send(f.users.admin, chat, line);
    await send(f.users.zhangsan, chat, line);
    if (!line.includes(' ', line.indexOf(' ') + 1)) await send(hostileName, chat, line);
  }

  // Stored hostile text, read back: a claim under a hostile display name, requests and
  // feedback, an undo that quotes another's command, the cards and lists, the pushes.
  await send(hostileName, f.groups.dongfang, '/登记 王五 区教育局');
  await send(hostileName, f.groups.dongfang, '/帮助');
  await send(hostileName, '', `/诉求 ${HOSTILE.join(' ')} 楼院=东方花园`);
  await send(f.users.zhangsan, f.groups.dongfang, `/诉求 ${HOSTILE[4]}`);
  const latest = await bot.models.ResidentRequest.findOne().sort({ no: -1 });
  await send(f.users.admin, f.groups.dongfang, `/反馈 #${latest!.no} ${HOSTILE[0]}`);
  await send(f.users.zhangsan, f.groups.dongfang, '/撤销');
  for (const line of ['/查询', '/查询 我', '/查询 济源路', '/项目 列表 全部', '/逾期', '/节点 列表', '/节点 查看 党组织全覆盖', '/排名 干部', '/排名 楼院']) {
    await send(f.users.admin, f.groups.dongfang, line);
  }
  bot.setNow('2020-09-21T02:00:00Z'); // Monday 10:00: requests and projects are overdue
  await send(f.users.admin, f.groups.dongfang, '/逾期');
  for (const job of ['逾期', '周排名']) await send(f.users.admin, 'grp-lead', `/推送 ${job}`);

  for (const push of bot.outbox.requests) {
    const payload = push.payload;
    if (payload.type === 'markdown' || payload.type === 'text') check(`push ${push.dedupeKey}`, payload.content);
  }
  expect(lines.length).toBeGreaterThan(200);
  expect(bot.outbox.requests.length).toBeGreaterThan(3);
  expect(problems).toEqual([]);
});
