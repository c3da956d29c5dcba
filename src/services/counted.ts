/**
 * The one home of what counts: which projects and requests the figures, scores, overdue
 * lists, the dashboard and the pushes take in (issue 13). Every surface asks here.
 *
 * - A cancelled project (/项目 取消) counts nowhere from its cancellation on; a view of an
 *   earlier moment (a past period recomputed) takes it as it stood then, still open. One
 *   cancelled before cancellations were dated (no `cancelledAt`) never counts.
 * - A voided request (/诉求 作废: a duplicate or spam) never counted, in any period.
 *
 * Published ranking snapshots are stored and do not change (src/services/snapshots.ts).
 */
import { OPEN_PROJECT_STATUSES } from '../db/models/project';
import { COUNTED_REQUEST_STATUSES } from '../db/models/resident-request';

/** The status of a cancelled project. */
export const CANCELLED = '已取消';
/** The status of a voided request. */
export const VOIDED = '已作废';

/**
 * The filter of projects counted in a view taken at `bound` (exclusive: a change at `bound`
 * or later has not happened yet): created before it, and not cancelled before it.
 * Combine with `$and` (it holds an `$or`).
 */
export function projectsCountedAt(bound: Date): Record<string, unknown> {
  return { createdAt: { $lt: bound }, $or: [{ status: { $ne: CANCELLED } }, { cancelledAt: { $gte: bound } }] };
}

/** The filter of projects cancelled at or after `bound`: open as a view at `bound` sees them. */
export function cancelledSince(bound: Date): Record<string, unknown> {
  return { status: CANCELLED, cancelledAt: { $gte: bound } };
}

type ProjectLike = { status: string; completedAt?: Date | null; cancelledAt?: Date | null };

/** Whether a project was cancelled by `bound` (exclusive). */
export function cancelledBy(p: ProjectLike, bound: Date): boolean {
  return p.status === CANCELLED && (!p.cancelledAt || p.cancelledAt < bound);
}

/** Whether a project was still to be done at `t`: open now, or completed or cancelled at `t` or later. */
export function openAt(p: ProjectLike, t: Date): boolean {
  if ((OPEN_PROJECT_STATUSES as readonly string[]).includes(p.status)) return true;
  if (p.status === '已完成') return !!p.completedAt && p.completedAt >= t;
  return p.status === CANCELLED && !!p.cancelledAt && p.cancelledAt >= t;
}

/** The filter of requests that count (every status but 已作废); spread into any request query. */
export function countedRequests(): { status: { $in: (typeof COUNTED_REQUEST_STATUSES)[number][] } } {
  return { status: { $in: [...COUNTED_REQUEST_STATUSES] } };
}
