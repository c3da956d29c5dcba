import { AsyncLocalStorage } from 'node:async_hooks';
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

const storage = new AsyncLocalStorage<ArgContext>();

/**
 * Runs `fn` (a zod `parseAsync` of command arguments) with `ctx` visible to the argument
 * types. The dispatcher does this for every command; tests of argument types do it too:
 * `await withArgContext({ now }, () => arg.date().parseAsync('明天'))`.
 */
export function withArgContext<T>(ctx: ArgContext, fn: () => Promise<T>): Promise<T> {
  return storage.run(ctx, fn);
}

/** The context of the parse in progress; throws when an argument type runs outside one. */
export function argContext(): ArgContext {
  const ctx = storage.getStore();
  if (!ctx) throw new Error('argument types need a context: parse inside withArgContext(ctx, …)');
  return ctx;
}

/** The models of the current parse; throws when the context has none. */
export function argModels(): Models {
  const models = argContext().models;
  if (!models) throw new Error('this argument type needs models in its context');
  return models;
}
