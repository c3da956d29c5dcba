import type { Models } from '../db/models';
import { simChatId, simWebhookKey } from './sim-identity';

/** The groups local mode starts with, so the simulator's usual groups work without /绑定. */
export const LOCAL_GROUPS = [
  { name: '东方花园工作群', courtyard: '东方花园' },
  { name: '九冶院工作群', courtyard: '九冶院' },
  { name: '济源路街道工作群', street: '济源路街道' },
  { name: '区领导群', leadership: true },
] as const;

/**
 * Binds the simulator's groups (by the chat ids `npm run chat --group NAME` uses) to the
 * sample roster's scopes, pushing to the simulator's sink at `apiBase`. Only groups not yet
 * known are created, so a binding changed by hand stays.
 */
export async function bindLocalGroups(models: Models, apiBase: string, now: Date = new Date()): Promise<string[]> {
  const created: string[] = [];
  for (const g of LOCAL_GROUPS) {
    const chatId = simChatId(g.name);
    let scope: { kind: 'district' | 'street' | 'courtyard'; refId?: unknown } = { kind: 'district' };
    if ('courtyard' in g) {
      const courtyard = await models.Courtyard.findOne({ name: g.courtyard }, { _id: 1 }).lean();
      if (!courtyard) continue;
      scope = { kind: 'courtyard', refId: courtyard._id };
    } else if ('street' in g) {
      const street = await models.Street.findOne({ name: g.street }, { _id: 1 }).lean();
      if (!street) continue;
      scope = { kind: 'street', refId: street._id };
    }
    const res = await models.Group.updateOne(
      { chatId },
      {
        $setOnInsert: {
          chatId,
          name: g.name,
          webhookUrl: `${apiBase}/cgi-bin/webhook/send?key=${encodeURIComponent(simWebhookKey(chatId))}`,
          scope,
          purpose: 'leadership' in g ? 'leadership' : 'work',
          boundBy: 'local-mode',
          boundAt: now,
          active: true,
        },
      },
      { upsert: true },
    );
    if (res.upsertedCount) created.push(g.name);
  }
  return created;
}
