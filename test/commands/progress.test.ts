import help from '../../commands/help';
import progress from '../../commands/progress';
import project from '../../commands/project';
import { beijingDate } from '../../src/services/beijing-time';
import { undoLast } from '../../src/services/audit';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';

let bot: TestBot;
let f: BasicFixture;

beforeAll(async () => {
  bot = await createTestBot({ commands: [help, project, progress] });
  f = await bot.seed.basic();
  const base = { category: '工程' as const, createdAt: bot.now(), street: f.streets.jiyuan._id };
  await bot.models.Project.create({ ...base, no: 12, courtyard: f.courtyards.dongfang._id, title: '路面硬化', owner: f.cadres.zhangsan._id, deadline: beijingDate(2020, 9, 20) });
  // Owned by 李四 although the courtyard is 张三's: the owner may report too.
  await bot.models.Project.create({ ...base, no: 13, courtyard: f.courtyards.dongfang._id, title: '屋顶防水', owner: f.cadres.lisi._id, deadline: beijingDate(2020, 9, 30) });
});
afterAll(() => bot.close());

const get = (no: number) => bot.models.Project.findOne({ no }).lean();
const reports = (no: number) => bot.models.Project.findOne({ no }).then((p) => bot.models.ProgressReport.find({ project: p!._id }).sort({ at: 1, _id: 1 }).lean());

describe('/进度', () => {
  it('records a report and moves the project', async () => {
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/进度 #12 40% 主路已硬化');
    expect(reply).toContain('✅ #12 **路面硬化** 进度已更新');
    expect(reply).toContain('████░░░░░░ 40%（上次 0%，+40%）');
    expect(reply).toContain('说明：主路已硬化');
    expect(reply).toContain('截止 9月20日 · 还有 4 天');
    expect(await get(12)).toMatchObject({ percent: 40, lastReportAt: bot.now(), status: '进行中' });
    expect(await reports(12)).toEqual([
      expect.objectContaining({
        percent: 40,
        previousPercent: 0,
        note: '主路已硬化',
        userId: 'zhangsan',
        cadre: f.cadres.zhangsan._id,
        courtyard: f.courtyards.dongfang._id,
        street: f.streets.jiyuan._id,
        at: bot.now(),
      }),
    ]);
  });

  it('reads full-width input, a title instead of a number, and keys', async () => {
    bot.advance(3600_000);
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '／进度　＃１２　６０％')).toContain('60%（上次 40%，+20%）');
    bot.advance(3600_000);
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/progress 路面硬化 进度=70 说明：铺设完成')).toContain('说明：铺设完成');
    expect(await get(12)).toMatchObject({ percent: 70 });
    expect((await reports(12)).map((r) => r.percent)).toEqual([40, 60, 70]);
  });

  it('lets the owner report on a courtyard they are not assigned to', async () => {
    expect(await bot.send(f.users.lisi, f.groups.dongfang, '/进度 #13 20%')).toContain('✅ #13 **屋顶防水** 进度已更新');
    expect(await get(13)).toMatchObject({ percent: 20 });
  });

  it('asks why when the percentage goes down, and flags it', async () => {
    bot.advance(3600_000);
    const refused = await bot.send(f.users.zhangsan, f.groups.dongfang, '/进度 #12 50%');
    expect(refused).toContain('❌ #12 上次报的是 70%，这次更低，请写明原因');
    expect(refused).toContain('用法：`/进度 #12 80% 主路已硬化`');
    expect(await get(12)).toMatchObject({ percent: 70 });

    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/进度 #12 50% 验收不合格返工');
    expect(reply).toContain('<font color="warning">⚠️ 进度回退：70% → 50%</font>');
    expect(await get(12)).toMatchObject({ percent: 50 });
    expect((await reports(12)).at(-1)).toMatchObject({ percent: 50, previousPercent: 70, note: '验收不合格返工' });
  });

  it('is undone by /撤销 as one change: the report removed, the percentage restored', async () => {
    await undoLast(bot.models, 'zhangsan', bot.now());
    expect(await get(12)).toMatchObject({ percent: 70 });
    expect((await reports(12)).map((r) => r.percent)).toEqual([40, 60, 70]);
  });

  it('refuses a cadre of another courtyard and someone not on the roster', async () => {
    const other = await bot.send(f.users.lisi, f.groups.dongfang, '/进度 #12 90%');
    expect(other).toContain('🚫 /进度 仅限「东方花园」的分包干部或管理员使用');
    expect(other).toContain('张三（分包干部）');
    const stranger = await bot.send(f.users.stranger, f.groups.dongfang, '/进度 #12 90%');
    expect(stranger).toContain('🚫 /进度 仅限分包干部或管理员使用');
    expect(stranger).toContain('/登记 姓名 单位');
    expect(await get(12)).toMatchObject({ percent: 70 });
    expect(await reports(12)).toHaveLength(3);
  });

  it('says what is wrong with the arguments', async () => {
    const send = (text: string) => bot.send(f.users.zhangsan, f.groups.dongfang, text);
    const none = await send('/进度');
    expect(none).toContain('❌ 缺少「项目」');
    expect(none).toContain('用法：');
    expect(await send('/进度 #12')).toContain('缺少「进度」');
    expect(await send('/进度 #99 50%')).toContain('没有编号为 #99 的项目');
    expect(await send('/进度 #12 很多')).toContain('「很多」不是进度');
    expect(await send('/进度 #12 150%')).toContain('进度应在 0% 到 100% 之间');
    expect(await send('/进度 #12 50% ' + '很'.repeat(201))).toContain('说明不超过 200 个字');
    expect(await get(12)).toMatchObject({ percent: 70 });
    expect(await reports(12)).toHaveLength(3);
  });

  it('completes the project at 完成, on time or not, and then refuses more reports', async () => {
    bot.setNow('2020-09-21T02:00:00Z');
    const reply = await bot.send(f.users.admin, f.groups.dongfang, '/进度 #12 完成 已通过验收');
    expect(reply).toContain('🎉 #12 **路面硬化** 已完成 9月21日（<font color="warning">逾期 1 天</font>）');
    expect(await get(12)).toMatchObject({ percent: 100, status: '已完成', completedAt: bot.now() });
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/进度 #12 90%')).toContain('项目 #12 路面硬化 刚刚已由 王管理 完成（9月21日）');
    expect(await get(12)).toMatchObject({ percent: 100, status: '已完成' });
  });
});
