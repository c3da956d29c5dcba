import type { CourtyardDoc } from '../../src/db/models';
import { createTestBot, type TestBot, type TestUser } from '../helpers/bot';
import { bj } from './query-seed';

/**
 * Two weeks of one street office (济源路街道), played through signed callbacks only:
 * 3 courtyards, 4 cadres, 6 projects, 10 requests, visits, an undo and a postponement, with
 * the clock moved over a weekend and past the 2-working-day feedback deadline. Then /查询
 * (courtyard and street) and /逾期 are checked against figures worked out by hand below.
 *
 * Week 1 is Mon 2020-09-07…Sun 09-13, week 2 Mon 09-14…; the checks run on Thu 09-17 10:00.
 */
let bot: TestBot;
const admin: TestUser = { userId: 'jy-admin', name: '赵街道' };
const resident: TestUser = { userId: 'resident', name: '居民' };
const zhangsan: TestUser = { userId: 'zhangsan', name: '张三' };
const lisi: TestUser = { userId: 'lisi', name: '李四' };
const wangwu: TestUser = { userId: 'wangwu', name: '王五' };
const zhaoliu: TestUser = { userId: 'zhaoliu', name: '赵六' };
const DF = 'grp-df';
const LH = 'grp-lh';
const JY = 'grp-jy';
const STREET = 'grp-street';

const plain = (md: string) => md.replace(/<\/?font[^>]*>/g, '').split('\n');

/** Sends at a Beijing time and expects it done: no ❌ / 🚫 / busy answer. */
async function at(when: string, user: TestUser, chat: string, text: string): Promise<string> {
  bot.setNow(bj(when));
  const reply = await bot.send(user, chat, text);
  if (!reply || /^(❌|🚫|系统繁忙)/.test(reply)) throw new Error(`${text} at ${when} was answered:\n${reply}`);
  return reply;
}

