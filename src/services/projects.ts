/**
 * The logic of 整治项目 shared by /项目 and /进度 (and whoever shows projects): the words
 * users type for categories and task areas, deadlines in days, progress reports, completion
 * and what the project's published card (公示) names. src/render/projects.ts words them.
 */
import type { Types } from 'mongoose';
import { contactsFor, describeRoles, roleCovers } from './permissions';
import {
  OPEN_PROJECT_STATUSES,
  type CourtyardDoc,
  type Models,
  type ProgressReportDoc,
  type Project,
  type ProjectCategory,
  type ProjectDoc,
  type TaskArea,
} from '../db/models';
import { CANCELLED } from './counted';
import { PermissionError, UserError } from '../errors';
import { addBeijingDays, formatDay, isJustNow, startOfBeijingDay } from './beijing-time';
import type { Audit } from './audit';
import type { Caller } from './caller';
import { nameOfUser } from './lookup';
import { cachedCourtyard } from './record-cache';

/** What a project change needs from the command that makes it (a CommandContext fits). */
export interface ActingContext {
  models: Models;
  now: Date;
  caller: Caller;
  audit: Audit;
  command: { path: string };
}

/** `工程类` → 工程 …: what users type for a category. */
export const CATEGORY_SYNONYMS: Readonly<Record<string, ProjectCategory>> = {
  工程类: '工程',
  管理类: '管理',
  服务类: '服务',
};

/** The seeds' long names of the five task areas (and a few short forms) → the stored value. */
export const AREA_SYNONYMS: Readonly<Record<string, TaskArea>> = {
  卫生整治: '卫生',
  环境卫生: '卫生',
  美化环境: '环境',
  环境美化: '环境',
  规范秩序: '秩序',
  秩序规范: '秩序',
  维护安全: '安全',
  安全维护: '安全',
  提升文明素养: '文明',
  文明素养: '文明',
  提升文明: '文明',
};

/** How a category and a task area are shown: `工程类`, `美化环境`. */
export const CATEGORY_LABELS: Readonly<Record<ProjectCategory, string>> = { 工程: '工程类', 管理: '管理类', 服务: '服务类' };
export const AREA_LABELS: Readonly<Record<TaskArea, string>> = {
  卫生: '卫生整治',
  环境: '美化环境',
  秩序: '规范秩序',
  安全: '维护安全',
  文明: '提升文明素养',
};

/** Longest title and standard accepted, so that a card stays readable. */
export const MAX_TITLE_CHARS = 40;
export const MAX_STANDARD_CHARS = 200;

const DAY_MS = 86_400_000;

/** Whole Beijing calendar days from today to `deadline` (negative once past). */
export function daysUntil(deadline: Date, now: Date): number {
  return Math.round((startOfBeijingDay(deadline).getTime() - startOfBeijingDay(now).getTime()) / DAY_MS);
}

/** Whether a project is still to be done (进行中 or 已延期). */
export function isOpen(p: Pick<Project, 'status'>): boolean {
  return (OPEN_PROJECT_STATUSES as readonly string[]).includes(p.status);
}

/** Whether `at` is on or before the deadline's day. */
export function onTime(deadline: Date | null | undefined, at: Date): boolean {
  return !deadline || at < addBeijingDays(startOfBeijingDay(deadline), 1);
}

/** The deadline first set, before any postponement (the on-time rate may judge against it). */
export function originalDeadline(p: Pick<Project, 'deadline' | 'postponements'>): Date | undefined {
  return p.postponements?.[0]?.from ?? p.deadline ?? undefined;
}

/** Names of roster entries by id, for showing owners. */
export async function cadreNames(models: Models, ids: readonly (Types.ObjectId | null | undefined)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is Types.ObjectId => Boolean(id)).map(String))];
  if (wanted.length === 0) return new Map();
  const people = await models.Cadre.find({ _id: { $in: wanted } }, { name: 1 }).lean();
  return new Map(people.map((c) => [String(c._id), c.name]));
}

/** Names of courtyards by id. */
export async function courtyardNames(models: Models, ids: readonly Types.ObjectId[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.map(String))];
  if (wanted.length === 0) return new Map();
  const yards = await models.Courtyard.find({ _id: { $in: wanted } }, { name: 1 }).lean();
  return new Map(yards.map((c) => [String(c._id), c.name]));
}

/** What a project's card names besides the project: its courtyard (with the street) and its owner. */
export interface ProjectCardFacts {
  courtyard: { name: string; street?: string } | null;
  owner: { name: string; unit: string } | null;
}

export async function projectCardFacts(models: Models, p: ProjectDoc): Promise<ProjectCardFacts> {
  const courtyard = await models.Courtyard.findById(p.courtyard, { name: 1, street: 1 });
  const street = courtyard ? await models.Street.findById(courtyard.street, { name: 1 }) : null;
  const owner = p.owner ? await models.Cadre.findById(p.owner, { name: 1, unit: 1 }) : null;
  return {
    courtyard: courtyard ? { name: courtyard.name, street: street ? street.name : undefined } : null,
    owner: owner ? { name: owner.name, unit: owner.unit } : null,
  };
}

/** Refuses to change a finished or dropped project, naming who finished it. */
export async function assertOpen(models: Models, p: ProjectDoc, now: Date): Promise<void> {
  if (p.status === '已完成') {
    const who = p.completedBy ? `由 ${await nameOfUser(models, p.completedBy)} ` : '';
    const day = p.completedAt ? formatDay(p.completedAt, now) : '之前';
    if (p.completedAt && isJustNow(p.completedAt, now)) throw new UserError(`项目 #${p.no} ${p.title} 刚刚已${who}完成（${day}）`);
    throw new UserError(`项目 #${p.no} ${p.title} 已${who}于 ${day}完成，无需再报`);
  }
  if (p.status === CANCELLED) throw new UserError(`项目 #${p.no} ${p.title} 已取消`);
}

