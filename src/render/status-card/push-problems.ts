/** The push problems of a scope, shown to admins at the end of its card. */
import { bold, escapeMarkdown, font } from '../../text/markdown';
import type { CourtyardDoc, GroupDoc, Models, StreetDoc } from '../../db/models';
import type { DeadPushQuery } from '../../wecom/outbox';
import { formatDateTime, formatDay } from '../../services/beijing-time';
import { pushProblemFacts, type PushProblemFacts } from '../../services/status-card/push-problems';

/** The lines of {@link pushProblemFacts}; none when there is no problem. */
export function pushProblemLines({ invalid, dead }: PushProblemFacts, now: Date): string[] {
  if (invalid.length === 0 && dead.length === 0) return [];
  const name = (g: Pick<GroupDoc, 'name' | 'chatId'>) => escapeMarkdown(g.name ?? g.chatId);
  const lines = [bold('推送异常（管理员可见）：')];
  for (const g of invalid) {
    lines.push(font('warning', `群「${name(g)}」推送地址已失效（${formatDay(g.webhookInvalidAt!, now)}），请在该群重新 /绑定 … webhook=新地址`));
  }
  if (dead.length) {
    lines.push(font('warning', `近 7 天 ${dead.length} 条推送发送失败已放弃：`));
    for (const d of dead.slice(0, 3)) lines.push(`${formatDateTime(d.diedAt, now)} ${escapeMarkdown(d.preview)} · ${escapeMarkdown(d.lastError.slice(0, 40))}`);
  }
  return lines;
}

/** Problems with pushes into the groups of a scope, for admins: webhooks WeCom called invalid, and pushes given up in the last week. */
export async function pushProblems(
  models: Models,
  scope: { courtyard?: CourtyardDoc; street?: StreetDoc },
  now: Date,
  deadPushes: DeadPushQuery,
): Promise<string[]> {
  return pushProblemLines(await pushProblemFacts(models, scope, now, deadPushes), now);
}
