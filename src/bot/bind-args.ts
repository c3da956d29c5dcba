import type { z } from 'zod';
import { UserError } from '../errors';
import { withArgContext, type ArgContext } from './args/context';
import { isKeyOnly, labelOf, restKindOf } from './args/make-arg';
import type { Command } from './define-command';
import { escapeInline } from '../text/markdown';
import { foldCase } from '../text/normalize';
import type { Token } from './tokenize';

/** A field's name in error messages: its first non-ASCII key, else its argument type's label, else the field name. */
function labelFor(command: Command, field: string): string {
  const keys = Object.entries(command.keys).filter(([, f]) => f === field).map(([k]) => k);
  const shape = command.args?.shape ?? {};
  return keys.find((k) => /\P{ASCII}/u.test(k)) ?? (shape[field] && labelOf(shape[field])) ?? keys[0] ?? field;
}

/** The rest of the line from these tokens, as typed (the separators between adjacent tokens kept). */
function restText(tokens: { token: Token; index: number }[], raw: string): string {
  if (tokens.length === 1 && tokens[0]!.token.quoted) return tokens[0]!.token.text;
  let out = '';
  tokens.forEach(({ token, index }, i) => {
    if (i > 0) out += index === tokens[i - 1]!.index + 1 ? raw.slice(tokens[i - 1]!.token.end, token.start) : ' ';
    out += raw.slice(token.start, token.end);
  });
  return out.trim();
}

/** Chinese for a zod issue of a field. */
function describeIssue(command: Command, issue: z.core.$ZodIssue): string {
  const field = String(issue.path[0] ?? '');
  const label = labelFor(command, field);
  switch (issue.code) {
    case 'custom':
      return issue.message;
    case 'invalid_type':
      return issue.input === undefined ? `缺少「${label}」` : `「${label}」格式不对`;
    case 'invalid_value':
      return `「${label}」应为 ${issue.values.map(String).join('、')} 之一`;
    case 'too_small':
      return `「${label}」不能小于 ${String(issue.minimum)}`;
    case 'too_big':
      return `「${label}」不能大于 ${String(issue.maximum)}`;
    default:
      return `「${label}」格式不对`;
  }
}

/**
 * Turns the words typed after a command into its arguments: `key=value` words fill the
 * fields they name; the other words fill the fields in order, a rest field (`arg.text()`,
 * `arg.words()`) taking all that remain; then the schema parses (argument types resolve
 * courtyards, projects … inside `ctx`). Wrong input throws a UserError that says what was
 * wrong and carries the command's usage.
 */
export async function bindArgs(command: Command, tokens: readonly Token[], raw: string, ctx: ArgContext): Promise<unknown> {
  const shape = command.args?.shape ?? {};
  const fields = Object.keys(shape);
  const fieldByKey = new Map<string, string>(fields.map((f) => [foldCase(f), f]));
  for (const [key, field] of Object.entries(command.keys)) fieldByKey.set(foldCase(key), field);

  const input: Record<string, unknown> = {};
  const positional: { token: Token; index: number }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const field = token.keySep > 0 ? fieldByKey.get(foldCase(token.text.slice(0, token.keySep))) : undefined;
    if (!field) {
      positional.push({ token, index: i });
      continue;
    }
    let value = token.text.slice(token.keySep + 1);
    // `截止： 9月20日`: the value is the next word.
    if (value === '' && i + 1 < tokens.length) value = tokens[++i]!.text;
    // `标准=路面平整，无坑洼`: a keyed rest-of-line text keeps words joined by punctuation alone.
    if (restKindOf(shape[field]!) === 'text') {
      while (i + 1 < tokens.length && tokens[i + 1]!.keySep <= 0 && /^[，、；,;]+$/.test(raw.slice(tokens[i]!.end, tokens[i + 1]!.start))) {
        value += raw.slice(tokens[i]!.end, tokens[++i]!.end);
      }
    }
    input[field] = restKindOf(shape[field]!) === 'words' ? [value] : value;
  }

  let next = 0;
  for (const field of fields) {
    if (field in input || isKeyOnly(shape[field]!)) continue;
    if (next >= positional.length) break;
    const rest = restKindOf(shape[field]!);
    if (rest) {
      const remaining = positional.slice(next);
      input[field] = rest === 'words' ? remaining.map((p) => p.token.text) : restText(remaining, raw);
      next = positional.length;
      break;
    }
    input[field] = positional[next++]!.token.text;
  }
  if (next < positional.length) {
    const extra = positional.slice(next).map((p) => `「${escapeInline(p.token.text)}」`).join(' ');
    throw new UserError(`多余的参数：${extra}`, [...command.usage]);
  }
  if (!command.args) return {};

  const schema = command.args;
  const result = await withArgContext(ctx, () => schema.safeParseAsync(input, { reportInput: true }));
  if (result.success) return result.data;
  // Argument types resolve concurrently: report in the order the fields are declared.
  const order = (issue: z.core.$ZodIssue) => fields.indexOf(String(issue.path[0] ?? ''));
  const issues = [...result.error.issues].sort((a, b) => order(a) - order(b));
  const messages = [...new Set(issues.map((issue) => describeIssue(command, issue)))];
  throw new UserError(messages.slice(0, 3).join('；'), [...command.usage]);
}
