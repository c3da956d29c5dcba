/**
 * /撤销 for a caller: the generic undo of src/services/audit.ts (`undoLast`), plus what the
 * caller needs to hear when the last record is too old: which admin can still correct it.
 * What was undone, in words, is src/render/undo.ts's.
 */
import type { Types } from 'mongoose';
import { escapeMarkdown } from '../text/markdown';
import type { Caller } from './caller';
import { contactsFor, type ScopeTarget } from './permissions';
import type { AuditEntry, Models } from '../db/models';
import { UserError } from '../errors';
import { UNDO_WINDOW_MS, undoLast, type UndoResult } from './audit';
import { formatDateTime } from './beijing-time';

type Doc = Record<string, unknown>;

const isId = (v: unknown): v is Types.ObjectId => typeof v === 'object' && v !== null && '_bsontype' in v;

/** Where a logged record belongs, for "who may fix it": its courtyard, its street, or the district. */
function targetOf(entry: Pick<AuditEntry, 'modelName' | 'docId' | 'before' | 'after'>): ScopeTarget {
  const doc = (entry.after ?? entry.before ?? {}) as Doc;
  if (entry.modelName === 'Courtyard' && isId(doc.street)) return { courtyard: { _id: entry.docId, street: doc.street } };
  if (entry.modelName === 'Street') return { street: entry.docId };
  if (isId(doc.courtyard) && isId(doc.street)) return { courtyard: { _id: doc.courtyard, street: doc.street } };
  if (isId(doc.street)) return { street: doc.street };
  return { district: true };
}

/**
 * Undoes `actor`'s latest command (see `undoLast`). When there is nothing, or the latest is
 * older than the window, throws a UserError saying so — for a too-old record, naming the
 * admins who can still correct it (to a caller on the roster).
 */
export async function undoForCaller(models: Models, caller: Caller, now: Date, windowMs = UNDO_WINDOW_MS): Promise<UndoResult> {
  const actor = caller.userId;
  const last = await models.AuditEntry.findOne({ actor, undoneAt: null }).sort({ at: -1, seq: -1 });
  if (!last) throw new UserError('你没有可以撤销的记录');
  if (now.getTime() - last.at.getTime() > windowMs) {
    const admins = await contactsFor(models, caller, ['admin'], targetOf(last), 3);
    const lines = [
      `只能撤销 ${Math.round(windowMs / 60_000)} 分钟内的记录；你最近的一条是 ${formatDateTime(last.at, now)} 的「${escapeMarkdown(last.command)}」，已超过 ${Math.round(windowMs / 60_000)} 分钟。`,
      `如需更正，请联系管理员${admins.length ? `：${admins.join('、')}` : ''}`,
    ];
    throw new UserError(lines.join('\n'));
  }
  return undoLast(models, actor, now, windowMs);
}
