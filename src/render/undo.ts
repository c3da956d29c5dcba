/** What /撤销 undid, in words (the undo itself is src/services/undo.ts's). */
import type { AuditEntry } from '../db/models';

type Doc = Record<string, unknown>;

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
