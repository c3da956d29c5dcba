/**
 * The shared argument types, for command schemas:
 * `args: z.object({ project: arg.project(), percent: arg.percent(), note: arg.text().optional() })`.
 * Each takes an optional label (the field's name in error messages).
 */
import { choiceArg, intArg, textArg, wordArg, wordsArg } from './basic';
import { dateArg } from './date';
import { durationArg } from './duration';
import { percentArg } from './percent';
import { courtyardArg, personArg, projectArg, requestArg, streetArg } from './records';

export const arg = {
  /** One word. */
  word: wordArg,
  /** The rest of the line as typed (last field only). */
  text: textArg,
  /** The remaining words as a list (last field only). */
  words: wordsArg,
  /** A whole number: `3`, `三`. */
  int: intArg,
  /** One of fixed values, with synonyms. */
  choice: choiceArg,
  /** `80%`, `80`, `８０％`, `完成` → 0–100. */
  percent: percentArg,
  /**
   * `2020-09-20`, `9月20日`, `9.20`, `明年1月15日`, `下个月15日`, `明天`, `下周五`, `月底` → 00:00 Beijing
   * of that day; `{ future: true }` for deadlines, `{ past: true }` for records (see parseDate).
   */
  date: dateArg,
  /** `半天` = 4, `全天` = 8, `3小时`, `2h` → hours. */
  duration: durationArg,
  /** A courtyard document. */
  courtyard: courtyardArg,
  /** A street office document. */
  street: streetArg,
  /** A project document (`#12` or title). */
  project: projectArg,
  /** A resident request document (`#7`). */
  request: requestArg,
  /** A roster entry (`张三`, `@张三`). */
  person: personArg,
};

export { withArgContext, type ArgContext } from './context';
export { keyOnly, userArg } from './make-arg';
export { parseDate } from './date';
export { parseDuration, HALF_DAY_HOURS, FULL_DAY_HOURS } from './duration';
export { parsePercent } from './percent';
