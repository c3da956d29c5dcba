import request from 'supertest';
import type { CourtyardCard, DashboardData } from '../../src/dashboard/types';
import { seededDashboard, type SeededDashboard } from './seeded-app';

let d: SeededDashboard;
let http: ReturnType<typeof request>;

beforeAll(async () => {
  d = await seededDashboard();
  http = request(d.app.callback());
});
afterAll(() => d.close());

const district = () => d.token({ kind: 'district' });
const jiyuan = () => d.token({ kind: 'street', streetId: d.seed.jiyuan });
const xinan = () => d.token({ kind: 'street', streetId: d.seed.xinan });
const dongfang = () => d.token({ kind: 'courtyard', courtyardId: d.seed.dongfang });

/** Nothing of the seed's data may appear in a refusal. */
function expectNoData(text: string) {
  for (const name of ['东方花园', '幸福里', '建设院', '济源路', '新安路', '张伟', '路面硬化', 'score']) expect(text).not.toContain(name);
}

describe('refusals: 403 and no data', () => {
  const tamper = (t: string) => t.replace(/\.(\d+)\./, (_m, exp: string) => `.${Number(exp) + 3600}.`);

  it.each([
    ['no token', () => ''],
    ['an expired token', () => d.token({ kind: 'district' }, -1000)],
    ['a tampered expiry', () => tamper(district())],
    ['a street token turned into a district one', () => jiyuan().replace(/^street\.[0-9a-f]{24}\./, 'district.-.')],
    ['garbage', () => 'hello'],
  ])('%s', async (_what, token) => {
    for (const path of ['/dashboard', '/dashboard/api/data', `/dashboard/api/courtyard/${d.seed.dongfang}`]) {
      const res = await http.get(path).query(token() ? { t: token() } : {});
      expect(res.status).toBe(403);
      expectNoData(res.text);
    }
  });

  it('refuses a courtyard card outside the link’s scope, and one that does not exist', async () => {
    // 东方花园 is in 济源路, not 新安路.
    for (const [token, id] of [
      [xinan(), d.seed.dongfang],
      [dongfang(), d.seed.xingfu],
      [district(), '5f0000000000000000000000'],
      [district(), 'not-an-id'],
    ] as const) {
      const res = await http.get(`/dashboard/api/courtyard/${id}`).query({ t: token });
      expect(res.status).toBe(403);
      expectNoData(res.text);
    }
  });

  it('refuses a link whose street no longer exists', async () => {
    const res = await http.get('/dashboard/api/data').query({ t: d.token({ kind: 'street', streetId: '5f0000000000000000000001' }) });
    expect(res.status).toBe(403);
  });
});

describe('the data API on the seeded district', () => {
  it('ranks the district’s streets as published last, lists every courtyard, and shows the running week beside', async () => {
    const res = await http.get('/dashboard/api/data').query({ t: district() });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const data = res.body as DashboardData;
    expect(data.scope).toEqual({ kind: 'district', label: '全区' });
    // The week 09-14…20 as published on 09-21 (ranking.test.ts, 'judges the week before'); the
    // first publication, so nothing to compare with.
    expect(data.period).toMatchObject({ label: '已发布：9月14日–20日', published: true, version: 1 });
    expect(data.chart).toMatchObject({ currentLabel: '9月14日–20日', previousLabel: '上一周（未发布）' });
    expect(data.chart.rows.map((r) => [r.name, r.score, r.previousScore ?? null, r.rank, r.change])).toEqual([
      ['济源路街道', 68.9, null, 1, ''],
      ['新安路街道', 10, null, 2, ''],
    ]);
    expect(data.courtyards.map((c) => [c.streetName, c.name, c.score, c.rank])).toEqual([
      ['济源路街道', '东方花园', 55.2, 2],
      ['济源路街道', '建设院', 100, 1],
      ['济源路街道', '幸福里', 51.7, 3],
      ['新安路街道', '红旗院', 10, 4],
    ]);
    // Parts with nothing to measure are no bar: null, listed as unmeasured.
    expect(data.courtyards.find((c) => c.name === '幸福里')).toMatchObject({ parts: { onTime: null }, unmeasured: ['onTime'] });
    // The running week, labelled as such, as progress: never ranked.
    expect(data.running.label).toBe('本周进行中，截至9月27日');
    expect(data.linkExpires).toBe('2020-10-04');
  });

  it('lists what is late, most late first, with who answers for it', async () => {
    const data = (await http.get('/dashboard/api/data').query({ t: district() })).body as DashboardData;
    // #2 楼道照明 (deadline 09-18) and request #5 (due 09-18) are 9 days late on Sunday 09-27;
    // 王强 logged 1 hour this week, late since Thursday 09-24.
    expect(data.overdue.total).toBe(3);
    expect(data.overdue.items.map((o) => [o.kindLabel, o.no ?? null, o.courtyardName, o.daysLate, o.responsible])).toEqual([
      ['项目逾期', 2, '东方花园', 9, ['张伟']],
      ['诉求未反馈', 5, '幸福里', 9, ['李娜']],
      ['本周未下沉', null, '幸福里', 3, ['王强']],
    ]);
  });

  it('shows a street link its own courtyards and its published place among the streets, nothing of other streets', async () => {
    const res = await http.get('/dashboard/api/data').query({ t: jiyuan() });
    const data = res.body as DashboardData;
    expect(data.scope.label).toBe('济源路街道');
    expect(data.chart.rows.map((r) => [r.name, r.score, r.rank])).toEqual([
      ['建设院', 100, 1],
      ['东方花园', 55.2, 2],
      ['幸福里', 51.7, 3],
    ]);
    expect(data.summary).toMatchObject({ score: 68.9, rank: 1, of: 2, peers: '全区街道', change: '' });
    // This week so far: the street's own row, each part the mean over the courtyards where it was measured.
    expect(data.running.parts.map((p) => `${p.label} ${p.text}`)).toEqual(['项目进度 81.7', '按时完成 25.0', '诉求办理 50.0', '干部下沉 66.7', '三类组织 77.8']);
    expect(data.overdue.items.map((o) => o.courtyardName)).toEqual(['东方花园', '幸福里', '幸福里']);
    expect(res.text).not.toContain('红旗院');
    expect(res.text).not.toContain('新安路');
  });

  it('shows a courtyard link only that courtyard, with its published score parts', async () => {
    const res = await http.get('/dashboard/api/data').query({ t: dongfang() });
    const data = res.body as DashboardData;
    expect(data.courtyards.map((c) => c.name)).toEqual(['东方花园']);
    expect(data.summary).toMatchObject({ score: 55.2, rank: 2, of: 3 });
    // The week 09-14…20: 45/0/100/75/66.7 (ranking.test.ts).
    expect(data.chart.rows.map((r) => [r.name, r.score])).toEqual([
      ['项目进度', 45],
      ['按时完成', 0],
      ['诉求办理', 100],
      ['干部下沉', 75],
      ['三类组织', 66.7],
    ]);
    for (const other of ['幸福里', '建设院', '红旗院']) expect(res.text).not.toContain(other);
  });
});

