import type { Models } from '../../db/models';
import type { Scope } from '../../services/scope';

/**
 * What argument types may look at while they parse: the clock (relative dates), the
 * database (courtyards, projects, people) and the group's scope (a project title is looked
 * up among the projects of this group's courtyards first).
 */
export interface ArgContext {
  now: Date;
  models?: Models;
  scope?: Scope;
}

/**
 * The context of the parse being started. It is handed to each argument type when zod calls
 * its transform, which zod does in the synchronous part of `parseAsync` (every argument type
 * is a transform of the typed word, never behind another asynchronous step): so it is set
 * only for that synchronous part, and each argument type then carries it explicitly (the
 * `ctx` parameter of userArg's parse function). No AsyncLocalStorage: it slowed every
 * promise of the process.
 */
let starting: ArgContext | undefined;

/**
 * Starts `fn` (a zod `parseAsync` of command arguments) with `ctx` handed to the argument
 * types. The dispatcher does this for every command; tests of argument types do it too:
 * `await withArgContext({ now }, () => arg.date().parseAsync('明天'))`.
 */
export function withArgContext<T>(ctx: ArgContext, fn: () => Promise<T>): Promise<T> {
  const outer = starting;
  starting = ctx;
  try {
    return fn();
  } finally {
    starting = outer;
  }
}

/** The context of the parse being started; throws when an argument type starts outside one. */
export function argContext(): ArgContext {
  if (!starting) throw new Error('argument types need a context: parse inside withArgContext(ctx, …)');
  return starting;
}

/** The models of a parse's context; throws when the context has none. */
export function argModels(ctx: ArgContext): Models {
  const models = ctx.models;
  if (!models) throw new Error('this argument type needs models in its context');
  return models;
}
