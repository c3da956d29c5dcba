/**
 * What the score measures, gathered from MongoDB for one scope and one period. Every query
 * starts with a `$match` on indexed fields bounded by the period (or by what is still open),
 * so its cost follows the period's data, not the size of the history:
 * - projects: open ones (`status`) and those completed since the period began
 *   (`street`, `status`, `completedAt`): the campaign's active set, read whole; the ones
 *   finished before it only counted (each 100 % in 项目进度), from the same index;
 * - progress reports: only those made after the period's end (`street`/`courtyard`, `at`),
 *   to wind a project's percent back to what it was then;
 * - requests: those falling due in the period (`street`, `status`, `dueAt`);
 * - visits: the period's days (`street` or `cadre`, `date`).
 * The scope's own lists (streets, courtyards, the cadres assigned in the period) are read
 * whole: they are the things being ranked. Organisations and assignments are taken as they
 * stood in the period (src/services/history.ts), so a past period computes the same after
 * later changes.
 */
import { Types, type PipelineStage } from 'mongoose';
import type { Models } from '../db/models';
import { OPEN_PROJECT_STATUSES } from '../db/models/project';
import { addBeijingDays } from './beijing-time';
import { cancelledSince, countedRequests } from './counted';
import { assignmentsOf, courtyardsDuring, everAssignedTo, orgsAt, type Assignment, type OrgChangeLike } from './history';
import { onRosterSince } from './on-roster';
import { weeksOf, type Period } from './period';
import { VISIT_HOURS_PER_WEEK } from './score';

const WEEK_MS = 7 * 86_400_000;
/** Stands in for "never" in comparisons (a missing date is later than any deadline). */
const NEVER = new Date('9999-12-31T00:00:00Z');
/** Keeps `$in` lists well inside what a planner expands into index ranges. */
const IN_CHUNK = 500;

export interface StreetInfo {
  id: string;
  name: string;
}

export interface CourtyardInfo {
  _id: Types.ObjectId;
  id: string;
  name: string;
  streetId: string;
  communityId?: string;
  orgs: {
    party: { status: string; kind?: string; builtAt?: Date | null };
    selfGov: { status: string; kind?: string; builtAt?: Date | null };
    volunteerTeams: number;
  };
  orgHistory: OrgChangeLike[];
}

export interface CadreInfo {
  _id: Types.ObjectId;
  id: string;
  name: string;
  unit: string;
  /** The courtyards of the scope this cadre was assigned to in the period. */
  courtyardIds: string[];
  /** Its whole assignment history (all courtyards). */
  assignments: Assignment[];
}

/** Filter on the `street` / `courtyard` field that projects, reports, requests and visits carry. */
export type ActivityFilter = { street: Types.ObjectId | { $in: Types.ObjectId[] }; courtyard?: Types.ObjectId };

/** The things a scope ranks, and the filter that finds their activity. */
export interface ScopeData {
  kind: 'district' | 'street' | 'courtyard';
  streets: Map<string, StreetInfo>;
  /** By name. */
  courtyards: CourtyardInfo[];
  /** Cadres (role cadre) assigned to a courtyard of the scope at some time in the period, by name. */
  cadres: CadreInfo[];
  filter: ActivityFilter;
}

function objectId(id: string, what: string): Types.ObjectId {
  if (!Types.ObjectId.isValid(id)) throw new Error(`${what} is not an ObjectId: ${id}`);
  return new Types.ObjectId(id);
}

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name, 'zh-Hans-CN');

/**
 * Loads the streets, courtyards and cadres of the district, one street, or one courtyard;
 * the cadres are those assigned to one of its courtyards at some time in `period` (judged
 * up to `asOf`).
 */
