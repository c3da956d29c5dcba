/**
 * From a link's scope to the records it names, and what it may see: a district link every
 * courtyard, a street link its street's, a courtyard link that courtyard.
 */
import { Types } from 'mongoose';
import type { Models } from '../db/models';
import { cachedCourtyard, cachedStreet } from '../services/record-cache';
import type { Place, Scope } from '../services/scope';
import type { DashboardScope } from './link';

/** A scope whose street or courtyard exists. */
export type ResolvedScope = Place;

/** Loads what a link names; null when its street or courtyard is gone (the link then shows nothing). */
export async function resolveDashboardScope(models: Models, scope: DashboardScope): Promise<ResolvedScope | null> {
  if (scope.kind === 'district') return { kind: 'district' };
  if (scope.kind === 'street') {
    const street = await cachedStreet(models, scope.streetId);
    return street ? { kind: 'street', street } : null;
  }
  const courtyard = await cachedCourtyard(models, scope.courtyardId);
  if (!courtyard) return null;
  return { kind: 'courtyard', courtyard, street: await cachedStreet(models, courtyard.street) };
}

/** The link scope of a group's binding (/看板); null for an unbound group. */
export function dashboardScopeOf(scope: Scope): DashboardScope | null {
  if (scope.kind === 'district') return { kind: 'district' };
  if (scope.kind === 'street') return { kind: 'street', streetId: String(scope.street._id) };
  if (scope.kind === 'courtyard') return { kind: 'courtyard', courtyardId: String(scope.courtyard._id) };
  return null;
}

/** Whether a courtyard (by id and street) lies in `scope`. */
export function courtyardVisible(scope: ResolvedScope, courtyard: { _id: Types.ObjectId; street: Types.ObjectId }): boolean {
  if (scope.kind === 'district') return true;
  if (scope.kind === 'street') return courtyard.street.equals(scope.street._id);
  return courtyard._id.equals(scope.courtyard._id);
}
