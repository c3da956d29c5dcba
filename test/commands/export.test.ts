import ExcelJS from 'exceljs';
import exportTable from '../../commands/export';
import type { PushRequest } from '../../src/wecom/outbox';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';
import { recordCounts, seedQueries } from './query-seed';

let bot: TestBot;
let f: BasicFixture;
const URL = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=lead-key-0001';

beforeAll(async () => {
  bot = await createTestBot({ commands: [exportTable] });
  f = await bot.seed.basic();
  await seedQueries(bot, f);
  await bot.seed.group('grp-lead', 'district', { purpose: 'leadership', webhookUrl: URL });
  await bot.seed.group('grp-jy-push', f.streets.jiyuan, { webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=jiyuan-key-01' });
});
afterAll(() => bot?.close());

const files = () => bot.outbox.requests.filter((r) => r.payload.type === 'file') as (PushRequest & { payload: { type: 'file'; filename: string; data: Buffer } })[];

describe('/导出', () => {
  it('sends the district’s weekly progress table into a leadership group as an .xlsx file', async () => {
    const reply = await bot.send(f.users.leader, 'grp-lead', '/导出');
    expect(reply).toContain('📤 **全区** 每周进度表（2020年9月14日–9月20日）正在发送到本群');
    const sent = files();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.target).toEqual({ kind: 'webhook', url: URL });
    expect(sent[0]!.payload.filename).toMatch(/\.xlsx$/);
    expect(reply).toContain(sent[0]!.payload.filename);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(sent[0]!.payload.data as unknown as ArrayBuffer);
    const text = book.worksheets.map((ws) => ws.getSheetValues().flat().join(' ')).join(' ');
    expect(text).toContain('东方花园');
    expect(text).toContain('水泵厂家属院');
  });

  it('sends a street group its own street, last week when asked', async () => {
    const reply = await bot.send(f.users.jyAdmin, 'grp-jy-push', '/export 上周');
    expect(reply).toContain('📤 **济源路街道** 每周进度表（2020年9月7日–9月13日）正在发送到本群');
    const last = files().at(-1)!;
    expect(last.target).toEqual({ kind: 'webhook', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=jiyuan-key-01' });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(last.payload.data as unknown as ArrayBuffer);
    const text = book.worksheets.map((ws) => ws.getSheetValues().flat().join(' ')).join(' ');
    expect(text).toContain('东方花园');
    expect(text).not.toContain('水泵厂家属院');
  });

  it('says how to add the group’s push address when it has none', async () => {
    const before = files().length;
    const reply = await bot.send(f.users.admin, f.groups.dongfang, '/导出');
    expect(reply).toContain('❌ 本群还没有推送地址，文件发不到群里');
    expect(reply).toContain('`/绑定 楼院 东方花园 webhook=群机器人推送地址`');
    expect(files()).toHaveLength(before);
  });

  it('refuses cadres, and admins of another street', async () => {
    const before = await recordCounts(bot);
    const sent = files().length;
    const cadre = await bot.send(f.users.zhangsan, 'grp-jy-push', '/导出');
    expect(cadre).toContain('🚫 /导出 仅限管理员或领导使用');
    await bot.seed.cadre({ name: '孙街道', unit: '中心路街道办事处', userId: 'zx-admin', roles: ['admin'], scope: f.streets.zhongxin });
    const other = await bot.send({ userId: 'zx-admin' }, 'grp-jy-push', '/导出');
    expect(other).toContain('🚫');
    expect(other).toContain('济源路街道');
    expect(files()).toHaveLength(sent);
    expect(await recordCounts(bot)).toEqual({ ...before, Cadre: before.Cadre! + 1 });
  });

  it('says what is wrong: a period it does not know, a 1:1 chat', async () => {
    const sent = files().length;
    const bad = await bot.send(f.users.admin, 'grp-lead', '/导出 明年');
    expect(bad).toContain('❌ 「时段」应为 本周、上周 之一，收到「明年」');
    expect(bad).toContain('用法：`/导出`  `/导出 上周`');
    expect(await bot.send(f.users.admin, '', '/导出')).toContain('❌ 请在群里发送：进度表会以文件发到群里');
    expect(files()).toHaveLength(sent);
  });
});
