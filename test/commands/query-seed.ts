import type { Types } from 'mongoose';
import { createCalendar } from '../../src/services/calendar';
import type { BasicFixture, TestBot } from '../helpers/bot';

/** That Beijing wall-clock time: `bj('2020-09-16 10:00')`. */
export function bj(text: string): Date {
  return new Date(`${text.replace(' ', 'T')}:00+08:00`);
}

const calendar = createCalendar();

/**
 * Campaign data for the query commands on top of `seed.basic()`, as of the harness's
 * default clock (Wednesday 2020-09-16 10:00; the week began Monday 09-14):
 *
 * 东方花园 (济源路; 张三, 王五 without WeCom): party 已建 (党支部), self-government 筹建中, 2 volunteer teams.
 * - projects #1 路面硬化 60% due 09-20 (张三), #2 楼道照明 done, #3 雨污分流 20% due 09-10 (张三, 6 days late),
 *   #5 垃圾清运 cancelled;
 * - requests #1 logged Thu 09-10 09:00, due Mon 09-14 end, nobody took it (late); #2 closed, 满意;
 *   #3 feedback given (assignee 张三); #4 closed, 不满意;
 * - visits this week: 张三 4 h (09-15); 王五 none.
 * 陇海安居 (济源路; 李四): nothing built; project #4 围墙修补 50% due 09-30 (李四).
 * Milestones (district): 党组织全覆盖 by 09-30 (东方花园 done), 自治组织全覆盖 by 09-20 (nobody done).
 */
export async function seedQueries(bot: TestBot, f: BasicFixture): Promise<void> {
  const { Project, ResidentRequest, Visit, Milestone, Courtyard } = bot.models;
  const { dongfang, longhai } = f.courtyards;
  const { zhangsan, lisi } = f.cadres;
  await Courtyard.updateOne(
    { _id: dongfang._id },
    { $set: { orgs: { party: { status: '已建', kind: '党支部' }, selfGov: { status: '筹建中' }, volunteerTeams: 2 } } },
  );
  const project = (no: number, yard: typeof dongfang, title: string, fields: object) =>
    Project.create({ no, courtyard: yard._id, street: yard.street, category: '工程', title, createdAt: bj('2020-09-01 09:00'), ...fields });
  await project(1, dongfang, '路面硬化', { percent: 60, deadline: bj('2020-09-20 00:00'), owner: zhangsan._id });
  await project(2, dongfang, '楼道照明', { percent: 100, status: '已完成', deadline: bj('2020-09-12 00:00'), completedAt: bj('2020-09-11 10:00') });
  await project(3, dongfang, '雨污分流', { percent: 20, deadline: bj('2020-09-10 00:00'), owner: zhangsan._id });
  await project(4, longhai, '围墙修补', { percent: 50, deadline: bj('2020-09-30 00:00'), owner: lisi._id });
  await project(5, dongfang, '垃圾清运', { percent: 0, status: '已取消', deadline: bj('2020-09-01 00:00') });

  const request = (no: number, logged: string, fields: object) => {
    const at = bj(logged);
    return ResidentRequest.create({ no, courtyard: dongfang._id, street: dongfang.street, text: `诉求${no}`, reporter: { userId: 'resident' }, createdAt: at, dueAt: calendar.dueAfterWorkingDays(at, 2), ...fields });
  };
  await request(1, '2020-09-10 09:00', {});
  await request(2, '2020-09-08 09:00', { status: '已办结', assignee: zhangsan._id, feedbackAt: bj('2020-09-08 15:00'), closedAt: bj('2020-09-09 10:00'), rating: '满意' });
  await request(3, '2020-09-14 09:00', { status: '已反馈', assignee: zhangsan._id, feedbackAt: bj('2020-09-15 10:00') });
  await request(4, '2020-09-07 09:00', { status: '已办结', assignee: zhangsan._id, feedbackAt: bj('2020-09-07 15:00'), closedAt: bj('2020-09-08 10:00'), rating: '不满意' });

  await Visit.create({ cadre: zhangsan._id, courtyard: dongfang._id, street: dongfang.street, date: bj('2020-09-15 00:00'), hours: 4, createdAt: bj('2020-09-15 12:00') });
  // Last week's visit does not count this week.
  await Visit.create({ cadre: lisi._id, courtyard: longhai._id, street: longhai.street, date: bj('2020-09-10 00:00'), hours: 8, createdAt: bj('2020-09-10 12:00') });

  await Milestone.create({ title: '党组织全覆盖', deadline: bj('2020-09-30 00:00'), scope: { kind: 'district' }, done: [{ courtyard: dongfang._id, at: bj('2020-09-05 10:00') }], createdAt: bj('2020-09-01 09:00') });
  await Milestone.create({ title: '自治组织全覆盖', deadline: bj('2020-09-20 00:00'), scope: { kind: 'district' }, createdAt: bj('2020-09-01 09:00') });
}

/** Counts of every domain record, to show a read-only command changed nothing. */
export async function recordCounts(bot: TestBot): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, model] of Object.entries(bot.models)) out[name] = await (model as { countDocuments(): Promise<number> }).countDocuments();
  return out;
}

export type Id = Types.ObjectId;
