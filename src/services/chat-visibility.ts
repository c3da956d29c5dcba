/**
 * What someone may read in a chat: the rule /看板 follows (src/dashboard/scope.ts), for every
 * chat command. A group's members see the group's scope (a courtyard group its courtyard, a
 * street group its street, a leadership or district group the district); people on the
 * roster see, besides, their own scope (a district admin or leader everything, a street's
 * its street, a cadre the courtyards assigned to them); anyone else sees only the group's.
 * A courtyard group holds residents and cadres of other units: other courtyards' projects,
 * owners, cadres, hours and requests are not theirs to read.
 */
import type { Types } from 'mongoose';
import type { Role } from '../db/models';
import { scopeLabel, type Scope } from './scope';

/** The parts of a caller the rule looks at. */
export interface Reader {
  roles: ReadonlySet<Role>;
  roleScope: { kind: 'district' } | { kind: 'street'; street: Types.ObjectId };
  /** Courtyards assigned to the reader as a cadre. */
  courtyardIds: readonly Types.ObjectId[];
}

/** Where a reader's view reaches: the whole district, or these streets and courtyards. */
export interface Visibility {
  district: boolean;
  streets: Types.ObjectId[];
  courtyards: Types.ObjectId[];
}

/** What `reader` may read in a chat bound to `scope` ('none': a 1:1 chat or an unbound group). */
export function chatVisibility(reader: Reader, scope: Scope): Visibility {
  const v: Visibility = { district: scope.kind === 'district', streets: [], courtyards: [] };
  if (scope.kind === 'street') v.streets.push(scope.street._id);
  if (scope.kind === 'courtyard') v.courtyards.push(scope.courtyard._id);
  if (reader.roles.has('admin') || reader.roles.has('leader')) {
    if (reader.roleScope.kind === 'district') v.district = true;
    else v.streets.push(reader.roleScope.street);
  }
  if (reader.roles.has('cadre')) v.courtyards.push(...reader.courtyardIds);
  return v;
}

/** What is read: a courtyard (with its street), a street office, or the whole district. */
export type ReadTarget =
  | { courtyard: { _id: Types.ObjectId; street: Types.ObjectId } }
  | { street: Types.ObjectId }
  | { district: true };

/** Whether the view reaches `target`. */
export function canSee(v: Visibility, target: ReadTarget): boolean {
  if (v.district) return true;
  if ('district' in target) return false;
  if ('street' in target) return v.streets.some((s) => s.equals(target.street));
  const { _id, street } = target.courtyard;
  return v.streets.some((s) => s.equals(street)) || v.courtyards.some((c) => c.equals(_id));
}

/** The read target of a place (a listing's scope); null for 'none'. */
export function placeTarget(scope: Scope): ReadTarget | null {
  if (scope.kind === 'district') return { district: true };
  if (scope.kind === 'street') return { street: scope.street._id };
  if (scope.kind === 'courtyard') return { courtyard: scope.courtyard };
  return null;
}

/** Whether the view reaches nothing at all (an unregistered account in a 1:1 chat or an unbound group). */
export function seesNothing(v: Visibility): boolean {
  return !v.district && v.streets.length === 0 && v.courtyards.length === 0;
}

/**
 * The filter, on the `street` / `courtyard` fields that projects, requests and visits carry,
 * of what the view reaches (`{}` for the district, nothing for a view that reaches nothing).
 */
export function visibleFilter(v: Visibility): Record<string, unknown> {
  if (v.district) return {};
  if (seesNothing(v)) return { _id: { $in: [] } };
  const or: Record<string, unknown>[] = [];
  if (v.streets.length) or.push({ street: { $in: v.streets } });
  if (v.courtyards.length) or.push({ courtyard: { $in: v.courtyards } });
  return or.length === 1 ? or[0]! : { $or: or };
}

/**
 * The refusal when a reader asks for what the view does not reach: what they may see here
 * instead. Names nobody (an unregistered account is not told who the admins are).
 */
export function invisibleText(scope: Scope, registered: boolean): string {
  const own = registered ? '和你负责的范围' : '；分包干部、管理员的企业微信账号登记到花名册后，可查看自己负责的范围';
  if (scope.kind === 'none') return registered ? '你只能查看你负责的范围' : '请在楼院或街道的工作群里查询：群里可以查看本群的情况';
  return `在本群只能查看「${scopeLabel(scope)}」${own}`;
}
