/**
 * The weekly progress table (每周进度表) as an .xlsx workbook: one sheet per street office
 * (one sheet for a courtyard's scope) with a row per courtyard, and a 项目清单 sheet listing
 * the projects. Printable on A4 landscape, one page wide.
 */
import type ExcelJS from 'exceljs';
import { Types } from 'mongoose';
import type { Models } from '../db/models';
import { OPEN_PROJECT_STATUSES } from '../db/models/project';
import { beijingDayKey, beijingMonthKey, beijingParts, formatDateTime, startOfBeijingDay } from './beijing-time';
import type { WorkingCalendar } from './calendar';
import { computeRankingDetail, type RankRow } from './ranking';
import type { Period } from './period';
import type { ActivityFilter, CourtyardInfo, ScopeData } from './score-measures';

export interface ProgressTableOptions {
  period: Period;
  streetId?: string;
  courtyardId?: string;
  now: Date;
  calendar: WorkingCalendar;
}

/** What one courtyard's row shows, apart from its score. */
interface YardStats {
  projects: number;
  done: number;
  percentSum: number;
  overdue: number;
  requests: number;
  fedBackOnTime: number;
  closed: number;
  rated: number;
  satisfied: number;
  hours: number;
}

type Cell = string | number | Date | null;

interface Column {
  header: string;
  group: string;
  width: number;
  numFmt?: string;
  value: (yard: CourtyardInfo, s: YardStats, extra: { street: string; community: string | null; row?: RankRow; cadres: number; cadresMet: number }) => Cell;
}

const ORG_LABEL = (o: { status: string; kind?: string }) => (o.status === '已建' && o.kind ? `已建（${o.kind}）` : o.status);

const COLUMNS: Column[] = [
  { group: '楼院', header: '街道', width: 14, value: (_y, _s, e) => e.street },
  { group: '楼院', header: '社区', width: 14, value: (_y, _s, e) => e.community },
  { group: '楼院', header: '楼院', width: 16, value: (y) => y.name },
  { group: '三类组织', header: '党组织', width: 14, value: (y) => ORG_LABEL(y.orgs.party) },
  { group: '三类组织', header: '自治组织', width: 14, value: (y) => ORG_LABEL(y.orgs.selfGov) },
  { group: '三类组织', header: '志愿队', width: 8, value: (y) => y.orgs.volunteerTeams },
  { group: '整治项目', header: '总数', width: 7, value: (_y, s) => s.projects },
  { group: '整治项目', header: '已完成', width: 8, value: (_y, s) => s.done },
  { group: '整治项目', header: '平均进度', width: 9, numFmt: '0%', value: (_y, s) => (s.projects > 0 ? s.percentSum / s.projects / 100 : null) },
  { group: '整治项目', header: '逾期', width: 7, value: (_y, s) => s.overdue },
  { group: '民情诉求', header: '本期受理', width: 9, value: (_y, s) => s.requests },
  { group: '民情诉求', header: '按时反馈', width: 9, value: (_y, s) => s.fedBackOnTime },
  { group: '民情诉求', header: '已办结', width: 8, value: (_y, s) => s.closed },
  { group: '民情诉求', header: '满意率', width: 8, numFmt: '0%', value: (_y, s) => (s.rated > 0 ? s.satisfied / s.rated : null) },
  { group: '干部下沉', header: '分包干部', width: 9, value: (_y, _s, e) => e.cadres },
  { group: '干部下沉', header: '达标人数', width: 9, value: (_y, _s, e) => e.cadresMet },
  { group: '干部下沉', header: '时长(小时)', width: 10, numFmt: '0.#', value: (_y, s) => s.hours },
  { group: '综合', header: '得分', width: 8, numFmt: '0.0', value: (_y, _s, e) => e.row?.score ?? null },
  { group: '综合', header: '排名', width: 7, value: (_y, _s, e) => e.row?.rank ?? null },
];

const PROJECT_COLUMNS: { header: string; width: number; numFmt?: string }[] = [
  { header: '#', width: 7 },
  { header: '楼院', width: 16 },
  { header: '类别', width: 7 },
  { header: '领域', width: 7 },
  { header: '标题', width: 36 },
  { header: '责任人', width: 10 },
  { header: '截止', width: 12, numFmt: 'yyyy-mm-dd' },
  { header: '进度', width: 8, numFmt: '0%' },
  { header: '状态', width: 12 },
];

const THIN = { style: 'thin' as const, color: { argb: 'FF999999' } };
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };
const HEADER_FILL = { type: 'pattern' as const, pattern: 'solid' as const, fgColor: { argb: 'FFDDEBF7' } };
const NEVER = new Date('9999-12-31T00:00:00Z');