beforeAll(async () => {
  bot = await createTestBot({ now: bj('2020-09-07 08:30') });
  const jiyuan = await bot.seed.street('济源路街道', { aliases: ['济源路'] });
  const yard = (name: string) => bot.seed.courtyard(name, { street: jiyuan });
  const df: CourtyardDoc = await yard('东方花园');
  const lh = await yard('陇海安居');
  const jy = await yard('九冶院');
  await bot.seed.cadre({ name: '赵街道', unit: '济源路街道办事处', userId: 'jy-admin', roles: ['admin'], scope: jiyuan });
  await bot.seed.cadre({ name: '张三', unit: '区医保局', userId: 'zhangsan', courtyards: [df] });
  await bot.seed.cadre({ name: '李四', unit: '区残联', userId: 'lisi', courtyards: [lh] });
  await bot.seed.cadre({ name: '王五', unit: '区教育局', userId: 'wangwu', courtyards: [jy] });
  await bot.seed.cadre({ name: '赵六', unit: '区住建局', userId: 'zhaoliu', courtyards: [df, jy] });
  await bot.seed.group(DF, df);
  await bot.seed.group(LH, lh);
  await bot.seed.group(JY, jy);
  await bot.seed.group(STREET, jiyuan);

  // Week 1. Six projects, published on Monday.
  await at('2020-09-07 09:00', admin, DF, '/项目 新建 路面硬化 类别=工程 截止=9月11日 责任人=张三'); // #1
  await at('2020-09-07 09:01', admin, DF, '/项目 新建 楼道照明 类别=工程 截止=9月18日 责任人=赵六'); // #2
  await at('2020-09-07 09:02', admin, LH, '/项目 新建 围墙修补 类别=工程 截止=9月10日 责任人=李四'); // #3
  await at('2020-09-07 09:03', admin, LH, '/项目 新建 车棚整治 类别=管理 截止=9月25日 责任人=李四'); // #4
  await at('2020-09-07 09:04', admin, JY, '/项目 新建 下水道疏通 类别=工程 截止=9月9日 责任人=王五'); // #5
  await at('2020-09-07 09:05', admin, JY, '/项目 新建 绿化补植 类别=服务 截止=9月30日 责任人=赵六'); // #6

  // Requests R1, R2 (Mon): due Wed 09-09 end. R1 taken, answered, closed, rated 满意; R2 taken, never answered.
  await at('2020-09-07 10:00', resident, DF, '/诉求 3号楼楼道灯不亮'); // #1
  await at('2020-09-07 10:05', resident, DF, '/诉求 5号楼下水道堵塞'); // #2
  await at('2020-09-07 11:00', zhangsan, DF, '/接单 #1');
  await at('2020-09-08 09:00', zhangsan, DF, '/反馈 #1 已联系电工');
  await at('2020-09-08 09:30', zhangsan, DF, '/接单 #2');
  await at('2020-09-09 16:00', zhangsan, DF, '/办结 #1 已更换灯泡');
  await at('2020-09-09 17:00', resident, DF, '/评价 #1 满意');
  // R3 (Tue, 陇海): answered and closed in time, rated 基本满意.
  await at('2020-09-08 10:00', resident, LH, '/诉求 车棚顶棚漏雨'); // #3
  await at('2020-09-09 09:00', lisi, LH, '/接单 #3');
  await at('2020-09-09 09:10', lisi, LH, '/反馈 #3 已报修');
  await at('2020-09-10 15:00', lisi, LH, '/办结 #3 已修好');
  await at('2020-09-10 18:00', resident, LH, '/评价 #3 基本满意');

  await at('2020-09-08 15:00', zhangsan, DF, '/进度 #1 50% 基层已清理');
  await at('2020-09-09 15:00', wangwu, JY, '/进度 #5 30%');
  await at('2020-09-10 11:00', lisi, LH, '/进度 #3 完成'); // on time (due 09-10)
  await at('2020-09-11 10:00', zhangsan, DF, '/进度 #1 80%');
  // The postponement: #1 was due 09-11, now 09-16.
  await at('2020-09-11 10:30', zhangsan, DF, '/项目 延期 #1 9月16日 原因=材料未到');
  await at('2020-09-08 14:00', zhangsan, DF, '/下沉 半天 清理杂物');
  await at('2020-09-09 14:00', lisi, LH, '/下沉 半天 政策宣讲');

  // Friday afternoon R4 (陇海): counted from Fri, the weekend skipped → due Tue 09-15 end.
  await at('2020-09-11 15:00', resident, LH, '/诉求 单元门禁损坏'); // #4
  // R5 (Fri, 九冶): due Tue 09-15 end; taken Monday, answered Tuesday — in time.
  await at('2020-09-11 16:00', resident, JY, '/诉求 路灯不亮'); // #5
  // R6 on Saturday: counts as logged Monday 09-14 → due Wed 09-16 end; nobody takes it.
  await at('2020-09-12 10:00', resident, JY, '/诉求 垃圾没人清运'); // #6

  // Week 2.
  await at('2020-09-14 09:00', resident, DF, '/诉求 楼道堆放杂物'); // #7
  await at('2020-09-14 11:00', zhaoliu, DF, '/办结 #7 已清理'); // done at once (立行立办)
  await at('2020-09-14 12:00', resident, DF, '/评价 #7 不满意 还有一些没清走');
  await at('2020-09-14 10:00', wangwu, JY, '/接单 #5');
  await at('2020-09-15 10:00', wangwu, JY, '/反馈 #5 已报路灯所');
  await at('2020-09-15 09:00', resident, DF, '/诉求 健身器材损坏'); // #8: due Thu 09-17 end
  await at('2020-09-16 09:00', resident, LH, '/诉求 绿地被占'); // #9: due Fri 09-18 end
  await at('2020-09-16 10:00', lisi, LH, '/接单 #9');
  await at('2020-09-16 09:30', resident, JY, '/诉求 楼顶漏水'); // #10
  await at('2020-09-16 10:30', wangwu, JY, '/接单 #10');
  await at('2020-09-16 11:00', wangwu, JY, '/反馈 #10 已安排维修');

  await at('2020-09-14 15:00', zhangsan, DF, '/下沉 半天 征集意见'); // 4 h
  await at('2020-09-15 15:00', lisi, LH, '/下沉 3小时 清理杂物'); // 3 h: short of half a day
  await at('2020-09-16 09:00', zhaoliu, JY, '/下沉 全天 政策宣讲'); // 8 h (九冶院)
  await at('2020-09-15 16:00', zhaoliu, DF, '/进度 #2 40%');
  await at('2020-09-16 15:00', lisi, LH, '/进度 #4 60%');
  // The undo: 张三 reports #1 done by mistake and takes it back within 10 minutes.
  await at('2020-09-16 16:00', zhangsan, DF, '/进度 #1 100%');
  await at('2020-09-16 16:05', zhangsan, DF, '/撤销');
});
afterAll(() => bot?.close());