/** The project's courtyard; a UserError if it is gone (the roster was re-imported without it). */
export async function projectCourtyard(models: Models, p: ProjectDoc): Promise<CourtyardDoc> {
  const courtyard = await cachedCourtyard(models, p.courtyard);
  if (!courtyard) throw new UserError(`项目 #${p.no} 所属的楼院已不在花名册中，请联系管理员`);
  return courtyard;
}

/**
 * Only an admin covering the courtyard, or the project's owner, passes (a refusal names who
 * may). For changes that move a commitment, like a postponement: the cadres assigned to the
 * courtyard report progress, but do not move a deadline someone else answers for.
 */
export async function assertAdminOrOwner(ctx: ActingContext, courtyard: CourtyardDoc, owner: Types.ObjectId | null | undefined): Promise<void> {
  const { caller } = ctx;
  if (owner && caller.cadre?._id.equals(owner)) return;
  if (roleCovers(caller, 'admin', { courtyard })) return;
  const who = await contactsFor(ctx.models, caller, ['admin'], { courtyard }, 3);
  const ownerName = owner ? (await ctx.models.Cadre.findById(owner, { name: 1 }))?.name : undefined;
  if (ownerName) who.unshift(`${ownerName}（项目责任人）`);
  const lines = [`${ctx.command.path} 仅限「${courtyard.name}」的${describeRoles(['admin'])}或项目责任人使用。`];
  if (who.length) lines.push(`可以找：${who.join('、')}`);
  throw new PermissionError(lines.join('\n'));
}

export interface ProgressResult {
  project: ProjectDoc;
  report: ProgressReportDoc;
  previous: number;
  completed: boolean;
}

/**
 * Why a change to a project that was open when read did not land: someone completed,
 * cancelled, postponed, edited or undid it in between — said with who did it.
 */
export async function projectMovedError(models: Models, id: Types.ObjectId, now: Date): Promise<UserError> {
  const p = await models.Project.findById(id);
  if (!p) return new UserError('这个项目刚刚已被撤销');
  if (p.status === '已完成') {
    const who = p.completedBy ? `由 ${await nameOfUser(models, p.completedBy)} ` : '';
    return new UserError(`项目 #${p.no} ${p.title} 刚刚已${who}完成${p.completedAt ? `（${formatDay(p.completedAt, now)}）` : ''}`);
  }
  if (p.status === CANCELLED) return new UserError(cancelledText(p, p.cancelledBy ? await nameOfUser(models, p.cancelledBy) : undefined, now));
  const edit = p.edits[p.edits.length - 1];
  const last = p.postponements[p.postponements.length - 1];
  if (edit && (!last || edit.at >= last.at)) {
    const fields = new Set(p.edits.filter((e) => e.at.getTime() === edit.at.getTime() && e.by === edit.by).map((e) => e.field));
    return new UserError(`项目 #${p.no} 刚刚已由 ${await nameOfUser(models, edit.by)} 修改（${[...fields].join('、')}），请发送 \`/项目 详情 #${p.no}\` 查看`);
  }
  if (last && p.deadline) {
    return new UserError(`项目 #${p.no} ${p.title} 刚刚已由 ${await nameOfUser(models, last.by)} 延期至 ${formatDay(p.deadline, now)}，请发送 /项目 列表 查看`);
  }
  return new UserError(`项目 #${p.no} 刚刚有了变化，请发送 /项目 列表 查看`);
}

/** `项目 #5 路面硬化 已由 王管理 于 9月18日取消（原因：重复录入）`. */
export function cancelledText(p: Pick<Project, 'no' | 'title' | 'cancelledAt' | 'cancelReason'>, byName: string | undefined, now: Date): string {
  const by = byName ? `由 ${byName} ` : '';
  const when = p.cancelledAt ? `于 ${formatDay(p.cancelledAt, now)}` : '';
  return `项目 #${p.no} ${p.title} 已${by}${when}取消${p.cancelReason ? `（原因：${p.cancelReason}）` : ''}`;
}

/**
 * Records a progress report (the history the weekly table shows) and moves the project to
 * `percent`; 100 completes it (completedAt = now). The project first, guarded on it being
 * open (of two completions at once, one wins; the other is told who, and records no
 * report), then the report; both through the audit so /撤销 undoes them together.
 */
export async function recordProgress(
  ctx: ActingContext,
  project: ProjectDoc,
  courtyard: CourtyardDoc,
  percent: number,
  note: string,
): Promise<ProgressResult> {
  const { models, now, caller } = ctx;
  const completed = percent === 100;
  const set: Record<string, unknown> = { percent, lastReportAt: now };
  if (completed) Object.assign(set, { status: '已完成', completedAt: now, completedBy: caller.userId });
  const changed = await ctx.audit.change(models.Project, { _id: project._id, status: { $in: [...OPEN_PROJECT_STATUSES] } }, { $set: set }, project);
  if (!changed) throw await projectMovedError(models, project._id, now);
  const previous = changed.before.percent as number;
  const report = await ctx.audit.create(models.ProgressReport, {
    project: project._id,
    courtyard: courtyard._id,
    street: courtyard.street,
    cadre: caller.cadre?._id,
    userId: caller.userId,
    percent,
    previousPercent: previous,
    note,
    at: now,
  });
  return { project: changed.after, report, previous, completed };
}
