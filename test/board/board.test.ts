/**
 * The public board through the real routers: /公示码 (link and A4 poster) by signed
 * callbacks, the page and its data API limited to the public subset, a resident's request
 * into the 四联单 flow, the rate limits and the challenge, the body cap, and revocation.
 */
import request from 'supertest';
import sharp from 'sharp';
import jsQR from 'jsqr';
import { POSTER_HEIGHT, POSTER_WIDTH } from '../../src/board/poster';
import { photoBucket } from '../../src/services/photos';
import { boardPathOf, boardTestbed, type BoardTestbed } from './board-app';

let t: BoardTestbed;
afterEach(async () => {
  await t?.bot.close();
});

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** Posts a request from `ip`; the response. */
function submit(path: string, fields: Record<string, string>, ip = '203.0.113.7') {
  return request(t.app.callback()).post(`${path}/request`).set('X-Forwarded-For', ip).type('form').send(form(fields));
}

async function boardPath(): Promise<string> {
  return boardPathOf(await t.bot.send(t.fx.users.zhangsan, t.fx.groups.dongfang, '/公示码'));
}

describe('/公示码', () => {
  it('replies with the board link and pushes an A4 poster whose QR code is that link', async () => {
    t = await boardTestbed();
    const reply = await t.bot.send(t.fx.users.zhangsan, t.fx.groups.dongfang, '/公示码');
    expect(reply).toContain('东方花园 · 楼院公示栏');
    expect(reply).toContain('A4 海报（二维码）正在发送到本群');
    const push = t.bot.outbox.requests.find((r) => r.payload.type === 'image');
    expect(push?.target).toEqual({ kind: 'webhook', url: t.webhook });
    const png = (push!.payload as { png: Buffer }).png;
    const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([POSTER_WIDTH, POSTER_HEIGHT]);
    expect(info.width / info.height).toBeCloseTo(210 / 297, 3);
    const qr = jsQR(new Uint8ClampedArray(data), info.width, info.height);
    expect(qr && new URL(qr.data).pathname).toBe(boardPathOf(reply));
    const page = await request(t.app.callback()).get(boardPathOf(reply));
    expect(page.status).toBe(200);
    expect(page.text).toContain('东方花园');
  });

  it('is refused outside a courtyard group, and 重置 (admin only) voids the old link', async () => {
    t = await boardTestbed();
    expect(await t.bot.send(t.fx.users.jyAdmin, t.fx.groups.jiyuan, '/公示码')).toContain('请在已绑定楼院的工作群里发送 /公示码');
    const old = await boardPath();
    expect(await t.bot.send(t.fx.users.zhangsan, t.fx.groups.dongfang, '/公示码 重置')).toMatch(/权限|管理员/);
    expect((await request(t.app.callback()).get(old)).status).toBe(200);
    expect(await t.bot.send(t.fx.users.admin, t.fx.groups.dongfang, '/公示码 重置')).toContain('已作废本楼院此前的公示栏二维码');
    expect(await t.bot.models.Courtyard.findById(t.fx.courtyards.dongfang._id)).toMatchObject({ boardGeneration: 1 });
    const gone = await request(t.app.callback()).get(old);
    expect(gone.status).toBe(404);
    expect(gone.text).toContain('链接无效或已停用');
    expect(gone.text).not.toContain('东方花园');
    expect((await request(t.app.callback()).get(`${old}/data`)).status).toBe(404);
    const fresh = await boardPath();
    expect(fresh).not.toBe(old);
    expect((await request(t.app.callback()).get(fresh)).status).toBe(200);
  });
});

describe('/公示码 without a push address', () => {
  it('still gives the link, and says how to get the poster', async () => {
    t = await boardTestbed();
    await t.bot.models.Group.updateOne({ chatId: t.fx.groups.dongfang }, { $unset: { webhookUrl: 1 } });
    const reply = await t.bot.send(t.fx.users.zhangsan, t.fx.groups.dongfang, '/公示码');
    expect(reply).toContain('本群还没有可用的推送地址，海报发不到群里');
    expect((await request(t.app.callback()).get(boardPathOf(reply))).status).toBe(200);
    expect(t.bot.outbox.requests.filter((r) => r.payload.type === 'image')).toEqual([]);
    expect(await t.bot.send(t.fx.users.zhangsan, '', '/公示码')).toContain('请在已绑定楼院的工作群里发送 /公示码');
  });
});

