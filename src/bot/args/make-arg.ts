import { z } from 'zod';
import { UserError } from '../../errors';
import { escapeInline } from '../../text/markdown';
import { argContext, type ArgContext } from './context';

/** Default labels of argument types, shown in error messages (`缺少「进度」`). */
const labels = new WeakMap<z.ZodType, string>();
/** Argument types that take the rest of the line rather than one word. */
const restTypes = new WeakMap<z.ZodType, 'text' | 'words'>();

/** Removes optional/default/nullable wrappers. */
export function unwrapSchema(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable || s instanceof z.ZodPrefault) {
    s = s.unwrap() as z.ZodType;
  }
  return s;
}

/** The label an argument type was made with, if any. */
export function labelOf(schema: z.ZodType): string | undefined {
  return labels.get(unwrapSchema(schema));
}

/** 'text' or 'words' when the argument takes the rest of the line. */
export function restKindOf(schema: z.ZodType): 'text' | 'words' | undefined {
  return restTypes.get(unwrapSchema(schema));
}

/** Fields filled only by `key=value`, never by position. */
const keyOnlyTypes = new WeakSet<z.ZodType>();

/**
 * Marks a field as filled only by `key=value` (`楼院=东方花园`), never by position; such a
 * field may follow a rest field: `z.object({ text: arg.text(), courtyard: keyOnly(arg.courtyard().optional()) })`.
 */
export function keyOnly<S extends z.ZodType>(schema: S): S {
  keyOnlyTypes.add(schema);
  return schema;
}

/** Whether a field is filled only by `key=value` (see {@link keyOnly}). */
export function isKeyOnly(schema: z.ZodType): boolean {
  return keyOnlyTypes.has(schema) || keyOnlyTypes.has(unwrapSchema(schema));
}

/** Attaches a label to any schema (for zod types not made by `userArg`). */
export function labelled<S extends z.ZodType>(schema: S, label: string): S {
  labels.set(schema, label);
  return schema;
}

/** Marks a schema as taking the rest of the line: 'text' gets a string, 'words' a string[]. */
export function asRest<S extends z.ZodType>(schema: S, kind: 'text' | 'words'): S {
  restTypes.set(schema, kind);
  return schema;
}

/**
 * Builds an argument type from a parse function: it gets the word the user typed (already
 * width-normalised, quotes removed) and the parse context; it returns the value or throws a
 * UserError whose message (Chinese) says what was wrong. Any other error is a bug and
 * propagates (the user then sees "系统繁忙").
 */
export function userArg<T>(label: string, parse: (text: string, ctx: ArgContext) => T | Promise<T>) {
  const schema = z.string().transform(async (text, issues) => {
    const typed = text.trim();
    const ctx = argContext(); // before any await: see withArgContext
    try {
      return await parse(typed, ctx);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      // The message quotes what was typed: quote it inert (the dispatcher makes the rest so).
      const message = typed ? err.message.split(typed).join(escapeInline(typed)) : err.message;
      issues.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
  });
  labels.set(schema, label);
  return schema;
}
