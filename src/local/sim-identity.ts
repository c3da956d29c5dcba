import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeCsv, parseCsv } from '../roster/csv';
import { sampleRosterDir } from '../roster/sample';

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

let sampleUserIds: Map<string, string> | undefined;

/**
 * The WeCom userid the simulator sends for a person it is told by name: the sample roster's
 * account (张三 → zhangsan), so local mode's people are already known to the bot; anyone else
 * gets a stable made-up id (WeCom userids are ASCII).
 */
export function simUserId(person: string): string {
  if (/^[\w.@-]+$/.test(person)) return person;
  sampleUserIds ??= readSampleUserIds();
  return sampleUserIds.get(person) ?? 'sim_' + digest(`user:${person}`).slice(0, 12);
}

function readSampleUserIds(): Map<string, string> {
  const [header = [], ...rows] = parseCsv(decodeCsv(readFileSync(path.join(sampleRosterDir(), 'cadres.csv'))));
  const name = header.findIndex((h) => h.startsWith('姓名'));
  const account = header.indexOf('企业微信账号');
  const ids = new Map<string, string>();
  for (const row of rows) if (row[name] && row[account]) ids.set(row[name], row[account]);
  return ids;
}
