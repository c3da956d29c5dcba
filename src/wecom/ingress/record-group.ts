import type { IncomingMessage, Reply } from '../message';

/** What the bot says when it is added to a group (or a user first opens a chat with it). */
export const WELCOME: Reply = {
  markdown: [
    '大家好，我是**楼院通**，无主管楼院整治的工作助手。',
    '请群管理员先绑定本群：',
    '`/绑定 楼院 东方花园` 或 `/绑定 街道 济源路`，领导群用 `/绑定 领导群`；',
    '需要定时推送的群，再附上群推送地址：`webhook=<群机器人推送地址>`。',
    '发送 `/帮助` 查看全部命令。',
  ].join('\n'),
};

/**
 * The port through which the ingress keeps the record of the groups it hears from (the
 * runtime hands in src/services/group-records.ts). `G` is the record as stored: the ingress
 * hands it on to the handler untouched, so a message reads its group once.
 */
export interface GroupRecords<G> {
  /**
   * Group bookkeeping for every verified group message, in one write that returns the group
   * as written; null for a 1:1 chat.
   */
  record(msg: IncomingMessage, now: Date): Promise<G | null>;
  /** The webhook a late answer is pushed to: the recorded group's, or (none recorded) the stored one's. */
  webhookOf(chatId: string, recorded: G | null | undefined): Promise<string | null | undefined>;
}
