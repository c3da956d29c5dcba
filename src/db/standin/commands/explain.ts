import type { Document } from 'bson';
import { fail } from '../errors';
import { describePlan } from '../query-plan';
import { runQuery } from '../query-run';
import { pipelineInput } from './aggregate';
import { collectionName, type CommandHandler } from './context';

/**
 * explain for find, count, distinct and aggregate, in mongod's shape: which index the plan
 * uses (`queryPlanner.winningPlan`) and how much it read (`executionStats`).
 */
const explain: CommandHandler = (cmd, ctx) => {
  const inner = cmd.explain as Document | undefined;
  if (!inner || typeof inner !== 'object') throw fail('FailedToParse', 'explain command requires a nested object');
  const verb = Object.keys(inner)[0] ?? '';
  const name = collectionName(inner, verb);
  const coll = ctx.catalog.get(ctx.db, name);
  const ns = `${ctx.db}.${name}`;
  if (!coll) return { queryPlanner: { namespace: ns, winningPlan: { stage: 'EOF' } }, executionStats: { nReturned: 0, totalKeysExamined: 0, totalDocsExamined: 0 }, ok: 1 };
  const before = { ...coll.stats };
  let winningPlan: Document;
  let nReturned: number;
  if (verb === 'find' || verb === 'count' || verb === 'distinct') {
    const filter = (verb === 'find' ? inner.filter : inner.query) ?? {};
    const r = runQuery(coll, { filter, sort: inner.sort, skip: inner.skip, limit: Math.abs(Number(inner.limit ?? 0)) });
    winningPlan = describePlan(r.plan);
    nReturned = r.rids.length;
  } else if (verb === 'aggregate') {
    const input = pipelineInput(coll, (inner.pipeline ?? []) as Document[]);
    nReturned = [...input.source].length;
    winningPlan = input.plan ? describePlan(input.plan) : { stage: 'EOF' };
  } else {
    throw fail('CommandNotSupported', `explain of ${verb} is not supported by the stand-in`);
  }
  return {
    queryPlanner: { namespace: ns, winningPlan },
    executionStats: {
      executionSuccess: true,
      nReturned,
      totalKeysExamined: coll.stats.keysExamined - before.keysExamined,
      totalDocsExamined: coll.stats.docsExamined - before.docsExamined,
    },
    ok: 1,
  };
};

export const explainCommands: Record<string, CommandHandler> = { explain };
