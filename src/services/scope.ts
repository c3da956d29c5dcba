/**
 * The scope a group is bound to (/绑定): the whole district, a street office or one
 * courtyard; and the query filters that follow from it.
 */
import type { Types } from 'mongoose';
import type { CourtyardDoc, GroupDoc, Models, StreetDoc } from '../db/models';

export type Scope =
  /** A 1:1 chat, or a group nobody has bound yet. */
  | { kind: 'none' }
  | { kind: 'district' }
  | { kind: 'street'; street: StreetDoc }
  | { kind: 'courtyard'; courtyard: CourtyardDoc; street: StreetDoc | null };

/** Loads the scope a group is bound to; 'none' for no group, an unbound one, or a binding whose target is gone. */
export async function resolveGroupScope(models: Models, group: GroupDoc | null): Promise<Scope> {
  const kind = group?.scope?.kind;
  const refId = group?.scope?.refId;
  if (!group || !kind) return { kind: 'none' };
  if (kind === 'district') return { kind: 'district' };
  if (!refId) return { kind: 'none' };
  if (kind === 'street') {
    const street = await models.Street.findById(refId);
    return street ? { kind: 'street', street } : { kind: 'none' };
  }
  const courtyard = await models.Courtyard.findById(refId);
  if (!courtyard) return { kind: 'none' };
  return { kind: 'courtyard', courtyard, street: await models.Street.findById(courtyard.street) };
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
