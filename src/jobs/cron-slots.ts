import { parse } from 'node-cron';

/** Beijing has been UTC+8 without daylight saving since 1991: wall-clock fields are UTC fields shifted by 8 hours. */
const BEIJING_OFFSET_MS = 8 * 3600_000;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** How far back to look for a slot: a yearly job still finds its last fire. */
const MAX_DAYS_BACK = 400;

/** A five-field cron expression read in Asia/Shanghai, as node-cron reads it with `timezone: 'Asia/Shanghai'`. */
export interface CronSlots {
  /** Whether the minute of `at` is a slot. */
  matches(at: Date): boolean;
  /** The latest slot at or before `at` (null when none within 400 days). */
  previous(at: Date): Date | null;
}

/**
 * The slots of a cron expression in Beijing time. node-cron requires every field to match
 * (day of month and weekday together, not either), and so does this.
 */
export function cronSlots(expression: string): CronSlots {
  const f = parse(expression);
  const minutes = [...f.minute].sort((a, b) => b - a);
  const hours = [...f.hour].sort((a, b) => b - a);
  const has = (list: Array<number | string>, v: number) => list.some((x) => Number(x) === v);
  // The weekday field may hold 7 for Sunday.
  const dayMatches = (day: Date) =>
    has(f.month, day.getUTCMonth() + 1) && has(f.dayOfMonth, day.getUTCDate()) && (has(f.dayOfWeek, day.getUTCDay()) || (day.getUTCDay() === 0 && has(f.dayOfWeek, 7)));

  return {
    matches(at) {
      const local = new Date(at.getTime() + BEIJING_OFFSET_MS);
      return dayMatches(local) && has(f.hour, local.getUTCHours()) && has(f.minute, local.getUTCMinutes());
    },
    previous(at) {
      const localMs = at.getTime() + BEIJING_OFFSET_MS;
      const firstDay = localMs - (localMs % DAY_MS);
      for (let i = 0; i < MAX_DAYS_BACK; i++) {
        const dayStart = firstDay - i * DAY_MS;
        if (!dayMatches(new Date(dayStart))) continue;
        for (const h of hours) {
          for (const m of minutes) {
            const slot = dayStart + h * 3600_000 + m * MINUTE_MS;
            if (slot <= localMs) return new Date(slot - BEIJING_OFFSET_MS);
          }
        }
      }
      return null;
    },
  };
}
