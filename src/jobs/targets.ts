import type { Models } from '../db/models';
import type { PushPayload } from '../wecom/outbox';
import type { PlannedPush } from './define-job';

/** A group a job can push to: bound, active, with a robot webhook WeCom has not refused. */
export interface PushGroup {
  chatId: string;
  name: string;
  webhookUrl: string;
  purpose: 'work' | 'leadership';
  scope: { kind: 'district' | 'street' | 'courtyard'; refId?: string };
}

/** The groups pushes can reach, by name. Groups without a webhook are left out (/绑定 … webhook= adds one). */
export async function loadPushGroups(models: Models): Promise<PushGroup[]> {
  const docs = await models.Group.find({
    active: { $ne: false },
    'scope.kind': { $in: ['district', 'street', 'courtyard'] },
    webhookUrl: { $nin: [null, ''] },
    webhookInvalidAt: null,
  })
    .sort({ name: 1, chatId: 1 })
    .lean();
  return docs.map((g) => ({
    chatId: g.chatId,
    name: g.name || g.chatId,
    webhookUrl: g.webhookUrl!,
    purpose: g.purpose === 'leadership' ? 'leadership' : 'work',
    scope: { kind: g.scope!.kind!, refId: g.scope?.refId ? String(g.scope.refId) : undefined },
  }));
}

/** Groups that get the district-wide messages: leadership groups, and work groups bound to the whole district. */
export function districtGroups(groups: PushGroup[]): PushGroup[] {
  return groups.filter((g) => g.purpose === 'leadership' || g.scope.kind === 'district');
}

/** Groups bound to one street office. */
export function streetGroups(groups: PushGroup[], streetId: string): PushGroup[] {
  return groups.filter((g) => g.scope.kind === 'street' && g.scope.refId === streetId);
}

/** Groups bound to one courtyard. */
export function courtyardGroups(groups: PushGroup[], courtyardId: string): PushGroup[] {
  return groups.filter((g) => g.scope.kind === 'courtyard' && g.scope.refId === courtyardId);
}

/** A planned push of `payload` into `group`'s robot. */
export function pushTo(group: PushGroup, part: string, payload: PushPayload, onceADay?: string[]): PlannedPush {
  return {
    targetKey: group.chatId,
    targetName: group.name,
    target: { kind: 'webhook', url: group.webhookUrl },
    part,
    payload,
    ...(onceADay?.length ? { onceADay } : {}),
  };
}
