/**
 * Phase deadlines (挂图作战 milestones, e.g. 8月10日前 党组织全覆盖): which courtyards a
 * milestone covers, which of them are done, finding one by title.
 *
 * A courtyard is done when it was ticked off (`/节点 完成`, the milestone's `done` list) or,
 * for a milestone whose title names organisations (党组织, 自治组织/业委会/自管会/议事会,
 * 志愿, or 三类组织 for all three), as soon as /组织 records them (已建; volunteer teams ≥ 1).
 * The latter is derived when read, never written, so undoing an /组织 undoes it too.
 */
import type { QueryFilter, Types } from 'mongoose';
import { nameKey } from '../text/normalize';
import type { CourtyardDoc, Milestone, MilestoneDoc, Models } from '../db/models';
import { UserError } from '../errors';
import { orgsAt, type WithOrgHistory } from './history';
import { matchName } from './name-match';
import { orgCoverage, type OrgKey } from './orgs';
import type { Scope } from './scope';

export type MilestoneScope = Milestone['scope'];

/** The organisations a milestone's title names (all must be in place for a courtyard to count). */
export function milestoneOrgs(title: string): OrgKey[] {
  if (/三类组织|三个组织/.test(title)) return ['party', 'selfGov', 'volunteer'];
  const orgs: OrgKey[] = [];
  if (/党组织|党支部|党小组/.test(title)) orgs.push('party');
  if (/自治组织|业委会|自管会|议事会/.test(title)) orgs.push('selfGov');
  if (/志愿/.test(title)) orgs.push('volunteer');
  return orgs;
}

/** The Courtyard filter of a milestone's scope. */
export function milestoneCourtyardFilter(scope: MilestoneScope): { street?: Types.ObjectId; _id?: Types.ObjectId } {
  if (scope.kind === 'street' && scope.refId) return { street: scope.refId };
  if (scope.kind === 'courtyard' && scope.refId) return { _id: scope.refId };
  return {};
}

/** A group's scope as a milestone scope (none → the district). */
export function toMilestoneScope(scope: Scope): MilestoneScope {
  if (scope.kind === 'street') return { kind: 'street', refId: scope.street._id };
  if (scope.kind === 'courtyard') return { kind: 'courtyard', refId: scope.courtyard._id };
  return { kind: 'district' };
}

/** `全区`, the street's or the courtyard's name. */
export async function milestoneScopeLabel(models: Models, scope: MilestoneScope): Promise<string> {
  if (scope.kind === 'street') return (await models.Street.findById(scope.refId, { name: 1 }))?.name ?? '?';
  if (scope.kind === 'courtyard') return (await models.Courtyard.findById(scope.refId, { name: 1 }))?.name ?? '?';
  return '全区';
}

/**
 * Milestones that apply to (some courtyard of) a scope: district-wide ones, the street's,
 * and those of its courtyards. 'none' and 'district' see all.
 */
export async function milestonesFilter(models: Models, scope: Scope): Promise<QueryFilter<Milestone>> {
  if (scope.kind === 'none' || scope.kind === 'district') return {};
  const streetId = scope.kind === 'street' ? scope.street._id : scope.courtyard.street;
  const yards: Types.ObjectId[] =
    scope.kind === 'street' ? (await models.Courtyard.find({ street: streetId }, { _id: 1 })).map((c) => c._id as Types.ObjectId) : [scope.courtyard._id];
  return {
    $or: [
      { 'scope.kind': 'district' },
      { 'scope.kind': 'street', 'scope.refId': streetId },
      { 'scope.kind': 'courtyard', 'scope.refId': { $in: yards } },
    ],
  };
}

/** Whether a milestone's scope includes the courtyard. */
export function coversCourtyard(scope: MilestoneScope, courtyard: Pick<CourtyardDoc, '_id' | 'street'>): boolean {
  if (scope.kind === 'street') return Boolean(scope.refId?.equals(courtyard.street));
  if (scope.kind === 'courtyard') return Boolean(scope.refId?.equals(courtyard._id));
  return true;
}

