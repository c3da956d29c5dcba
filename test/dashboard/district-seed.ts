/**
 * A district of 200 courtyards in 8 street offices, one assigned cadre each, 3 projects and
 * 2 requests per courtyard and a visit each, spread so that every score band shows: for the
 * browser test's screenshots and for timing the dashboard (bench). Deterministic.
 */
import type { Models } from '../../src/db/models';
import type { WorkingCalendar } from '../../src/services/calendar';
import { bj } from '../services/ranking-seed';

export const DISTRICT_STREETS = ['济源路街道', '新安路街道', '工业路街道', '中原西路街道', '峡窝镇', '矿山街道', '金华路街道', '登封路街道'];

/** Seeds the district (weeks 2020-09-14…27); returns the ids of the streets and courtyards, in order. */
export async function seedDistrict(models: Models, calendar: WorkingCalendar, size = 200): Promise<{ streetIds: string[]; courtyardIds: string[] }> {
  const streets = await models.Street.insertMany(DISTRICT_STREETS.map((name) => ({ name })));
  const yards = await models.Courtyard.insertMany(
    Array.from({ length: size }, (_, i) => ({
      name: `${['幸福', '和平', '建设', '光明', '红旗', '东风', '团结', '胜利'][i % 8]}${Math.floor(i / 8) + 1}号院`,
      street: streets[i % streets.length]!._id,
      households: 40 + ((i * 37) % 160),
      orgs: {
        party: { status: i % 7 === 0 ? '筹建中' : '已建', kind: '党支部' },
        selfGov: { status: i % 4 === 0 ? '未建' : '已建', kind: '自管会' },
        volunteerTeams: i % 5,
      },
    })),
  );
  const cadres = await models.Cadre.insertMany(yards.map((y, i) => ({ name: `干部${i + 1}`, unit: `区直单位${(i % 20) + 1}`, courtyards: [y._id] })));
  // Each street leans a different way, so that the ranking has a spread.
  const lean = (i: number) => (i % streets.length) * 9;
  await models.Project.insertMany(
    yards.flatMap((y, i) =>
      [0, 1, 2].map((k) => {
        const done = (i + k) % 3 === 0;
        return {
          no: i * 3 + k + 1,
          courtyard: y._id,
          street: y.street,
          category: ['工程', '管理', '服务'][k]!,
          area: ['环境', '安全', '卫生'][k]!,
          title: ['路面硬化', '加装门禁', '清理杂物'][k]!,
          owner: cadres[i]!._id,
          deadline: bj(`2020-09-${String(16 + k * 6).padStart(2, '0')} 00:00`),
          percent: done ? 100 : Math.max(0, 95 - lean(i) - ((i * 13 + k * 29) % 50)),
          status: done ? '已完成' : '进行中',
          completedAt: done ? bj(`2020-09-${String(15 + ((i + k) % 10)).padStart(2, '0')} 10:00`) : undefined,
          createdAt: bj('2020-09-01 09:00'),
        };
      }),
    ),
  );
  await models.ResidentRequest.insertMany(
    yards.flatMap((y, i) =>
      [0, 1].map((k) => {
        const createdAt = bj(`2020-09-2${1 + k} 10:00`);
        const answered = (i + k + (i % streets.length)) % 4 !== 0;
        return {
          no: i * 2 + k + 1,
          courtyard: y._id,
          street: y.street,
          text: ['楼道灯不亮', '下水道堵塞'][k]!,
          reporter: { userId: 'resident' },
          status: answered ? '已办结' : '点单',
          assignee: answered ? cadres[i]!._id : undefined,
          createdAt,
          dueAt: calendar.dueAfterWorkingDays(createdAt, 2),
          feedbackAt: answered ? bj('2020-09-23 09:00') : undefined,
          closedAt: answered ? bj('2020-09-24 09:00') : undefined,
        };
      }),
    ),
  );
  await models.Visit.insertMany(
    yards.map((y, i) => ({
      cadre: cadres[i]!._id,
      courtyard: y._id,
      street: y.street,
      date: bj('2020-09-23 00:00'),
      hours: (i + (i % streets.length)) % 6,
      activities: ['清理杂物'],
      createdAt: bj('2020-09-23 18:00'),
    })),
  );
  return { streetIds: streets.map((s) => String(s._id)), courtyardIds: yards.map((y) => String(y._id)) };
}
