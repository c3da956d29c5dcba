import { createModels, syncIndexes, type Models } from '../../src/db/models';
import { createCalendar } from '../../src/services/calendar';
import { MAX_IMAGE_BYTES, renderStreetChart } from '../../src/services/chart';
import { buildProgressTable } from '../../src/services/progress-table';
import { computeRanking, weekPeriod, type RankRow } from '../../src/services/ranking';
import { openTestDb, type TestDb } from '../helpers/db';
import { bj } from './ranking-seed';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
  expect(png.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

function row(name: string, score: number, previousScore?: number): RankRow {
  return {
    id: name,
    name,
    score,
    previousScore,
    rank: 0,
    parts: { progress: score, onTime: score, requests: score, visits: score, orgs: score },
    unmeasured: [],
    overdue: 0,
    overdueByKind: { project: 0, request: 0, milestone: 0, total: 0 },
  };
}

const streets = [row('济源路街道', 86.4, 80.1), row('新安路街道', 72.5, 75), row('工业路街道', 61.3), row('峡窝镇', 40.2, 52.8)];

describe('renderStreetChart', () => {
  it('renders a PNG of the size asked, under WeCom’s 2 MB', () => {
    const png = renderStreetChart(streets, { title: '各街道综合得分（2020年9月21日–9月27日）', width: 900, height: 500 });
    expect(pngSize(png)).toEqual({ width: 900, height: 500 });
    expect(png.length).toBeLessThan(MAX_IMAGE_BYTES);
  });

  it('draws the Chinese names (another name gives another picture)', () => {
    const renamed = streets.map((r, i) => ({ ...r, name: ['上街镇', '中原路', '嵩山路', '桐柏路'][i]! }));
    const a = renderStreetChart(streets, { width: 600, height: 400 });
    const b = renderStreetChart(renamed, { width: 600, height: 400 });
    expect(a.equals(b)).toBe(false);
    // The same rows render the same picture, so the difference above is the names.
    expect(renderStreetChart(streets, { width: 600, height: 400 }).equals(a)).toBe(true);
  });

  it('grows with the number of rows by default, and refuses sizes it cannot send', () => {
    expect(pngSize(renderStreetChart(streets)).height).toBe(400);
    const many = Array.from({ length: 30 }, (_, i) => row(`第${i + 1}街道`, 90 - i));
    expect(pngSize(renderStreetChart(many))).toEqual({ width: 1000, height: 130 + 30 * 48 });
    expect(() => renderStreetChart(streets, { width: 50_000 })).toThrow('width must be a whole number of pixels from 100 to 4000');
  });
});

describe('a district of 200 courtyards', () => {
  let db: TestDb;
  let models: Models;
  const calendar = createCalendar();
  const now = bj('2020-09-28 09:00');

  beforeAll(async () => {
    db = await openTestDb();
    models = createModels(db.conn);
    await syncIndexes(models);
    const streetDocs = await models.Street.insertMany(Array.from({ length: 8 }, (_, i) => ({ name: `第${i + 1}街道` })));
    const yards = await models.Courtyard.insertMany(
      Array.from({ length: 200 }, (_, i) => ({
        name: `楼院${i + 1}`,
        street: streetDocs[i % 8]!._id,
        orgs: { party: { status: i % 3 ? '已建' : '未建' }, selfGov: { status: i % 4 ? '已建' : '筹建中' }, volunteerTeams: i % 5 },
      })),
    );
    const cadres = await models.Cadre.insertMany(yards.map((y, i) => ({ name: `干部${i + 1}`, unit: '区直单位', courtyards: [y._id] })));
    await models.Project.insertMany(
      yards.flatMap((y, i) =>
        [0, 1, 2].map((k) => ({
          no: i * 3 + k + 1,
          courtyard: y._id,
          street: y.street,
          category: '工程',
          title: `项目${k}`,
          owner: cadres[i]!._id,
          deadline: bj(`2020-09-${String(14 + k * 5)} 00:00`),
          percent: (i * 7 + k * 30) % 101,
          status: k === 0 && i % 2 ? '已完成' : '进行中',
          completedAt: k === 0 && i % 2 ? bj('2020-09-22 10:00') : undefined,
          createdAt: bj('2020-09-01 09:00'),
        })),
      ),
    );
    await models.ResidentRequest.insertMany(
      yards.flatMap((y, i) =>
        [0, 1].map((k) => {
          const createdAt = bj(`2020-09-2${1 + k} 10:00`);
          return {
            no: i * 2 + k + 1,
            courtyard: y._id,
            street: y.street,
            text: '诉求',
            reporter: { userId: 'r' },
            status: (i + k) % 3 ? '已办结' : '点单',
            assignee: cadres[i]!._id,
            createdAt,
            dueAt: calendar.dueAfterWorkingDays(createdAt, 2),
            feedbackAt: (i + k) % 3 ? bj('2020-09-23 09:00') : undefined,
            closedAt: (i + k) % 3 ? bj('2020-09-24 09:00') : undefined,
          };
        }),
      ),
    );
    await models.Visit.insertMany(
      yards.map((y, i) => ({ cadre: cadres[i]!._id, courtyard: y._id, street: y.street, date: bj('2020-09-23 00:00'), hours: i % 6, createdAt: bj('2020-09-23 18:00') })),
    );
  });
  afterAll(() => db.close());

  it('ranks the streets, courtyards and cadres, charts the streets and builds the table', async () => {
    const period = weekPeriod(now, -1);
    const byStreet = await computeRanking(models, { level: 'street', period, calendar, now });
    expect(byStreet).toHaveLength(8);
    const courtyards = await computeRanking(models, { level: 'courtyard', period, calendar, now });
    expect(courtyards).toHaveLength(200);
    expect(new Set(courtyards.map((r) => r.streetName)).size).toBe(8);
    expect((await computeRanking(models, { level: 'cadre', period, calendar, now })).length).toBe(200);
    // Each street's score is the mean of its 25 courtyards'.
    for (const s of byStreet) {
      const yards = courtyards.filter((r) => r.streetId === s.id);
      expect(yards).toHaveLength(25);
      expect(Math.abs(s.score! - yards.reduce((a, r) => a + r.score!, 0) / 25)).toBeLessThanOrEqual(0.05);
    }
    expect(byStreet.map((r) => r.score)).toEqual(byStreet.map((r) => r.score).sort((a, b) => b! - a!));
    expect(byStreet[0]!.rank).toBe(1);

    const png = renderStreetChart(byStreet, { title: '各街道综合得分' });
    expect(pngSize(png)).toEqual({ width: 1000, height: 130 + 8 * 48 });
    expect(png.length).toBeLessThan(MAX_IMAGE_BYTES);

    const table = await buildProgressTable(models, { period, now, calendar });
    expect(table.data.subarray(0, 2).toString()).toBe('PK');
  });
});
