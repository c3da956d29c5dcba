/**
 * The photos on a courtyard card: each project's timeline (整治前 = the first, 整治后 = the
 * latest) and the recent visits that came with photos.
 */
import type { Types } from 'mongoose';
import type { Models } from '../db/models';
import { addBeijingDays, beijingDayKey } from '../services/beijing-time';
import type { CardPhoto, CourtyardCard } from './types';

/** Photos shown per project: the first and this many of the latest (the count says how many in all). */
export const MAX_TIMELINE_PHOTOS = 12;
const MAX_COURTYARD_PHOTOS = 2000;
const VISIT_DAYS = 30;
const MAX_VISITS = 10;

interface Loaded {
  byProject: Map<string, CardPhoto[]>;
  visits: CourtyardCard['visits']['withPhotos'];
}

/** First, and the latest MAX_TIMELINE_PHOTOS − 1, of a timeline. */
export function timeline(all: CardPhoto[]): CardPhoto[] {
  return all.length <= MAX_TIMELINE_PHOTOS ? all : [all[0]!, ...all.slice(all.length - (MAX_TIMELINE_PHOTOS - 1))];
}

export async function loadCardPhotos(models: Models, courtyard: Types.ObjectId, now: Date): Promise<Loaded> {
  const photos = await models.Photo.find({ courtyard, status: 'stored' }, { at: 1, takenAt: 1, project: 1, record: 1, width: 1, height: 1 })
    .sort({ at: 1, item: 1 })
    .limit(MAX_COURTYARD_PHOTOS)
    .lean();
  const ids = (kind: string) => [...new Set(photos.filter((p) => p.record?.kind === kind).map((p) => String(p.record!.id)))];
  const since = addBeijingDays(now, -VISIT_DAYS);
  const [reports, requests, visits] = await Promise.all([
    models.ProgressReport.find({ _id: { $in: ids('ProgressReport') } }, { percent: 1 }).lean(),
    models.ResidentRequest.find({ _id: { $in: ids('ResidentRequest') } }, { no: 1 }).lean(),
    models.Visit.find({ _id: { $in: ids('Visit') }, date: { $gte: since } }, { cadre: 1, date: 1, hours: 1, activities: 1 }).sort({ date: -1 }).limit(MAX_VISITS).lean(),
  ]);
  const percent = new Map(reports.map((r) => [String(r._id), r.percent]));
  const requestNo = new Map(requests.map((r) => [String(r._id), r.no]));
  const label = (p: (typeof photos)[number]): string => {
    const id = String(p.record?.id);
    if (p.record?.kind === 'ProgressReport') return percent.has(id) ? `进度 ${percent.get(id)}%` : '进度';
    if (p.record?.kind === 'Visit') return '下沉';
    if (p.record?.kind === 'ResidentRequest') return `诉求 #${requestNo.get(id) ?? ''}`;
    return '项目';
  };
  const card = (p: (typeof photos)[number]): CardPhoto => ({
    id: String(p._id),
    at: p.at.toISOString(),
    takenAt: p.takenAt?.toISOString(),
    label: label(p),
    width: p.width ?? undefined,
    height: p.height ?? undefined,
  });

  const byProject = new Map<string, CardPhoto[]>();
  for (const p of photos) {
    if (!p.project) continue;
    // A report taken back with /撤销 takes its photos off the timeline.
    if (p.record?.kind === 'ProgressReport' && !percent.has(String(p.record.id))) continue;
    const list = byProject.get(String(p.project)) ?? [];
    list.push(card(p));
    byProject.set(String(p.project), list);
  }
  const names = new Map((await models.Cadre.find({ _id: { $in: visits.map((v) => v.cadre) } }, { name: 1 }).lean()).map((c) => [String(c._id), c.name]));
  return {
    byProject,
    visits: visits.map((v) => ({
      day: beijingDayKey(v.date),
      cadre: names.get(String(v.cadre)) ?? '',
      hours: v.hours,
      activities: v.activities ?? [],
      photos: photos.filter((p) => p.record?.kind === 'Visit' && p.record.id.equals(v._id)).map(card),
    })),
  };
}
