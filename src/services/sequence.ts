import type { Models } from '../db/models';

/** The counters in use: project numbers (`#12`), request numbers (`#7`) and record numbers (/记录, `#3`) and public-account entries (/公开, `#5`). */
export type SequenceName = 'project' | 'request' | 'record' | 'account';

/**
 * The next number of a counter, atomically across processes (`$inc` with upsert). A number
 * taken by a command that then fails is skipped, never reused.
 */
export async function nextSequence(models: Models, name: SequenceName): Promise<number> {
  const doc = await models.Sequence.findOneAndUpdate({ _id: name }, { $inc: { value: 1 } }, { upsert: true, returnDocument: 'after' }).lean();
  return doc!.value;
}
