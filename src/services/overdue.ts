/**
 * What is late in a scope: open projects past their deadline, requests with no feedback past
 * their 2-working-day due time, milestones a courtyard has not ticked off by their deadline,
 * and (from Thursday on) assigned cadres without their half day on site this week.
 *
 * The one definition of "overdue": /逾期 formats its result for chat, the overdue-alerts job
 * pushes it, the visit reminder reads its 'visit' items, and /查询, /排名, the weekly push,
 * the dashboard and the Excel count it ({@link countOverdue}). It knows nothing of chat
 * formatting. Asked about a past moment, it answers as things stood then: a project
 * finished since, or a request answered since, was late at that moment.
 *
 * Every query starts from an index that only reaches what could be late: projects by
 * (street|courtyard, status, deadline) or (status, deadline); requests by
 * (street|courtyard, status, dueAt) or (status, dueAt); milestones by deadline; visits by
 * (cadre, date) for this week only.
 */
import { Types } from 'mongoose';
import type { Models } from '../db/models';
import { OPEN_PROJECT_STATUSES } from '../db/models/project';
import { UNANSWERED_REQUEST_STATUSES } from '../db/models/resident-request';
import { addBeijingDays, beijingParts, startOfBeijingDay, startOfBeijingWeek } from './beijing-time';
import type { WorkingCalendar } from './calendar';
import { cancelledSince, countedRequests, openAt } from './counted';
import { assignmentsOf, courtyardsDuring, everAssignedTo } from './history';
import { milestoneCourtyardDone } from './milestones';
import { activityFilter, type Scope, type ScopeRef } from './scope';
import { deadlineInForce } from './score-measures';
import { VISIT_HOURS_PER_WEEK } from './score';

export const OVERDUE_KINDS = ['project', 'request', 'milestone', 'visit'] as const;
/** project: past its deadline; request: no feedback after 2 working days; milestone: a courtyard missed it; visit: no half day this week. */
export type OverdueKind = (typeof OVERDUE_KINDS)[number];

/** Chinese names of the kinds, for chat and pushes. */
export const OVERDUE_KIND_LABELS: Record<OverdueKind, string> = {
  project: '项目逾期',
  request: '诉求未反馈',
  milestone: '节点未完成',
  visit: '本周未下沉',
};

/** Beijing weekday (1 = Monday) from which a missing half day counts as late. */
export const VISIT_LATE_FROM_WEEKDAY = 4;

/** One late thing, with who answers for it. */
export interface OverdueItem {
  kind: OverdueKind;
  /** ObjectId of the project, request, milestone, or (visit) the cadre. */
  id: string;
  /** `#no` of a project or request. */
  no?: number;
  /** The courtyard it belongs to (a cadre's first assigned courtyard in the scope, for 'visit'). */
  courtyardId: string;
  courtyardName: string;
  /** For 'visit': every courtyard of the scope where the cadre has not had the half day yet; otherwise [courtyardId]. */
  courtyardIds: string[];
  streetId: string;
  streetName: string;
  /** Project title, request text, milestone title, or the cadre's name for 'visit'. */
  title: string;
  /**
   * Who is responsible: the project's owner, the request's assignee, the cadre (visit);
   * when nobody is named (unassigned request, project without owner, milestone), the
   * courtyard's assigned cadres. `userIds` holds only those linked to WeCom (for @mentions).
   */
  responsible: { cadreIds: string[]; userIds: string[]; names: string[] };
  /** When it became late: the deadline day (00:00 Beijing), the request's due time, or Thursday 00:00 of this week (visit). */
  since: Date;
  /** Whole calendar days late as of `now` (the deadline day itself is 0; a visit is 0 on Thursday). */
  daysLate: number;
  /** Hours logged this week at the courtyards still short of the half day (visit only). */
  hours?: number;
}

export interface FindOverdueOptions {
  /** Where to look: a group's scope, or ids (what the jobs hold). */
  scope: Scope | ScopeRef;
  /** The moment asked about: now, or a period's end for a past period. */
  now: Date;
  /** Requests carry their due time already worked out with it; kept for the shared signature with the jobs. */
  calendar?: WorkingCalendar;
  /** Only these kinds (default: all; 'visit' only appears from Thursday on). */
  kinds?: readonly OverdueKind[];
}

const DAY_MS = 86_400_000;
const KIND_ORDER: Record<OverdueKind, number> = { project: 0, request: 1, milestone: 2, visit: 3 };

type Filter = { street?: Types.ObjectId; courtyard?: Types.ObjectId };

