/**
 * One courtyard's card (GET /dashboard/api/courtyard/:id): the three organisations, its
 * projects with progress and deadlines, its requests with their 2-working-day status, and
 * the cadres' time on site this week; each project's photos (整治前 / 整治后 and the timeline)
 * and the recent visits with photos.
 */
import { Types } from 'mongoose';
import type { CourtyardDoc, Models } from '../db/models';
import { addBeijingDays, beijingDayKey, startOfBeijingWeek } from '../services/beijing-time';
import type { WorkingCalendar } from '../services/calendar';
import { headline } from '../services/headline';
import { findOverdue } from '../services/overdue';
import { countedRequests, projectsCountedAt } from '../services/counted';
import { cadreNames, daysUntil, isOpen, onTime } from '../services/projects';
import { weekPeriod } from '../services/ranking';
import { isOnTime } from '../services/requests';
import { VISIT_HOURS_PER_WEEK, type ScoreWeights } from '../services/score';
import { rankChange } from '../services/snapshots';
import { loadCardPhotos, timeline } from './card-photos';
import { runningParts } from './data';
import type { CourtyardCard, RequestState } from './types';

/** Requests closed longer ago than this drop off the card (open ones always show). */
const RECENT_DAYS = 30;
const MAX_REQUESTS = 60;
const MAX_PROJECTS = 100;

