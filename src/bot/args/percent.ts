import { UserError } from '../../errors';
import { normalizeWidth } from '../../text/normalize';
import { userArg } from './make-arg';

const DONE_WORDS = new Set(['完成', '已完成', '全部完成', '完工', '竣工', '办结', 'done']);

/**
 * A progress percentage 0–100: `80%`, `80`, `８０％` (width is normalised before), `80.5%`
 * (rounded), `完成` / `已完成` = 100.
 */
export function parsePercent(text: string): number {
  const t = normalizeWidth(text).trim().toLowerCase();
  if (DONE_WORDS.has(t)) return 100;
  const m = /^([+-]?\d+(?:\.\d+)?)\s*%?$/.exec(t);
  if (!m) throw new UserError(`「${text}」不是进度，请写百分比，如 80% 或 完成`);
  const value = Number(m[1]);
  if (value < 0 || value > 100) throw new UserError(`进度应在 0% 到 100% 之间，收到「${text}」`);
  return Math.round(value);
}

/** Argument type: a percentage (see {@link parsePercent}). */
export const percentArg = (label = '进度') => userArg(label, (text) => parsePercent(text));
