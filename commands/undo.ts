import { defineCommand } from '../src/bot/define-command';
import { escapeMarkdown, font } from '../src/text/markdown';
import { UNDO_WINDOW_MS } from '../src/services/audit';
import { formatDateTime } from '../src/services/beijing-time';
import { undoForCaller } from '../src/services/undo';
import { describeUndone } from '../src/render/undo';

/**
 * /撤销 — undoes the caller's own last command (all its records together) within 10
 * minutes, through the audit log; sent again, it undoes the one before.
 */
export default defineCommand({
  name: '撤销',
  aliases: ['undo'],
  summary: `撤销我最近的一条记录（${UNDO_WINDOW_MS / 60_000} 分钟内）`,
  allow: 'anyone',
  usage: ['/撤销'],
  async run(ctx) {
    const undone = await undoForCaller(ctx.models, ctx.caller, ctx.now);
    return [
      `↩️ 已撤销 ${formatDateTime(undone.at, ctx.now)} 的「${escapeMarkdown(undone.command)}」`,
      ...describeUndone(undone.entries).map((line) => `· ${escapeMarkdown(line)}`),
      font('comment', `再发 /撤销 可继续撤销更早的记录（${UNDO_WINDOW_MS / 60_000} 分钟内）`),
    ].join('\n');
  },
});
