/**
 * Writes a checked roster plan: streets, then communities, courtyards and cadres, each
 * upserted by its natural key — street name; (street, name) for communities and
 * courtyards; userid, else (name, unit), for cadres. Only the fields the roster gives are
 * set, so a re-import changes nothing that did not change, and never clears what chat
 * commands recorded (/组织, /登记). Every change goes through the audit log (actor 'import'),
 * and changes of the three organisations and of cadres' courtyards keep their dated history
 * (src/services/history.ts) in the same write.
 */
import { randomBytes } from 'node:crypto';
import { Types, type Model, type QueryFilter, type UpdateQuery } from 'mongoose';
import { nameKey } from '../text/normalize';
import type { Models } from '../db/models';
import { createAudit } from '../services/audit';
import { assignmentGuard, orgChange, orgGuard, orgState, reassignment } from '../services/history';
import type { RosterPlan } from './validate';

/** Records created, updated and left as they were, per table. */
export interface RosterCounts {
  streets: TableCounts;
  communities: TableCounts;
  courtyards: TableCounts;
  cadres: TableCounts;
}

export interface TableCounts {
  created: number;
  updated: number;
  unchanged: number;
}

/** What the import did to one record the file lists (for the report: report.ts). */
export interface RosterRecord {
  model: 'Street' | 'Community' | 'Courtyard' | 'Cadre';
  /** In a dry run, a created record's id is made up. */
  id: Types.ObjectId;
  op: 'created' | 'updated' | 'unchanged';
  /** The record as found (or as created): its name, and its street or unit where it has one. */
  doc: Record<string, unknown>;
  /** Each field an update changes. */
  changes: FieldChange[];
}

export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

export interface RosterOutcome {
  counts: RosterCounts;
  records: RosterRecord[];
}

export interface ApplyOptions {
  now: Date;
  /** Count what would change, write nothing. */
  dryRun?: boolean;
}

const emptyCounts = (): TableCounts => ({ created: 0, updated: 0, unchanged: 0 });

function valueAt(doc: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), doc);
}

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    const x = Array.isArray(a) ? a : [];
    const y = Array.isArray(b) ? b : [];
    return x.length === y.length && x.every((v, i) => same(v, y[i]));
  }
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (a instanceof Types.ObjectId || b instanceof Types.ObjectId) return String(a) === String(b);
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return (a ?? null) === (b ?? null);
}

/** `{ 'orgs.party.kind': x }` → `{ orgs: { party: { kind: x } } }`, for creating a record. */
function nested(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(fields)) {
    const keys = path.split('.');
    let node = out;
    keys.slice(0, -1).forEach((k) => (node = (node[k] ??= {}) as Record<string, unknown>));
    node[keys[keys.length - 1]!] = value;
  }
  return out;
}

