/**
 * Correcting projects after they were published (issue 13): /项目 取消 (out of every score
 * from then on; src/services/counted.ts), /项目 修改 (each field's old and new value kept),
 * and the record's history for /项目 详情. Each change is one conditional write through the
 * caller's audit, guarded on what the command read, so of two at once the second is told.
 */
import type { QueryFilter } from 'mongoose';
import type { Caller } from './caller';
import {
  OPEN_PROJECT_STATUSES,
  type CadreDoc,
  type CourtyardDoc,
  type Models,
  type Project,
  type ProjectCategory,
  type ProjectDoc,
  type TaskArea,
} from '../db/models';
import { UserError } from '../errors';
import { isDuplicateKey } from '../db/duplicate-key';
import type { Audit } from './audit';
import { CANCELLED } from './counted';
import { AREA_LABELS, CATEGORY_LABELS, MAX_STANDARD_CHARS, MAX_TITLE_CHARS, projectMovedError } from './projects';

/** Who acts, when, and the audit that records it. */
export interface ProjectActor {
  models: Models;
  audit: Audit;
  now: Date;
  caller: Pick<Caller, 'userId'>;
}

/** Longest cancellation reason kept. */
export const MAX_REASON_CHARS = MAX_STANDARD_CHARS;

const open = (p: ProjectDoc) => ({ _id: p._id, status: { $in: [...OPEN_PROJECT_STATUSES] } });

/**
 * Cancels an open project: status 已取消 with when, who and why; from now on it counts in
 * no score, figure or overdue list (src/services/counted.ts), and frees its title.
 */
export async function cancelProject(actor: ProjectActor, project: ProjectDoc, reason: string): Promise<ProjectDoc> {
  const { models, audit, now, caller } = actor;
  const why = reason.trim();
  if ([...why].length > MAX_REASON_CHARS) throw new UserError(`原因不超过 ${MAX_REASON_CHARS} 个字`);
  if (project.status === '已完成') throw new UserError(`项目 #${project.no} ${project.title} 已完成，不能取消`);
  if (project.status === CANCELLED) throw await projectMovedError(models, project._id, now);
  const updated = await audit.update(models.Project, open(project), {
    $set: { status: CANCELLED, cancelledAt: now, cancelledBy: caller.userId, cancelReason: why },
  });
  if (!updated) throw await projectMovedError(models, project._id, now);
  return updated;
}

/** What /项目 修改 may change (the deadline stays with /项目 延期 and its reason). */
export interface ProjectEdit {
  title?: string;
  standard?: string;
  owner?: CadreDoc;
  category?: ProjectCategory;
  area?: TaskArea;
  courtyard?: CourtyardDoc;
}

/** One field as changed: its label, and the old and new values as shown. */
export interface FieldChange {
  field: string;
  from: string;
  to: string;
}

/**
 * Edits an open project's fields; each field that really changes is kept in `edits` (old →
 * new, who, when) in the same write. Guarded on the changed fields as read: of two edits of
 * one field at once the second is told; edits of different fields both land. Moving it to
 * another courtyard moves its street too. Throws when nothing changes.
 */
