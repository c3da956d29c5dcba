/** What one person owes this week, for their card (src/render/status-card/duties.ts words it). */
import type { CadreDoc, Models } from '../../db/models';
import { OPEN_PROJECT_STATUSES } from '../../db/models/project';
import { addBeijingDays, startOfBeijingWeek } from '../beijing-time';

/** `cadre`'s projects due this week or late, requests waiting for them, hours in their courtyards this week, and those courtyards by name. */
export async function dutiesFacts(models: Models, cadre: CadreDoc, now: Date) {
  const monday = startOfBeijingWeek(now);
  const nextMonday = addBeijingDays(monday, 7);
  const yards = cadre.courtyards;
  const [projects, requests, visits, yardDocs] = await Promise.all([
    models.Project.find({
      status: { $in: [...OPEN_PROJECT_STATUSES] },
      deadline: { $lt: nextMonday },
      $or: [{ owner: cadre._id }, { courtyard: { $in: yards } }],
    })
      .sort({ deadline: 1, no: 1 })
      .lean(),
    models.ResidentRequest.find({
      $or: [
        { assignee: cadre._id, status: { $in: ['已接单', '已反馈'] } },
        { courtyard: { $in: yards }, status: '点单' },
      ],
    })
      .sort({ dueAt: 1, no: 1 })
      .lean(),
    models.Visit.aggregate<{ hours: number }>([
      { $match: { cadre: cadre._id, date: { $gte: monday, $lt: nextMonday } } },
      { $group: { _id: null, hours: { $sum: '$hours' } } },
    ]),
    models.Courtyard.find({ _id: { $in: yards } }).select({ name: 1 }).sort({ name: 1 }).lean(),
  ]);
  return { projects, requests, hours: visits[0]?.hours ?? 0, yards: yardDocs };
}