/**
 * Builds the progress table of a scope (the district, `streetId` or `courtyardId`) for
 * `period`. Scores and ranks are the courtyard ranking of that scope; project counts are as
 * of `now`; requests are those logged in the period.
 */
export async function buildProgressTable(models: Models, opts: ProgressTableOptions): Promise<{ filename: string; data: Buffer }> {
  const detail = await computeRankingDetail(models, { ...opts, level: 'courtyard' });
  const { scope, current } = detail;
  const rows = new Map(detail.rows.map((r) => [r.id, r]));
  const [stats, communities, projects] = await Promise.all([
    yardStats(models, scope.filter, opts.period, current.asOf, opts.now),
    communityNames(models, scope.courtyards),
    projectList(models, scope, opts.period.start),
  ]);

  const scopeName = scopeLabel(scope);
  const isWeek = opts.period.kind !== 'month';
  const title = isWeek ? '每周进度表' : '月度进度表';
  const subtitle = `统计周期：${opts.period.label}　生成：${formatDateTime(opts.now)}　排名范围：${scopeName}（共 ${scope.courtyards.length} 个楼院）`;

  // Loaded when needed: it costs most of a second at every start otherwise.
  const { Workbook } = (await import('exceljs')).default;
  const workbook = new Workbook();
  workbook.creator = '楼院通';
  workbook.created = opts.now;

  const sheetNames = new Set<string>();
  const groups: { name: string; yards: CourtyardInfo[] }[] =
    scope.kind === 'courtyard'
      ? [{ name: scope.courtyards[0]!.name, yards: scope.courtyards }]
      : [...scope.streets.values()]
          .sort((a, b) => a.name.localeCompare(b.name, 'zh-Hans-CN'))
          .map((s) => ({ name: s.name, yards: scope.courtyards.filter((y) => y.streetId === s.id) }))
          .filter((g) => g.yards.length > 0);
  const cadresOf = new Map<string, { n: number; met: number }>();
  for (const c of scope.cadres) {
    const met = current.weeks.length > 0 && (current.visits.get(c.id)?.weeksMet ?? 0) >= current.weeks.length;
    for (const y of c.courtyardIds) {
      const e = cadresOf.get(y) ?? { n: 0, met: 0 };
      e.n++;
      if (met) e.met++;
      cadresOf.set(y, e);
    }
  }

  for (const group of groups) {
    const ws = workbook.addWorksheet(sheetName(group.name, sheetNames));
    writeTitle(ws, `${group.name}楼院整治${title}`, subtitle, COLUMNS.length);
    writeGroupedHeader(ws, COLUMNS);
    const ordered = [...group.yards].sort((a, b) => (rows.get(a.id)?.rank ?? Infinity) - (rows.get(b.id)?.rank ?? Infinity));
    for (const y of ordered) {
      const s = stats.get(y.id) ?? emptyStats();
      const c = cadresOf.get(y.id) ?? { n: 0, met: 0 };
      const extra = { street: scope.streets.get(y.streetId)?.name ?? '', community: communities.get(y.communityId ?? '') ?? null, row: rows.get(y.id), cadres: c.n, cadresMet: c.met };
      styleBody(ws.addRow(COLUMNS.map((col) => col.value(y, s, extra))), COLUMNS);
    }
    finishSheet(ws, COLUMNS, 4);
  }

  const list = workbook.addWorksheet(sheetName('项目清单', sheetNames));
  writeTitle(list, `整治项目清单（${scopeName}）`, `统计周期：${opts.period.label}　在建项目及本期完成的项目`, PROJECT_COLUMNS.length);
  const header = list.addRow(PROJECT_COLUMNS.map((c) => c.header));
  styleHeader(header);
  const yardName = new Map(scope.courtyards.map((y) => [y.id, y.name]));
  const today = startOfBeijingDay(opts.now);
  for (const p of projects) {
    const overdue = (OPEN_PROJECT_STATUSES as readonly string[]).includes(p.status) && p.deadline !== undefined && p.deadline < today;
    styleBody(
      list.addRow([
        p.no,
        yardName.get(String(p.courtyard)) ?? '',
        p.category,
        p.area ?? null,
        p.title,
        p.ownerName ?? null,
        p.deadline ? excelDay(p.deadline) : null,
        p.percent / 100,
        overdue ? `${p.status}（逾期）` : p.status,
      ]),
      PROJECT_COLUMNS,
    );
  }
  finishSheet(list, PROJECT_COLUMNS, 3);

  const when = isWeek ? beijingDayKey(opts.period.start) : beijingMonthKey(opts.period.start);
  const data = Buffer.from(await workbook.xlsx.writeBuffer());
  return { filename: `${title}_${scopeName}_${when}.xlsx`, data };
}