/** The courtyards an activity filter covers, as a query on courtyards. */
const courtyardsOfFilter = (filter: Filter) => (filter.courtyard ? { _id: filter.courtyard } : filter.street ? { street: filter.street } : {});

/** Whole calendar days from the Beijing day of `from` to that of `to`. */
function daysBetween(from: Date, to: Date): number {
  return Math.max(0, Math.round((startOfBeijingDay(to).getTime() - startOfBeijingDay(from).getTime()) / DAY_MS));
}

interface RawItem extends Omit<OverdueItem, 'courtyardName' | 'streetId' | 'streetName' | 'responsible'> {
  /** Named cadre (owner / assignee / the cadre itself); absent → the courtyard's cadres. */
  who?: Types.ObjectId | null;
}

/**
 * Everything late in `scope` as of `now`, most late first (then projects, requests,
 * milestones, visits; then by number). See {@link OverdueItem}.
 */
export async function findOverdue(models: Models, opts: FindOverdueOptions): Promise<OverdueItem[]> {
  const { now } = opts;
  const kinds = new Set(opts.kinds ?? OVERDUE_KINDS);
  const filter = activityFilter(opts.scope);
  const today = startOfBeijingDay(now);
  const raw: RawItem[] = [];

  const [projects, requests, missed, visits] = await Promise.all([
    kinds.has('project') ? lateProjects(models, filter, now) : [],
    kinds.has('request') ? lateRequests(models, filter, now) : [],
    kinds.has('milestone') ? missedMilestones(models, filter, today, now) : [],
    kinds.has('visit') && beijingParts(now).weekday >= VISIT_LATE_FROM_WEEKDAY ? missingVisits(models, filter, now) : [],
  ]);

  for (const p of projects) {
    const c = String(p.courtyard);
    raw.push({ kind: 'project', id: String(p._id), no: p.no, courtyardId: c, courtyardIds: [c], title: p.title, who: p.owner, since: p.deadline, daysLate: daysBetween(p.deadline, now) });
  }
  for (const r of requests) {
    const c = String(r.courtyard);
    raw.push({ kind: 'request', id: String(r._id), no: r.no, courtyardId: c, courtyardIds: [c], title: r.text, who: r.assignee, since: r.dueAt, daysLate: daysBetween(r.dueAt, now) });
  }
  raw.push(...missed, ...visits);
  if (raw.length === 0) return [];

  const items = await describe(models, raw, now);
  return items.sort(
    (a, b) =>
      b.daysLate - a.daysLate ||
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      a.since.getTime() - b.since.getTime() ||
      (a.no ?? 0) - (b.no ?? 0) ||
      a.courtyardName.localeCompare(b.courtyardName, 'zh-Hans-CN') ||
      a.title.localeCompare(b.title, 'zh-Hans-CN'),
  );
}

/** How many late items a courtyard (or a cadre) answers for, by kind; `total` adds projects, requests and milestones. */
export interface OverdueCount {
  project: number;
  request: number;
  milestone: number;
  total: number;
}

export const NO_OVERDUE: Readonly<OverdueCount> = { project: 0, request: 0, milestone: 0, total: 0 };

/**
 * What every surface counts as a courtyard's (and a responsible cadre's) overdue items at
 * `now`: late projects, requests without feedback and missed milestones, from {@link findOverdue}.
 */
export async function countOverdue(models: Models, scope: Scope | ScopeRef, now: Date): Promise<{ courtyards: Map<string, OverdueCount>; cadres: Map<string, OverdueCount> }> {
  return countItems(await findOverdue(models, { scope, now, kinds: ['project', 'request', 'milestone'] }));
}

/** Counts late items per courtyard and per responsible cadre. */
export function countItems(items: readonly OverdueItem[]): { courtyards: Map<string, OverdueCount>; cadres: Map<string, OverdueCount> } {
  const courtyards = new Map<string, OverdueCount>();
  const cadres = new Map<string, OverdueCount>();
  const add = (map: Map<string, OverdueCount>, key: string, kind: OverdueKind) => {
    if (kind === 'visit') return;
    const c = map.get(key) ?? { ...NO_OVERDUE };
    c[kind]++;
    c.total++;
    map.set(key, c);
  };
  for (const i of items) {
    add(courtyards, i.courtyardId, i.kind);
    for (const id of i.responsible.cadreIds) add(cadres, id, i.kind);
  }
  return { courtyards, cadres };
}