describe('the board page', () => {
  it('sends a strict CSP, and refuses tampered links', async () => {
    t = await boardTestbed();
    const path = await boardPath();
    const res = await request(t.app.callback()).get(path);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['content-security-policy']).not.toContain('unsafe');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    const other = path.replace(String(t.fx.courtyards.dongfang._id), String(t.fx.courtyards.longhai._id));
    expect((await request(t.app.callback()).get(other)).status).toBe(404);
    expect((await request(t.app.callback()).get('/board/nonsense')).status).toBe(404);
  });

  it('shows only the public subset: no phone numbers, no residents\' names, no request texts', async () => {
    t = await boardTestbed();
    const { bot, fx } = t;
    await bot.models.Cadre.updateOne({ _id: fx.cadres.zhangsan._id }, { $set: { mobile: '13912345678' } });
    await bot.send(fx.users.admin, fx.groups.dongfang, '/项目 新建 路面硬化 类别=工程 截止=9月30日 责任人=张三 标准=主路全部硬化');
    // A request logged in chat by a resident (her name is the WeCom display name) …
    await bot.send({ userId: 'resident-1', name: '赵秀兰' }, fx.groups.dongfang, '/诉求 我家楼下垃圾没人清');
    const path = await boardPath();
    // … and one from the board with a phone.
    const sent = await submit(path, { category: '设施维修', text: '5号楼单元门坏了', phone: '13800001111' });
    expect(sent.status).toBe(303);
    const page = await request(t.app.callback()).get(path);
    const data = await request(t.app.callback()).get(`${path}/data`);
    expect(data.status).toBe(200);
    for (const body of [page.text, JSON.stringify(data.body)]) {
      for (const secret of ['13912345678', '13800001111', '1380000', '赵秀兰', '垃圾没人清', '单元门坏了', 'resident-1', 'zhangsan']) expect(body).not.toContain(secret);
      expect(body).not.toMatch(/1\d{10}/);
      for (const shown of ['路面硬化', '主路全部硬化', '张三', '设施维修']) expect(body).toContain(shown);
    }
    expect(page.text).toContain('本月尚未公开收支');
    expect(data.body.accounts).toBeNull();
    expect(data.body.requests).toEqual([
      { no: 2, category: '设施维修', status: '点单', day: expect.any(String) },
      { no: 1, category: '其他', status: '点单', day: expect.any(String) },
    ]);
    expect(Object.keys(data.body).sort()).toEqual(['accounts', 'asOf', 'courtyard', 'figures', 'orgs', 'projects', 'requests']);
  });

  it('shows the 事务公开 recorded in chat: this month once it has entries, else last month, escaped', async () => {
    t = await boardTestbed();
    const path = await boardPath();
    expect((await request(t.app.callback()).get(path)).text).toContain('本月尚未公开收支');
    // The test clock is in September 2020: an entry for August shows while September has none.
    expect(await t.bot.send(t.fx.users.admin, t.fx.groups.dongfang, '/公开 收入 停车费<b> 1200 元 上月')).toContain('✅');
    let page = await request(t.app.callback()).get(path);
    expect(page.text).toContain('事务公开 · 2020年8月');
    expect(page.text).toContain('停车费&lt;b&gt;');
    expect(page.text).not.toContain('停车费<b>');
    expect(await t.bot.send(t.fx.users.admin, t.fx.groups.dongfang, '/公开 支出 保洁 800 元 本月')).toContain('✅');
    page = await request(t.app.callback()).get(path);
    expect(page.text).toContain('事务公开 · 2020年9月');
    expect(page.text).toContain('结余 -800.00 元');
    expect(page.text).not.toContain('本月尚未公开收支');
  });
});

