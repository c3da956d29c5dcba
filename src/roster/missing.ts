/**
 * People and courtyards the file leaves out. A file's 干部 or 楼院 sheet (with at least one
 * row) is the whole list of its table: the active ones it leaves out are reported, and
 * deactivated only when asked (--remove-missing). Ones it lists that were deactivated
 * become active again. A deactivated person's assignments end then (history.ts), so past
 * periods still count them. Each change is one conditional write, through the audit log.
 */
import { randomBytes } from 'node:crypto';
import type { Model, QueryFilter, Types, UpdateQuery } from 'mongoose';
import type { Models } from '../db/models';
import { createAudit } from '../services/audit';
import { assignmentGuard, reassignment } from '../services/history';
import type { RosterRecord } from './apply';

export type ListModel = 'Courtyard' | 'Cadre';

/** A record whose state the import changes, or would change (left out: only reported unless removed). */
export interface StateChange {
  model: ListModel;
  id: Types.ObjectId;
  doc: Record<string, unknown>;
  /** left out and still active / deactivated now / listed again and reactivated. */
  op: 'missing' | 'deactivated' | 'reactivated';
}

export interface MissingOptions {
  now: Date;
  dryRun: boolean;
  removeMissing: boolean;
  /** The tables the file lists in full (it has rows of them). */
  listed: readonly ListModel[];
}

const byName = (docs: Record<string, unknown>[]) => docs.sort((a, b) => String(a.name).localeCompare(String(b.name), 'zh-Hans-CN'));

/** Settles the state of the courtyards and people, after applyRoster wrote what the file lists. */
export async function settleListed(models: Models, records: readonly RosterRecord[], opts: MissingOptions): Promise<StateChange[]> {
  const audit = createAudit({ models, actor: 'import', actorName: '花名册导入', command: 'npm run import', msgId: `import:${opts.now.toISOString()}:${randomBytes(4).toString('hex')}`, now: opts.now });
  const out: StateChange[] = [];

  /** `deactivation(doc)`: what else the write that deactivates `doc` sets, and the filter guarding it. */
  async function settle<T>(model: Model<T>, name: ListModel, deactivation: (doc: Record<string, unknown>) => { guard: object; $set: object }): Promise<void> {
    const ids = records.filter((r) => r.model === name).map((r) => r.id);
    const fields = { name: 1, unit: 1, street: 1, courtyards: 1, assignments: 1, active: 1 };
    const write = async (filter: Record<string, unknown>, update: Record<string, unknown>) =>
      opts.dryRun || (await audit.update(model, filter as QueryFilter<T>, update as UpdateQuery<T>)) !== null;
    for (const doc of byName(await model.find({ _id: { $in: ids }, active: false } as QueryFilter<T>, fields).lean<Record<string, unknown>[]>())) {
      if (await write({ _id: doc._id, active: false }, { $set: { active: true }, $unset: { deactivatedAt: 1 } })) {
        out.push({ model: name, id: doc._id as Types.ObjectId, doc, op: 'reactivated' });
      }
    }
    for (const doc of byName(await model.find({ _id: { $nin: ids }, active: { $ne: false } } as QueryFilter<T>, fields).lean<Record<string, unknown>[]>())) {
      if (!opts.removeMissing) out.push({ model: name, id: doc._id as Types.ObjectId, doc, op: 'missing' });
      else if (await write({ _id: doc._id, active: { $ne: false }, ...deactivation(doc).guard }, { $set: { active: false, deactivatedAt: opts.now, ...deactivation(doc).$set } })) {
        out.push({ model: name, id: doc._id as Types.ObjectId, doc, op: 'deactivated' });
      }
    }
  }

  if (opts.listed.includes('Courtyard')) await settle(models.Courtyard, 'Courtyard', () => ({ guard: {}, $set: {} }));
  if (opts.listed.includes('Cadre')) {
    // Unassigned from now on: the assignments end, and a past period still counts them.
    await settle(models.Cadre, 'Cadre', (doc) => ({ guard: assignmentGuard(doc as never), $set: reassignment(doc as never, [], opts.now) }));
  }
  return out;
}