/** Whether a project (open at `t`) is late at `t`: the Beijing day is past the deadline in force then. */
export function isProjectLate(
  p: { deadline?: Date | null; postponements?: { from: Date; to: Date; at: Date }[] | null; status: string; completedAt?: Date | null; cancelledAt?: Date | null },
  t: Date,
): boolean {
  const open = openAt(p, t);
  const deadline = deadlineInForce({ deadline: p.deadline ?? undefined, postponements: p.postponements ?? [] }, t);
  return open && !!deadline && deadline < startOfBeijingDay(t);
}

/** Whether a request is late at `t`: due before `t` and not answered (fed back or closed) by then. */
export function isRequestLate(r: { dueAt: Date; feedbackAt?: Date | null; closedAt?: Date | null }, t: Date): boolean {
  const answers = [r.feedbackAt, r.closedAt].filter((d): d is Date => d instanceof Date);
  return r.dueAt < t && (answers.length === 0 || Math.min(...answers.map((d) => d.getTime())) >= t.getTime());
}

/**
 * Projects late at `t`: open at `t` (created before, not yet completed or cancelled) and the
 * Beijing day past the deadline in force then. Open now with the deadline passed, or
 * completed or cancelled since `t` (src/services/counted.ts), are the candidates.
 */
async function lateProjects(models: Models, filter: Filter, t: Date) {
  const day = startOfBeijingDay(t);
  const rows = await models.Project.find({
    $or: [
      { ...filter, status: { $in: [...OPEN_PROJECT_STATUSES] }, $or: [{ deadline: { $lt: day } }, { 'postponements.from': { $lt: day } }] },
      { ...filter, status: '已完成', completedAt: { $gte: t } },
      { ...filter, ...cancelledSince(t) },
    ],
    createdAt: { $lt: t },
  })
    .select({ no: 1, courtyard: 1, title: 1, owner: 1, deadline: 1, postponements: 1, status: 1, completedAt: 1, cancelledAt: 1 })
    .lean();
  return rows.filter((p) => isProjectLate(p, t)).map((p) => ({ ...p, deadline: deadlineInForce({ deadline: p.deadline ?? undefined, postponements: p.postponements }, t)! }));
}

/** Requests late at `t`: logged before, due before, and not answered (fed back or closed) by then. */
async function lateRequests(models: Models, filter: Filter, t: Date) {
  const rows = await models.ResidentRequest.find({
    $or: [
      { ...filter, status: { $in: [...UNANSWERED_REQUEST_STATUSES] }, dueAt: { $lt: t } },
      // A voided request is never late (src/services/counted.ts).
      { ...filter, ...countedRequests(), feedbackAt: { $gte: t }, dueAt: { $lt: t } },
      { ...filter, ...countedRequests(), closedAt: { $gte: t }, dueAt: { $lt: t } },
    ],
    createdAt: { $lt: t },
  })
    .select({ no: 1, courtyard: 1, text: 1, assignee: 1, dueAt: 1, feedbackAt: 1, closedAt: 1 })
    .lean();
  return rows.filter((r) => isRequestLate(r, t));
}

/** One item per courtyard of a past-deadline milestone's scope (within `filter`) that had not done it by `t`. */
async function missedMilestones(models: Models, filter: Filter, today: Date, t: Date): Promise<RawItem[]> {
  const milestones = await models.Milestone.find({ deadline: { $lt: today }, createdAt: { $lt: t } }).lean();
  if (milestones.length === 0) return [];
  // The courtyards of the query scope; a milestone of the district or a street reaches those within it.
  const yards = await models.Courtyard.find(courtyardsOfFilter(filter))
    .select({ _id: 1, street: 1, orgs: 1, orgHistory: 1 })
    .lean();
  const out: RawItem[] = [];
  for (const m of milestones) {
    const ref = m.scope.refId ? String(m.scope.refId) : undefined;
    for (const y of yards) {
      const id = String(y._id);
      const covered = m.scope.kind === 'district' || (m.scope.kind === 'street' ? String(y.street) === ref : id === ref);
      if (!covered || milestoneCourtyardDone(m, y, t).done) continue;
      out.push({ kind: 'milestone', id: String(m._id), courtyardId: id, courtyardIds: [id], title: m.title, since: m.deadline, daysLate: daysBetween(m.deadline, today) });
    }
  }
  return out;
}

