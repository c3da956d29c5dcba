import bind from '../../commands/bind';
import status from '../../commands/status';
import { outboxItemModel } from '../../src/db/models/outbox-item';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';
import { bj, recordCounts, seedQueries } from './query-seed';

let bot: TestBot;
let f: BasicFixture;

beforeAll(async () => {
  bot = await createTestBot({ commands: [status, bind] });
  f = await bot.seed.basic();
  await seedQueries(bot, f);
});
afterAll(() => bot?.close());

/** Reply lines without the font tags, for readable expectations. */
const plain = (md: string) => md.replace(/<\/?font[^>]*>/g, '').split('\n');

describe('/查询', () => {
  it('shows the courtyard card in a courtyard group, and changes nothing', async () => {
    const before = await recordCounts(bot);
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/查询');
    // Projects #1 60%, #2 done (100), #3 20% → 3 (the cancelled #5 left out), average 180/3 = 60%;
    // #3 was due 09-10: late. Requests: 4; open #1, #3; answered #2 #3 #4 = 75%; closed 2/4 = 50%;
    // rated 2, satisfied 1 (满意; 不满意 not) = 50%; #1 due Mon 09-14 end, unanswered: late.
    // Nothing published yet: the headline says so; the running week (09-14…16) so far, part by part:
    // progress (60 + 100 + 20) / 3 = 60, on time 0 of 1 (#3), requests: #1 due and unanswered: 0,
    // 张三's 4 h at 东方花园: 100, orgs 2/3.
    expect(plain(reply)).toEqual([
      '**📋 东方花园** · 济源路街道',
      '周排名尚未发布（每周一 9:00 推送后这里显示已发布的得分）',
      '本周进行中，截至9月16日：项目进度 60.0 · 按时完成 0.0 · 诉求办理 0.0 · 干部下沉 100.0 · 三类组织 66.7',
      '三类组织：党组织 已建（党支部） · 自治组织 筹建中 · 志愿队 2 支 · 未全覆盖',
      '整治项目：3 个 · 已完成 1 · 逾期 1',
      '平均进度 ██████░░░░ 60%',
      '#3 雨污分流 ██░░░░░░░░ 20% · 截止9月10日 已逾期 · 张三',
      '#1 路面硬化 ██████░░░░ 60% · 截止9月20日 · 张三',
      '民情诉求：4 件 · 未办结 2 · 超期未反馈 1',
      '反馈率 75% · 办结率 50% · 满意率 50%',
      '分包干部（本周在本楼院下沉 1/2）：',
      '张三 ✅4小时 · 王五 ⚠未下沉',
      '节点任务：',
      '9月20日前 自治组织全覆盖 · 未完成',
    ]);
    expect(reply).toContain('<font color="warning">截止9月10日 已逾期</font>');
    expect(await recordCounts(bot)).toEqual(before);
  });

  it('sums a street office over its courtyards and names the worst ones', async () => {
    const reply = await bot.send(f.users.leader, '', '/查询 济源路');
    // 东方花园 + 陇海安居: projects 3 + 1 (#4 50%) → 230/4 = 57.5 → 58%; cadres 张三, 王五, 李四:
    // only 张三 has 4 h this week (李四's 8 h were last week). 东方花园 has 2 late items (#3, request #1).
    // The street's running week: the mean of its courtyards (陇海安居: progress 50, nothing timed
    // or due, no visit, no organisation → 25.0).
    expect(plain(reply)).toEqual([
      '**📋 济源路街道** · 2 个楼院',
      '周排名尚未发布（每周一 9:00 推送后这里显示已发布的得分）',
      '本周进行中，截至9月16日：项目进度 55.0 · 按时完成 0.0 · 诉求办理 0.0 · 干部下沉 50.0 · 三类组织 33.3',
      '三类组织：党组织 1/2 · 自治组织 0/2 · 志愿队 1/2 · 全覆盖 0/2',
      '整治项目：4 个 · 已完成 1 · 逾期 1',
      '平均进度 ██████░░░░ 58%',
      '民情诉求：4 件 · 未办结 2 · 超期未反馈 1',
      '反馈率 75% · 办结率 50% · 满意率 50%',
      '分包干部：3 人 · 本周已在分包楼院下沉半天 1 人 · 未下沉 2',
      '9月20日前 自治组织全覆盖 · 完成 0/2',
      '9月30日前 党组织全覆盖 · 完成 1/2',
      // The lowest scores, an idle courtyard included.
      '**需关注的楼院（本周进行中得分最低）：**',
      '陇海安居 · 25.0 分 · 无逾期',
      '东方花园 · 44.7 分 · 逾期 2',
    ]);
    // The street's group shows the same card without an argument.
    expect(await bot.send(f.users.lisi, f.groups.jiyuan, '/status')).toBe(reply);
  });

  it('shows the district, street by street, to a district admin in a 1:1 chat', async () => {
    const lines = plain(await bot.send(f.users.admin, '', '/查询'));
    expect(lines[0]).toBe('**📋 全区** · 3 个楼院');
    expect(lines).toContain('中心路街道 · 1 院 · 无项目 · 全覆盖 0/1');
    expect(lines).toContain('济源路街道 · 2 院 · 进度 58% · 全覆盖 0/2 · 逾期 2');
  });

  it('finds a courtyard by alias or near spelling from any group', async () => {
    expect(plain(await bot.send(f.users.lisi, f.groups.jiyuan, '/查询 东方花圆'))[0]).toBe('**📋 东方花园** · 济源路街道');
  });

  it('lists what I owe this week', async () => {
    const reply = await bot.send(f.users.zhangsan, f.groups.dongfang, '/查询 我');
    expect(plain(reply)).toEqual([
      '**📌 张三 本周待办**',
      '分包楼院：东方花园',
      '下沉：✅ 本周已下沉 4小时',
      '**项目（本周到期或已逾期 2）：**',
      '#3 雨污分流 ██░░░░░░░░ 20% · 截止9月10日 已逾期',
      '#1 路面硬化 ██████░░░░ 60% · 截止9月20日',
      '**诉求（待处理 2）：**',
      '#1 诉求1 · 待接单 · 反馈已超期（9月14日 23:59）',
      '#3 诉求3 · 待办结',
    ]);
    const lisi = plain(await bot.send(f.users.lisi, '', '/查询 我'));
    expect(lisi).toContain('下沉：⚠ 本周尚未下沉，至少半天（4小时） · 发送 `/下沉 半天 清理杂物`');
    // #4 is due 09-30, after this week; nothing is waiting for 李四.
    expect(lisi).toContain('项目：本周没有到期的项目');
    expect(lisi).toContain('诉求：没有待处理的诉求');
  });

  it('shows push problems to admins only', async () => {
    const url = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=dongfang-key-123';
    await bot.models.Group.updateOne({ chatId: f.groups.dongfang }, { $set: { name: '东方花园工作群', webhookUrl: url, webhookInvalidAt: bj('2020-09-15 09:00') } });
    await outboxItemModel(bot.db.conn).create({
      dedupeKey: 'weekly:dead',
      target: { kind: 'webhook', url },
      lane: 'webhook:dongfang-key-123',
      payload: { type: 'markdown', content: '本周排名' },
      status: 'dead',
      attempts: 8,
      lastError: '93000 invalid webhook url',
      notBefore: bj('2020-09-14 09:00'),
      nextAttemptAt: bj('2020-09-14 09:00'),
      createdAt: bj('2020-09-14 09:00'),
      seq: 1,
      diedAt: new Date(),
    });
    const admin = await bot.send(f.users.jyAdmin, f.groups.dongfang, '/查询');
    expect(admin).toContain('推送异常（管理员可见）');
    expect(admin).toContain('群「东方花园工作群」推送地址已失效（9月15日）');
    expect(admin).toContain('条推送发送失败已放弃');
    expect(admin).toContain('本周排名 · 93000 invalid webhook url');
    const cadre = await bot.send(f.users.zhangsan, f.groups.dongfang, '/查询');
    expect(cadre).not.toContain('推送异常');
    // An admin of another street sees this courtyard but not its push problems.
    await bot.seed.cadre({ name: '孙街道', unit: '中心路街道办事处', userId: 'zx-admin', roles: ['admin'], scope: f.streets.zhongxin });
    expect(await bot.send({ userId: 'zx-admin' }, '', '/查询 东方花园')).not.toContain('推送异常');
  });

  it('pages a long card', async () => {
    const { dongfang } = f.courtyards;
    for (let no = 100; no < 160; no++) {
      await bot.models.Project.create({ no, courtyard: dongfang._id, street: dongfang.street, category: '服务', title: `便民服务活动第${no}期（法律咨询、义诊、文艺演出）`, percent: no % 100, deadline: bj('2020-10-30 00:00'), createdAt: bj('2020-09-01 09:00') });
    }
    const first = await bot.send(f.users.zhangsan, f.groups.dongfang, '/查询');
    expect(Buffer.byteLength(first)).toBeLessThanOrEqual(4096);
    expect(first).toMatch(/第 1\/\d 页，发送 `\/查询 2` 看下一页/);
    const second = await bot.send(f.users.zhangsan, f.groups.dongfang, '/查询 2');
    expect(second).toMatch(/第 2\/\d 页/);
    expect(plain(second)[0]).toBe('**📋 东方花园** · 济源路街道');
    expect(await bot.send(f.users.zhangsan, f.groups.jiyuan, '/查询 东方花园 2')).toBe(second.replace('`/查询 3`', '`/查询 东方花园 3`'));
    await bot.models.Project.deleteMany({ no: { $gte: 100 } });
  });

  it('says what was wrong: an unknown name, too many words, no roster entry', async () => {
    const before = await recordCounts(bot);
    const unknown = await bot.send(f.users.stranger, f.groups.jiyuan, '/查询 火星小区');
    expect(unknown).toContain('❌ 没有找到楼院或街道「火星小区」');
    expect(unknown).toContain('用法：`/查询`  `/查询 东方花园`  `/查询 济源路`  `/查询 我`');
    expect(await bot.send(f.users.stranger, f.groups.jiyuan, '/查询 东方花园 2 3')).toContain('❌ 多余的参数');
    expect(await bot.send(f.users.stranger, f.groups.jiyuan, '/查询 东方花园 第二页')).toContain('❌');
    expect(await bot.send(f.users.stranger, f.groups.jiyuan, '/查询 我')).toContain('❌ 你还没有登记，查不到你的待办。请先发送 `/登记 姓名 单位`');
    // Not on the roster, in a chat bound to nothing: asks what to look at.
    expect(await bot.send(f.users.stranger, '', '/查询')).toContain('🚫 请在楼院或街道的工作群里查询');
    expect(await recordCounts(bot)).toEqual(before);
  });
});
