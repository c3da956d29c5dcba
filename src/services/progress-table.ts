/**
 * The weekly progress table (每周进度表) as an .xlsx workbook: one sheet per street office
 * (one sheet for a courtyard's scope) with a row per courtyard, and a 项目清单 sheet listing
 * the projects. Printable on A4 landscape, one page wide.
 *
 * A published period's scores, ranks and arrows, and the previous period's columns, are the
 * published rankings (src/services/snapshots.ts), never a recomputation; a running period's
 * scores are its figures so far, marked 进行中. The other columns are a courtyard's figures
 * (src/services/figures.ts) at the period's end.
 */
import type ExcelJS from 'exceljs';
import { Types } from 'mongoose';
import type { Models, RankingSnapshot } from '../db/models';
import { OPEN_PROJECT_STATUSES } from '../db/models/project';
import { beijingDayKey, beijingMonthKey, beijingParts, formatDateTime } from './beijing-time';
import type { WorkingCalendar } from './calendar';
import { cancelledSince } from './counted';
import { scopeFigures, type Figures } from './figures';
import type { OrgUnit } from './history';
import { shortLabel, type Period } from './period';
import { computeRankingDetail, type RankRow } from './ranking';
import type { ScopeRef } from './scope';
import { NO_PROJECT_TEXT, NO_SCORE_TEXT, type ScoreWeights } from './score';
import type { CourtyardInfo, ScopeData } from './score-measures';
import { compareRows, findSnapshot, latestSnapshot, loadSnapshot, rankChange, rowsIn, snapshotPeriod } from './snapshots';

export interface ProgressTableOptions {
  period: Period;
  streetId?: string;
  courtyardId?: string;
  now: Date;
  calendar?: WorkingCalendar;
  weights?: ScoreWeights;
  /** The period's published snapshot and the one it compares with, when the caller has them (the weekly push). */
  snapshot?: RankingSnapshot;
  previous?: RankingSnapshot | null;
}

type Cell = string | number | Date | null;

interface RowData {
  yard: CourtyardInfo;
  figures: Figures & { orgState: { party: OrgUnit; selfGov: OrgUnit; volunteerTeams: number } };
  street: string;
  community: string | null;
  row?: RankRow;
  before?: RankRow;
  hours: number;
}

interface Column {
  header: string;
  group: string;
  width: number;
  numFmt?: string;
  value: (d: RowData) => Cell;
}

const ORG_LABEL = (o: { status: string; kind?: string | null }) => (o.status === '已建' && o.kind ? `已建（${o.kind}）` : o.status);

function columns(current: string, previous: string): Column[] {
  return [
    { group: '楼院', header: '街道', width: 14, value: (d) => d.street },
    { group: '楼院', header: '社区', width: 14, value: (d) => d.community },
    { group: '楼院', header: '楼院', width: 16, value: (d) => d.yard.name },
    { group: '三类组织', header: '党组织', width: 14, value: (d) => ORG_LABEL(d.figures.orgState.party) },
    { group: '三类组织', header: '自治组织', width: 14, value: (d) => ORG_LABEL(d.figures.orgState.selfGov) },
    { group: '三类组织', header: '志愿队', width: 8, value: (d) => d.figures.orgState.volunteerTeams },
    { group: '整治项目', header: '总数', width: 7, value: (d) => d.figures.projects.total },
    { group: '整治项目', header: '已完成', width: 8, value: (d) => d.figures.projects.done },
    { group: '整治项目', header: '平均进度', width: 9, numFmt: '0%', value: (d) => (!d.row || d.row.noProjects ? NO_PROJECT_TEXT : (d.row.parts.progress ?? 0) / 100) },
    { group: '整治项目', header: '逾期', width: 7, value: (d) => d.row?.overdueByKind.project ?? d.figures.overdue.project },
    { group: '民情诉求', header: '累计', width: 7, value: (d) => d.figures.requests.total },
    { group: '民情诉求', header: '反馈率', width: 8, numFmt: '0.0%', value: (d) => rate(d.figures.requests.feedbackRate) },
    { group: '民情诉求', header: '办结率', width: 8, numFmt: '0.0%', value: (d) => rate(d.figures.requests.completionRate) },
    { group: '民情诉求', header: '满意率', width: 8, numFmt: '0.0%', value: (d) => rate(d.figures.requests.satisfactionRate) },
    { group: '民情诉求', header: '超期未反馈', width: 10, value: (d) => d.row?.overdueByKind.request ?? d.figures.overdue.request },
    { group: '干部下沉', header: '分包干部', width: 9, value: (d) => d.figures.cadres.total },
    { group: '干部下沉', header: '达标人数', width: 9, value: (d) => d.figures.cadres.met },
    { group: '干部下沉', header: '时长(小时)', width: 10, numFmt: '0.0', value: (d) => d.hours },
    { group: current, header: '得分', width: 8, numFmt: '0.0', value: (d) => (d.row ? (d.row.score ?? NO_SCORE_TEXT) : null) },
    { group: current, header: '排名', width: 7, value: (d) => d.row?.rank ?? null },
    { group: current, header: '变化', width: 7, value: (d) => (d.row ? rankChange(d.row) || null : null) },
    { group: previous, header: '得分', width: 8, numFmt: '0.0', value: (d) => (d.before ? (d.before.score ?? NO_SCORE_TEXT) : null) },
    { group: previous, header: '排名', width: 7, value: (d) => d.before?.rank ?? null },
  ];
}

const rate = (r: number | null) => (r === null ? null : r / 100);

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

/**
 * Builds the progress table of a scope (the district, `streetId` or `courtyardId`) for
 * `period`: published, from its snapshot; running (or never published), from its figures so far.
 */