export async function loadScope(
  models: Models,
  opts: { streetId?: string; courtyardId?: string },
  period: Pick<Period, 'start' | 'end'>,
  asOf: Date = period.end,
): Promise<ScopeData> {
  let kind: ScopeData['kind'] = 'district';
  let courtyardQuery: Record<string, unknown> = {};
  if (opts.courtyardId) {
    kind = 'courtyard';
    courtyardQuery = { _id: objectId(opts.courtyardId, 'courtyardId') };
  } else if (opts.streetId) {
    kind = 'street';
    courtyardQuery = { street: objectId(opts.streetId, 'streetId') };
  }
  // A courtyard added to the roster after the period is not ranked in it, nor one deactivated
  // before it began (one courtyard asked for by id is loaded even when deactivated).
  const listed = { $or: [{ listedAt: null }, { listedAt: { $lt: asOf > period.start ? asOf : period.end } }] };
  const onRoster = kind === 'courtyard' ? [] : [onRosterSince(period.start)];
  const courtyardDocs = await models.Courtyard.find({ ...courtyardQuery, $and: [listed, ...onRoster] }, { name: 1, street: 1, community: 1, orgs: 1, orgHistory: 1 }).lean();
  const courtyards: CourtyardInfo[] = courtyardDocs
    .map((c) => ({
      _id: c._id,
      id: String(c._id),
      name: c.name,
      streetId: String(c.street),
      communityId: c.community ? String(c.community) : undefined,
      orgs: {
        party: { status: c.orgs?.party?.status ?? '未建', kind: c.orgs?.party?.kind ?? undefined, builtAt: c.orgs?.party?.builtAt },
        selfGov: { status: c.orgs?.selfGov?.status ?? '未建', kind: c.orgs?.selfGov?.kind ?? undefined, builtAt: c.orgs?.selfGov?.builtAt },
        volunteerTeams: c.orgs?.volunteerTeams ?? 0,
      },
      orgHistory: (c.orgHistory ?? []) as OrgChangeLike[],
    }))
    .sort(byName);

  const streetQuery =
    kind === 'district' ? {} : { _id: { $in: [...new Set(courtyards.map((c) => c.streetId))].map((id) => new Types.ObjectId(id)) } };
  const streetDocs = await models.Street.find(streetQuery, { name: 1 }).lean();
  const streets = new Map(streetDocs.map((s) => [String(s._id), { id: String(s._id), name: s.name }]));

  const inScope = new Set(courtyards.map((c) => c.id));
  const fields = { name: 1, unit: 1, courtyards: 1, assignments: 1, active: 1 };
  const cadreDocs =
    kind === 'district'
      ? await models.Cadre.find({ roles: 'cadre' }, fields).lean()
      : (await Promise.all(chunks(courtyards.map((c) => c._id)).map((ids) => models.Cadre.find({ roles: 'cadre', ...everAssignedTo(ids) }, fields).lean()))).flat();
  const seen = new Set<string>();
  const cadres: CadreInfo[] = [];
  const end = new Date(Math.min(period.end.getTime(), Math.max(asOf.getTime(), period.start.getTime() + 1)));
  for (const c of cadreDocs) {
    const id = String(c._id);
    if (seen.has(id)) continue;
    seen.add(id);
    const assignments = assignmentsOf(c);
    const courtyardIds = courtyardsDuring(assignments, period.start, end).filter((y) => inScope.has(y));
    if (courtyardIds.length === 0) continue;
    cadres.push({ _id: c._id, id, name: c.name, unit: c.unit, courtyardIds, assignments });
  }
  cadres.sort(byName);

  let filter: ActivityFilter;
  // One courtyard: its street too, so that the (street, date/at/createdAt) indexes can serve.
  if (kind === 'courtyard') {
    const c = courtyards[0];
    if (!c) throw new Error(`no courtyard ${opts.courtyardId}`);
    filter = { street: new Types.ObjectId(c.streetId), courtyard: c._id };
  }
  else if (kind === 'street') filter = { street: objectId(opts.streetId!, 'streetId') };
  // The whole district: name every street, so that the street-led indexes serve the queries.
  else filter = { street: { $in: [...streets.keys()].map((id) => new Types.ObjectId(id)) } };
  return { kind, streets, courtyards, cadres, filter };
}

function chunks<T>(items: T[], size = IN_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out.length > 0 ? out : [[]];
}

