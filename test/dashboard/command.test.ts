import request from 'supertest';
import { verifyDashboardToken } from '../../src/dashboard/link';
import { createDashboardRouter } from '../../src/dashboard/router';
import type { DashboardData } from '../../src/dashboard/types';
import { createApp } from '../../src/http/app';
import { silentLogger } from '../../src/log';
import { createCalendar } from '../../src/services/calendar';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';
import { testConfig } from '../helpers/wecom';

let bot: TestBot;
let f: BasicFixture;
const config = testConfig();

beforeAll(async () => {
  bot = await createTestBot();
  f = await bot.seed.basic();
  await bot.seed.group('grp-leaders', 'district', { purpose: 'leadership' });
});
afterAll(() => bot.close());

/** The dashboard link in a reply (the markdown's first link; `screen`: the 大屏 link). */
function linkIn(reply: string, which: 'page' | 'screen' = 'page'): URL {
  const urls = [...reply.matchAll(/\]\((http[^)\s]+)\)/g)].map((m) => m[1]!);
  const url = which === 'page' ? urls[0] : urls.find((u) => u.includes('mode=screen'));
  if (!url) throw new Error(`no ${which} link in the reply:\n${reply}`);
  return new URL(url);
}

/** The dashboard's data API, on the bot's database and clock, as a browser would call it. */
function dashboardHttp() {
  const dashboard = createDashboardRouter({ models: bot.models, config, log: silentLogger, calendar: createCalendar(), now: bot.now, prepareAtStart: false });
  const app = createApp({ log: silentLogger, engine: 'test', pingDb: async () => {}, routers: [dashboard] });
  return (token: string) => request(app.callback()).get('/dashboard/api/data').query({ t: token });
}

function scopeOfLink(url: URL) {
  const check = verifyDashboardToken(config.dashboardSecret, url.searchParams.get('t') ?? undefined, bot.now());
  if (!check.ok) throw new Error(`the link does not verify: ${check.reason}`);
  return check;
}

describe('/看板', () => {
  it('gives a leadership group a 7-day link to the whole district', async () => {
    const reply = await bot.send(f.users.leader, 'grp-leaders', '/看板');
    expect(reply).toContain('挂图作战看板 · 全区');
    const url = linkIn(reply);
    expect(`${url.origin}${url.pathname}`).toBe(`${config.publicUrl}/dashboard`);
    const check = scopeOfLink(url);
    expect(check.scope).toEqual({ kind: 'district' });
    // DEFAULT_NOW (Wed 2020-09-16 10:00) + 7 days.
    expect(check.expiresAt).toEqual(new Date('2020-09-23T02:00:00Z'));
    expect(reply).toContain('有效期至 9月23日 10:00');
    // The 大屏 link: 30 days (DEFAULT_NOW + 30 days = 10-16 10:00).
    const screen = linkIn(reply, 'screen');
    expect(screen.searchParams.get('mode')).toBe('screen');
    expect(scopeOfLink(screen).expiresAt).toEqual(new Date('2020-10-16T02:00:00Z'));
    expect(reply).toContain('大屏链接有效期至 10月16日 10:00');
  });

  it('gives anyone in a street group a link to that street, which the dashboard serves', async () => {
    const reply = await bot.send(f.users.stranger, f.groups.jiyuan, '/dashboard');
    const url = linkIn(reply);
    expect(scopeOfLink(url).scope).toEqual({ kind: 'street', streetId: String(f.streets.jiyuan._id) });

    const res = await dashboardHttp()(url.searchParams.get('t')!);
    expect(res.status).toBe(200);
    const data = res.body as DashboardData;
    expect(data.scope.label).toBe('济源路街道');
    expect(data.courtyards.map((c) => c.name).sort()).toEqual(['东方花园', '陇海安居'].sort());
  });

  it('gives a courtyard group a link to that courtyard only', async () => {
    const url = linkIn(await bot.send(f.users.zhangsan, f.groups.dongfang, '/看板'));
    expect(scopeOfLink(url).scope).toEqual({ kind: 'courtyard', courtyardId: String(f.courtyards.dongfang._id) });
  });

  it('refuses in an unbound group and in a 1:1 chat, saying what to do', async () => {
    const unbound = await bot.send(f.users.zhangsan, 'grp-new', '/看板');
    expect(unbound).toContain('本群还没有绑定范围');
    expect(unbound).toContain('/绑定');
    expect(unbound).not.toContain('/dashboard?t=');
    const single = await bot.send(f.users.admin, '', '/看板');
    expect(single).toContain('请在已绑定的工作群里发送 /看板');
    expect(single).not.toContain('/dashboard?t=');
  });
});

