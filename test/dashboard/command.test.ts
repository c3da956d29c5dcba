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

/** The dashboard link in a reply (the markdown's first link). */
function linkIn(reply: string): URL {
  const url = /\]\((http[^)\s]+)\)/.exec(reply)?.[1];
  if (!url) throw new Error(`no link in the reply:\n${reply}`);
  return new URL(url);
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
    expect(reply).toContain('&mode=screen');
  });

  it('gives anyone in a street group a link to that street, which the dashboard serves', async () => {
    const reply = await bot.send(f.users.stranger, f.groups.jiyuan, '/dashboard');
    const url = linkIn(reply);
    expect(scopeOfLink(url).scope).toEqual({ kind: 'street', streetId: String(f.streets.jiyuan._id) });

    const dashboard = createDashboardRouter({ models: bot.models, config, log: silentLogger, calendar: createCalendar(), now: bot.now, prepareAtStart: false });
    const app = createApp({ log: silentLogger, engine: 'test', pingDb: async () => {}, routers: [dashboard] });
    const res = await request(app.callback()).get('/dashboard/api/data').query({ t: url.searchParams.get('t')! });
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
