/**
 * The import's report: what it adds, changes field by field ("干部 张三（区医保局）：楼院
 * 东方花园 → 三湾街18号楼"), reactivates, leaves out or deactivates — in a dry run, what it
 * would — and every problem or skipped example row with its row number.
 */
import { Types } from 'mongoose';
import type { Models } from '../db/models';
import type { RosterCounts, RosterRecord, TableCounts } from './apply';
import type { ImportResult } from './import-roster';
import type { StateChange } from './missing';
import type { RosterProblem } from './read';
import { sheetSpec, type SheetKind } from './sheets';

type ModelName = RosterRecord['model'];

/** One record in the report: its table (街道…干部) and who or what it is. */
export interface ReportEntry {
  table: string;
  who: string;
}

export interface FieldLine extends ReportEntry {
  field: string;
  from: string;
  to: string;
}

export interface ImportReport {
  added: ReportEntry[];
  changed: FieldLine[];
  reactivated: ReportEntry[];
  /** Left out of the file and still active (no --remove-missing). */
  missing: ReportEntry[];
  deactivated: ReportEntry[];
}

const TABLE_OF: Record<ModelName, SheetKind> = { Street: 'streets', Community: 'communities', Courtyard: 'courtyards', Cadre: 'cadres' };

/** The report's name of each field the import sets (as in the template's headers). */
const FIELD_LABELS: Record<string, string> = {
  name: '姓名',
  unit: '单位',
  aliases: '别名',
  district: '所属区',
  kind: '类型',
  community: '所属社区',
  households: '户数',
  partyMembers: '党员数',
  management: '管理方式',
  'orgs.party.kind': '党组织',
  'orgs.party.status': '党组织状态',
  'orgs.selfGov.kind': '自治组织',
  'orgs.selfGov.status': '自治组织状态',
  'orgs.volunteerTeams': '志愿服务队',
  'selfGovContact.name': '自治组织联系人',
  'selfGovContact.userId': '联系人企业微信账号',
  demonstration: '示范楼院',
  mobile: '手机',
  userId: '企业微信账号',
  userIdSource: '账号来源',
  roles: '角色',
  scope: '管辖范围',
  courtyards: '楼院',
};
const ROLE_LABELS: Record<string, string> = { cadre: '干部', admin: '管理员', leader: '领导' };
const SOURCE_LABELS: Record<string, string> = { roster: '花名册', register: '本人登记' };
const EMPTY = '（空）';

const idsIn = (value: unknown): string[] =>
  value instanceof Types.ObjectId
    ? [String(value)]
    : Array.isArray(value)
      ? value.flatMap(idsIn)
      : value && typeof value === 'object' && 'refId' in value
        ? idsIn((value as { refId?: unknown }).refId)
        : [];

/** Names of the streets, communities and courtyards the report mentions: the file's (even made up in a dry run), else the database's. */
async function namesFor(models: Models, records: readonly RosterRecord[], states: readonly StateChange[]): Promise<Map<string, string>> {
  const names = new Map(records.map((r) => [String(r.id), String(r.doc.name)]));
  const wanted = new Set<string>();
  for (const r of [...records, ...states]) idsIn(r.doc.street).forEach((id) => wanted.add(id));
  for (const r of records) for (const c of r.changes) [...idsIn(c.before), ...idsIn(c.after)].forEach((id) => wanted.add(id));
  const unknown = [...wanted].filter((id) => !names.has(id)).map((id) => new Types.ObjectId(id));
  if (unknown.length) {
    const found = await Promise.all([models.Street, models.Community, models.Courtyard].map((m) => (m as typeof models.Street).find({ _id: { $in: unknown } }, { name: 1 }).lean()));
    for (const doc of found.flat()) names.set(String(doc._id), doc.name);
  }
  return names;
}