/** Whether two milestone scopes share a courtyard (a title must be unique where they do). */
export async function scopesOverlap(models: Models, a: MilestoneScope, b: MilestoneScope): Promise<boolean> {
  if (a.kind === 'district' || b.kind === 'district') return true;
  if (a.kind === b.kind) return Boolean(a.refId?.equals(b.refId!));
  const [street, yard] = a.kind === 'street' ? [a, b] : [b, a];
  const courtyard = await models.Courtyard.findById(yard.refId, { street: 1 });
  return Boolean(courtyard && street.refId?.equals(courtyard.street));
}

export interface CourtyardState {
  courtyard: CourtyardDoc;
  done: boolean;
  /** When it was done: ticked off, or (derived) when the last required organisation was built. */
  at?: Date;
  /** Done through /组织 rather than ticked off. */
  auto: boolean;
}

type YardForMilestone = Pick<CourtyardDoc, '_id'> & WithOrgHistory;

/**
 * Whether a courtyard had done a milestone by `t` — the one definition /节点, /查询, /逾期
 * and the pushes use: ticked off by then, or (a milestone naming organisations) those
 * organisations in place then (src/services/history.ts).
 */
export function milestoneCourtyardDone(m: Pick<Milestone, 'title' | 'done'>, courtyard: YardForMilestone, t: Date): { done: boolean; at?: Date; auto: boolean } {
  const ticked = m.done.find((d) => d.courtyard.equals(courtyard._id) && (!d.at || d.at <= t));
  if (ticked) return { done: true, at: ticked.at ?? undefined, auto: false };
  const orgs = milestoneOrgs(m.title);
  if (orgs.length === 0) return { done: false, auto: false };
  const state = orgsAt(courtyard, t);
  const cover = orgCoverage(state);
  if (!orgs.every((k) => cover[k])) return { done: false, auto: false };
  const built = [orgs.includes('party') ? state.party.builtAt : null, orgs.includes('selfGov') ? state.selfGov.builtAt : null]
    .filter((d): d is Date => d instanceof Date)
    .sort((x, y) => y.getTime() - x.getTime());
  return { done: true, at: built[0], auto: true };
}

/** Each courtyard of the milestone (within `within`, when given), done or not as of `now`, by name. */
export async function milestoneStates(models: Models, m: MilestoneDoc, within?: Scope, now: Date = new Date()): Promise<CourtyardState[]> {
  const filter: Record<string, unknown> = { ...milestoneCourtyardFilter(m.scope) };
  if (within?.kind === 'street') {
    if (filter.street && !(filter.street as Types.ObjectId).equals(within.street._id)) return [];
    filter.street = within.street._id;
  }
  const yards = (await models.Courtyard.find(filter).sort({ name: 1 })).filter(
    (y) => within?.kind !== 'courtyard' || y._id.equals(within.courtyard._id),
  );
  return yards.map((courtyard) => ({ courtyard, ...milestoneCourtyardDone(m, courtyard, now) }));
}

/**
 * A milestone by title among those that apply to `scope` (see {@link milestonesFilter}):
 * exact, prefix, containing or a near spelling; several → the candidates.
 */
export async function findMilestone(models: Models, text: string, scope: Scope): Promise<MilestoneDoc> {
  const all = await models.Milestone.find(await milestonesFilter(models, scope)).sort({ deadline: 1 });
  const match = matchName(all, (m) => [m.title], text);
  if (match.kind === 'one') return match.item;
  if (match.kind === 'many') {
    const exact = match.items.filter((m) => nameKey(m.title) === nameKey(text));
    if (exact.length === 1) return exact[0]!;
    const named = await Promise.all(match.items.slice(0, 8).map(async (m) => `${m.title}（${await milestoneScopeLabel(models, m.scope)}）`));
    throw new UserError(`「${text}」对应多个节点：${named.join('、')}。请写全名，或在对应的群里发送`);
  }
  const near = match.near.length ? `，你是不是要找：${match.near.map((m) => m.title).join('、')}？` : '。';
  throw new UserError(`没有找到节点「${text}」${near}发送 /节点 列表 查看`);
}
