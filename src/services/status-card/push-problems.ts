/** The push problems of a scope, for admins (src/render/status-card/push-problems.ts words them). */
import type { CourtyardDoc, GroupDoc, Models, StreetDoc } from '../../db/models';
import type { DeadPush, DeadPushQuery } from '../../wecom/outbox';

export interface PushProblemFacts {
  /** Groups whose webhook WeCom called invalid. */
  invalid: Array<Pick<GroupDoc, 'name' | 'chatId' | 'webhookInvalidAt'>>;
  /** Pushes given up in the last week. */
  dead: DeadPush[];
}

/** Problems with pushes into the groups of a scope: webhooks WeCom called invalid, and pushes given up in the last week. */
export async function pushProblemFacts(
  models: Models,
  scope: { courtyard?: CourtyardDoc; street?: StreetDoc },
  now: Date,
  deadPushes: DeadPushQuery,
): Promise<PushProblemFacts> {
  let groupFilter: Record<string, unknown> = {};
  if (scope.courtyard) groupFilter = { 'scope.kind': 'courtyard', 'scope.refId': scope.courtyard._id };
  else if (scope.street) {
    const yardIds = (await models.Courtyard.find({ street: scope.street._id }).select({ _id: 1 }).lean()).map((y) => y._id);
    groupFilter = {
      $or: [
        { 'scope.kind': 'street', 'scope.refId': scope.street._id },
        { 'scope.kind': 'courtyard', 'scope.refId': { $in: yardIds } },
      ],
    };
  }
  const groups = await models.Group.find({ ...groupFilter, active: true, webhookUrl: { $exists: true } }).lean();
  const since = new Date(now.getTime() - 7 * 86_400_000);
  const invalid = groups.filter((g) => g.webhookInvalidAt);
  const dead =
    scope.courtyard || scope.street
      ? (await Promise.all(groups.map((g) => deadPushes({ webhookUrl: g.webhookUrl!, since, limit: 5 })))).flat()
      : await deadPushes({ since, limit: 20 });
  return { invalid, dead };
}