/** What one courtyard or one cadre did in a period; the raw material of the score's parts. */
export interface Measures {
  /**
   * Percent at the end of the period of each project counted: a courtyard's projects not
   * cancelled (done: 100), a cadre's own. Empty: 无项目.
   */
  percents: number[];
  /** Projects completed in the period plus projects still overdue at its end … */
  timed: number;
  /** … and how many of them were completed by their deadline in force. */
  onTime: number;
  /** Requests whose feedback fell due in the period … */
  due: number;
  /** … of them fed back (or closed) by their due time … */
  fedBackOnTime: number;
  /** … and closed by the end of the period. */
  closed: number;
  /** A courtyard: per week of the period, the hours its assigned cadres logged at it. */
  weekHours: number[];
  /** A cadre: (courtyard, week) pairs of their assignment, and those with half a day logged there. */
  visitPairs: { met: number; total: number };
  /** The three organisations as they stood at the end (courtyards only). */
  orgs?: { party: boolean; selfGov: boolean; volunteerTeams: number };
}

export interface PeriodMeasures {
  /** The instant the period is judged at: its end, or `now` while it runs. */
  asOf: Date;
  /** The weeks (Mondays) of the period that have begun by `asOf`. */
  weeks: Date[];
  courtyards: Map<string, Measures>;
  cadres: Map<string, Measures>;
  /** Per cadre: hours on site at their courtyards in the period and weeks in which all of them had half a day. */
  visits: Map<string, { hours: number; weeksMet: number }>;
}

function emptyMeasures(): Measures {
  return { percents: [], timed: 0, onTime: 0, due: 0, fedBackOnTime: 0, closed: 0, weekHours: [], visitPairs: { met: 0, total: 0 } };
}

interface ProjectRow {
  _id: Types.ObjectId;
  courtyard: Types.ObjectId;
  owner?: Types.ObjectId;
  percent: number;
  status: string;
  deadline?: Date;
  postponements?: { from: Date; to: Date; at: Date }[];
  completedAt?: Date;
}

/** The deadline that applied at `t`: the last postponement made by then, else the original one. */
export function deadlineInForce(p: Pick<ProjectRow, 'deadline' | 'postponements'>, t: Date): Date | undefined {
  const made = [...(p.postponements ?? [])].sort((a, b) => a.at.getTime() - b.at.getTime());
  if (made.length === 0) return p.deadline ?? undefined;
  const applied = made.filter((x) => x.at <= t);
  return applied.length > 0 ? applied[applied.length - 1]!.to : made[0]!.from;
}

/** A deadline is a Beijing calendar day: late from the next day's 00:00. */
function lateFrom(deadline: Date): Date {
  return addBeijingDays(deadline, 1);
}

