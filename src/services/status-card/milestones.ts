/** The milestones a status card lists: those not yet done by every courtyard they reach. */
import type { CourtyardDoc, Models } from '../../db/models';
import { startOfBeijingDay } from '../beijing-time';
import { milestoneCourtyardDone } from '../milestones';

export type Yard = Pick<CourtyardDoc, '_id' | 'name' | 'street' | 'orgs' | 'orgHistory'>;

export interface OpenMilestone {
  title: string;
  deadline: Date;
  /** Of `yards`, how many it reaches and how many of those have done it (as /节点 counts). */
  reached: number;
  done: number;
  /** Its deadline's day is past. */
  missed: boolean;
}

/** Milestones that reach a courtyard of `yards` and are not done by all of them, by deadline. */
export async function openMilestones(models: Models, yards: Yard[], now: Date): Promise<OpenMilestone[]> {
  if (yards.length === 0) return [];
  const streets = [...new Set(yards.map((y) => String(y.street)))];
  const milestones = await models.Milestone.find({
    $or: [
      { 'scope.kind': 'district' },
      { 'scope.kind': 'street', 'scope.refId': { $in: streets } },
      { 'scope.kind': 'courtyard', 'scope.refId': { $in: yards.map((y) => y._id) } },
    ],
  })
    .sort({ deadline: 1 })
    .lean();
  const today = startOfBeijingDay(now);
  const open: OpenMilestone[] = [];
  for (const m of milestones) {
    const reached = yards.filter((y) =>
      m.scope.kind === 'district' ? true : m.scope.kind === 'street' ? y.street.equals(m.scope.refId!) : y._id.equals(m.scope.refId!),
    );
    if (reached.length === 0) continue;
    const done = reached.filter((y) => milestoneCourtyardDone(m, y, now).done).length;
    if (done === reached.length) continue;
    open.push({ title: m.title, deadline: m.deadline, reached: reached.length, done, missed: m.deadline < today });
  }
  return open;
}