describe('two weeks of 济源路街道', () => {
  it('left the records the callbacks made', async () => {
    expect(await bot.models.Project.countDocuments()).toBe(6);
    expect(await bot.models.ResidentRequest.countDocuments()).toBe(10);
    // The undo put #1 back to 80%, postponed (已延期) to 09-16.
    expect(await bot.models.Project.findOne({ no: 1 }).lean()).toMatchObject({ percent: 80, status: '已延期', deadline: bj('2020-09-16 00:00') });
  });

  it('counted the weekend out of the 2-working-day deadline', async () => {
    // Mon 09-14: R4 (Fri) is due Tue end, R6 (Sat) Wed end: nothing late in 陇海安居 (#3 was done on time).
    bot.setNow(bj('2020-09-14 10:00'));
    expect(plain(await bot.send(resident, LH, '/逾期'))).toEqual(['**⏰ 陇海安居 · 逾期事项**', '✅ 目前没有逾期事项']);
    // Wed 09-16: R4 passed its due time (Tue 09-15 23:59:59.999) a day ago.
    bot.setNow(bj('2020-09-16 10:00'));
    expect(plain(await bot.send(resident, LH, '/逾期'))).toEqual([
      '**⏰ 陇海安居 · 逾期事项** 共 1 项',
      '诉求 1',
      '超期1天 诉求 #4 单元门禁损坏（未反馈） · 责任人 李四',
    ]);
  });

  it('/逾期 in the street group on Thursday', async () => {
    bot.setNow(bj('2020-09-17 10:00'));
    // Projects late (open, deadline before today 09-17): #5 due 09-09 → 8 days; #1 postponed to 09-16 → 1 day.
    // (#3 done, #2 due 09-18, #4 09-25, #6 09-30.)
    // Requests unanswered past due: R2 due 09-09 end → 8 days (taken by 张三); R4 due 09-15 end → 2 days
    // (nobody took it: 陇海安居's cadre 李四); R6 due 09-16 end → 1 day (九冶院's 王五 and 赵六).
    // (R8 is due tonight; R9 tomorrow; R5 and R10 were answered; R1, R3, R7 closed.)
    // Thursday: half days this week, each at the courtyard where it is due — 张三 4 h at 东方花园 and
    // 赵六 8 h at 九冶院 done; 赵六 nothing at 东方花园, 李四 3 h at 陇海安居, 王五 0 h: late.
    // Order: most days late first; projects before requests; visits by courtyard (东方花园, 九冶院, 陇海安居).
    expect(plain(await bot.send(resident, STREET, '/逾期'))).toEqual([
      '**⏰ 济源路街道 · 逾期事项** 共 8 项',
      '项目 2 · 诉求 3 · 下沉 3',
      '逾期8天 项目 #5 下水道疏通 · 九冶院 · 责任人 王五',
      '超期8天 诉求 #2 5号楼下水道堵塞（未反馈） · 东方花园 · 责任人 张三',
      '超期2天 诉求 #4 单元门禁损坏（未反馈） · 陇海安居 · 责任人 李四',
      '逾期1天 项目 #1 路面硬化 · 东方花园 · 责任人 张三',
      '超期1天 诉求 #6 垃圾没人清运（未反馈） · 九冶院 · 责任人 王五、赵六',
      '本周未下沉 赵六（已下沉0小时，应不少于4小时） · 东方花园',
      '本周未下沉 王五（已下沉0小时，应不少于4小时） · 九冶院',
      '本周未下沉 李四（已下沉3小时，应不少于4小时） · 陇海安居',
    ]);
  });

  it('/查询 in a courtyard group on Thursday', async () => {
    bot.setNow(bj('2020-09-17 10:00'));
    // 东方花园: projects #1 80% (postponed to 09-16, late) and #2 40% → 2, average (80 + 40) / 2 = 60%.
    // Requests R1 (closed, 满意), R2 (taken, late), R7 (closed, 不满意), R8 (open): 4; open 2;
    // answered 2/4 = 50%; closed 2/4 = 50%; satisfied 1 of 2 rated = 50%; late 1.
    // Cadres: 张三 4 h here; 赵六's 8 h were logged in 九冶院, which counts there, not here → 1/2.
    // Nothing published yet; the running week: progress 60, on time 0 of 1 (#1), requests 100
    // (R1 due and closed in time), visits 张三's 4 h: 100, no organisation.
    expect(plain(await bot.send(zhaoliu, DF, '/查询'))).toEqual([
      '**📋 东方花园** · 济源路街道',
      '周排名尚未发布（每周一 9:00 推送后这里显示已发布的得分）',
      '本周进行中，截至9月17日：项目进度 60.0 · 按时完成 0.0 · 诉求办理 100.0 · 干部下沉 100.0 · 三类组织 0.0',
      '三类组织：党组织 未建 · 自治组织 未建 · 志愿队 0 支 · 未全覆盖',
      '整治项目：2 个 · 已完成 0 · 逾期 1',
      '平均进度 ██████░░░░ 60%',
      '#1 路面硬化 ████████░░ 80% · 截止9月16日 已逾期（已延期） · 张三',
      '#2 楼道照明 ████░░░░░░ 40% · 截止9月18日 · 赵六',
      '民情诉求：4 件 · 未办结 2 · 超期未反馈 1',
      '反馈率 50% · 办结率 50% · 满意率 50%',
      '分包干部（本周在本楼院下沉 1/2）：',
      '张三 ✅4小时 · 赵六 ⚠未下沉',
    ]);
  });

  it('/查询 in the street group on Thursday', async () => {
    bot.setNow(bj('2020-09-17 10:00'));
    // Projects: 80 + 40 + 100 (#3 done) + 60 + 30 + 0 = 310 over 6 → 51.7 → 52%; done 1; late 2 (#1, #5).
    // Requests: 10; closed R1 R3 R7 → open 7, 办结率 3/10 = 30%; answered (feedback or closed)
    // R1 R3 R5 R7 R10 → 5/10 = 50%; rated 3 (满意, 基本满意, 不满意), satisfied 2 → 66.7%; late 3 (R2 R4 R6).
    // Cadres: 4, of whom only 张三 had the half day at each of his courtyards → 1, 未下沉 3.
    // 需关注: the lowest running scores — 九冶院 (progress 15, #5 late, one of two requests answered
    // in time, 赵六's 8 h) 29.5; 陇海安居 48.8; 东方花园 58.0.
    expect(plain(await bot.send(admin, STREET, '/查询'))).toEqual([
      '**📋 济源路街道** · 3 个楼院',
      '周排名尚未发布（每周一 9:00 推送后这里显示已发布的得分）',
      '本周进行中，截至9月17日：项目进度 51.7 · 按时完成 0.0 · 诉求办理 41.7 · 干部下沉 91.7 · 三类组织 0.0',
      '三类组织：党组织 0/3 · 自治组织 0/3 · 志愿队 0/3 · 全覆盖 0/3',
      '整治项目：6 个 · 已完成 1 · 逾期 2',
      '平均进度 █████░░░░░ 52%',
      '民情诉求：10 件 · 未办结 7 · 超期未反馈 3',
      '反馈率 50% · 办结率 30% · 满意率 66.7%',
      '分包干部：4 人 · 本周已在分包楼院下沉半天 1 人 · 未下沉 3',
      '**需关注的楼院（本周进行中得分最低）：**',
      '九冶院 · 29.5 分 · 逾期 2',
      '陇海安居 · 48.8 分 · 逾期 1',
      '东方花园 · 58.0 分 · 逾期 2',
    ]);
  });
});
