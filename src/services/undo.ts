/**
 * /撤销 for a caller: the generic undo of src/services/audit.ts (`undoLast`), plus what the
 * caller needs to hear — what was undone, in words, and, when the last record is too old,
 * which admin can still correct it.
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

/** A record of the audit log in words: `诉求 #7`, `项目 #12「路面硬化」`, `下沉记录（4小时）`. */
export function describeRecord(modelName: string, doc: Doc): string {
  const no = typeof doc.no === 'number' ? ` #${doc.no}` : '';
  const title = typeof doc.title === 'string' ? `「${doc.title}」` : '';
  const name = typeof doc.name === 'string' ? `「${doc.name}」` : '';
  switch (modelName) {
    case 'ResidentRequest':
      return `诉求${no}`;
    case 'Project':
      return `项目${no}${title}`;
    case 'ProgressReport':
      return `进度报告${typeof doc.percent === 'number' ? `（${doc.percent}%）` : ''}`;
    case 'Visit':
      return `下沉记录${typeof doc.hours === 'number' ? `（${doc.hours}小时）` : ''}`;
    case 'InspectionScore':
      return `观摩评分${typeof doc.score === 'number' ? `（${doc.score}分）` : ''}`;
    case 'Milestone':
      return `节点${title}`;
    case 'Group':
      return '群绑定';
    case 'Cadre':
      return `花名册${name}`;
    case 'RegistrationClaim':
      return '登记申请';
    case 'Courtyard':
      return `楼院${name}`;
    case 'Street':
      return `街道${name}`;
    case 'Community':
      return `社区${name}`;
    case 'AccountEntry':
      return `事务公开收支${no}${typeof doc.item === 'string' ? `「${doc.item}」` : ''}`;
    default:
      return '记录';
  }
}

/** `删除了新建的诉求 #7` / `诉求 #7 恢复为修改前的内容（点单）` / `恢复了被删除的…`, one per change, newest first. */
export function describeUndone(entries: readonly Pick<AuditEntry, 'modelName' | 'op' | 'before' | 'after'>[]): string[] {
  return entries.map((e) => {
    const doc = ((e.op === 'create' ? e.after : e.before) ?? {}) as Doc;
    const what = describeRecord(e.modelName, doc);
    if (e.op === 'create') return `删除了新建的${what}`;
    if (e.op === 'update') return `${what} 恢复为修改前的内容${typeof doc.status === 'string' ? `（${doc.status}）` : ''}`;
    return `恢复了被删除的${what}`;
  });
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