describe('a resident\'s request', () => {
  it('enters the 四联单 flow: numbered, due in 2 working days, posted to the group with the cadres @-mentioned', async () => {
    t = await boardTestbed();
    const path = await boardPath();
    const res = await submit(path, { category: '设施维修', text: '3号楼楼道灯不亮<script>', phone: '138 0000 1234' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/board\/r\/[0-9a-f]{24}\.[A-Za-z0-9_-]{43}\?new=1$/);
    const saved = await t.bot.models.ResidentRequest.findOne({ no: 1 });
    expect(saved).toMatchObject({ text: '3号楼楼道灯不亮<script>', category: '设施维修', source: 'board', contactPhone: '13800001234', status: '点单' });
    // Wednesday 9-16 10:00 + 2 working days: Friday 9-18.
    const push = t.bot.outbox.requests.find((r) => r.dedupeKey === `request:${saved!._id}:${t.fx.groups.dongfang}`);
    const md = (push!.payload as { content: string; mentions: string[] }).content;
    expect(md).toContain('#1');
    expect(md).toContain('反馈期限：**9月18日（周五）**前');
    expect(md).toContain('13800001234');
    expect((push!.payload as { mentions: string[] }).mentions).toEqual(['zhangsan']);
    const follow = await request(t.app.callback()).get(res.headers.location!);
    expect(follow.status).toBe(200);
    expect(follow.text).toContain('已提交，诉求编号 #1');
    expect(follow.text).toContain('3号楼楼道灯不亮&lt;script&gt;');
    expect(follow.text).not.toContain('13800001234');
  });

  it('refuses wrong input with the form shown again', async () => {
    t = await boardTestbed();
    const path = await boardPath();
    expect((await submit(path, { category: '设施维修', text: '灯坏了', phone: '12345' })).text).toContain('请填写正确的手机号码');
    expect((await submit(path, { category: '乱写', text: '灯坏了', phone: '13800001234' })).text).toContain('请选择诉求类别');
    expect((await submit(path, { category: '其他', text: '', phone: '13800001234' })).text).toContain('请填写诉求内容');
    expect((await submit(path, { category: '其他', text: '长'.repeat(501), phone: '13800001234' })).text).toContain('最多 500 字');
    expect(await t.bot.models.ResidentRequest.countDocuments()).toBe(0);
  });

  it('caps the body', async () => {
    t = await boardTestbed();
    const res = await submit(await boardPath(), { category: '其他', text: '长'.repeat(4000), phone: '13800001234' });
    expect(res.status).toBe(413);
    expect(await t.bot.models.ResidentRequest.countDocuments()).toBe(0);
  });
});

describe('abuse controls', () => {
  it('limits each phone number (3 a day by default)', async () => {
    t = await boardTestbed({ limits: { perPhone: { max: 3, windowMs: 86_400_000 }, perAddress: null, challengeAfter: 99 } });
    const path = await boardPath();
    for (let i = 1; i <= 3; i++) expect((await submit(path, { category: '其他', text: `第${i}条`, phone: '13800001234' }, `198.51.100.${i}`)).status).toBe(303);
    const refused = await submit(path, { category: '其他', text: '第4条', phone: '13800001234' }, '198.51.100.9');
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('这个电话号码提交诉求太频繁了');
    expect((await submit(path, { category: '其他', text: '别的号码', phone: '13800005678' }, '198.51.100.9')).status).toBe(303);
    expect(await t.bot.models.ResidentRequest.countDocuments()).toBe(4);
  });

  it('limits each client address, and asks a sum from the challengeAfter-th submission on', async () => {
    t = await boardTestbed({ limits: { perPhone: null, perAddress: { max: 4, windowMs: 3_600_000 }, challengeAfter: 2 } });
    const path = await boardPath();
    const phone = (i: number) => `1380000${String(i).padStart(4, '0')}`;
    for (let i = 1; i <= 2; i++) expect((await submit(path, { category: '其他', text: `第${i}条`, phone: phone(i) })).status).toBe(303);
    // The third: the page now asks a question; without the answer (or with a wrong one) it is refused.
    const page = await request(t.app.callback()).get(path).set('X-Forwarded-For', '203.0.113.7');
    const question = /验证：(\d+) \+ (\d+) = \?/.exec(page.text);
    expect(question).not.toBeNull();
    const token = /name="challenge" value="([^"]+)"/.exec(page.text)![1]!;
    expect((await submit(path, { category: '其他', text: '第3条', phone: phone(3) })).text).toContain('请先回答验证问题');
    expect((await submit(path, { category: '其他', text: '第3条', phone: phone(3), challenge: token, answer: '999' })).status).toBe(400);
    const answer = String(Number(question![1]) + Number(question![2]));
    for (let i = 3; i <= 4; i++) expect((await submit(path, { category: '其他', text: `第${i}条`, phone: phone(i), challenge: token, answer })).status).toBe(303);
    // Another address is not asked.
    const elsewhere = await request(t.app.callback()).get(path).set('X-Forwarded-For', '198.51.100.1');
    expect(elsewhere.text).not.toContain('验证：');
    const refused = await submit(path, { category: '其他', text: '第5条', phone: phone(5), challenge: token, answer });
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('本网络提交诉求太频繁了');
    expect(await t.bot.models.ResidentRequest.countDocuments()).toBe(4);
    // A client cannot pass as another address: only what the nearest proxy appended counts.
    const spoofed = await submit(path, { category: '其他', text: '第5条', phone: phone(5), challenge: token, answer }, '192.0.2.99, 203.0.113.7');
    expect(spoofed.status).toBe(429);
    // The next hour, the address may submit again.
    t.bot.advance(3_600_000);
    const later = await request(t.app.callback()).get(path).set('X-Forwarded-For', '203.0.113.7');
    expect(later.text).not.toContain('验证：');
  });

  it('an admin voids a board request with /诉求 作废: it leaves the figures and the follow page says so', async () => {
    t = await boardTestbed();
    const path = await boardPath();
    const res = await submit(path, { category: '其他', text: '广告', phone: '13800001234' });
    expect(await t.bot.send(t.fx.users.admin, t.fx.groups.dongfang, '/诉求 作废 #1 原因=广告')).toContain('作废');
    expect(await t.bot.models.ResidentRequest.findOne({ no: 1 })).toMatchObject({ status: '已作废' });
    const data = await request(t.app.callback()).get(`${path}/data`);
    expect(data.body.figures.total).toBe(0);
    expect((await request(t.app.callback()).get(res.headers.location!)).text).toContain('已作废');
  });
});

