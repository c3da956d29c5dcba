/**
 * A reply's `attach` is kept with the message's claim (for the sender's later messages) and
 * never sent: not in the first answer, not in a retry's, on this process or another. And the
 * claim itself: one plain insert, one owner.
 */
import { processedMessageModel } from '../../src/db/models/processed-message';
import { createDedupe } from '../../src/wecom/dedupe';
import type { Channel, MessageHandler } from '../../src/wecom/message';
import { useTwoConnections } from '../helpers/db';
import { TEST_CREDS, buildCallback, createTestApp, decodeReply, postCallback } from '../helpers/wecom';

const NOW = new Date('2020-09-28T01:00:00Z');
const ts = NOW.getTime() / 1000;
const SECRET = 'only-for-later-messages';

const dbs = useTwoConnections();

describe.each<Channel>(['aibot', 'bot', 'app'])('a reply with an attachment (%s)', (channel) => {
  it('is answered without it, the same on a retry to another process; the claim keeps it with the sender and chat', async () => {
    let runs = 0;
    const until = new Date(NOW.getTime() + 600_000);
    const handle: MessageHandler = async () => {
      runs++;
      return { markdown: '✅ 进度已更新', attach: { until, target: { marker: SECRET } } };
    };
    const apps = [dbs.db.conn, dbs.second].map((conn) => createTestApp({ conn, handle, now: () => NOW }).app);
    const chat = channel === 'app' ? undefined : 'wrAttach';
    const first = buildCallback(TEST_CREDS, { channel, user: 'zhangsan', chat, text: '/进度 #1 80%' }, { timestamp: ts });
    const retry = buildCallback(TEST_CREDS, { channel, user: 'zhangsan', chat, text: '/进度 #1 80%', msgId: first.msgId }, { timestamp: ts });

    const answers = [];
    for (const [app, cb] of [[apps[0]!, first], [apps[1]!, retry]] as const) {
      const res = await postCallback(app, cb);
      expect(res.status).toBe(200);
      answers.push(decodeReply(TEST_CREDS, channel, res.body));
    }
    expect(runs).toBe(1);
    expect(answers.map((a) => a.text)).toEqual(['✅ 进度已更新', '✅ 进度已更新']);
    for (const a of answers) expect(a.plaintext).not.toContain(SECRET);

    const claim = await processedMessageModel(dbs.db.conn).findOne({ key: `${channel}:${first.msgId}` }).lean();
    expect(claim).toMatchObject({ status: 'done', reply: { markdown: '✅ 进度已更新' }, attach: { until, target: { marker: SECRET } }, userId: 'zhangsan', chatId: chat ?? 'zhangsan' });
    expect(Object.keys(claim!.reply as object)).toEqual(['markdown']);
  });
});

describe('claim', () => {
  it('is owned by exactly one of two racing instances; it stores what it was given and nothing undefined', async () => {
    const dedupes = [createDedupe({ conn: dbs.db.conn, now: () => NOW }), createDedupe({ conn: dbs.second, now: () => NOW })];
    const key = 'bot:claim-race-1';
    const owned = await Promise.all(dedupes.map((d) => d.claim(key, { chatId: 'wrG', userId: 'lisi', responseUrl: undefined })));
    expect(owned.filter(Boolean)).toHaveLength(1);
    const raw = await dbs.db.conn.db!.collection('processedmessages').findOne({ key });
    expect(raw).toMatchObject({ status: 'running', chatId: 'wrG', userId: 'lisi', createdAt: NOW });
    expect(raw!.leaseUntil).toEqual(new Date(NOW.getTime() + 30_000));
    expect(raw!.expireAt.getTime()).toBeGreaterThan(Date.now());
    expect('responseUrl' in raw!).toBe(false);
    // A finish by the owner is one write; the other instance's is ignored.
    const owner = dedupes[owned.indexOf(true)]!;
    const other = dedupes[owned.indexOf(false)]!;
    expect(await other.finish(key, { markdown: 'x' })).toBeNull();
    expect(await owner.finish(key, { markdown: 'y' })).toMatchObject({ before: { status: 'running' }, pushed: false });
    expect(await owner.get(key)).toMatchObject({ status: 'done', reply: { markdown: 'y' } });
    expect((await owner.get(key))!.attach).toBeUndefined();
  });
});
