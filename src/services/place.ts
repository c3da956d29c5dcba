/**
 * A place named in a command's arguments: the whole district (`全区`), a street office
 * (`济源路`) or a courtyard (`东方花园`); for lists and milestones that take any of the three.
 */
import type { Models } from '../db/models';
import { matchName } from './name-match';
import { findCourtyard } from './lookup';
import type { Scope } from './scope';

const DISTRICT_WORDS = new Set(['全区', '全部', '区']);

/**
 * The scope `text` names: `全区` → district; a street office by name or alias; else a
 * courtyard (findCourtyard's errors, with candidates, when it is none of these).
 */
export async function findPlace(models: Models, text: string, scope?: Scope): Promise<Exclude<Scope, { kind: 'none' }>> {
  const t = text.trim();
  if (DISTRICT_WORDS.has(t)) return { kind: 'district' };
  const streets = await models.Street.find().sort({ name: 1 });
  const street = matchName(streets, (s) => [s.name, ...s.aliases], t);
  if (street.kind === 'one') return { kind: 'street', street: street.item };
  const courtyard = await findCourtyard(models, t, scope);
  return { kind: 'courtyard', courtyard, street: await models.Street.findById(courtyard.street) };
}
