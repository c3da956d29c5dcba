/**
 * A synthetic city for the ranking benchmark, generated reproducibly from a seed: districts,
 * street offices, communities, courtyards, cadres, projects, and weeks of progress reports,
 * resident requests and visits. Documents come out in batches (never the whole city in
 * memory) shaped as the models store them, for bulk inserts through the driver.
 */
import { Types } from 'mongoose';
import { OPEN_PROJECT_STATUSES, PROJECT_CATEGORIES, TASK_AREAS } from '../src/db/models/project';

/** How big the city is. History counts (reports, requests) are for `historyWeeks` weeks. */
export interface CitySize {
  districts: number;
  streets: number;
  courtyards: number;
  cadres: number;
  projects: number;
  progressReports: number;
  requests: number;
  /** Visits per cadre per week, on average. */
  visitsPerCadreWeek: number;
  /** Weeks the progress reports and requests above are spread over (the base history). */
  historyWeeks: number;
}

/** Issue 6's city: 16 districts, 200 street offices, 5,000 courtyards, 10,000 cadres, 50,000 projects, 1,000,000 reports, 200,000 requests. */
export const FULL_CITY: CitySize = {
  districts: 16,
  streets: 200,
  courtyards: 5_000,
  cadres: 10_000,
  projects: 50_000,
  progressReports: 1_000_000,
  requests: 200_000,
  visitsPerCadreWeek: 1.5,
  historyWeeks: 10,
};

/** The same city at `factor` of its size (the weeks stay: the density per week scales). */
export function scaleCity(size: CitySize, factor: number): CitySize {
  const n = (x: number) => Math.max(1, Math.round(x * factor));
  return {
    ...size,
    districts: n(size.districts),
    streets: n(size.streets),
    courtyards: n(size.courtyards),
    cadres: n(size.cadres),
    projects: n(size.projects),
    progressReports: n(size.progressReports),
    requests: n(size.requests),
  };
}

/** The ranked week's Monday 09:00 Beijing time: the weekly job's fire, judging the week before. */
export const CITY_NOW = new Date('2026-06-15T09:00:00+08:00');
const WEEK_MS = 7 * 86_400_000;
const DAY_MS = 86_400_000;

/** Which model a batch is for. */
export type CityCollection = 'Street' | 'Community' | 'Courtyard' | 'Cadre' | 'Project' | 'ProgressReport' | 'ResidentRequest' | 'Visit';

export interface CityBatch {
  model: CityCollection;
  docs: Array<Record<string, unknown>>;
}

export interface CityPlan {
  seed: number;
  size: CitySize;
  /** The fire time; the base history ends here and reaches back `historyWeeks` weeks. */
  now?: Date;
  batchSize?: number;
}

