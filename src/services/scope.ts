/**
 * The scope a group is bound to (/绑定): the whole district, a street office or one
 * courtyard; and the query filters that follow from it.
 */
import { Types } from 'mongoose';
import type { CourtyardDoc, GroupRecord, Models, StreetDoc } from '../db/models';
import { cachedCourtyard, cachedStreet } from './record-cache';

export type Scope =
  /** A 1:1 chat, or a group nobody has bound yet. */
  | { kind: 'none' }
  | { kind: 'district' }
  | { kind: 'street'; street: StreetDoc }
  | { kind: 'courtyard'; courtyard: CourtyardDoc; street: StreetDoc | null };

/**
 * Loads the scope a group is bound to; 'none' for no group, an unbound one, or a binding
 * whose target is gone. The courtyard and street are the per-process cached records
 * (src/services/record-cache.ts): read only.
 */
export async function resolveGroupScope(models: Models, group: GroupRecord | null): Promise<Scope> {
  const kind = group?.scope?.kind;
  const refId = group?.scope?.refId;
  if (!group || !kind) return { kind: 'none' };
  if (kind === 'district') return { kind: 'district' };
  if (!refId) return { kind: 'none' };
  if (kind === 'street') {
    const street = await cachedStreet(models, refId);
    return street ? { kind: 'street', street } : { kind: 'none' };
  }
  const courtyard = await cachedCourtyard(models, refId);
  if (!courtyard) return { kind: 'none' };
  return { kind: 'courtyard', courtyard, street: await cachedStreet(models, courtyard.street) };
}

/** How a scope is named in chat: 全区, 济源路街道, 东方花园, 未绑定. */
export function scopeLabel(scope: Scope): string {
  switch (scope.kind) {
    case 'none':
      return '未绑定';
    case 'district':
      return '全区';
    case 'street':
      return scope.street.name;
    case 'courtyard':
      return scope.courtyard.name;
  }
}

/** What a listing in a group covers: an unbound group (or a 1:1 chat) lists the whole district. */
export function listingLabel(scope: Scope): string {
  return scope.kind === 'none' ? '全区' : scopeLabel(scope);
}

/**
 * Filter on the `street` / `courtyard` fields that projects, requests, visits and progress
 * reports all carry: `Project.find({ ...scopeFilter(scope), status: '进行中' })`.
 * 'none' and 'district' filter nothing.
 */
export function scopeFilter(scope: Scope): { street?: Types.ObjectId; courtyard?: Types.ObjectId } {
  if (scope.kind === 'street') return { street: scope.street._id };
  if (scope.kind === 'courtyard') return { courtyard: scope.courtyard._id };
  return {};
}

/** Filter on the Courtyard model for the courtyards of a scope. */
export function courtyardFilter(scope: Scope): { street?: Types.ObjectId; _id?: Types.ObjectId } {
  if (scope.kind === 'street') return { street: scope.street._id };
  if (scope.kind === 'courtyard') return { _id: scope.courtyard._id };
  return {};
}

/** The courtyards of a scope, by name. */
export async function courtyardsInScope(models: Models, scope: Scope): Promise<CourtyardDoc[]> {
  return models.Courtyard.find(courtyardFilter(scope)).sort({ name: 1 });
}

/** A scope that names a place: the district, a street office or a courtyard. */
export type Place = Exclude<Scope, { kind: 'none' }>;

/** A scope by ids, as jobs, links and rankings hold it: nothing named is the district. */
export interface ScopeRef {
  streetId?: string;
  courtyardId?: string;
}

/** The ids of a scope ('none' and 'district' name nothing). */
export function scopeRef(scope: Scope | ScopeRef): ScopeRef {
  if (!('kind' in scope)) return scope;
  if (scope.kind === 'street') return { streetId: String(scope.street._id) };
  if (scope.kind === 'courtyard') return { courtyardId: String(scope.courtyard._id), streetId: String(scope.courtyard.street) };
  return {};
}

/** The `street` / `courtyard` filter of projects, requests, visits and reports in a scope given either way. */
export function activityFilter(scope: Scope | ScopeRef): { street?: Types.ObjectId; courtyard?: Types.ObjectId } {
  if ('kind' in scope) return scopeFilter(scope);
  if (scope.courtyardId) return { courtyard: new Types.ObjectId(scope.courtyardId) };
  if (scope.streetId) return { street: new Types.ObjectId(scope.streetId) };
  return {};
}

/** The Courtyard filter of a scope given either way. */
export function courtyardsOf(scope: Scope | ScopeRef): { street?: Types.ObjectId; _id?: Types.ObjectId } {
  if ('kind' in scope) return courtyardFilter(scope);
  if (scope.courtyardId) return { _id: new Types.ObjectId(scope.courtyardId) };
  if (scope.streetId) return { street: new Types.ObjectId(scope.streetId) };
  return {};
}

/** Who asks, as far as the scope they look after goes (a structural slice of the bot's Caller). */
export interface ScopeAsker {
  scope: Scope;
  caller: { roles: ReadonlySet<string>; roleScope: { kind: 'district' } | { kind: 'street'; street: Types.ObjectId } };
  /** The group's courtyard, or in a 1:1 chat the caller's only one. */
  defaultCourtyard: CourtyardDoc | null;
}

/**
 * The scope a caller looks after, the one definition /查询, /逾期 and /排名 use: the
 * group's binding; in a 1:1 chat or an unbound group, an admin's or leader's role scope
 * (the district or their street), else a cadre's only courtyard; undefined when none of these.
 */
export async function callerScope(models: Models, asker: ScopeAsker): Promise<Place | undefined> {
  const { scope, caller } = asker;
  if (scope.kind !== 'none') return scope;
  const manages = caller.roles.has('admin') || caller.roles.has('leader');
  if (manages && caller.roleScope.kind === 'district') return { kind: 'district' };
  if (manages && caller.roleScope.kind === 'street') {
    const street = await cachedStreet(models, caller.roleScope.street);
    if (street) return { kind: 'street', street };
  }
  const yard = asker.defaultCourtyard;
  if (yard) return { kind: 'courtyard', courtyard: yard, street: await cachedStreet(models, yard.street) };
  return undefined;
}