/** Measures every courtyard and cadre of `scope` for `period`, judged at min(end, now). */
export async function measurePeriod(models: Models, scope: ScopeData, period: Period, now: Date): Promise<PeriodMeasures> {
  // While the period runs, what was recorded at this very moment counts too.
  const asOf = new Date(Math.min(period.end.getTime(), now.getTime() + 1));
  const courtyards = new Map(scope.courtyards.map((c) => [c.id, emptyMeasures()]));
  const cadres = new Map(scope.cadres.map((c) => [c.id, emptyMeasures()]));
  const weeks = weeksOf(period).filter((monday) => monday < asOf);
  const result: PeriodMeasures = { asOf, weeks, courtyards, cadres, visits: new Map() };
  for (const c of scope.courtyards) {
    const o = orgsAt(c, asOf);
    courtyards.get(c.id)!.orgs = { party: o.party.status === '已建', selfGov: o.selfGov.status === '已建', volunteerTeams: o.volunteerTeams };
  }
  if (asOf <= period.start || scope.courtyards.length === 0) return result;

  const [projects, finished, percentThen, requests, visits] = await Promise.all([
    activeProjects(models, scope.filter, period.start, asOf),
    finishedBefore(models, scope.filter, period.start),
    percentsBefore(models, scope.filter, asOf),
    requestsDue(models, scope.filter, period.start, asOf),
    visitHours(models, scope, weeks, asOf),
  ]);

  for (const p of projects) {
    const yard = courtyards.get(String(p.courtyard));
    const owner = p.owner ? cadres.get(String(p.owner)) : undefined;
    const done = p.status === '已完成' && p.completedAt !== undefined && p.completedAt < asOf;
    const percent = done ? 100 : (percentThen.get(String(p._id)) ?? p.percent);
    // Finished before the period: counted in 项目进度 only (see finishedBefore).
    const finishedEarlier = done && p.completedAt! < period.start;
    let timed: boolean;
    let onTime = false;
    if (done) {
      const deadline = deadlineInForce(p, p.completedAt!);
      timed = !finishedEarlier;
      onTime = timed && (!deadline || p.completedAt! < lateFrom(deadline));
    } else {
      const deadline = deadlineInForce(p, asOf);
      timed = deadline !== undefined && lateFrom(deadline) <= asOf;
    }
    for (const m of [yard, owner]) {
      if (!m) continue;
      m.percents.push(percent);
      if (timed) m.timed++;
      if (onTime) m.onTime++;
    }
  }
  for (const f of finished) {
    const yard = courtyards.get(String(f._id.courtyard));
    const owner = f._id.owner ? cadres.get(String(f._id.owner)) : undefined;
    for (const m of [yard, owner]) if (m) for (let i = 0; i < f.n; i++) m.percents.push(100);
  }

  for (const r of requests) {
    const targets = [courtyards.get(String(r._id.courtyard)), r._id.assignee ? cadres.get(String(r._id.assignee)) : undefined];
    for (const m of targets) {
      if (!m) continue;
      m.due += r.due;
      m.fedBackOnTime += r.fedBackOnTime;
      m.closed += r.closed;
    }
  }

  // 干部下沉: only hours logged at a courtyard count for it, and only those of the cadres assigned to it that week.
  const hoursOf = (cadre: string, yard: string, week: number) => visits.get(`${cadre}|${yard}|${week}`) ?? 0;
  const weekEnd = (w: number) => new Date(Math.min(addBeijingDays(weeks[w]!, 7).getTime(), asOf.getTime()));
  for (const c of scope.courtyards) {
    const m = courtyards.get(c.id)!;
    m.weekHours = weeks.map(() => 0);
  }
  for (const cadre of scope.cadres) {
    const m = cadres.get(cadre.id)!;
    let hours = 0;
    let weeksMet = 0;
    weeks.forEach((monday, w) => {
      const yards = courtyardsDuring(cadre.assignments, monday, weekEnd(w));
      let allMet = yards.length > 0;
      for (const y of yards) {
        const h = hoursOf(cadre.id, y, w);
        hours += h;
        m.visitPairs.total++;
        if (h >= VISIT_HOURS_PER_WEEK) m.visitPairs.met++;
        else allMet = false;
        const yard = courtyards.get(y);
        if (yard) yard.weekHours[w]! += h;
      }
      if (allMet) weeksMet++;
    });
    result.visits.set(cadre.id, { hours, weeksMet });
  }
  return result;
}

/**
 * Projects open now, completed since `since`, or cancelled after `asOf`: everything that was
 * active in a period starting at `since`, as a view at `asOf` sees it. Each `$or` branch carries the scope so that each can use an index.
 */
async function activeProjects(models: Models, filter: ActivityFilter, since: Date, asOf: Date): Promise<ProjectRow[]> {
  const pipeline: PipelineStage[] = [
    {
      $match: {
        $or: [
          { ...filter, status: { $in: [...OPEN_PROJECT_STATUSES] }, createdAt: { $lt: asOf } },
          { ...filter, status: '已完成', completedAt: { $gte: since }, createdAt: { $lt: asOf } },
          // Cancelled after the moment judged: it was open then (src/services/counted.ts).
          { ...filter, ...cancelledSince(asOf), createdAt: { $lt: asOf } },
        ],
      },
    },
    { $project: { courtyard: 1, owner: 1, percent: 1, status: 1, deadline: 1, postponements: 1, completedAt: 1 } },
  ];
  return models.Project.aggregate<ProjectRow>(pipeline);
}

