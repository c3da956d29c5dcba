/** What a courtyard's card shows (src/render/status-card/courtyard.ts words it). */
import type { CourtyardDoc, Models } from '../../db/models';
import { OPEN_PROJECT_STATUSES } from '../../db/models/project';
import { scopeFigures } from '../figures';
import { headline } from '../headline';
import type { ScoreWeights } from '../score';

/** The courtyard's street, figures and headline, its open projects by deadline and their owners' names by id. */
export async function courtyardFacts(models: Models, courtyard: CourtyardDoc, now: Date, weights?: ScoreWeights) {
  const [street, g, h] = await Promise.all([
    models.Street.findById(courtyard.street).select({ name: 1 }).lean(),
    scopeFigures(models, { courtyardId: String(courtyard._id) }, now),
    headline(models, { kind: 'courtyard', courtyard, street: null }, now, weights),
  ]);
  const active = await models.Project.find({ courtyard: courtyard._id, status: { $in: [...OPEN_PROJECT_STATUSES] } })
    .sort({ deadline: 1, no: 1 })
    .select({ no: 1, title: 1, percent: 1, deadline: 1, owner: 1, status: 1 })
    .lean();
  const owners = new Map(
    (await models.Cadre.find({ _id: { $in: active.flatMap((p) => (p.owner ? [p.owner] : [])) } }).select({ name: 1 }).lean()).map((c) => [String(c._id), c.name]),
  );
  return { street, figures: g, headline: h, active, owners };
}
