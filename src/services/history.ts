/**
 * Dated history of what a past period is judged on: a courtyard's three organisations and a
 * cadre's assigned courtyards. Both live in the record itself (Courtyard.orgHistory,
 * Cadre.assignments) and change in the same update as the current value, so a change and
 * its history are one conditional write: the filter from {@link orgGuard} /
 * {@link assignmentGuard} refuses the write when someone changed the record since it was
 * read, and the caller reads again.
 *
 * Records made before history was kept have none: their current value counts all along
 * (an organisation with a `builtAt` only from then on).
 *
 * Users: /组织 and the roster import (organisations, assignments); issue 13's `/干部
 * 新增/调整/停用` is meant to call {@link reassignment} the same way.
 */
import type { Types } from 'mongoose';

export interface OrgUnit {
  status: string;
  kind?: string | null;
  builtAt?: Date | null;
}

/** The three organisations at one moment. */
export interface OrgState {
  party: OrgUnit;
  selfGov: OrgUnit;
  volunteerTeams: number;
}

export interface OrgChange {
  at: Date;
  by?: string | null;
  before: OrgState;
  after: OrgState;
}

type UnitLike = { status?: string | null; kind?: string | null; builtAt?: Date | null };
type OrgsLike = { party?: UnitLike | null; selfGov?: UnitLike | null; volunteerTeams?: number | null } | null | undefined;

const unit = (u: UnitLike | null | undefined): OrgUnit => ({
  status: u?.status ?? '未建',
  ...(u?.kind ? { kind: u.kind } : {}),
  ...(u?.builtAt ? { builtAt: u.builtAt } : {}),
});

/** A stored `orgs` (or history state) in plain form. */
export function orgState(orgs: OrgsLike): OrgState {
  return { party: unit(orgs?.party), selfGov: unit(orgs?.selfGov), volunteerTeams: orgs?.volunteerTeams ?? 0 };
}

/** An organisation recorded as built only after `t` was not built at `t`. */
function asOf(state: OrgState, t: Date): OrgState {
  const at = (u: OrgUnit): OrgUnit => (u.status === '已建' && u.builtAt && u.builtAt >= t ? { ...u, status: '未建' } : u);
  return { party: at(state.party), selfGov: at(state.selfGov), volunteerTeams: state.volunteerTeams };
}

/** An entry of Courtyard.orgHistory as read (a mongoose subdocument or a lean object). */
export interface OrgChangeLike {
  at: Date;
  before?: OrgsLike;
  after?: OrgsLike;
}

/** A courtyard's organisations with their history. */
export interface WithOrgHistory {
  orgs?: OrgsLike;
  orgHistory?: Iterable<OrgChangeLike> | null;
}

/** The organisations of a courtyard as they stood at `t`. */
export function orgsAt(courtyard: WithOrgHistory, t: Date): OrgState {
  const history = [...(courtyard.orgHistory ?? [])];
  if (history.length === 0) return asOf(orgState(courtyard.orgs), t);
  let state: OrgState | undefined;
  for (const change of history) if (change.at <= t) state = orgState(change.after);
  return asOf(state ?? orgState(history[0]!.before), t);
}

/** The history entry of a change from `before` to `after`. */
export function orgChange(before: OrgsLike, after: OrgsLike, at: Date, by: string): OrgChange {
  return { at, by, before: orgState(before), after: orgState(after) };
}

/**
 * The filter that lets an organisation change through only if the organisations are still
 * as read: `{ _id, ...orgGuard(courtyard.orgs) }`.
 */
export function orgGuard(orgs: OrgsLike): Record<string, unknown> {
  const s = orgState(orgs);
  return {
    'orgs.party.status': s.party.status,
    'orgs.party.kind': s.party.kind ?? null,
    'orgs.selfGov.status': s.selfGov.status,
    'orgs.selfGov.kind': s.selfGov.kind ?? null,
    'orgs.volunteerTeams': s.volunteerTeams,
  };
}

export interface Assignment {
  courtyard: Types.ObjectId;
  from: Date;
  /** null while it lasts. */
  to: Date | null;
}

/** "Since before history was kept": the start of an assignment nobody dated. */
export const BEFORE_HISTORY = new Date(0);

type CadreLike = { courtyards?: readonly Types.ObjectId[] | null; assignments?: readonly { courtyard: Types.ObjectId; from: Date; to?: Date | null }[] | null; active?: boolean | null };

/** A cadre's assignments: its history, or (none kept yet) its current courtyards all along while active. */
export function assignmentsOf(cadre: CadreLike): Assignment[] {
  if (cadre.assignments?.length) return cadre.assignments.map((a) => ({ courtyard: a.courtyard, from: a.from, to: a.to ?? null }));
  if (cadre.active === false) return [];
  return (cadre.courtyards ?? []).map((courtyard) => ({ courtyard, from: BEFORE_HISTORY, to: null }));
}

const overlaps = (a: Assignment, start: Date, end: Date) => a.from < end && (a.to === null || a.to > start);

/** The courtyards (ids) a cadre was assigned to at some time in [start, end). */
export function courtyardsDuring(assignments: readonly Assignment[], start: Date, end: Date): string[] {
  return [...new Set(assignments.filter((a) => overlaps(a, start, end)).map((a) => String(a.courtyard)))];
}

/**
 * The update that makes `courtyards` a cadre's assignment from `at` on: stretches of
 * courtyards dropped end at `at`, new ones begin there. `$set` both fields with the
 * filter `{ _id, ...assignmentGuard(cadre) }`.
 */
export function reassignment(cadre: CadreLike, courtyards: readonly Types.ObjectId[], at: Date): { courtyards: Types.ObjectId[]; assignments: Assignment[] } {
  const wanted = new Set(courtyards.map(String));
  const history = assignmentsOf(cadre);
  const open = new Set(history.filter((a) => a.to === null).map((a) => String(a.courtyard)));
  const next = history.map((a) => (a.to === null && !wanted.has(String(a.courtyard)) ? { ...a, to: at } : a));
  for (const c of courtyards) if (!open.has(String(c))) next.push({ courtyard: c, from: at, to: null });
  return { courtyards: [...courtyards], assignments: next };
}

/** The filter that lets a reassignment through only if the courtyards are still as read. */
export function assignmentGuard(cadre: CadreLike): Record<string, unknown> {
  return { courtyards: [...(cadre.courtyards ?? [])] };
}

/** Cadres assigned (now or at some time) to one of `courtyards`: a query on Cadre. */
export function everAssignedTo(courtyards: readonly Types.ObjectId[]): Record<string, unknown> {
  return { $or: [{ courtyards: { $in: courtyards } }, { 'assignments.courtyard': { $in: courtyards } }] };
}
