import type { Connection } from 'mongoose';
import { groupModel, type GroupDoc } from '../../db/models/group';
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
 * Group bookkeeping for every verified group message: a group seen for the first time is
 * stored; its webhook (group robot callbacks bring one each time) is kept current; the bot
 * being removed marks it inactive, being added marks it active again. One upsert that returns
 * the group as written (handed on to the handler: the message's one read of its group);
 * null for a 1:1 chat.
 */
export async function recordGroup(conn: Connection, msg: IncomingMessage, now: Date): Promise<GroupDoc | null> {
  if (msg.chatType !== 'group') return null;
  const set: Record<string, unknown> = { channel: msg.channel };
  if (msg.webhookUrl) set.webhookUrl = msg.webhookUrl;
  if (msg.event === 'removed') set.active = false;
  if (msg.event === 'added') set.active = true;
  const setOnInsert: Record<string, unknown> = { firstSeenAt: now };
  if (!('active' in set)) setOnInsert.active = true;
  return groupModel(conn).findOneAndUpdate({ chatId: msg.chatId }, { $set: set, $setOnInsert: setOnInsert }, { upsert: true, returnDocument: 'after' });
}
