import { Types } from 'mongoose';
import { createModels, syncIndexes, type Models } from '../../src/db/models';
import { createCalendar } from '../../src/services/calendar';
import { findOverdue, type OverdueItem } from '../../src/services/overdue';
import { openTestDb, type TestDb } from '../helpers/db';

const calendar = createCalendar();
/** That Beijing wall-clock time. */
const bj = (text: string) => new Date(`${text.replace(' ', 'T')}:00+08:00`);

let db: TestDb;
let models: Models;
const ids: Record<string, Types.ObjectId> = {};

/**
 * 济源路街道: 东方花园 (张三, 王五 without WeCom), 陇海安居 (李四); 中心路街道: 水泵厂 (李四).
 * All dates 2020; the checks run on Thursday 09-24 10:00 unless said otherwise.
 */
beforeAll(async () => {
  db = await openTestDb();
  models = createModels(db.conn);
  await syncIndexes(models);
  const jiyuan = await models.Street.create({ name: '济源路街道' });
  const zhongxin = await models.Street.create({ name: '中心路街道' });
  const dongfang = await models.Courtyard.create({ name: '东方花园', street: jiyuan._id });
  const longhai = await models.Courtyard.create({ name: '陇海安居', street: jiyuan._id });
  const shuibeng = await models.Courtyard.create({ name: '水泵厂', street: zhongxin._id });
  const zhangsan = await models.Cadre.create({ name: '张三', unit: '区医保局', userId: 'zhangsan', courtyards: [dongfang._id] });
  const wangwu = await models.Cadre.create({ name: '王五', unit: '区教育局', courtyards: [dongfang._id] });
  const lisi = await models.Cadre.create({ name: '李四', unit: '区残联', userId: 'lisi', courtyards: [longhai._id, shuibeng._id] });
  // An admin is not an assigned cadre: never counted for visits nor made responsible.
  await models.Cadre.create({ name: '王管理', unit: '区委', userId: 'admin', roles: ['admin'], courtyards: [dongfang._id] });
  Object.assign(ids, { jiyuan: jiyuan._id, zhongxin: zhongxin._id, dongfang: dongfang._id, longhai: longhai._id, shuibeng: shuibeng._id, zhangsan: zhangsan._id, wangwu: wangwu._id, lisi: lisi._id });

  const project = (no: number, courtyard: typeof dongfang, deadline: string, extra: object = {}) =>
    models.Project.create({ no, courtyard: courtyard._id, street: courtyard.street, category: '工程', title: `项目${no}`, deadline: bj(`${deadline} 00:00`), createdAt: bj('2020-09-01 09:00'), ...extra });
  await project(1, dongfang, '2020-09-20', { owner: zhangsan._id }); // 4 days late on 09-24
  await project(2, dongfang, '2020-09-23', { status: '已延期' }); // no owner: 1 day late, the courtyard's cadres answer
  await project(3, dongfang, '2020-09-24', { owner: zhangsan._id }); // due today: not late
  await project(4, longhai, '2020-09-10', { owner: lisi._id, status: '已完成', percent: 100 }); // done: not late
  await project(5, shuibeng, '2020-09-15', { owner: lisi._id }); // other street, 9 days late
  await project(6, longhai, '2020-09-22', { owner: lisi._id, status: '已取消' }); // cancelled: not late

  const request = (no: number, courtyard: typeof dongfang, createdAt: string, extra: object = {}) => {
    const at = bj(createdAt);
    return models.ResidentRequest.create({ no, courtyard: courtyard._id, street: courtyard.street, text: `诉求${no}`, reporter: { userId: 'r' }, createdAt: at, dueAt: calendar.dueAfterWorkingDays(at, 2), ...extra });
  };
  // Logged Fri 09-18: due Tue 09-22 23:59:59.999 (the weekend skipped) → 2 days late on Thu 09-24.
  await request(1, dongfang, '2020-09-18 15:00', { status: '已接单', assignee: lisi._id });
  // Logged Mon 09-21: due Wed 09-23 end → 1 day late; nobody took it: 张三 and 王五 answer.
  await request(2, dongfang, '2020-09-21 09:00');
  // Logged Tue 09-22: due Thu 09-24 end → not yet late.
  await request(3, longhai, '2020-09-22 09:00');
  // Answered (已反馈) in time or not: no longer waiting for feedback.
  await request(4, longhai, '2020-09-14 09:00', { status: '已反馈', feedbackAt: bj('2020-09-20 09:00') });

  // District milestone due 09-20: 东方花园 ticked it off, the others did not.
  await models.Milestone.create({ title: '党组织全覆盖', deadline: bj('2020-09-20 00:00'), scope: { kind: 'district' }, done: [{ courtyard: dongfang._id, at: bj('2020-09-19 10:00') }], createdAt: bj('2020-09-01 09:00') });
  // 中心路's own milestone: never reaches 济源路's courtyards.
  await models.Milestone.create({ title: '志愿队组建', deadline: bj('2020-09-22 00:00'), scope: { kind: 'street', refId: zhongxin._id }, createdAt: bj('2020-09-01 09:00') });
  // Not due yet.
  await models.Milestone.create({ title: '长效机制', deadline: bj('2020-11-15 00:00'), scope: { kind: 'district' }, createdAt: bj('2020-09-01 09:00') });

  // This week (Mon 09-21…): 张三 4 h (done), 王五 2 h (short), 李四 nothing; last week's 8 h do not count.
  const visit = (cadre: Types.ObjectId, courtyard: typeof dongfang, day: string, hours: number) =>
    models.Visit.create({ cadre, courtyard: courtyard._id, street: courtyard.street, date: bj(`${day} 00:00`), hours, createdAt: bj(`${day} 12:00`) });
  await visit(zhangsan._id, dongfang, '2020-09-22', 4);
  await visit(wangwu._id, dongfang, '2020-09-23', 2);
  await visit(lisi._id, longhai, '2020-09-17', 8);
});
afterAll(() => db.close());

