import type { Types } from 'mongoose';
import type { Models } from '../../src/db/models';
import type { WorkingCalendar } from '../../src/services/calendar';

/** `bj('2020-09-21 10:00')`: that Beijing wall-clock time. */
export function bj(text: string): Date {
  return new Date(`${text.replace(' ', 'T')}:00+08:00`);
}

export interface Seeded {
  jiyuan: string;
  xinan: string;
  dongfang: string;
  xingfu: string;
  jianshe: string;
}

/**
 * A street office (济源路街道) with three courtyards and three cadres, and a second one
 * (新安路街道) with one, through the weeks 2020-09-14…20 and 09-21…27. The numbers each
 * test expects are worked out from this in the test.
 */
export async function seedTwoWeeks(models: Models, calendar: WorkingCalendar): Promise<Seeded> {
  const jiyuan = await models.Street.create({ name: '济源路街道', aliases: ['济源路'] });
  const xinan = await models.Street.create({ name: '新安路街道' });
  const community = await models.Community.create({ name: '济源路社区', street: jiyuan._id });
  const yard = (name: string, street: Types.ObjectId, orgs: object) =>
    models.Courtyard.create({ name, street, community: street.equals(jiyuan._id) ? community._id : undefined, orgs });
  const dongfang = await yard('东方花园', jiyuan._id, {
    party: { status: '已建', kind: '党支部', builtAt: bj('2020-09-01 10:00') },
    selfGov: { status: '已建', kind: '自管会', builtAt: bj('2020-09-23 09:00') },
    volunteerTeams: 2,
  });
  const xingfu = await yard('幸福里', jiyuan._id, { party: { status: '已建' }, selfGov: { status: '筹建中' }, volunteerTeams: 0 });
  const jianshe = await yard('建设院', jiyuan._id, { party: { status: '已建' }, selfGov: { status: '已建' }, volunteerTeams: 1 });
  const hongqi = await yard('红旗院', xinan._id, {});

  const cadre = (name: string, unit: string, courtyards: Types.ObjectId[]) => models.Cadre.create({ name, unit, courtyards });
  const zhang = await cadre('张伟', '区财政局', [dongfang._id]);
  const li = await cadre('李娜', '区医保局', [xingfu._id]);
  const wang = await cadre('王强', '区住建局', [xingfu._id, jianshe._id]);
  const zhao = await cadre('赵敏', '区教育局', [hongqi._id]);
  // An admin off the cadre role is not ranked.
  await models.Cadre.create({ name: '周主任', unit: '济源路街道办', roles: ['admin'], courtyards: [dongfang._id] });

  const created = bj('2020-09-01 09:00');
  let no = 0;
  const project = async (yard: typeof dongfang, owner: typeof zhang, fields: object) =>
    models.Project.create({ no: ++no, courtyard: yard._id, street: yard.street, category: '工程', title: `项目${no}`, owner: owner._id, createdAt: created, ...fields });
  const report = (p: { _id: Types.ObjectId; courtyard: Types.ObjectId; street: Types.ObjectId }, by: typeof zhang, at: string, previousPercent: number, percent: number) =>
    models.ProgressReport.create({ project: p._id, courtyard: p.courtyard, street: p.street, cadre: by._id, userId: 'u', previousPercent, percent, at: bj(at) });

  // 东方花园
  const p1 = await project(dongfang, zhang, { title: '路面硬化', area: '环境', deadline: bj('2020-09-25 00:00'), percent: 100, status: '已完成', completedAt: bj('2020-09-24 16:00') });
  await report(p1, zhang, '2020-09-16 10:00', 0, 60);
  await report(p1, zhang, '2020-09-24 16:00', 60, 100);
  const p2 = await project(dongfang, zhang, { title: '楼道照明', area: '安全', deadline: bj('2020-09-18 00:00'), percent: 50 });
  await report(p2, zhang, '2020-09-10 10:00', 0, 30);
  await report(p2, zhang, '2020-09-23 10:00', 30, 50);
  // 幸福里
  const p3 = await project(xingfu, li, {
    title: '加装门禁',
    category: '管理',
    deadline: bj('2020-10-10 00:00'),
    percent: 40,
    status: '已延期',
    postponements: [{ from: bj('2020-09-20 00:00'), to: bj('2020-10-10 00:00'), reason: '材料未到', by: 'li', at: bj('2020-09-18 10:00') }],
  });
  await report(p3, li, '2020-09-15 10:00', 20, 40);
  const p4 = await project(xingfu, wang, { title: '疏通下水道', deadline: bj('2020-09-22 00:00'), percent: 100, status: '已完成', completedAt: bj('2020-09-25 11:00') });
  await report(p4, wang, '2020-09-25 11:00', 80, 100);
  await project(xingfu, li, { title: '文艺演出', category: '服务', deadline: bj('2020-09-19 00:00'), percent: 10, status: '已取消' });
  // 建设院: a project finished long before these weeks counts in neither.
  await project(jianshe, wang, { title: '清理杂物', deadline: bj('2020-08-20 00:00'), percent: 100, status: '已完成', completedAt: bj('2020-08-19 10:00'), createdAt: bj('2020-08-01 09:00') });
  // 红旗院
  await project(hongqi, zhao, { title: '粉刷外墙', deadline: bj('2020-09-30 00:00'), percent: 20 });

  let requestNo = 0;
  const request = (y: typeof dongfang, at: string, fields: object) =>
    models.ResidentRequest.create({
      no: ++requestNo,
      courtyard: y._id,
      street: y.street,
      text: `诉求${requestNo}`,
      reporter: { userId: 'resident' },
      createdAt: bj(at),
      dueAt: calendar.dueAfterWorkingDays(bj(at), 2),
      ...fields,
    });
  // Due Wed 09-16: closed at once the next day (closing counts as the answer).
  await request(dongfang, '2020-09-14 10:00', { status: '已办结', assignee: zhang._id, closedAt: bj('2020-09-15 10:00'), rating: '满意' });
  // Due Wed 09-23: answered 09-22, closed 09-24.
  await request(dongfang, '2020-09-21 10:00', {
    status: '已办结',
    assignee: zhang._id,
    feedbackAt: bj('2020-09-22 10:00'),
    closedAt: bj('2020-09-24 10:00'),
    rating: '基本满意',
  });
  // Due Thu 09-24: answered a day late, not closed.
  await request(dongfang, '2020-09-22 10:00', { status: '已反馈', assignee: zhang._id, feedbackAt: bj('2020-09-25 10:00') });
  // Logged Fri 09-25: due Mon 09-28 (Sunday 09-27 is an adjusted working day), not yet late at 09:00.
  await request(dongfang, '2020-09-25 10:00', {});
  // Due Fri 09-18, never answered: late.
  await request(xingfu, '2020-09-16 10:00', { status: '已接单', assignee: li._id, acceptedAt: bj('2020-09-16 11:00') });

  const visit = (who: typeof zhang, y: typeof dongfang, day: string, hours: number) =>
    models.Visit.create({ cadre: who._id, courtyard: y._id, street: y.street, date: bj(`${day} 00:00`), hours, createdAt: bj(`${day} 18:00`) });
  await visit(zhang, dongfang, '2020-09-15', 3);
  await visit(zhang, dongfang, '2020-09-22', 2);
  await visit(zhang, dongfang, '2020-09-24', 2.5);
  await visit(li, xingfu, '2020-09-16', 4);
  await visit(li, xingfu, '2020-09-23', 4);
  await visit(wang, jianshe, '2020-09-17', 5);
  await visit(wang, xingfu, '2020-09-21', 1);
  await visit(zhao, hongqi, '2020-09-22', 4);

  return {
    jiyuan: String(jiyuan._id),
    xinan: String(xinan._id),
    dongfang: String(dongfang._id),
    xingfu: String(xingfu._id),
    jianshe: String(jianshe._id),
  };
}