/** mulberry32: small, fast, good enough for synthetic data, and the same everywhere. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KIND = { Street: 1, Community: 2, Courtyard: 3, Cadre: 4, Project: 5, ProgressReport: 6, ResidentRequest: 7, Visit: 8 } as const;

/** A deterministic ObjectId: the collection's kind and the document's number (and a history slice). */
export function cityId(model: CityCollection, n: number, slice = 0): Types.ObjectId {
  return new Types.ObjectId(KIND[model].toString(16).padStart(2, '0') + slice.toString(16).padStart(4, '0') + n.toString(16).padStart(18, '0'));
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国斌志宏';
const UNITS = ['区财政局', '区医保局', '区住建局', '区教育局', '区卫健委', '区城管局', '区民政局', '区司法局', '区发改委', '区人社局', '区文旅局', '区应急局'];

const pick = <T>(r: () => number, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
const int = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

/** Where in the city a courtyard lies: its street and community. */
function streetOfCourtyard(size: CitySize, c: number): number {
  return Math.floor((c * size.streets) / size.courtyards);
}

/** The cadres of a courtyard: cadre k serves courtyard k mod courtyards (and one in ten a second, next door). */
function cadresOfCourtyard(size: CitySize, c: number): number[] {
  const out: number[] = [];
  for (let k = c; k < size.cadres; k += size.courtyards) out.push(k);
  return out.length ? out : [c % size.cadres];
}

/**
 * The roster and the projects (the city's fixed part), then `weeks` weeks of activity ending
 * `endWeeksAgo` weeks before the base history's end (0: the base history itself; the base
 * history's length for the weeks before it, and so on). Slice numbers keep ids distinct.
 */
export function* cityRoster(plan: CityPlan): Generator<CityBatch> {
  const { size } = plan;
  const r = prng(plan.seed);
  const now = (plan.now ?? CITY_NOW).getTime();
  const historyStart = now - size.historyWeeks * WEEK_MS;
  const batch = plan.batchSize ?? 10_000;

  yield {
    model: 'Street',
    docs: Array.from({ length: size.streets }, (_, s) => ({
      _id: cityId('Street', s),
      name: `第${(s % size.districts) + 1}区${s + 1}号街道`,
      aliases: [],
      district: `第${(s % size.districts) + 1}区`,
      kind: '街道',
    })),
  };
  yield {
    model: 'Community',
    docs: Array.from({ length: size.streets }, (_, s) => ({ _id: cityId('Community', s), name: `${s + 1}号社区`, aliases: [], street: cityId('Street', s) })),
  };

  const docs: Array<Record<string, unknown>> = [];
  for (let c = 0; c < size.courtyards; c++) {
    const s = streetOfCourtyard(size, c);
    const built = (p: number) => (r() < p ? { status: '已建', builtAt: new Date(historyStart + r() * (now - historyStart)) } : { status: r() < 0.5 ? '筹建中' : '未建' });
    docs.push({
      _id: cityId('Courtyard', c),
      name: `${c + 1}号院`,
      aliases: [],
      street: cityId('Street', s),
      community: cityId('Community', s),
      households: int(r, 20, 400),
      kind: '无主管楼院',
      management: '无',
      orgs: { party: { ...built(0.8), kind: '党支部' }, selfGov: { ...built(0.6), kind: '自管会' }, volunteerTeams: int(r, 0, 3) },
      demonstration: false,
    });
    if (docs.length >= batch) yield { model: 'Courtyard', docs: docs.splice(0) };
  }
  if (docs.length) yield { model: 'Courtyard', docs: docs.splice(0) };

  for (let k = 0; k < size.cadres; k++) {
    const c = k % size.courtyards;
    const yards = [cityId('Courtyard', c)];
    if (k % 10 === 0 && size.courtyards > 1) yards.push(cityId('Courtyard', (c + 1) % size.courtyards));
    docs.push({
      _id: cityId('Cadre', k),
      name: `${pick(r, [...SURNAMES])}${pick(r, [...GIVEN])}${k}`,
      unit: pick(r, UNITS),
      courtyards: yards,
      roles: ['cadre'],
      scope: { kind: 'district' },
      active: true,
    });
    if (docs.length >= batch) yield { model: 'Cadre', docs: docs.splice(0) };
  }
  if (docs.length) yield { model: 'Cadre', docs: docs.splice(0) };

  for (let p = 0; p < size.projects; p++) {
    const c = p % size.courtyards;
    const createdAt = historyStart + r() * (now - historyStart) * 0.8;
    const deadline = Math.floor((createdAt + int(r, 20, 120) * DAY_MS) / DAY_MS) * DAY_MS - 8 * 3600_000;
    const roll = r();
    const status = roll < 0.6 ? '已完成' : roll < 0.95 ? pick(r, OPEN_PROJECT_STATUSES) : '已取消';
    const completedAt = status === '已完成' ? createdAt + r() * (now - createdAt) : undefined;
    docs.push({
      _id: cityId('Project', p),
      no: p + 1,
      courtyard: cityId('Courtyard', c),
      street: cityId('Street', streetOfCourtyard(size, c)),
      category: pick(r, PROJECT_CATEGORIES),
      area: pick(r, TASK_AREAS),
      title: `整治项目${p + 1}`,
      standard: '',
      owner: cityId('Cadre', pick(r, cadresOfCourtyard(size, c))),
      deadline: new Date(deadline),
      percent: status === '已完成' ? 100 : int(r, 0, 95),
      status,
      postponements: status === '已延期' ? [{ from: new Date(deadline - 14 * DAY_MS), to: new Date(deadline), reason: '材料未到', by: 'bench', at: new Date(createdAt + DAY_MS) }] : [],
      ...(completedAt ? { completedAt: new Date(completedAt) } : {}),
      createdAt: new Date(createdAt),
    });
    if (docs.length >= batch) yield { model: 'Project', docs: docs.splice(0) };
  }
  if (docs.length) yield { model: 'Project', docs: docs.splice(0) };
}

/**
 * `weeks` weeks of activity — progress reports, requests and visits at the base history's
 * weekly density — ending `endWeeksAgo` weeks before the base history's end. Slice `slice`
 * keeps the ids of each block distinct (0: the base history).
 */
export function* cityActivity(plan: CityPlan, block: { endWeeksAgo: number; weeks: number; slice: number }): Generator<CityBatch> {
  const { size } = plan;
  const r = prng((plan.seed ^ (0x9e3779b9 * (block.slice + 1))) >>> 0);
  const now = (plan.now ?? CITY_NOW).getTime();
  const end = now - block.endWeeksAgo * WEEK_MS;
  const start = end - block.weeks * WEEK_MS;
  const batch = plan.batchSize ?? 10_000;
  const span = end - start;
  const reports = Math.round((size.progressReports * block.weeks) / size.historyWeeks);
  const requests = Math.round((size.requests * block.weeks) / size.historyWeeks);

  const docs: Array<Record<string, unknown>> = [];
  for (let i = 0; i < reports; i++) {
    const p = int(r, 0, size.projects - 1);
    const c = p % size.courtyards;
    const previousPercent = int(r, 0, 90);
    docs.push({
      _id: cityId('ProgressReport', i, block.slice),
      project: cityId('Project', p),
      courtyard: cityId('Courtyard', c),
      street: cityId('Street', streetOfCourtyard(size, c)),
      cadre: cityId('Cadre', pick(r, cadresOfCourtyard(size, c))),
      userId: `u${p % size.cadres}`,
      previousPercent,
      percent: Math.min(100, previousPercent + int(r, 1, 30)),
      note: '按计划推进',
      at: new Date(start + r() * span),
    });
    if (docs.length >= batch) yield { model: 'ProgressReport', docs: docs.splice(0) };
  }
  if (docs.length) yield { model: 'ProgressReport', docs: docs.splice(0) };

  for (let i = 0; i < requests; i++) {
    const c = int(r, 0, size.courtyards - 1);
    const createdAt = start + r() * span;
    const dueAt = createdAt + 2 * DAY_MS;
    const age = now - createdAt;
    const roll = r();
    // Old requests are nearly all settled; a small backlog never got feedback (it stays overdue).
    const status = age > 14 * DAY_MS ? (roll < 0.9 ? '已办结' : roll < 0.98 ? '已反馈' : '点单') : roll < 0.4 ? '已办结' : roll < 0.7 ? '已反馈' : roll < 0.85 ? '已接单' : '点单';
    const feedbackAt = status === '已反馈' || status === '已办结' ? Math.min(now - 1, createdAt + r() * 3 * DAY_MS) : undefined;
    const closedAt = status === '已办结' ? Math.min(now - 1, (feedbackAt ?? createdAt) + r() * 2 * DAY_MS) : undefined;
    const assignee = status === '点单' ? undefined : cityId('Cadre', pick(r, cadresOfCourtyard(size, c)));
    docs.push({
      _id: cityId('ResidentRequest', i, block.slice),
      no: block.slice * 100_000_000 + i + 1,
      courtyard: cityId('Courtyard', c),
      street: cityId('Street', streetOfCourtyard(size, c)),
      text: '楼道灯不亮',
      reporter: { userId: `resident${i % 997}` },
      status,
      ...(assignee ? { assignee, acceptedAt: new Date(createdAt + 3600_000) } : {}),
      createdAt: new Date(createdAt),
      dueAt: new Date(dueAt),
      ...(feedbackAt ? { feedbackAt: new Date(feedbackAt), feedback: '已联系' } : {}),
      ...(closedAt ? { closedAt: new Date(closedAt), resolution: '已处理' } : {}),
    });
    if (docs.length >= batch) yield { model: 'ResidentRequest', docs: docs.splice(0) };
  }
  if (docs.length) yield { model: 'ResidentRequest', docs: docs.splice(0) };

  let v = 0;
  for (let w = 0; w < block.weeks; w++) {
    const monday = start + w * WEEK_MS;
    for (let k = 0; k < size.cadres; k++) {
      const visits = r() < size.visitsPerCadreWeek - Math.floor(size.visitsPerCadreWeek) ? Math.ceil(size.visitsPerCadreWeek) : Math.floor(size.visitsPerCadreWeek);
      const c = k % size.courtyards;
      for (let j = 0; j < visits; j++) {
        const day = Math.floor((monday + int(r, 0, 6) * DAY_MS) / DAY_MS) * DAY_MS - 8 * 3600_000;
        docs.push({
          _id: cityId('Visit', v++, block.slice),
          cadre: cityId('Cadre', k),
          courtyard: cityId('Courtyard', c),
          street: cityId('Street', streetOfCourtyard(size, c)),
          date: new Date(day),
          hours: pick(r, [2, 3, 4]),
          activities: ['清理杂物'],
          note: '',
          createdAt: new Date(day + 10 * 3600_000),
        });
        if (docs.length >= batch) yield { model: 'Visit', docs: docs.splice(0) };
      }
    }
  }
  if (docs.length) yield { model: 'Visit', docs: docs.splice(0) };
}
