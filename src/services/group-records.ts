import type { GroupRecord, Models } from '../db/models';
import type { IncomingMessage, Known as KnownOf, MessageHandler as MessageHandlerOf } from '../wecom/message';
import type { GroupRecords } from '../wecom/ingress/record-group';

/** What the ingress hands the handler: the group record as it upserted it. */
export type Known = KnownOf<GroupRecord>;
/** A handler of the messages of an ingress keeping its groups with `groupRecords`. */
export type MessageHandler = MessageHandlerOf<GroupRecord>;

/**
 * The ingress's group records (its port, src/wecom/ingress/record-group.ts): a group seen for
 * the first time is stored; its webhook (group robot callbacks bring one each time) is kept
 * current; the bot being removed marks it inactive, being added marks it active again. One
 * upsert that returns the group as written (handed on to the handler: the message's one read
 * of its group).
 */
export function groupRecords(models: Pick<Models, 'Group'>): GroupRecords<GroupRecord> {
  return {
    async record(msg: IncomingMessage, now: Date) {
      if (msg.chatType !== 'group') return null;
      const set: Record<string, unknown> = { channel: msg.channel };
      if (msg.webhookUrl) set.webhookUrl = msg.webhookUrl;
      if (msg.event === 'removed') set.active = false;
      if (msg.event === 'added') set.active = true;
      const setOnInsert: Record<string, unknown> = { firstSeenAt: now };
      if (!('active' in set)) setOnInsert.active = true;
      return models.Group.findOneAndUpdate({ chatId: msg.chatId }, { $set: set, $setOnInsert: setOnInsert }, { upsert: true, returnDocument: 'after' }).lean<GroupRecord>();
    },
    async webhookOf(chatId, recorded) {
      return (recorded ?? (await models.Group.findOne({ chatId }).lean()))?.webhookUrl;
    },
  };
}