export interface CourtyardCardOptions {
  now: Date;
  calendar: WorkingCalendar;
  weights?: ScoreWeights;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Where a request stands against its 2-working-day deadline. */
export function requestState(
  r: { dueAt: Date; feedbackAt?: Date | null; closedAt?: Date | null },
  now: Date,
  calendar: WorkingCalendar,
): { state: RequestState; label: string } {
  // Closing a request answers it too.
  const answers = [r.feedbackAt, r.closedAt].filter((d): d is Date => d instanceof Date);
  if (answers.length > 0) {
    const first = new Date(Math.min(...answers.map((d) => d.getTime())));
    return isOnTime(r, first) ? { state: 'on-time', label: '按期反馈' } : { state: 'late', label: '超期反馈' };
  }
  if (now > r.dueAt) {
    const late = calendar.workingDaysBetween(r.dueAt, now);
    return { state: 'overdue', label: late > 0 ? `已超期 ${late} 个工作日` : '已超期' };
  }
  const left = calendar.workingDaysBetween(now, r.dueAt);
  return { state: 'pending', label: left > 0 ? `还剩 ${left} 个工作日` : '今天内反馈' };
}

/** The card of `courtyard` as of `now`; the caller has checked that the link may see it. */
export async function buildCourtyardCard(models: Models, courtyard: CourtyardDoc, opts: CourtyardCardOptions): Promise<CourtyardCard> {
  const { now, calendar } = opts;
  const id = courtyard._id;
  const weekStart = startOfBeijingWeek(now);
  const weekEnd = addBeijingDays(weekStart, 7);
  const recent = addBeijingDays(now, -RECENT_DAYS);

  const [street, community, h, late, projects, requests, assigned, visitsHere, photos] = await Promise.all([
    models.Street.findById(courtyard.street, { name: 1 }).lean(),
    courtyard.community ? models.Community.findById(courtyard.community, { name: 1 }).lean() : null,
    headline(models, { kind: 'courtyard', courtyard, street: null }, now, opts.weights),
    findOverdue(models, { scope: { courtyardId: String(id) }, now, kinds: ['project'] }),
    models.Project.find({ courtyard: id, ...projectsCountedAt(new Date(now.getTime() + 1)) }).lean(),
    models.ResidentRequest.find({ courtyard: id, ...countedRequests(), $or: [{ status: { $ne: '已办结' } }, { closedAt: { $gte: recent } }] })
      .sort({ createdAt: -1 })
      .limit(MAX_REQUESTS)
      .lean(),
    models.Cadre.find({ courtyards: id, roles: 'cadre', active: true }, { name: 1, unit: 1 }).sort({ name: 1 }).lean(),
    models.Visit.find({ courtyard: id, date: { $gte: weekStart, $lt: weekEnd } }).lean(),
    loadCardPhotos(models, id, now),
  ]);

  const assignedIds = assigned.map((c) => c._id);
  const visitorIds = [...new Set(visitsHere.map((v) => String(v.cadre)))].filter((v) => !assignedIds.some((a) => String(a) === v));
  const [visitsWeek, visitors, names] = await Promise.all([
    models.Visit.find({ cadre: { $in: [...assignedIds, ...visitorIds.map((v) => new Types.ObjectId(v))] }, date: { $gte: weekStart, $lt: weekEnd } }, { cadre: 1, hours: 1 }).lean(),
    visitorIds.length ? models.Cadre.find({ _id: { $in: visitorIds } }, { name: 1, unit: 1 }).sort({ name: 1 }).lean() : [],
    cadreNames(models, [...projects.map((p) => p.owner), ...requests.map((r) => r.assignee)]),
  ]);

  const lateIds = new Set(late.map((i) => i.id));
  const isOverdue = (p: { _id: Types.ObjectId }) => lateIds.has(String(p._id));
  const published = h.published;
  const hoursWeek = new Map<string, number>();
  for (const v of visitsWeek) hoursWeek.set(String(v.cadre), (hoursWeek.get(String(v.cadre)) ?? 0) + v.hours);
  const cadreVisits = (c: { _id: Types.ObjectId; name: string; unit: string }, isAssigned: boolean) => {
    const here = visitsHere.filter((v) => v.cadre.equals(c._id));
    const week = round2(hoursWeek.get(String(c._id)) ?? 0);
    return {
      name: c.name,
      unit: c.unit,
      assigned: isAssigned,
      hoursHere: round2(here.reduce((s, v) => s + v.hours, 0)),
      hoursWeek: week,
      met: week >= VISIT_HOURS_PER_WEEK,
      activities: [...new Set(here.flatMap((v) => v.activities ?? []))],
    };
  };

  // Late ones first, then open by deadline, then the finished ones, latest first.
  const order = (p: (typeof projects)[number]) => (isOverdue(p) ? 0 : isOpen(p) ? 1 : 2);
  const sortedProjects = [...projects].sort(
    (a, b) =>
      order(a) - order(b) ||
      (order(a) < 2
        ? (a.deadline?.getTime() ?? Infinity) - (b.deadline?.getTime() ?? Infinity)
        : (b.completedAt?.getTime() ?? 0) - (a.completedAt?.getTime() ?? 0)) ||
      a.no - b.no,
  );

  return {
    id: String(id),
    name: courtyard.name,
    streetName: street?.name ?? '',
    communityName: community?.name,
    households: courtyard.households ?? undefined,
    management: courtyard.management,
    score: published
      ? {
          label: `已发布：${published.label}${published.snapshot.version > 1 ? `（第${published.snapshot.version}版）` : ''}`,
          score: published.row.score,
          previousScore: published.row.previousScore,
          rank: published.row.rank,
          of: published.of,
          change: rankChange({ rank: published.row.rank ?? 0, ...published.row }),
          parts: published.row.parts,
          unmeasured: published.row.unmeasured,
          noProjects: published.lowest[0]?.noProjects,
        }
      : { label: `${h.running.label}（周排名尚未发布）`, ...h.running.row },
    running: { label: h.running.label, parts: runningParts({ ...h.running.row, noProjects: h.running.courtyards[0]?.noProjects }) },
    orgs: {
      party: { status: courtyard.orgs.party.status, kind: courtyard.orgs.party.kind ?? undefined },
      selfGov: { status: courtyard.orgs.selfGov.status, kind: courtyard.orgs.selfGov.kind ?? undefined },
      volunteerTeams: courtyard.orgs.volunteerTeams,
    },
    projects: sortedProjects.slice(0, MAX_PROJECTS).map((p) => ({
      no: p.no,
      title: p.title,
      category: p.category,
      area: p.area ?? undefined,
      percent: p.status === '已完成' ? 100 : p.percent,
      status: p.status,
      deadline: p.deadline ? beijingDayKey(p.deadline) : undefined,
      postponed: (p.postponements ?? []).length > 0,
      overdue: isOverdue(p),
      daysLeft: isOpen(p) && p.deadline ? daysUntil(p.deadline, now) : undefined,
      owner: p.owner ? names.get(String(p.owner)) : undefined,
      completedAt: p.completedAt ? beijingDayKey(p.completedAt) : undefined,
      completedOnTime: p.status === '已完成' && p.completedAt ? onTime(p.deadline, p.completedAt) : undefined,
      photos: timeline(photos.byProject.get(String(p._id)) ?? []),
      photoCount: photos.byProject.get(String(p._id))?.length ?? 0,
    })),
    requests: requests.map((r) => {
      const { state, label } = requestState(r, now, calendar);
      return {
        no: r.no,
        text: r.text,
        status: r.status,
        createdAt: beijingDayKey(r.createdAt),
        dueDay: beijingDayKey(r.dueAt),
        state,
        stateLabel: label,
        assignee: r.assignee ? names.get(String(r.assignee)) : undefined,
        rating: r.rating ?? undefined,
      };
    }),
    visits: {
      weekLabel: weekPeriod(now).label,
      dutyHours: VISIT_HOURS_PER_WEEK,
      cadres: [...assigned.map((c) => cadreVisits(c, true)), ...visitors.map((c) => cadreVisits(c, false))],
      withPhotos: photos.visits,
    },
  };
}
