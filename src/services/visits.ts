/**
 * Cadres' time on site (下沉): each assigned cadre spends at least half a day (4 hours)
 * every week, Monday to Sunday in Beijing time, in their courtyards.
 */
import type { Types } from 'mongoose';
import type { Models } from '../db/models';
import { addBeijingDays, startOfBeijingWeek } from './beijing-time';
import { VISIT_HOURS_PER_WEEK } from './score';

/** What the seeds list cadres doing on site (any other words are accepted too). */
export const VISIT_ACTIVITIES = ['征集意见', '打扫卫生', '清理杂物', '政策宣讲', '健康义诊'] as const;

export { VISIT_HOURS_PER_WEEK };

/** One cadre's week on site. */
export interface WeekOnSite {
  /** Monday 00:00 Beijing time. */
  weekStart: Date;
  /** The next Monday 00:00. */
  weekEnd: Date;
  hours: number;
  /** Visits logged that week. */
  visits: number;
  /** Whether the half day is done (hours ≥ {@link VISIT_HOURS_PER_WEEK}). */
  met: boolean;
}

/** The hours `cadre` logged in the week (Monday–Sunday, Beijing) containing `day`. */
export async function weekOnSite(models: Models, cadre: Types.ObjectId, day: Date): Promise<WeekOnSite> {
  const weekStart = startOfBeijingWeek(day);
  const weekEnd = addBeijingDays(weekStart, 7);
  const visits = await models.Visit.find({ cadre, date: { $gte: weekStart, $lt: weekEnd } }, { hours: 1 }).lean();
  const hours = Math.round(visits.reduce((sum, v) => sum + v.hours, 0) * 100) / 100;
  return { weekStart, weekEnd, hours, visits: visits.length, met: hours >= VISIT_HOURS_PER_WEEK };
}

/** `4小时`, `3.5小时`. */
export function formatHours(hours: number): string {
  return `${Math.round(hours * 100) / 100}小时`;
}