export async function describeImport(models: Models, records: readonly RosterRecord[], states: readonly StateChange[]): Promise<ImportReport> {
  const names = await namesFor(models, records, states);
  const nameOf = (id: unknown) => names.get(String(id)) ?? '?';
  const entry = (model: ModelName, doc: Record<string, unknown>): ReportEntry => ({
    table: sheetSpec(TABLE_OF[model]).label,
    who: model === 'Cadre' ? `${String(doc.name)}（${String(doc.unit)}）` : model === 'Street' ? String(doc.name) : `${String(doc.name)}（${nameOf(doc.street)}）`,
  });
  const show = (path: string, value: unknown): string => {
    if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) return EMPTY;
    if (Array.isArray(value)) return value.map((v) => show(path, v)).join('、');
    if (value instanceof Types.ObjectId) return nameOf(value);
    if (typeof value === 'boolean') return value ? '是' : '否';
    if (path === 'scope') return (value as { kind: string; refId?: unknown }).kind === 'district' ? '全区' : nameOf((value as { refId?: unknown }).refId);
    if (path === 'roles') return ROLE_LABELS[String(value)] ?? String(value);
    if (path === 'userIdSource') return SOURCE_LABELS[String(value)] ?? String(value);
    return String(value);
  };
  const ofState = (op: StateChange['op']) => states.filter((s) => s.op === op).map((s) => entry(s.model, s.doc));
  return {
    added: records.filter((r) => r.op === 'created').map((r) => entry(r.model, r.doc)),
    changed: records.flatMap((r) =>
      r.changes.map((c) => ({ ...entry(r.model, r.doc), field: FIELD_LABELS[c.path] ?? c.path, from: show(c.path, c.before), to: show(c.path, c.after) })),
    ),
    reactivated: ofState('reactivated'),
    missing: ofState('missing'),
    deactivated: ofState('deactivated'),
  };
}

const KINDS: SheetKind[] = ['streets', 'communities', 'courtyards', 'cadres'];

function countLine(kind: SheetKind, c: TableCounts): string {
  return `  ${sheetSpec(kind).label}：新增 ${c.created}，更新 ${c.updated}，未变 ${c.unchanged}`;
}

const atRow = (p: RosterProblem) => `  ${p.source}${p.row ? ` 第 ${p.row} 行` : ''}：${p.message}`;

function section(title: string, lines: string[]): string[] {
  return lines.length ? [title, ...lines] : [];
}

function reportLines(report: ImportReport, counts: RosterCounts, dryRun: boolean, removeMissing: boolean): string[] {
  const will = dryRun ? '将' : '';
  const name = (e: ReportEntry) => `  ${e.table} ${e.who}`;
  return [
    dryRun ? '试导入（--dry-run，未写入）：' : '花名册已导入：',
    ...KINDS.map((k) => countLine(k, counts[k])),
    ...section(`${will}新增 ${report.added.length} 条：`, report.added.map(name)),
    ...section(`${will}更新 ${report.changed.length} 处：`, report.changed.map((c) => `${name(c)}：${c.field} ${c.from} → ${c.to}`)),
    ...section(`${will}恢复在用 ${report.reactivated.length} 条：`, report.reactivated.map(name)),
    ...section(`${dryRun ? '将停用' : '已停用'} ${report.deactivated.length} 条（不在本次花名册里，--remove-missing）：`, report.deactivated.map(name)),
    ...section(
      `不在本次花名册里、仍在用的 ${report.missing.length} 条${removeMissing ? '' : '（加 --remove-missing 才停用）'}：`,
      report.missing.map(name),
    ),
  ];
}

/** The import's outcome in Chinese: counts and changes, or every problem (with its row); then the example rows left out. */
export function formatImportResult(result: ImportResult): string {
  const head = result.problems.length
    ? [`花名册有 ${result.problems.length} 处问题，没有导入任何数据：`, ...result.problems.map(atRow)]
    : reportLines(result.report!, result.counts!, result.dryRun, result.removeMissing);
  return [...head, ...section(`跳过 ${result.skipped.length} 行模板示例：`, result.skipped.map(atRow))].join('\n');
}
