/**
 * What is on the roster. The roster import's --remove-missing deactivates courtyards
 * (`active: false`, `deactivatedAt`): they drop out of lookups at once, and out of the
 * rankings of the periods begun since; a period begun before still ranks them. (A courtyard
 * created before `active` existed has no such field: it is active.) A deactivated cadre's
 * assignments end at the deactivation, which does the same for people (history.ts).
 */

/** Filter: on the roster now. */
export const ON_ROSTER = { active: { $ne: false } } as const;

/** Filter: on the roster at some time since `since`. */
export function onRosterSince(since: Date): Record<string, unknown> {
  return { $or: [{ active: { $ne: false } }, { deactivatedAt: { $gt: since } }] };
}