/** Assigned cadres of the scope's courtyards with less than half a day logged this week. */
async function missingVisits(models: Models, filter: Filter, now: Date): Promise<RawItem[]> {
  const yardIds = (await models.Courtyard.find(courtyardsOfFilter(filter)).select({ _id: 1 }).lean()).map((y) => y._id);
  if (yardIds.length === 0) return [];
  const inScope = new Set(yardIds.map(String));
  const monday = startOfBeijingWeek(now);
  const cadres = (await models.Cadre.find({ ...everAssignedTo(yardIds), roles: 'cadre' }).select({ name: 1, courtyards: 1, assignments: 1, active: 1 }).lean())
    .map((c) => ({ ...c, courtyards: courtyardsDuring(assignmentsOf(c), monday, now) }))
    .filter((c) => c.courtyards.some((id) => inScope.has(id)));
  if (cadres.length === 0) return [];
  // As the score counts it (干部下沉): the half day is due at each of a cadre's courtyards, logged there.
  const logged = await models.Visit.aggregate<{ _id: { cadre: Types.ObjectId; courtyard: Types.ObjectId }; hours: number }>([
    { $match: { cadre: { $in: cadres.map((c) => c._id) }, date: { $gte: monday, $lt: addBeijingDays(monday, 7) } } },
    { $group: { _id: { cadre: '$cadre', courtyard: '$courtyard' }, hours: { $sum: '$hours' } } },
  ]);
  const hoursAt = new Map(logged.map((l) => [`${l._id.cadre}|${l._id.courtyard}`, l.hours]));
  const thursday = addBeijingDays(monday, VISIT_LATE_FROM_WEEKDAY - 1);
  const out: RawItem[] = [];
  for (const c of cadres) {
    const own = c.courtyards.filter((id) => inScope.has(id) && (hoursAt.get(`${c._id}|${id}`) ?? 0) < VISIT_HOURS_PER_WEEK);
    if (own.length === 0) continue;
    const hours = own.reduce((sum, id) => sum + (hoursAt.get(`${c._id}|${id}`) ?? 0), 0);
    out.push({
      kind: 'visit',
      id: String(c._id),
      courtyardId: own[0]!,
      courtyardIds: own,
      title: c.name,
      who: c._id,
      since: thursday,
      daysLate: daysBetween(thursday, now),
      hours,
    });
  }
  return out;
}

/** Adds courtyard and street names and the responsible people (the cadres assigned at `t`, where nobody is named). */
async function describe(models: Models, raw: RawItem[], t: Date): Promise<OverdueItem[]> {
  const yardIds = [...new Set(raw.map((r) => r.courtyardId))].map((id) => new Types.ObjectId(id));
  const named = [...new Set(raw.filter((r) => r.who).map((r) => String(r.who)))].map((id) => new Types.ObjectId(id));
  const needYardCadres = raw.some((r) => !r.who);
  const [yards, people, yardCadres] = await Promise.all([
    models.Courtyard.find({ _id: { $in: yardIds } }).select({ name: 1, street: 1 }).lean(),
    named.length ? models.Cadre.find({ _id: { $in: named } }).select({ name: 1, userId: 1 }).lean() : [],
    needYardCadres
      ? models.Cadre.find({ ...everAssignedTo(yardIds), roles: 'cadre' }).select({ name: 1, userId: 1, courtyards: 1, assignments: 1, active: 1 }).sort({ name: 1 }).lean()
      : [],
  ]);
  const streets = await models.Street.find({ _id: { $in: [...new Set(yards.map((y) => String(y.street)))] } }).select({ name: 1 }).lean();
  const yardOf = new Map(yards.map((y) => [String(y._id), y]));
  const streetName = new Map(streets.map((s) => [String(s._id), s.name]));
  const personOf = new Map(people.map((p) => [String(p._id), p]));

  type Person = { _id: Types.ObjectId; name: string; userId?: string | null };
  // Each courtyard's assigned cadres (by name, as queried), for items with nobody named.
  const cadresOfYard = new Map<string, Person[]>();
  for (const c of yardCadres) {
    for (const id of courtyardsDuring(assignmentsOf(c), t, new Date(t.getTime() + 1))) {
      const list = cadresOfYard.get(id);
      if (list) list.push(c);
      else cadresOfYard.set(id, [c]);
    }
  }
  const responsible = (list: Person[]) => ({
    cadreIds: list.map((p) => String(p._id)),
    userIds: list.flatMap((p) => (p.userId ? [p.userId] : [])),
    names: list.map((p) => p.name),
  });

  return raw.map(({ who, ...r }) => {
    const yard = yardOf.get(r.courtyardId);
    const streetId = yard ? String(yard.street) : '';
    const person = who ? personOf.get(String(who)) : undefined;
    const list: Person[] = person ? [person] : (cadresOfYard.get(r.courtyardId) ?? []);
    return {
      ...r,
      courtyardName: yard?.name ?? '?',
      streetId,
      streetName: streetName.get(streetId) ?? '',
      responsible: responsible(list),
    };
  });
}