describe('photos on the board', () => {
  it('serves the latest photo of a project of the courtyard, and nothing else', async () => {
    t = await boardTestbed();
    const { bot, fx } = t;
    await bot.send(fx.users.admin, fx.groups.dongfang, '/项目 新建 路面硬化 类别=工程 截止=9月30日 责任人=张三');
    const project = (await bot.models.Project.findOne({ no: 1 }))!;
    const bucket = photoBucket(bot.models.Photo.db);
    const upload = async (bytes: Buffer) => {
      const up = bucket.openUploadStream('photo.jpg');
      up.end(bytes);
      await new Promise((r) => up.on('finish', r));
      return up.id;
    };
    const photo = async (n: number, over: Record<string, unknown>) =>
      bot.models.Photo.create({
        msgKey: `test:${n}`, item: 0, courtyard: fx.courtyards.dongfang._id, record: { kind: 'Project', id: project._id }, userId: 'zhangsan', chatId: fx.groups.dongfang,
        at: new Date(bot.now().getTime() + n * 1000), status: 'stored', fileId: await upload(Buffer.from(`full-${n}`)), thumbId: await upload(Buffer.from(`thumb-${n}`)), contentType: 'image/jpeg', ...over,
      });
    await photo(1, { project: project._id });
    const latest = await photo(2, { project: project._id });
    const visit = await photo(3, {});
    const elsewhere = await photo(4, { project: project._id, courtyard: fx.courtyards.longhai._id });
    const path = await boardPath();
    const data = await request(t.app.callback()).get(`${path}/data`);
    expect(data.body.projects[0].photoId).toBe(String(latest._id));
    const thumb = await request(t.app.callback()).get(`${path}/photo/${latest._id}?size=thumb`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(thumb.status).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/jpeg');
    expect((thumb.body as Buffer).toString()).toBe('thumb-2');
    for (const p of [visit, elsewhere]) expect((await request(t.app.callback()).get(`${path}/photo/${p._id}?size=thumb`)).status).toBe(404);
    expect((await request(t.app.callback()).get(`${path}/photo/nonsense`)).status).toBe(404);
  });
});
