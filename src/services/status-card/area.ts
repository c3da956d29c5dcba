/** What the card of a street office or of the whole district shows (src/render/status-card/area.ts words it). */
import type { Models, StreetDoc } from '../../db/models';
import { scopeFigures } from '../figures';
import { headline } from '../headline';
import type { ScoreWeights } from '../score';

/**
 * The courtyards of `street` (the district's when null), their figures and the headline, and
 * for the district its street offices by name; undefined when there is no courtyard yet.
 */
export async function areaFacts(models: Models, street: StreetDoc | null, now: Date, weights?: ScoreWeights) {
  const yards = await models.Courtyard.find(street ? { street: street._id } : {}).select({ name: 1, street: 1, orgs: 1, orgHistory: 1 }).sort({ name: 1 });
  if (yards.length === 0) return undefined;
  const [g, h] = await Promise.all([
    scopeFigures(models, street ? { streetId: String(street._id) } : {}, now),
    headline(models, street ? { kind: 'street', street } : { kind: 'district' }, now, weights),
  ]);
  const streets = street ? [] : await models.Street.find({ _id: { $in: [...new Set(yards.map((y) => String(y.street)))] } }).sort({ name: 1 }).lean();
  return { yards, figures: g, headline: h, streets };
}
