import type { PushRequest } from '../../../src/wecom/outbox';
import { PENDING_TEXT, PUSHED_TEXT } from '../../../src/wecom/passive-reply';
import type { MessageHandler } from '../../../src/wecom/message';
import { openTestDb } from '../../helpers/db';
import { TEST_CREDS, buildCallback, createTestApp, decodeReply, postCallback, recordingOutbox, testConfig } from '../../helpers/wecom';

const NOW = new Date('2020-09-28T01:00:00Z');
const ts = NOW.getTime() / 1000;

let db: Awaited<ReturnType<typeof openTestDb>>;
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(() => db.close());

/** A handler that answers only when the test opens its gate (long after the reply budget). */
function gatedHandler() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let runs = 0;
  const handle: MessageHandler = async (msg) => {
    runs++;
    await gate;
    return { markdown: `本周排名：${msg.text}`, mentions: ['lisi'] };
  };
  return { handle, open: () => open(), runs: () => runs };
}

async function until(condition: () => boolean) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

function slowApp(handle: MessageHandler, now: () => Date = () => NOW) {
  const outbox = recordingOutbox();
  const { app } = createTestApp({ conn: db.conn, handle, outbox, now, config: testConfig({ REPLY_BUDGET_MS: '100' }) });
  return { app, outbox };
}

describe('a handler slower than the reply budget', () => {
  it('group robot: an empty 200 at once, then the answer pushed to the group’s webhook; a retry is not run again', async () => {
    const h = gatedHandler();
    const { app, outbox } = slowApp(h.handle);
    const fields = { channel: 'bot' as const, user: 'zhangsan', chat: 'wrG', text: '/排名', webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K' };
    const cb = buildCallback(TEST_CREDS, fields, { timestamp: ts });

    expect(await postCallback(app, cb)).toEqual({ status: 200, body: '' });
    expect(outbox.requests).toEqual([]);
    h.open();
    await until(() => outbox.requests.length > 0);
    expect(outbox.requests).toEqual<PushRequest[]>([
      {
        dedupeKey: `reply:bot:${cb.msgId}`,
        target: { kind: 'webhook', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K' },
        payload: { type: 'markdown', content: '本周排名：/排名', mentions: ['lisi'] },
      },
    ]);

    const retry = buildCallback(TEST_CREDS, { ...fields, msgId: cb.msgId }, { timestamp: ts });
    expect(await postCallback(app, retry)).toEqual({ status: 200, body: '' });
    expect(h.runs()).toBe(1);
    expect(outbox.requests).toHaveLength(1);
  });

  it('self-built app: an empty 200, then an app message to the sender', async () => {
    const h = gatedHandler();
    const { app, outbox } = slowApp(h.handle);
    expect(await postCallback(app, buildCallback(TEST_CREDS, { channel: 'app', user: 'wangwu', text: '/导出' }, { timestamp: ts }))).toEqual({ status: 200, body: '' });
    h.open();
    await until(() => outbox.requests.length > 0);
    expect(outbox.requests[0]).toMatchObject({ target: { kind: 'app', toUser: 'wangwu' }, payload: { type: 'text', content: '本周排名：/导出' } });
  });

  it('intelligent robot: an unfinished stream at once; WeCom’s refresh callbacks get the answer when it is ready', async () => {
    const h = gatedHandler();
    const { app, outbox } = slowApp(h.handle);
    const cb = buildCallback(TEST_CREDS, { user: 'zhangsan', chat: 'wrG', text: '/排名', responseUrl: 'https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=C' }, { timestamp: ts });
    const first = decodeReply(TEST_CREDS, 'aibot', (await postCallback(app, cb)).body);
    expect(first).toMatchObject({ kind: 'stream', finished: false, text: PENDING_TEXT });

    const refresh = () => buildCallback(TEST_CREDS, { user: 'zhangsan', chat: 'wrG', streamRefresh: first.streamId }, { timestamp: ts });
    expect(decodeReply(TEST_CREDS, 'aibot', (await postCallback(app, refresh())).body)).toMatchObject({ finished: false, streamId: first.streamId });
    h.open();
    const done = decodeReply(TEST_CREDS, 'aibot', (await postCallback(app, refresh())).body);
    expect(done).toMatchObject({ kind: 'stream', finished: true, streamId: first.streamId, text: '本周排名：/排名' });
    expect(outbox.requests).toEqual([]);
  });

  it('intelligent robot: an answer after WeCom stopped polling goes to the response_url; a late refresh says so', async () => {
    const h = gatedHandler();
    let now = NOW;
    const { app, outbox } = slowApp(h.handle, () => now);
    const cb = buildCallback(TEST_CREDS, { user: 'zhangsan', chat: 'wrG', text: '/排名', responseUrl: 'https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=C' }, { timestamp: ts });
    const first = decodeReply(TEST_CREDS, 'aibot', (await postCallback(app, cb)).body);
    expect(first.finished).toBe(false);

    now = new Date(NOW.getTime() + 6 * 60_000);
    h.open();
    await until(() => outbox.requests.length > 0);
    expect(outbox.requests).toEqual<PushRequest[]>([
      {
        dedupeKey: `reply:aibot:${cb.msgId}`,
        target: { kind: 'response_url', url: 'https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=C' },
        payload: { type: 'markdown', content: '本周排名：/排名', mentions: undefined },
      },
    ]);
    const late = buildCallback(TEST_CREDS, { user: 'zhangsan', chat: 'wrG', streamRefresh: first.streamId }, { timestamp: now.getTime() / 1000 });
    expect(decodeReply(TEST_CREDS, 'aibot', (await postCallback(app, late)).body)).toMatchObject({ finished: true, text: PUSHED_TEXT });
  });

  it('intelligent robot: a refresh for a stream nobody knows closes it', async () => {
    const { app } = slowApp(async () => null);
    const refresh = buildCallback(TEST_CREDS, { user: 'zhangsan', streamRefresh: 'nosuchstream' }, { timestamp: ts });
    expect(decodeReply(TEST_CREDS, 'aibot', (await postCallback(app, refresh)).body)).toMatchObject({ finished: true, text: '' });
  });
});
