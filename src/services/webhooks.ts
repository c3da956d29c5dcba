import type { Models } from '../db/models';

/**
 * A group robot WeCom says is gone (or a webhook off WeCom's origin): every group pushing to
 * it is flagged for rebinding (`webhookInvalidAt`, shown by /状态 and cleared by /绑定). The
 * outbox reports the retirement; the runtime hands this in (src/runtime.ts).
 */
export async function markWebhookRetired(models: Pick<Models, 'Group'>, url: string, key: string, at: Date): Promise<void> {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  await models.Group.updateMany(
    { $or: [{ webhookUrl: url }, { webhookUrl: key }, { webhookUrl: { $regex: `[?&]key=${escaped}(&|$)` } }], webhookInvalidAt: null },
    { $set: { webhookInvalidAt: at } },
  );
}