describe('/看板 重置 and the links that stop working', () => {
  const tokenOf = (url: URL) => url.searchParams.get('t')!;

  it('refuses a link whose signature is spelled differently, even when it decodes to the same bytes', async () => {
    const get = dashboardHttp();
    const token = tokenOf(linkIn(await bot.send(f.users.zhangsan, f.groups.dongfang, '/看板')));
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // The last character's two low bits are padding: the next character decodes to the same signature.
    const sameBytes = token.slice(0, -1) + alphabet[alphabet.indexOf(token.at(-1)!) + 1];
    expect((await get(token)).status).toBe(200);
    expect((await get(sameBytes)).status).toBe(403);
    expect((await get(`${token}=`)).status).toBe(403);
  });

  it('voids every link the group was given, page and 大屏, and no other group’s; new links work', async () => {
    const get = dashboardHttp();
    const before = await bot.send(f.users.zhangsan, f.groups.jiyuan, '/看板');
    const elsewhere = await bot.send(f.users.zhangsan, f.groups.dongfang, '/看板');
    for (const url of [linkIn(before), linkIn(before, 'screen'), linkIn(elsewhere)]) expect((await get(tokenOf(url))).status).toBe(200);

    const reset = await bot.send(f.users.jyAdmin, f.groups.jiyuan, '/看板 重置');
    expect(reset).toContain('已作废本群此前发出的全部看板链接');
    const refused = await get(tokenOf(linkIn(before)));
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: '链接无效或已过期' });
    expect((await get(tokenOf(linkIn(before, 'screen')))).status).toBe(403);
    expect((await get(tokenOf(linkIn(elsewhere)))).status).toBe(200);

    const after = await bot.send(f.users.zhangsan, f.groups.jiyuan, '/看板');
    expect((await get(tokenOf(linkIn(after)))).status).toBe(200);
    expect((await get(tokenOf(linkIn(after, 'screen')))).status).toBe(200);
  });

  it('is for the admins of the group’s scope only', async () => {
    const get = dashboardHttp();
    const link = tokenOf(linkIn(await bot.send(f.users.leader, 'grp-leaders', '/看板')));
    for (const user of [f.users.leader, f.users.jyAdmin, f.users.zhangsan, f.users.stranger]) {
      expect(await bot.send(user, 'grp-leaders', '/看板 重置')).toContain('🚫');
    }
    expect((await get(link)).status).toBe(200);
    expect(await bot.send(f.users.admin, 'grp-leaders', '/看板 重置')).toContain('✅');
    expect((await get(link)).status).toBe(403);
  });

  it('a group bound to another scope: its earlier links stop working', async () => {
    const get = dashboardHttp();
    await bot.seed.group('grp-moving', f.courtyards.longhai);
    const link = tokenOf(linkIn(await bot.send(f.users.admin, 'grp-moving', '/看板')));
    expect((await get(link)).status).toBe(200);
    await bot.models.Group.updateOne({ chatId: 'grp-moving' }, { $set: { scope: { kind: 'courtyard', refId: f.courtyards.shuibeng._id } } });
    expect((await get(link)).status).toBe(403);
  });
});
