/**
 * A courtyard's figures — the one definition /查询, the Excel and the dashboard show: its
 * three organisations, its projects, its requests (src/services/requests.ts), its assigned
 * cadres' half day at it this week, and what is late (src/services/overdue.ts), all as they
 * stood at one moment (now, or a period's end).
 */
import type { Types } from 'mongoose';
import type { Models } from '../db/models';
import { addBeijingDays, startOfBeijingWeek } from './beijing-time';
import { projectsCountedAt } from './counted';
import { assignmentsOf, courtyardsDuring, everAssignedTo, orgsAt, type OrgState } from './history';
import { countItems, findOverdue, NO_OVERDUE, type OverdueCount, type OverdueItem } from './overdue';
import { NO_REQUESTS, requestFiguresByCourtyard, sumRequestFigures, type RequestFigures } from './requests';
import { activityFilter, courtyardsOf, type Scope, type ScopeRef } from './scope';
import { percentsBefore } from './score-measures';
import { VISIT_HOURS_PER_WEEK } from './score';

export interface Figures {
  courtyards: number;
  /** Courtyards with each organisation built (volunteers: at least one team), and with all three. */
  orgs: { party: number; selfGov: number; volunteer: number; full: number };
  /** Projects that existed then and were not cancelled by then (src/services/counted.ts); done ones count 100 in `percentSum`. */
  projects: { total: number; done: number; percentSum: number };
  requests: RequestFigures;
  /** Assigned cadres (a cadre of several courtyards counts in each), and those with half a day at the courtyard this week. */
  cadres: { total: number; met: number };
  /** Late at that moment, by kind. */
  overdue: OverdueCount;
}

/** One assigned cadre's week at a courtyard. */
export interface CadreWeek {
  id: string;
  name: string;
  userId?: string | null;
  courtyardIds: string[];
  /** Hours logged this week at each of their courtyards. */
  hoursAt: Map<string, number>;
}

export interface ScopeFigures {
  byYard: Map<string, Figures & { orgState: OrgState; name: string; streetId: string }>;
  /** Everything late in the scope at that moment (all kinds). */
  overdue: OverdueItem[];
  /** The assigned cadres of the scope's courtyards this week, by name. */
  cadres: CadreWeek[];
}

export function emptyFigures(): Figures {
  return {
    courtyards: 0,
    orgs: { party: 0, selfGov: 0, volunteer: 0, full: 0 },
    projects: { total: 0, done: 0, percentSum: 0 },
    requests: NO_REQUESTS,
    cadres: { total: 0, met: 0 },
    overdue: { ...NO_OVERDUE },
  };
}

/** Adds figures up (an area over its courtyards). */
export function sumFigures(list: Iterable<Figures>): Figures {
  const t = emptyFigures();
  const requests: RequestFigures[] = [];
  for (const f of list) {
    t.courtyards += f.courtyards;
    for (const k of ['party', 'selfGov', 'volunteer', 'full'] as const) t.orgs[k] += f.orgs[k];
    for (const k of ['total', 'done', 'percentSum'] as const) t.projects[k] += f.projects[k];
    t.cadres.total += f.cadres.total;
    t.cadres.met += f.cadres.met;
    for (const k of ['project', 'request', 'milestone', 'total'] as const) t.overdue[k] += f.overdue[k];
    requests.push(f.requests);
  }
  t.requests = sumRequestFigures(requests);
  return t;
}

/** Mean project progress (0–100), or undefined without projects. */
export function meanProgress(f: Figures): number | undefined {
  return f.projects.total > 0 ? f.projects.percentSum / f.projects.total : undefined;
}

/** The figures of every courtyard of `scope` at `at` (now, or a period's end). */
export async function scopeFigures(models: Models, scope: Scope | ScopeRef, at: Date): Promise<ScopeFigures> {
  const filter = activityFilter(scope);
  const bound = new Date(at.getTime() + 1);
  const yards = await models.Courtyard.find(courtyardsOf(scope), { name: 1, street: 1, orgs: 1, orgHistory: 1 }).lean();
  const yardIds = yards.map((y) => y._id);
  const monday = startOfBeijingWeek(at);
  const weekEnd = addBeijingDays(monday, 7);
  const [projects, percentThen, requests, overdue, cadreDocs, visits] = await Promise.all([
    models.Project.find({ ...filter, ...projectsCountedAt(bound) }, { courtyard: 1, status: 1, percent: 1, completedAt: 1 }).lean(),
    percentsBefore(models, filter, bound),
    requestFiguresByCourtyard(models, filter, at),
    findOverdue(models, { scope, now: at }),
    yardIds.length ? models.Cadre.find({ roles: 'cadre', ...everAssignedTo(yardIds) }, { name: 1, userId: 1, courtyards: 1, assignments: 1, active: 1 }).sort({ name: 1 }).lean() : [],
    models.Visit.aggregate<{ _id: { cadre: Types.ObjectId; courtyard: Types.ObjectId }; hours: number }>([
      { $match: { ...filter, date: { $gte: monday, $lt: new Date(Math.min(weekEnd.getTime(), bound.getTime())) } } },
      { $group: { _id: { cadre: '$cadre', courtyard: '$courtyard' }, hours: { $sum: '$hours' } } },
    ]),
  ]);

  const byYard: ScopeFigures['byYard'] = new Map();
  for (const y of yards) {
    const state = orgsAt(y, at);
    const party = state.party.status === '已建';
    const selfGov = state.selfGov.status === '已建';
    const volunteer = state.volunteerTeams > 0;
    byYard.set(String(y._id), {
      ...emptyFigures(),
      courtyards: 1,
      orgs: { party: +party, selfGov: +selfGov, volunteer: +volunteer, full: +(party && selfGov && volunteer) },
      requests: requests.get(String(y._id)) ?? NO_REQUESTS,
      orgState: state,
      name: y.name,
      streetId: String(y.street),
    });
  }
  for (const p of projects) {
    const f = byYard.get(String(p.courtyard));
    if (!f) continue;
    const done = p.status === '已完成' && p.completedAt && p.completedAt < bound;
    f.projects.total++;
    if (done) f.projects.done++;
    f.projects.percentSum += done ? 100 : (percentThen.get(String(p._id)) ?? p.percent);
  }
  const counts = countItems(overdue);
  for (const [id, c] of counts.courtyards) {
    const f = byYard.get(id);
    if (f) f.overdue = c;
  }
  const hours = new Map(visits.map((v) => [`${v._id.cadre}|${v._id.courtyard}`, v.hours]));
  const inScope = new Set(yards.map((y) => String(y._id)));
  const cadres: CadreWeek[] = [];
  for (const c of cadreDocs) {
    const own = courtyardsDuring(assignmentsOf(c), at, bound).filter((id) => inScope.has(id));
    if (own.length === 0) continue;
    const hoursAt = new Map(own.map((y) => [y, hours.get(`${c._id}|${y}`) ?? 0]));
    cadres.push({ id: String(c._id), name: c.name, userId: c.userId, courtyardIds: own, hoursAt });
    for (const y of own) {
      const f = byYard.get(y)!;
      f.cadres.total++;
      if (hoursAt.get(y)! >= VISIT_HOURS_PER_WEEK) f.cadres.met++;
    }
  }
  return { byYard, overdue, cadres };
}