function scopeLabel(scope: ScopeData): string {
  if (scope.kind === 'courtyard') return scope.courtyards[0]?.name ?? '楼院';
  if (scope.kind === 'street') return [...scope.streets.values()][0]?.name ?? '街道';
  return '全区';
}

/** Excel sheet names: at most 31 characters, none of : \ / ? * [ ], unique. */
function sheetName(wanted: string, taken: Set<string>): string {
  const base = wanted.replace(/[:\\/?*[\]]/g, ' ').slice(0, 28) || '表';
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}(${i})`;
  taken.add(name);
  return name;
}

/** A Beijing calendar day as Excel sees dates (no time zone: midnight UTC of that day). */
function excelDay(d: Date): Date {
  const { year, month, day } = beijingParts(d);
  return new Date(Date.UTC(year, month - 1, day));
}

function writeTitle(ws: ExcelJS.Worksheet, title: string, subtitle: string, width: number): void {
  ws.addRow([title]).font = { bold: true, size: 16 };
  ws.mergeCells(1, 1, 1, width);
  ws.getRow(1).height = 26;
  ws.getCell(1, 1).alignment = { horizontal: 'center', vertical: 'middle' };
  ws.addRow([subtitle]).font = { size: 10, color: { argb: 'FF555555' } };
  ws.mergeCells(2, 1, 2, width);
}

/** Two header rows: the group (merged over its columns) above each column's name. */
function writeGroupedHeader(ws: ExcelJS.Worksheet, columns: Column[]): void {
  const top = ws.addRow(columns.map((c) => c.group));
  const bottom = ws.addRow(columns.map((c) => c.header));
  let from = 0;
  for (let i = 1; i <= columns.length; i++) {
    if (i === columns.length || columns[i]!.group !== columns[from]!.group) {
      if (i - from > 1) ws.mergeCells(top.number, from + 1, top.number, i);
      from = i;
    }
  }
  styleHeader(top);
  styleHeader(bottom);
}

function styleHeader(row: ExcelJS.Row): void {
  row.font = { bold: true };
  row.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  row.eachCell({ includeEmpty: true }, (cell) => {
    cell.fill = HEADER_FILL;
    cell.border = BORDER;
  });
}

function styleBody(row: ExcelJS.Row, columns: { numFmt?: string }[]): void {
  columns.forEach((c, i) => {
    const cell = row.getCell(i + 1);
    cell.border = BORDER;
    if (c.numFmt) cell.numFmt = c.numFmt;
    if (cell.value === null) cell.value = '—';
    cell.alignment = { vertical: 'middle', horizontal: typeof cell.value === 'string' && cell.value !== '—' ? 'left' : 'center' };
  });
}

/** Widths, a frozen header (and the name columns), and A4 landscape one page wide. */
function finishSheet(ws: ExcelJS.Worksheet, columns: { width: number }[], headerRows: number): void {
  columns.forEach((c, i) => (ws.getColumn(i + 1).width = c.width));
  ws.views = [{ state: 'frozen', ySplit: headerRows, xSplit: headerRows === 4 ? 3 : 0 }];
  ws.pageSetup = {
    paperSize: 9,
    orientation: 'landscape',
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    horizontalCentered: true,
    printTitlesRow: `${headerRows - (headerRows === 4 ? 1 : 0)}:${headerRows}`,
    margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 },
  };
  ws.headerFooter = { oddFooter: '第 &P 页，共 &N 页' };
}

function emptyStats(): YardStats {
  return { projects: 0, done: 0, percentSum: 0, overdue: 0, requests: 0, fedBackOnTime: 0, closed: 0, rated: 0, satisfied: 0, hours: 0 };
}

/** Per courtyard: project counts now, requests logged in the period, hours on site in the period. */
async function yardStats(models: Models, filter: ActivityFilter, period: Period, asOf: Date, now: Date): Promise<Map<string, YardStats>> {
  const today = startOfBeijingDay(now);
  const open = [...OPEN_PROJECT_STATUSES];
  const [projects, requests, visits] = await Promise.all([
    models.Project.aggregate<{ _id: Types.ObjectId; projects: number; done: number; percentSum: number; overdue: number }>([
      { $match: { ...filter, status: { $in: [...open, '已完成'] } } },
      {
        $group: {
          _id: '$courtyard',
          projects: { $sum: 1 },
          done: { $sum: { $cond: [{ $eq: ['$status', '已完成'] }, 1, 0] } },
          percentSum: { $sum: { $cond: [{ $eq: ['$status', '已完成'] }, 100, '$percent'] } },
          overdue: { $sum: { $cond: [{ $and: [{ $in: ['$status', open] }, { $lt: [{ $ifNull: ['$deadline', NEVER] }, today] }] }, 1, 0] } },
        },
      },
    ]),
    models.ResidentRequest.aggregate<{ _id: Types.ObjectId; requests: number; fedBackOnTime: number; closed: number; rated: number; satisfied: number }>([
      { $match: { ...filter, createdAt: { $gte: period.start, $lt: asOf } } },
      {
        $group: {
          _id: '$courtyard',
          requests: { $sum: 1 },
          fedBackOnTime: { $sum: { $cond: [{ $lte: [{ $ifNull: [{ $min: ['$feedbackAt', '$closedAt'] }, NEVER] }, '$dueAt'] }, 1, 0] } },
          closed: { $sum: { $cond: [{ $lt: [{ $ifNull: ['$closedAt', NEVER] }, asOf] }, 1, 0] } },
          rated: { $sum: { $cond: [{ $in: ['$rating', ['满意', '基本满意', '不满意']] }, 1, 0] } },
          satisfied: { $sum: { $cond: [{ $in: ['$rating', ['满意', '基本满意']] }, 1, 0] } },
        },
      },
    ]),
    models.Visit.aggregate<{ _id: Types.ObjectId; hours: number }>([
      { $match: { ...filter, date: { $gte: period.start, $lt: asOf } } },
      { $group: { _id: '$courtyard', hours: { $sum: '$hours' } } },
    ]),
  ]);
  const out = new Map<string, YardStats>();
  const get = (id: Types.ObjectId) => {
    const key = String(id);
    let s = out.get(key);
    if (!s) out.set(key, (s = emptyStats()));
    return s;
  };
  for (const { _id, ...p } of projects) Object.assign(get(_id), p);
  for (const { _id, ...r } of requests) Object.assign(get(_id), r);
  for (const v of visits) get(v._id).hours = v.hours;
  return out;
}

async function communityNames(models: Models, yards: CourtyardInfo[]): Promise<Map<string, string>> {
  const ids = [...new Set(yards.map((y) => y.communityId).filter((id): id is string => !!id))];
  if (ids.length === 0) return new Map();
  const docs = await models.Community.find({ _id: { $in: ids.map((id) => new Types.ObjectId(id)) } }, { name: 1 }).lean();
  return new Map(docs.map((d) => [String(d._id), d.name]));
}

interface ListedProject {
  no: number;
  courtyard: Types.ObjectId;
  category: string;
  area?: string;
  title: string;
  owner?: Types.ObjectId;
  ownerName?: string;
  deadline?: Date;
  percent: number;
  status: string;
}

/** Projects open now or completed since the period began, by courtyard name and number. */
async function projectList(models: Models, scope: ScopeData, since: Date): Promise<ListedProject[]> {
  const projects = await models.Project.aggregate<ListedProject>([
    {
      $match: {
        $or: [
          { ...scope.filter, status: { $in: [...OPEN_PROJECT_STATUSES] } },
          { ...scope.filter, status: '已完成', completedAt: { $gte: since } },
        ],
      },
    },
    { $project: { no: 1, courtyard: 1, category: 1, area: 1, title: 1, owner: 1, deadline: 1, percent: 1, status: 1 } },
  ]);
  const names = new Map(scope.cadres.map((c) => [c.id, c.name]));
  const missing = [...new Set(projects.map((p) => p.owner && String(p.owner)).filter((id): id is string => !!id && !names.has(id)))];
  if (missing.length > 0) {
    const docs = await models.Cadre.find({ _id: { $in: missing.map((id) => new Types.ObjectId(id)) } }, { name: 1 }).lean();
    for (const d of docs) names.set(String(d._id), d.name);
  }
  const yardName = new Map(scope.courtyards.map((y) => [y.id, y.name]));
  for (const p of projects) p.ownerName = p.owner ? names.get(String(p.owner)) : undefined;
  return projects.sort(
    (a, b) => (yardName.get(String(a.courtyard)) ?? '').localeCompare(yardName.get(String(b.courtyard)) ?? '', 'zh-Hans-CN') || a.no - b.no,
  );
}
