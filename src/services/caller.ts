import type { Types } from 'mongoose';
import type { Config } from '../config';
import type { CadreDoc, Models, Role } from '../db/models';
import { writeGeneration } from '../db/models/writes';
import { RECORD_CACHE_MS, recordCache } from './record-cache';

/** Where an admin's or leader's role applies. */
export type RoleScope = { kind: 'district' } | { kind: 'street'; street: Types.ObjectId };

/** Who sent the message, as the roster and ADMIN_USERIDS see them. */
export interface Caller {
  userId: string;
  /** Roster name, else the WeCom display name, else the userid. */
  name: string;
  /** The roster entry linked to this userid, if any. */
  cadre: CadreDoc | null;
  /** Effective roles (a roster entry linked by /登记 keeps only 'cadre'). */
  roles: ReadonlySet<Role>;
  /** Scope of the admin and leader roles. */
  roleScope: RoleScope;
  /** Courtyards the caller is assigned to as a cadre. */
  courtyardIds: Types.ObjectId[];
}

/**
 * Looks the sender up: the roster entry with this WeCom userid gives the name, roles and
 * courtyards; `config.adminUserIds` are district admins whatever the roster says. Admin and
 * leader rights come only from the roster import (userIdSource 'roster') or ADMIN_USERIDS,
 * never from /登记.
 */
export async function resolveCaller(
  models: Models,
  config: Pick<Config, 'adminUserIds'>,
  sender: { userId: string; name?: string },
): Promise<Caller> {
  const cadre = await cachedCadre(models, sender.userId);
  const roles = new Set<Role>();
  let roleScope: RoleScope = { kind: 'district' };
  if (cadre) {
    for (const role of cadre.roles) {
      if (role === 'cadre' || cadre.userIdSource === 'roster') roles.add(role);
    }
    if (cadre.scope.kind === 'street' && cadre.scope.refId) roleScope = { kind: 'street', street: cadre.scope.refId };
  }
  if (config.adminUserIds.includes(sender.userId)) {
    roles.add('admin');
    roleScope = { kind: 'district' };
  }
  return {
    userId: sender.userId,
    name: cadre?.name ?? sender.name ?? sender.userId,
    cadre,
    roles,
    roleScope,
    courtyardIds: roles.has('cadre') && cadre ? [...cadre.courtyards] : [],
  };
}

/**
 * How long a roster entry read for a caller is used again: a change another process makes
 * (the import CLI, another instance) is seen within this; one this process makes at once.
 */
export const CALLER_CACHE_MS = RECORD_CACHE_MS;

/**
 * The active roster entry linked to `userId`, read at most once per CALLER_CACHE_MS per
 * process, and again after any write to cadres through this process's models. The entry is
 * shared by the messages that use it: nothing writes through it (changes go through
 * ctx.audit, which reads the record itself).
 */
const cachedCadre = recordCache(
  () => writeGeneration('Cadre'),
  (models, userId): Promise<CadreDoc | null> => models.Cadre.findOne({ userId, active: true }),
);
