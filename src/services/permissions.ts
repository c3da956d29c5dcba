/**
 * Who may run what. A command declares roles (`allow`); the dispatcher checks that the
 * caller holds one of them before parsing arguments, and the command checks the target
 * with `ctx.assertInScope(target)` once it knows it: an admin or leader of a street covers
 * that street's courtyards, a district one covers everything, a cadre covers the
 * courtyards assigned to them (and projects they own).
 */
import type { Types } from 'mongoose';
import type { Models, Role } from '../db/models';
import type { Caller } from './caller';

/** `'anyone'` (registered or not) or the roles that may run a command. */
export type Allow = 'anyone' | readonly Role[];

export const ROLE_LABELS: Record<Role, string> = { cadre: '分包干部', admin: '管理员', leader: '领导' };

/** What a command acts on, as far as permissions go. */
export interface ScopeTarget {
  /** A courtyard (its street is taken from it). */
  courtyard?: { _id: Types.ObjectId; street: Types.ObjectId };
  /** A street office (for street-level actions: scores, street bindings). */
  street?: Types.ObjectId;
  /** The whole district (leadership bindings, district-wide reports). */
  district?: boolean;
  /** The project's or request's responsible cadre: covers a cadre who is not assigned to the courtyard. */
  owner?: Types.ObjectId | null;
}

/** Whether the caller holds one of the roles at all (the gate before arguments are read). */
export function holdsRole(caller: Caller, allow: Allow): boolean {
  return allow === 'anyone' || allow.some((role) => caller.roles.has(role));
}

/** Whether `role`, held by the caller, covers `target`. */
export function roleCovers(caller: Caller, role: Role, target: ScopeTarget): boolean {
  if (!caller.roles.has(role)) return false;
  if (role === 'cadre') {
    if (target.owner && caller.cadre?._id.equals(target.owner)) return true;
    return Boolean(target.courtyard && caller.courtyardIds.some((id) => id.equals(target.courtyard!._id)));
  }
  if (caller.roleScope.kind === 'district') return true;
  if (target.district) return false;
  const street = target.street ?? target.courtyard?.street;
  return Boolean(street && street.equals(caller.roleScope.street));
}

/** Whether any of the allowed roles covers `target`. */
export function allowCovers(caller: Caller, allow: Allow, target: ScopeTarget): boolean {
  return allow === 'anyone' || allow.some((role) => roleCovers(caller, role, target));
}

/** `分包干部或管理员`. */
export function describeRoles(allow: Allow): string {
  if (allow === 'anyone') return '所有人';
  return allow.map((r) => ROLE_LABELS[r]).join('或');
}

/**
 * Up to `limit` people who hold one of the roles for `target` (or, with no target, anywhere),
 * as `张三（分包干部）`: for the "who may do it" line of a refusal.
 */
export async function whoMay(models: Models, allow: Allow, target: ScopeTarget | undefined, limit = 5): Promise<string[]> {
  if (allow === 'anyone') return [];
  const people = await models.Cadre.find({ active: true, userId: { $exists: true }, roles: { $in: [...allow] } })
    .sort({ name: 1 })
    .limit(200);
  const out: string[] = [];
  for (const p of people) {
    const roles = allow.filter((role) => {
      if (!p.roles.includes(role)) return false;
      if (role !== 'cadre' && p.userIdSource !== 'roster') return false;
      if (!target) return true;
      if (role === 'cadre') return Boolean(target.courtyard && p.courtyards.some((c) => c.equals(target.courtyard!._id)));
      if (p.scope.kind === 'district') return true;
      const street = target.street ?? target.courtyard?.street;
      return Boolean(!target.district && street && p.scope.refId?.equals(street));
    });
    if (roles.length) out.push(`${p.name}（${roles.map((r) => ROLE_LABELS[r]).join('、')}）`);
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * whoMay, for a refusal shown to `caller`: names only for people on the roster (or holding a
 * role); an unregistered account is not told who the admins are.
 */
export async function contactsFor(models: Models, caller: Caller, allow: Allow, target: ScopeTarget | undefined, limit = 3): Promise<string[]> {
  if (!caller.cadre && caller.roles.size === 0) return [];
  return whoMay(models, allow, target, limit);
}
