import { createHash } from 'node:crypto';

const digest = (s: string) => createHash('sha1').update(s).digest('hex');

/** A stable WeCom-like ChatId for a simulated group name (the same name, the same chat). */
export function simChatId(groupName: string): string {
  return 'wrsim' + digest(`group:${groupName}`).slice(0, 20);
}

/** The push-robot key the simulator gives a simulated group (its sink webhook URL uses it). */
export function simWebhookKey(chatId: string): string {
  const h = digest(`webhook:${chatId}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