const brief = (items: OverdueItem[]) => items.map((i) => `${i.kind} ${i.no ?? i.title} ${i.courtyardName} ${i.daysLate} ${i.responsible.names.join('+')}`);
const thursday = bj('2020-09-24 10:00');

describe('findOverdue', () => {
  it('lists what is late in a street, most late first, each with who answers for it', async () => {
    const items = await findOverdue(models, { scope: { streetId: String(ids.jiyuan) }, now: thursday, calendar });
    expect(brief(items)).toEqual([
      'project 1 东方花园 4 张三',
      'milestone 党组织全覆盖 陇海安居 4 李四',
      'request 1 东方花园 2 李四',
      'project 2 东方花园 1 张三+王五',
      'request 2 东方花园 1 张三+王五',
      // Thursday: the half day is due; 张三 logged 4 h, 王五 2 h, 李四 none this week.
      'visit 王五 东方花园 0 王五',
      'visit 李四 陇海安居 0 李四',
    ]);
    const [p1, , r1, , r2, visitWang, visitLi] = items;
    expect(p1).toMatchObject({ id: expect.any(String), streetName: '济源路街道', since: bj('2020-09-20 00:00'), responsible: { userIds: ['zhangsan'], cadreIds: [String(ids.zhangsan)] } });
    // A request is late from its due time: the end of its 2nd working day (Tue 09-22 23:59:59.999 Beijing).
    expect(r1!.since).toEqual(new Date('2020-09-22T15:59:59.999Z'));
    // Only those linked to WeCom can be mentioned: 王五 has no userid.
    expect(r2!.responsible).toMatchObject({ userIds: ['zhangsan'], names: ['张三', '王五'] });
    expect(visitLi).toMatchObject({ id: String(ids.lisi), hours: 0, courtyardIds: [String(ids.longhai)], since: bj('2020-09-24 00:00') });
    expect(visitWang).toMatchObject({ hours: 2, responsible: { userIds: [] } });
  });

  it('keeps to one courtyard, and to a group scope', async () => {
    const byId = await findOverdue(models, { scope: { courtyardId: String(ids.longhai) }, now: thursday, calendar });
    expect(brief(byId)).toEqual(['milestone 党组织全覆盖 陇海安居 4 李四', 'visit 李四 陇海安居 0 李四']);
    const courtyard = (await models.Courtyard.findById(ids.dongfang))!;
    const byScope = await findOverdue(models, { scope: { kind: 'courtyard', courtyard, street: null }, now: thursday, calendar, kinds: ['request'] });
    expect(brief(byScope)).toEqual(['request 1 东方花园 2 李四', 'request 2 东方花园 1 张三+王五']);
  });

  it('covers the district, other streets’ milestones included', async () => {
    const items = await findOverdue(models, { scope: { kind: 'district' }, now: thursday, calendar, kinds: ['project', 'milestone'] });
    expect(brief(items)).toEqual([
      'project 5 水泵厂 9 李四',
      'project 1 东方花园 4 张三',
      'milestone 党组织全覆盖 陇海安居 4 李四',
      'milestone 党组织全覆盖 水泵厂 4 李四',
      'milestone 志愿队组建 水泵厂 2 李四',
      'project 2 东方花园 1 张三+王五',
    ]);
  });

  it('counts no missing half day before Thursday, and a request only after its due time', async () => {
    // Wednesday 09-23 23:00: request #2 is due at the end of today; project #2's deadline is today.
    const items = await findOverdue(models, { scope: { streetId: String(ids.jiyuan) }, now: bj('2020-09-23 23:00'), calendar });
    expect(brief(items)).toEqual(['project 1 东方花园 3 张三', 'milestone 党组织全覆盖 陇海安居 3 李四', 'request 1 东方花园 1 李四']);
  });

  it('counts an organisation milestone done once /组织 records the organisation, as /节点 shows it', async () => {
    await models.Courtyard.updateOne({ _id: ids.longhai }, { $set: { 'orgs.party': { status: '已建', kind: '临时党支部' } } });
    try {
      const items = await findOverdue(models, { scope: { streetId: String(ids.jiyuan) }, now: thursday, calendar, kinds: ['milestone'] });
      expect(brief(items)).toEqual([]);
    } finally {
      await models.Courtyard.updateOne({ _id: ids.longhai }, { $unset: { 'orgs.party': 1 } });
    }
  });

  it('returns nothing when nothing is late', async () => {
    expect(await findOverdue(models, { scope: { streetId: String(ids.jiyuan) }, now: bj('2020-09-15 10:00'), calendar })).toEqual([]);
  });
});