/** Drops undefined values: an empty cell leaves the field as it is. */
function given(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

export async function applyRoster(models: Models, plan: RosterPlan, opts: ApplyOptions): Promise<RosterOutcome> {
  const audit = createAudit({ models, actor: 'import', actorName: '花名册导入', command: 'npm run import', msgId: `import:${opts.now.toISOString()}:${randomBytes(4).toString('hex')}`, now: opts.now });
  const counts: RosterCounts = { streets: emptyCounts(), communities: emptyCounts(), courtyards: emptyCounts(), cadres: emptyCounts() };
  const records: RosterRecord[] = [];
  /** Notes a record for the report: created (no `changed`), else updated with `changed` or unchanged. */
  const note = (model: { modelName: string }, id: Types.ObjectId, doc: Record<string, unknown>, changed?: Record<string, unknown>) => {
    const changes = Object.entries(changed ?? {}).map(([path, after]) => ({ path, before: valueAt(doc, path), after }));
    const op = !changed ? 'created' : changes.length ? 'updated' : 'unchanged';
    records.push({ model: model.modelName as RosterRecord['model'], id, op, doc, changes });
    return id;
  };

  /**
   * Creates or updates the record `filter` finds; returns its id (a fresh one in a dry run).
   * `history` adds what the change's dated history needs to the same write.
   */
  async function upsert<T>(
    model: Model<T>,
    filter: QueryFilter<T>,
    fields: Record<string, unknown>,
    tally: TableCounts,
    history?: { create?: Record<string, unknown>; update?: (existing: Record<string, unknown>, changed: Record<string, unknown>) => Record<string, unknown> },
  ): Promise<Types.ObjectId> {
    const existing = await model.findOne(filter).lean<Record<string, unknown>>();
    if (!existing) {
      tally.created++;
      if (opts.dryRun) return note(model, new Types.ObjectId(), nested({ ...(filter as Record<string, unknown>), ...fields }));
      const created = await audit.create(model, { ...nested({ ...(filter as Record<string, unknown>), ...fields }), ...history?.create } as Partial<T>);
      return note(model, created._id as Types.ObjectId, created.toObject());
    }
    const changed = Object.fromEntries(Object.entries(fields).filter(([path, value]) => !same(valueAt(existing, path), value)));
    if (Object.keys(changed).length === 0) {
      tally.unchanged++;
    } else {
      tally.updated++;
      const { guard = {}, ...extra } = history?.update?.(existing, changed) ?? {};
      const set = { ...changed, ...(extra.$set as Record<string, unknown> | undefined) };
      // The history is written with the change, guarded by what it was computed from.
      if (!opts.dryRun && !(await audit.update(model, { _id: existing._id, ...(guard as object) } as QueryFilter<T>, { ...extra, $set: set } as UpdateQuery<T>))) {
        throw new Error(`${model.modelName} ${String(existing._id)} changed while the roster was imported; run the import again`);
      }
    }
    return note(model, existing._id as Types.ObjectId, existing, changed);
  }

  /** A courtyard's organisations changed by the roster: the history entry of the change. */
  const orgHistory = (existing: Record<string, unknown>, changed: Record<string, unknown>) => {
    if (!Object.keys(changed).some((k) => k.startsWith('orgs.'))) return {};
    const before = orgState(existing.orgs as never);
    const after = orgState(existing.orgs as never);
    for (const [path, value] of Object.entries(changed)) {
      const [, org, field] = path.split('.');
      if (org === 'volunteerTeams') after.volunteerTeams = value as number;
      else if ((org === 'party' || org === 'selfGov') && (field === 'status' || field === 'kind')) after[org] = { ...after[org], [field]: value };
    }
    return { guard: orgGuard(existing.orgs as never), $push: { orgHistory: orgChange(before, after, opts.now, 'import') } };
  };

  const streetIds = new Map<string, Types.ObjectId>();
  for (const s of await models.Street.find().lean()) streetIds.set(s.name, s._id);
  for (const s of plan.streets) {
    const kind = s.kind ?? (/镇$/.test(s.name) ? '镇' : /办事处$/.test(s.name) ? '办事处' : undefined);
    streetIds.set(s.name, await upsert(models.Street, { name: s.name }, given({ aliases: s.aliases, district: s.district, kind }), counts.streets));
  }
  const streetId = (name: string) => streetIds.get(name)!;

  const communityIds = new Map<string, Types.ObjectId>();
  const communityKey = (street: string, name: string) => `${street}/${nameKey(name)}`;
  const streetNames = new Map([...streetIds].map(([name, id]) => [String(id), name]));
  for (const c of await models.Community.find().lean()) communityIds.set(communityKey(streetNames.get(String(c.street)) ?? '', c.name), c._id);
  for (const c of plan.communities) {
    const id = await upsert(models.Community, { street: streetId(c.street), name: c.name }, given({ aliases: c.aliases }), counts.communities);
    communityIds.set(communityKey(c.street, c.name), id);
  }

  const courtyardIds = new Map<string, Types.ObjectId>();
  for (const y of await models.Courtyard.find().lean()) courtyardIds.set(communityKey(streetNames.get(String(y.street)) ?? '', y.name), y._id);
  for (const y of plan.courtyards) {
    const fields = given({
      aliases: y.aliases,
      community: y.community ? communityIds.get(communityKey(y.street, y.community)) : undefined,
      households: y.households,
      partyMembers: y.partyMembers,
      kind: y.kind,
      management: y.management,
      'orgs.party.kind': y.party?.kind,
      'orgs.party.status': y.party?.status,
      'orgs.selfGov.kind': y.selfGov?.kind,
      'orgs.selfGov.status': y.selfGov?.status,
      'orgs.volunteerTeams': y.volunteerTeams,
      demonstration: y.demonstration,
      'selfGovContact.name': y.selfGovContact?.name,
      'selfGovContact.userId': y.selfGovContact?.userId,
    });
    const id = await upsert(models.Courtyard, { street: streetId(y.street), name: y.name }, fields, counts.courtyards, { create: { listedAt: opts.now }, update: orgHistory });
    courtyardIds.set(communityKey(y.street, y.name), id);
  }

  for (const p of plan.cadres) {
    const owner = p.userId ? await models.Cadre.findOne({ userId: p.userId }, { _id: 1 }).lean() : null;
    const filter = owner ? { _id: owner._id } : { name: p.name, unit: p.unit };
    const scope = p.scope && (p.scope.kind === 'district' ? { kind: 'district' } : { kind: 'street', refId: streetId(p.scope.street) });
    const fields = given({
      name: owner ? p.name : undefined,
      unit: owner ? p.unit : undefined,
      mobile: p.mobile,
      userId: p.userId,
      userIdSource: p.userId ? 'roster' : undefined,
      roles: p.roles,
      scope,
      courtyards: p.courtyards?.map((c) => courtyardIds.get(communityKey(c.street, c.name))!),
    });
    // Assignments are dated: a cadre's courtyards change from the import's time on.
    const courtyards = fields.courtyards as Types.ObjectId[] | undefined;
    await upsert(models.Cadre, filter, fields, counts.cadres, {
      create: courtyards ? { assignments: courtyards.map((courtyard) => ({ courtyard, from: opts.now, to: null })) } : undefined,
      update: (existing, changed) =>
        changed.courtyards ? { guard: assignmentGuard(existing as never), $set: { assignments: reassignment(existing as never, courtyards!, opts.now).assignments } } : {},
    });
  }
  return { counts, records };
}