/** Per courtyard and owner, how many projects were finished before `since` (each 100 % in 项目进度). */
async function finishedBefore(models: Models, filter: ActivityFilter, since: Date): Promise<{ _id: { courtyard: Types.ObjectId; owner?: Types.ObjectId | null }; n: number }[]> {
  return models.Project.aggregate([
    { $match: { ...filter, status: '已完成', completedAt: { $lt: since } } },
    { $group: { _id: { courtyard: '$courtyard', owner: '$owner' }, n: { $sum: 1 } } },
  ]);
}

/**
 * Each project's percent just before `asOf`, for the projects reported on since: the
 * `previousPercent` of its first report at or after `asOf`. Projects absent kept their percent.
 */
export async function percentsBefore(models: Models, filter: ActivityFilter | { street?: Types.ObjectId; courtyard?: Types.ObjectId }, asOf: Date): Promise<Map<string, number>> {
  const rows = await models.ProgressReport.aggregate<{ _id: Types.ObjectId; percent: number | null }>([
    { $match: { ...filter, at: { $gte: asOf } } },
    { $sort: { at: 1 } },
    { $group: { _id: '$project', percent: { $first: '$previousPercent' } } },
  ]);
  return new Map(rows.map((r) => [String(r._id), r.percent ?? 0]));
}

interface RequestGroup {
  _id: { courtyard: Types.ObjectId; assignee?: Types.ObjectId | null };
  due: number;
  fedBackOnTime: number;
  closed: number;
}

/** Requests falling due in [start, asOf), counted per courtyard and assignee. */
async function requestsDue(models: Models, filter: ActivityFilter, start: Date, asOf: Date): Promise<RequestGroup[]> {
  const firstAnswer = { $ifNull: [{ $min: ['$feedbackAt', '$closedAt'] }, NEVER] };
  return models.ResidentRequest.aggregate<RequestGroup>([
    // Every counted status named (src/services/counted.ts), so that the (street, status, dueAt) index bounds the scan by dueAt.
    { $match: { ...filter, ...countedRequests(), dueAt: { $gte: start, $lt: asOf } } },
    {
      $group: {
        _id: { courtyard: '$courtyard', assignee: '$assignee' },
        due: { $sum: 1 },
        fedBackOnTime: { $sum: { $cond: [{ $lte: [firstAnswer, '$dueAt'] }, 1, 0] } },
        closed: { $sum: { $cond: [{ $lt: [{ $ifNull: ['$closedAt', NEVER] }, asOf] }, 1, 0] } },
      },
    },
  ]);
}

/**
 * Hours on site per cadre, courtyard and week of the period (key `cadre|courtyard|week`):
 * the visits at the scope's courtyards, and (outside the district scope) the scope's cadres'
 * visits at their other courtyards, which count in their own score.
 */
async function visitHours(models: Models, scope: ScopeData, weeks: Date[], asOf: Date): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (weeks.length === 0) return out;
  const first = weeks[0]!;
  const end = new Date(Math.min(addBeijingDays(weeks[weeks.length - 1]!, 7).getTime(), asOf.getTime()));
  const date = { $gte: first, $lt: end };
  const matches: Record<string, unknown>[] = [{ ...scope.filter, date }];
  if (scope.kind !== 'district') matches.push(...chunks(scope.cadres.map((c) => c._id)).filter((ids) => ids.length > 0).map((ids) => ({ cadre: { $in: ids }, date })));
  const groups = await Promise.all(
    matches.map((match) =>
      models.Visit.aggregate<{ _id: { cadre: Types.ObjectId; courtyard: Types.ObjectId; week: number }; hours: number }>([
        { $match: match },
        {
          $group: {
            _id: { cadre: '$cadre', courtyard: '$courtyard', week: { $floor: { $divide: [{ $subtract: ['$date', first] }, WEEK_MS] } } },
            hours: { $sum: '$hours' },
          },
        },
      ]),
    ),
  );
  for (const g of groups.flat()) out.set(`${g._id.cadre}|${g._id.courtyard}|${g._id.week}`, g.hours);
  return out;
}