describe('the courtyard card', () => {
  let card: CourtyardCard;
  beforeAll(async () => {
    const res = await http.get(`/dashboard/api/courtyard/${d.seed.dongfang}`).query({ t: jiyuan() });
    expect(res.status).toBe(200);
    card = res.body as CourtyardCard;
  });

  it('has the three organisations and the score', () => {
    expect(card).toMatchObject({ name: '东方花园', streetName: '济源路街道', communityName: '济源路社区' });
    expect(card.orgs).toEqual({ party: { status: '已建', kind: '党支部' }, selfGov: { status: '已建', kind: '自管会' }, volunteerTeams: 2 });
    // The published week 09-14…20, the running week beside it.
    expect(card.score).toMatchObject({ label: '已发布：9月14日–20日', score: 55.2, rank: 2, of: 3 });
    expect(card.running.parts.map((p) => p.text)).toEqual(['75.0', '50.0', '50.0', '100.0', '100.0']);
  });

  it('lists the projects, the late one first, with progress and deadlines', () => {
    expect(card.projects.map((p) => [p.no, p.title, p.percent, p.status, p.deadline, p.overdue, p.daysLeft ?? null, p.owner])).toEqual([
      [2, '楼道照明', 50, '进行中', '2020-09-18', true, -9, '张伟'],
      [1, '路面硬化', 100, '已完成', '2020-09-25', false, null, '张伟'],
    ]);
    expect(card.projects[1]).toMatchObject({ completedAt: '2020-09-24', completedOnTime: true });
  });

  it('gives each request its 2-working-day status', () => {
    expect(card.requests.map((r) => [r.no, r.status, r.dueDay, r.state, r.stateLabel])).toEqual([
      // Logged Fri 09-25; Sunday 09-27 is an adjusted working day, so feedback is due Monday 09-28.
      [4, '点单', '2020-09-28', 'pending', '还剩 1 个工作日'],
      [3, '已反馈', '2020-09-24', 'late', '超期反馈'],
      [2, '已办结', '2020-09-23', 'on-time', '按期反馈'],
      // Closed the day after it was logged: closing answers it.
      [1, '已办结', '2020-09-16', 'on-time', '按期反馈'],
    ]);
  });

  it('shows the cadres’ time on site this week', () => {
    // 张伟: 2 h on 09-22 and 2.5 h on 09-24 at 东方花园. 周主任 is an admin, not an assigned cadre.
    expect(card.visits).toMatchObject({ weekLabel: '2020年9月21日–9月27日', dutyHours: 4 });
    expect(card.visits.cadres).toEqual([{ name: '张伟', unit: '区财政局', assigned: true, hoursHere: 4.5, hoursWeek: 4.5, met: true, activities: [] }]);
  });
});

describe('the page and its assets', () => {
  it('serves the page shell to a valid link, with a strict policy and no data in it', async () => {
    const token = district();
    const res = await http.get('/dashboard').query({ t: token });
    expect(res.status).toBe(200);
    // The browser fetches the overview while it loads the script (the browser test checks it is used).
    expect(res.text).toContain(`<link rel="preload" href="dashboard/api/data?t=${encodeURIComponent(token)}" as="fetch" crossorigin="anonymous">`);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expectNoData(res.text);
    const js = /src="dashboard\/assets\/(main-\w+\.js)"/.exec(res.text)?.[1];
    const css = /href="dashboard\/assets\/(main-\w+\.css)"/.exec(res.text)?.[1];
    expect(js).toBeDefined();
    const script = await http.get(`/dashboard/assets/${js}`).set('Accept-Encoding', 'gzip');
    expect(script.status).toBe(200);
    expect(script.headers['content-encoding']).toBe('gzip');
    expect(script.headers['content-type']).toContain('javascript');
    expect((await http.get(`/dashboard/assets/${css}`)).headers['content-type']).toContain('text/css');
    expect((await http.get('/dashboard/assets/manifest.json')).status).toBe(404);
    expect((await http.get('/dashboard/assets/..%2Fpackage.json')).status).toBe(404);
  });
});