export async function buildProgressTable(models: Models, opts: ProgressTableOptions): Promise<{ filename: string; data: Buffer }> {
  const ref: ScopeRef = { streetId: opts.courtyardId ? undefined : opts.streetId, courtyardId: opts.courtyardId };
  const running = opts.period.end > opts.now;
  const detail = await computeRankingDetail(models, { ...ref, level: 'courtyard', period: opts.period, now: opts.now, weights: opts.weights });
  const { scope } = detail;
  const snapshot = opts.snapshot ?? (running ? null : await findSnapshot(models, opts.period));
  // What the arrows and the previous columns compare with: the snapshot's own comparison, or (running) the last published week.
  const previous = snapshot ? (opts.previous !== undefined ? opts.previous : await loadSnapshot(models, snapshot.previous)) : await latestSnapshot(models, opts.period.kind === 'month' ? 'month' : 'week', opts.now);
  const rankScope = scope.kind === 'courtyard' ? { streetId: scope.courtyards[0]?.streetId } : ref;
  const rows = new Map((snapshot ? compareRows(rowsIn(snapshot, 'courtyard', rankScope), previous, 'courtyard', rankScope) : detail.rows).map((r) => [r.id, r]));
  const before = new Map((previous ? rowsIn(previous, 'courtyard', rankScope) : []).map((r) => [r.id, r]));
  // The figures as they stood at the period's last moment (or now).
  const at = new Date(Math.min(opts.now.getTime(), opts.period.end.getTime() - 1));
  const [figures, communities, projects] = await Promise.all([scopeFigures(models, ref, at), communityNames(models, scope.courtyards), projectList(models, scope, opts.period.start, at)]);

  const scopeName = scopeLabel(scope);
  const isWeek = opts.period.kind !== 'month';
  const title = isWeek ? '每周进度表' : '月度进度表';
  const state = snapshot ? `已发布${snapshot.version > 1 ? `，第${snapshot.version}版` : ''}` : running ? '进行中，未发布' : '未发布';
  const currentLabel = `${shortLabel(opts.period)}（${snapshot ? '已发布' : running ? '进行中' : '未发布'}）`;
  const previousLabel = previous ? `${isWeek ? '上一周' : '上一月'} ${shortLabel(snapshotPeriod(previous))}` : `${isWeek ? '上一周' : '上一月'}（未发布）`;
  const subtitle = `统计周期：${opts.period.label}（${state}）　生成：${formatDateTime(opts.now)}　排名范围：${scopeName}（共 ${scope.courtyards.length} 个楼院）`;
  const COLUMNS = columns(currentLabel, previousLabel);

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

  for (const group of groups) {
    const ws = workbook.addWorksheet(sheetName(group.name, sheetNames));
    writeTitle(ws, `${group.name}楼院整治${title}`, subtitle, COLUMNS.length);
    writeGroupedHeader(ws, COLUMNS);
    const ordered = [...group.yards].sort((a, b) => (rows.get(a.id)?.rank ?? Infinity) - (rows.get(b.id)?.rank ?? Infinity) || a.name.localeCompare(b.name, 'zh-Hans-CN'));
    for (const y of ordered) {
      const f = figures.byYard.get(y.id)!;
      const hours = figures.cadres.reduce((sum, c) => sum + (c.hoursAt.get(y.id) ?? 0), 0);
      const d: RowData = { yard: y, figures: f, street: scope.streets.get(y.streetId)?.name ?? '', community: communities.get(y.communityId ?? '') ?? null, row: rows.get(y.id), before: before.get(y.id), hours };
      styleBody(ws.addRow(COLUMNS.map((col) => col.value(d))), COLUMNS);
    }
    finishSheet(ws, COLUMNS, 4);
  }

  const list = workbook.addWorksheet(sheetName('项目清单', sheetNames));
  writeTitle(list, `整治项目清单（${scopeName}）`, `统计周期：${opts.period.label}　在建项目及本期完成的项目`, PROJECT_COLUMNS.length);
  const header = list.addRow(PROJECT_COLUMNS.map((c) => c.header));
  styleHeader(header);
  const yardName = new Map(scope.courtyards.map((y) => [y.id, y.name]));
  const late = new Set(figures.overdue.filter((i) => i.kind === 'project').map((i) => i.id));
  for (const p of projects) {
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
        late.has(String(p._id)) ? `${p.status}（逾期）` : p.status,
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

function styleBody(row: ExcelJS.Row, columns: readonly { numFmt?: string }[]): void {
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

async function communityNames(models: Models, yards: CourtyardInfo[]): Promise<Map<string, string>> {
  const ids = [...new Set(yards.map((y) => y.communityId).filter((id): id is string => !!id))];
  if (ids.length === 0) return new Map();
  const docs = await models.Community.find({ _id: { $in: ids.map((id) => new Types.ObjectId(id)) } }, { name: 1 }).lean();
  return new Map(docs.map((d) => [String(d._id), d.name]));
}

interface ListedProject {
  _id: Types.ObjectId;
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

/**
 * Projects open now, completed since the period began, or cancelled after `at` (they count
 * in the period: src/services/counted.ts), by courtyard name and number.
 */
async function projectList(models: Models, scope: ScopeData, since: Date, at: Date): Promise<ListedProject[]> {
  const projects = await models.Project.aggregate<ListedProject>([
    {
      $match: {
        $or: [
          { ...scope.filter, status: { $in: [...OPEN_PROJECT_STATUSES] } },
          { ...scope.filter, status: '已完成', completedAt: { $gte: since } },
          { ...scope.filter, ...cancelledSince(new Date(at.getTime() + 1)) },
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
