import { z } from 'zod';
import { UserError } from '../../errors';
import { foldCase } from '../../text/normalize';
import { parseNumber } from '../../text/chinese-number';
import { asRest, labelled, userArg } from './make-arg';

/** One word (quote it to include spaces: “东方 花园”). */
export const wordArg = (label = '参数') => labelled(z.string().trim().min(1), label);

/** The rest of the line as typed (a note, a request's text). Must be the last field. */
export const textArg = (label = '内容') => asRest(labelled(z.string().trim().min(1), label), 'text');

/** The remaining words as a list (`清理杂物 政策宣讲` or `清理杂物、政策宣讲`). Must be the last field. */
export const wordsArg = (label = '内容') => asRest(labelled(z.array(z.string().trim().min(1)).min(1), label), 'words');

/** A whole number, in digits or Chinese numerals up to 99 (`3`, `三`), within [min, max]. */
export const intArg = (label = '数量', opts: { min?: number; max?: number } = {}) =>
  userArg(label, (text) => {
    const n = parseNumber(text.replace(/[个支名人户]$/, ''));
    if (n === undefined || !Number.isInteger(n)) throw new UserError(`「${label}」应为整数，收到「${text}」`);
    if (opts.min !== undefined && n < opts.min) throw new UserError(`「${label}」不能小于 ${opts.min}`);
    if (opts.max !== undefined && n > opts.max) throw new UserError(`「${label}」不能大于 ${opts.max}`);
    return n;
  });

/**
 * One of fixed values, with synonyms: `choiceArg('类别', ['工程', '管理', '服务'], { 工程类: '工程' })`.
 * Matching ignores ASCII case; the value returned is the canonical one.
 */
export const choiceArg = <const V extends string>(label: string, values: readonly V[], synonyms: Readonly<Record<string, V>> = {}) =>
  userArg(label, (text): V => {
    const t = foldCase(text);
    const hit = values.find((v) => foldCase(v) === t) ?? Object.entries(synonyms).find(([k]) => foldCase(k) === t)?.[1];
    if (!hit) throw new UserError(`「${label}」应为 ${values.join('、')} 之一，收到「${text}」`);
    return hit;
  });