export async function editProject(actor: ProjectActor, project: ProjectDoc, edit: ProjectEdit): Promise<{ project: ProjectDoc; changes: FieldChange[] }> {
  const { models, audit, now, caller } = actor;
  if (project.status === '已完成') throw new UserError(`项目 #${project.no} ${project.title} 已完成，不能再修改`);
  if (project.status === CANCELLED) throw await projectMovedError(models, project._id, now);
  if (edit.title !== undefined) {
    if ([...edit.title].length > MAX_TITLE_CHARS) throw new UserError(`项目内容不超过 ${MAX_TITLE_CHARS} 个字，详细要求请写在「标准=」里`);
    if (/^#?\d+号?$/.test(edit.title)) throw new UserError('项目内容不能只是数字，请写要做的事，如 路面硬化');
  }
  if (edit.standard !== undefined && [...edit.standard].length > MAX_STANDARD_CHARS) throw new UserError(`整治标准不超过 ${MAX_STANDARD_CHARS} 个字`);
  if (edit.owner && !edit.owner.active) throw new UserError(`${edit.owner.name}（${edit.owner.unit}）已不在花名册中，请另选责任人`);

  const set: Record<string, unknown> = {};
  const guard: Record<string, unknown> = {};
  const changes: FieldChange[] = [];
  const change = (field: string, path: string, value: unknown, was: unknown, from: string, to: string) => {
    if (String(was ?? '') === String(value ?? '')) return;
    set[path] = value;
    guard[path] = was ?? null;
    changes.push({ field, from, to });
  };
  if (edit.title !== undefined) change('标题', 'title', edit.title, project.title, project.title, edit.title);
  if (edit.standard !== undefined) change('标准', 'standard', edit.standard, project.standard, project.standard ?? '', edit.standard);
  if (edit.owner) {
    const was = project.owner ? await models.Cadre.findById(project.owner, { name: 1, unit: 1 }) : null;
    change('责任人', 'owner', edit.owner._id, project.owner, was ? `${was.name}（${was.unit}）` : '未指定', `${edit.owner.name}（${edit.owner.unit}）`);
  }
  if (edit.category) change('类别', 'category', edit.category, project.category, CATEGORY_LABELS[project.category], CATEGORY_LABELS[edit.category]);
  if (edit.area) change('领域', 'area', edit.area, project.area, project.area ? AREA_LABELS[project.area] : '未填写', AREA_LABELS[edit.area]);
  if (edit.courtyard) {
    const was = await models.Courtyard.findById(project.courtyard, { name: 1 });
    change('楼院', 'courtyard', edit.courtyard._id, project.courtyard, was?.name ?? '?', edit.courtyard.name);
    if ('courtyard' in set) set.street = edit.courtyard.street;
  }
  if (changes.length === 0) throw new UserError(`项目 #${project.no} 的这些内容与现在相同，没有修改`);

  const courtyard = (set.courtyard ?? project.courtyard) as ProjectDoc['courtyard'];
  const title = (set.title ?? project.title) as string;
  const twinTaken = async () => {
    const twin = await models.Project.findOne({ courtyard, title, status: { $in: [...OPEN_PROJECT_STATUSES] }, _id: { $ne: project._id } });
    if (!twin) return undefined;
    const yard = await models.Courtyard.findById(courtyard, { name: 1 });
    return new UserError(`${yard?.name ?? '该楼院'} 已有进行中的项目 #${twin.no} ${twin.title}，标题不能重复`);
  };
  if ('title' in set || 'courtyard' in set) {
    const taken = await twinTaken();
    if (taken) throw taken;
  }
  const filter = { ...open(project), ...guard } as QueryFilter<Project>;
  const history = changes.map((c) => ({ ...c, by: caller.userId, at: now }));
  const updated = await audit.update(models.Project, filter, { $set: set, $push: { edits: { $each: history } } }).catch(async (err: unknown) => {
    // The unique open title per courtyard: another project took that title a moment ago.
    if (!isDuplicateKey(err)) throw err;
    throw (await twinTaken()) ?? err;
  });
  if (!updated) throw await projectMovedError(models, project._id, now);
  return { project: updated, changes };
}

/** One entry of a project's history, oldest first. */
export type ProjectEvent = { at: Date; who: string } & (
  | { kind: 'created' }
  | { kind: 'progress'; from: number; to: number; note: string }
  | { kind: 'postponed'; from: Date; to: Date; reason: string }
  | { kind: 'edited'; changes: FieldChange[] }
  | { kind: 'completed' }
  | { kind: 'cancelled'; reason: string }
);

/**
 * The history of a project, oldest first: its creation, every progress report, postponement
 * and edit (the fields one command changed together), its completion or cancellation; each
 * with who did it (their roster name, else their userid).
 */
export async function projectHistory(models: Models, p: ProjectDoc): Promise<ProjectEvent[]> {
  const reports = await models.ProgressReport.find({ project: p._id }).sort({ at: 1 }).lean();
  const ids = new Set<string>([p.createdBy, p.completedBy, p.cancelledBy, ...reports.map((r) => r.userId), ...p.postponements.map((x) => x.by), ...p.edits.map((e) => e.by)].filter((s): s is string => Boolean(s)));
  const people = await models.Cadre.find({ userId: { $in: [...ids] } }, { name: 1, userId: 1 }).lean();
  const name = new Map(people.map((c) => [c.userId!, c.name]));
  const who = (userId: string | null | undefined) => (userId ? (name.get(userId) ?? userId) : '?');

  const events: ProjectEvent[] = [{ kind: 'created', at: p.createdAt, who: who(p.createdBy) }];
  // A report of 100 % is the completion itself: shown once, as the completion with its note.
  for (const r of reports) events.push({ kind: 'progress', at: r.at, who: who(r.userId), from: r.previousPercent ?? 0, to: r.percent, note: r.note ?? '' });
  for (const x of p.postponements) events.push({ kind: 'postponed', at: x.at, who: who(x.by), from: x.from, to: x.to, reason: x.reason });
  const groups = new Map<string, { at: Date; by: string; changes: FieldChange[] }>();
  for (const e of p.edits) {
    const key = `${e.at.getTime()}|${e.by}`;
    const g = groups.get(key) ?? { at: e.at, by: e.by, changes: [] };
    g.changes.push({ field: e.field, from: e.from ?? '', to: e.to ?? '' });
    groups.set(key, g);
  }
  for (const g of groups.values()) events.push({ kind: 'edited', at: g.at, who: who(g.by), changes: g.changes });
  if (p.status === '已完成' && p.completedAt && !reports.some((r) => r.percent === 100)) events.push({ kind: 'completed', at: p.completedAt, who: who(p.completedBy) });
  if (p.status === CANCELLED && p.cancelledAt) events.push({ kind: 'cancelled', at: p.cancelledAt, who: who(p.cancelledBy), reason: p.cancelReason ?? '' });
  const order: Record<ProjectEvent['kind'], number> = { created: 0, edited: 1, postponed: 2, progress: 3, completed: 4, cancelled: 5 };
  return events.sort((a, b) => a.at.getTime() - b.at.getTime() || order[a.kind] - order[b.kind]);
}
