import { UserError } from '../../errors';
import { normalizeWidth } from '../../text/normalize';
import { parseNumber } from '../../text/chinese-number';
import { userArg } from './make-arg';

/** The seeds' "half a day" on site (每周至少半天). */
export const HALF_DAY_HOURS = 4;
export const FULL_DAY_HOURS = 8;

const WORDS: Record<string, number> = {
  半天: HALF_DAY_HOURS,
  上午: HALF_DAY_HOURS,
  下午: HALF_DAY_HOURS,
  半日: HALF_DAY_HOURS,
  全天: FULL_DAY_HOURS,
  一天: FULL_DAY_HOURS,
  整天: FULL_DAY_HOURS,
  全日: FULL_DAY_HOURS,
  一整天: FULL_DAY_HOURS,
  半小时: 0.5,
  半个小时: 0.5,
};

const HINT = '可以写 半天、全天、3小时、2h、90分钟';

/**
 * A time on site in hours: `半天` = 4, `全天` = 8, `3小时`, `3个小时`, `三小时`, `1个半小时`,
 * `1.5小时`, `2h`, `90分钟`, `30min`, or a bare number of hours (`3`). More than 24 hours
 * or nothing at all is refused.
 */
export function parseDuration(text: string): number {
  const t = normalizeWidth(text).trim().toLowerCase();
  let hours = WORDS[t];
  if (hours === undefined) {
    const m = /^(.+?)(个半)?(?:个)?(小时|钟头|h|hr|hrs|hours?|分钟|分|min|mins|m)?$/.exec(t);
    const n = m ? parseNumber(m[1]!) : undefined;
    if (m && n !== undefined) {
      const unit = m[3] ?? 'h';
      const half = m[2] ? 0.5 : 0;
      hours = ['分钟', '分', 'min', 'mins', 'm'].includes(unit) ? n / 60 : n + half;
    }
  }
  if (hours === undefined) throw new UserError(`看不懂时长「${text}」，${HINT}`);
  if (hours <= 0 || hours > 24) throw new UserError(`时长应在 0 到 24 小时之间，收到「${text}」`);
  return Math.round(hours * 100) / 100;
}

/** Argument type: a duration in hours (see {@link parseDuration}). */
export const durationArg = (label = '时长') => userArg(label, (text) => parseDuration(text));
