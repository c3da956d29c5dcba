import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decrypt as libDecrypt, getSignature } from '@wecom/crypto';
import { groupModel } from '../../../src/db/models/group';
import { processedMessageModel } from '../../../src/db/models/processed-message';
import { UserError } from '../../../src/errors';
import { encryptMessage, signature } from '../../../src/wecom/crypto';
import type { IncomingMessage, MessageHandler } from '../../../src/wecom/message';
import { openTestDb } from '../../helpers/db';
import {
  TEST_CREDS,
  buildCallback,
  createTestApp,
  decodeReply,
  postCallback,
  recordingOutbox,
  sealCallback,
  sendText,
} from '../../helpers/wecom';

const fixture = (name: string) => readFileSync(path.join(__dirname, '../../fixtures/wecom', name), 'utf8');
const NOW = new Date('2020-09-28T01:00:00Z');
const ts = NOW.getTime() / 1000;

let db: Awaited<ReturnType<typeof openTestDb>>;
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(() => db.close());
afterEach(async () => {
  await processedMessageModel(db.conn).deleteMany({});
  await groupModel(db.conn).deleteMany({});
});

/** An app whose handler echoes the text and records what it was given. */
function echoApp(handle?: MessageHandler) {
  const seen: IncomingMessage[] = [];
  const outbox = recordingOutbox();
  const { app } = createTestApp({
    conn: db.conn,
    now: () => NOW,
    outbox,
    handle: async (msg) => {
      seen.push(msg);
      return handle ? handle(msg) : { markdown: `收到：${msg.text}` };
    },
  });
  return { app, seen, outbox };
}

async function nothingStored() {
  expect(await processedMessageModel(db.conn).countDocuments()).toBe(0);
  expect(await groupModel(db.conn).countDocuments()).toBe(0);
}

describe('a message in, a reply out', () => {
  it('intelligent robot: the documented text message gets a finished stream, encrypted with the callback’s nonce', async () => {
    const { app, seen } = echoApp();
    const cb = sealCallback(TEST_CREDS, 'aibot', fixture('aibot-text.json'), { timestamp: ts, nonce: '1372623149' });
    const res = await postCallback(app, cb);

    expect(res.status).toBe(200);
    const envelope = JSON.parse(res.body) as { encrypt: string; msgsignature: string; timestamp: number; nonce: string };
    expect(envelope.nonce).toBe('1372623149');
    expect(envelope.msgsignature).toBe(getSignature(TEST_CREDS.token, envelope.timestamp, envelope.nonce, envelope.encrypt));
    const plain = libDecrypt(TEST_CREDS.encodingAesKey, envelope.encrypt);
    expect(plain.id).toBe('');
    expect(JSON.parse(plain.message)).toEqual({
      msgtype: 'stream',
      stream: { id: expect.any(String), finish: true, content: '收到：hello robot' },
    });
    expect(seen).toEqual([
      {
        channel: 'aibot',
        msgId: 'CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=',
        chatId: 'CHATID',
        chatType: 'group',
        sender: { userId: 'USERID' },
        text: 'hello robot',
        kind: 'text',
        event: undefined,
        // The documentation's placeholder is not a URL on WeCom's API origin: dropped where it enters.
        responseUrl: undefined,
        time: NOW,
      },
    ]);
  });

  it('group robot: the documented XML message gets passive markdown XML; the group is stored with its webhook', async () => {
    const { app, seen } = echoApp();
    const res = await postCallback(app, sealCallback(TEST_CREDS, 'bot', fixture('bot-text.xml'), { timestamp: ts }));

    expect(res.status).toBe(200);
    const [, encrypted] = /<Encrypt><!\[CDATA\[([^\]]+)\]\]><\/Encrypt>/.exec(res.body)!;
    expect(libDecrypt(TEST_CREDS.encodingAesKey, encrypted!).message).toBe(
      '<xml><MsgType>markdown</MsgType><Markdown><Content><![CDATA[收到：hello robot]]></Content></Markdown></xml>',
    );
    expect(seen[0]).toMatchObject({
      channel: 'bot',
      msgId: 'CIGABBCOgP+XBhjD1Yq2nICAAyAB',
      chatId: 'wrkSFfCgAALFgnrSsWU38puiv4yvExuw',
      chatType: 'group',
      sender: { userId: 'zhangsan', name: '张三', alias: 'san' },
      text: 'hello robot',
      webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=xxxxxxx',
    });
    const group = await groupModel(db.conn).findOne({ chatId: 'wrkSFfCgAALFgnrSsWU38puiv4yvExuw' }).lean();
    expect(group).toMatchObject({ webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=xxxxxxx', channel: 'bot', active: true });
  });

  it('group robot with robot_callback_format=json: JSON in, JSON markdown out', async () => {
    const { app, seen } = echoApp();
    const res = await postCallback(app, sealCallback(TEST_CREDS, 'bot', fixture('bot-text.json'), { timestamp: ts, json: true }));
    expect(res.status).toBe(200);
    expect(decodeReply(TEST_CREDS, 'bot', res.body, { json: true })).toMatchObject({ kind: 'markdown', text: '收到：hello robot' });
    expect(seen[0]).toMatchObject({ sender: { userId: 'zhangsan', name: '张三' }, text: 'hello robot', webhookUrl: expect.stringContaining('key=xxxxxxx') });
  });

  it('self-built app: text XML back to the sender, encrypted with the CorpID; the 64-bit MsgId is kept exactly', async () => {
    const { app, seen } = echoApp();
    const res = await postCallback(app, sealCallback(TEST_CREDS, 'app', fixture('app-text.xml'), { timestamp: ts }));

    expect(res.status).toBe(200);
    const [, encrypted] = /<Encrypt><!\[CDATA\[([^\]]+)\]\]><\/Encrypt>/.exec(res.body)!;
    const plain = libDecrypt(TEST_CREDS.encodingAesKey, encrypted!);
    expect(plain.id).toBe(TEST_CREDS.corpId);
    expect(plain.message).toContain('<ToUserName><![CDATA[fromUser]]></ToUserName>');
    expect(plain.message).toContain(`<FromUserName><![CDATA[${TEST_CREDS.corpId}]]></FromUserName>`);
    expect(plain.message).toContain('<Content><![CDATA[收到：this is a test]]></Content>');
    expect(seen[0]).toMatchObject({ channel: 'app', msgId: '1234567890123456789', chatId: 'fromUser', chatType: 'single', time: new Date(1348831860_000) });
  });

  it('mentions: the group robot shows <@userid>, the intelligent robot’s stream does not', async () => {
    const { app } = echoApp(async () => ({ markdown: '请及时更新进度', mentions: ['lisi'] }));
    const bot = await sendText(app, { channel: 'bot', user: 'zhangsan', chat: 'wrGROUP', text: '/逾期', now: NOW });
    expect(bot.replyText).toBe('请及时更新进度\n<@lisi>');
    const aibot = await sendText(app, { user: 'zhangsan', chat: 'wrGROUP', text: '/逾期', now: NOW });
    expect(aibot.replyText).toBe('请及时更新进度');
  });

  it('a leading "@机器人名" is stripped however WeCom spaces it, and a slash right after the name ends it', async () => {
    const { app, seen } = echoApp();
    for (const content of ['@楼院通\u2005/帮助', '@楼院通 /帮助', '@楼院通/帮助']) {
      await postCallback(app, sealCallback(TEST_CREDS, 'aibot', JSON.stringify({
        msgid: `m-${content}`, aibotid: 'A', chatid: 'wrG', chattype: 'group', from: { userid: 'u' }, msgtype: 'text', text: { content },
      }), { timestamp: ts }));
    }
    expect(seen.map((m) => m.text)).toEqual(['/帮助', '/帮助', '/帮助']);
  });

  it('a handler’s UserError reaches the chat; any other error becomes “系统繁忙”', async () => {
    const { app } = echoApp(async (msg) => {
      if (msg.text === '/进度') throw new UserError('缺少项目编号。', ['/进度 #12 80% 主路已硬化']);
      throw new Error('database exploded');
    });
    expect((await sendText(app, { user: 'u', text: '/进度', now: NOW })).replyText).toBe('缺少项目编号。\n`/进度 #12 80% 主路已硬化`');
    expect((await sendText(app, { user: 'u', text: '/查询', now: NOW })).replyText).toBe('系统繁忙，请稍后重试');
  });
});

describe('replies over the passive limit', () => {
  const lines = Array.from({ length: 120 }, (_, i) => `第${i + 1}行：东方花园主路硬化工程进度已更新到百分之八十`);

  it('group robot: the first part (≤ 4,096 bytes, whole lines) passively, the rest queued for the group’s webhook', async () => {
    const { app, outbox } = echoApp(async () => ({ markdown: lines.join('\n'), mentions: ['lisi'] }));
    const cb = buildCallback(TEST_CREDS, { channel: 'bot', user: 'u', chat: 'wrG', text: '/导出', webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K' }, { timestamp: ts });
    const passive = decodeReply(TEST_CREDS, 'bot', (await postCallback(app, cb)).body).text;

    expect(Buffer.byteLength(passive)).toBeLessThanOrEqual(4096);
    expect(lines).toContain(passive.split('\n').at(-1));
    expect(outbox.requests).toEqual([
      {
        dedupeKey: `reply:bot:${cb.msgId}:rest`,
        target: { kind: 'webhook', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K' },
        payload: { type: 'markdown', content: expect.any(String), mentions: ['lisi'] },
      },
    ]);
    const rest = (outbox.requests[0]!.payload as { content: string }).content;
    expect(passive + '\n' + rest).toBe(lines.join('\n'));
  });

  it('self-built app: the first 2,048 bytes as text, the rest as an app message to the sender', async () => {
    const { app, outbox } = echoApp(async () => ({ markdown: lines.join('\n') }));
    const res = await sendText(app, { channel: 'app', user: 'wangwu', text: '/查询', now: NOW });
    expect(Buffer.byteLength(res.replyText)).toBeLessThanOrEqual(2048);
    expect(outbox.requests[0]).toMatchObject({ target: { kind: 'app', toUser: 'wangwu' }, payload: { type: 'text' } });
  });
});

describe('groups and events', () => {
  it('the bot added to a group: a welcome that says how to bind; removed: the group is marked inactive', async () => {
    const { app, seen } = echoApp();
    const added = await postCallback(app, sealCallback(TEST_CREDS, 'bot', fixture('bot-add-to-chat.xml'), { timestamp: ts }));
    const welcome = decodeReply(TEST_CREDS, 'bot', added.body).text;
    expect(welcome).toContain('/绑定');
    expect(welcome).toContain('/帮助');
    expect(await groupModel(db.conn).findOne({ chatId: 'wrkSFfCgAALFgnrSsWU38puiv4yvExuw' }).lean()).toMatchObject({ active: true });

    const removed = await postCallback(app, sealCallback(TEST_CREDS, 'bot', fixture('bot-delete-from-chat.xml'), { timestamp: ts }));
    expect(removed).toEqual({ status: 200, body: '' });
    expect(await groupModel(db.conn).findOne({ chatId: 'wrkSFfCgAALFgnrSsWU38puiv4yvExuw' }).lean()).toMatchObject({ active: false });
    expect(seen).toEqual([]);
  });

  it('intelligent robot: entering the 1:1 chat gets a plain-text welcome; card clicks are ignored', async () => {
    const { app, seen } = echoApp();
    const enter = await postCallback(app, sealCallback(TEST_CREDS, 'aibot', fixture('aibot-enter-chat.json'), { timestamp: ts }));
    const welcome = decodeReply(TEST_CREDS, 'aibot', enter.body);
    expect(welcome.kind).toBe('text');
    expect(welcome.text).toContain('/帮助');
    expect(welcome.text).not.toContain('**');

    const click = await postCallback(app, sealCallback(TEST_CREDS, 'aibot', fixture('aibot-template-card-event.json'), { timestamp: ts }));
    expect(click).toEqual({ status: 200, body: '' });
    expect(seen).toEqual([]);
  });

  it('a group seen again keeps one record, with the newest webhook', async () => {
    const { app } = echoApp();
    for (const key of ['OLD', 'NEW']) {
      await sendText(app, { channel: 'bot', user: 'u', chat: 'wrG', text: 'hi', webhookUrl: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}`, now: NOW });
    }
    const groups = await groupModel(db.conn).find({ chatId: 'wrG' }).lean();
    expect(groups.map((g) => g.webhookUrl)).toEqual(['https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=NEW']);
  });
});

describe('refused callbacks: nothing is recorded', () => {
  it('a forged signature → 401', async () => {
    const { app, seen } = echoApp();
    const cb = buildCallback(TEST_CREDS, { user: 'u', chat: 'wrG', text: '/帮助' }, { timestamp: ts });
    const forged = { ...cb, url: cb.url.replace(/msg_signature=[0-9a-f]+/, `msg_signature=${'0'.repeat(40)}`) };
    expect((await postCallback(app, forged)).status).toBe(401);
    expect(seen).toEqual([]);
    await nothingStored();
  });

  it('a body signed for another ciphertext → 401', async () => {
    const { app } = echoApp();
    const a = buildCallback(TEST_CREDS, { user: 'u', chat: 'wrG', text: '/帮助' }, { timestamp: ts });
    const b = buildCallback(TEST_CREDS, { user: 'u', chat: 'wrG', text: '/撤销' }, { timestamp: ts });
    expect((await postCallback(app, { ...a, body: b.body })).status).toBe(401);
    await nothingStored();
  });

  it('encrypted with another EncodingAESKey (signed with the right token) → 400', async () => {
    const { app, seen } = echoApp();
    const ciphertext = encryptMessage('b'.repeat(43), fixture('aibot-text.json'), '');
    const nonce = '42';
    const url = `/wecom/aibot?msg_signature=${signature(TEST_CREDS.token, ts, nonce, ciphertext)}&timestamp=${ts}&nonce=${nonce}`;
    expect((await postCallback(app, { url, body: JSON.stringify({ encrypt: ciphertext }), contentType: 'application/json' })).status).toBe(400);
    expect(seen).toEqual([]);
    await nothingStored();
  });

  it('an app message encrypted for another CorpID → 403', async () => {
    const { app } = echoApp();
    const cb = sealCallback({ ...TEST_CREDS, corpId: 'wwanothercorp' }, 'app', fixture('app-text.xml'), { timestamp: ts });
    expect((await postCallback(app, cb)).status).toBe(403);
    await nothingStored();
  });

  it('a body over 64 KiB → 413', async () => {
    const { app } = echoApp();
    const cb = buildCallback(TEST_CREDS, { user: 'u', chat: 'wrG', text: '长'.repeat(30_000) }, { timestamp: ts });
    expect(Buffer.byteLength(cb.body)).toBeGreaterThan(64 * 1024);
    expect((await postCallback(app, cb)).status).toBe(413);
    await nothingStored();
  });

  it('a callback replayed 10 minutes later → 401', async () => {
    const { app } = echoApp();
    const cb = buildCallback(TEST_CREDS, { user: 'u', chat: 'wrG', text: '/帮助' }, { timestamp: ts - 600 });
    expect((await postCallback(app, cb)).status).toBe(401);
    await nothingStored();
  });

  it('a body that is not an envelope → 400; a well-signed but undocumented message → 400', async () => {
    const { app } = echoApp();
    const cb = buildCallback(TEST_CREDS, { channel: 'bot', user: 'u', chat: 'wrG', text: 'x' }, { timestamp: ts });
    expect((await postCallback(app, { ...cb, body: '<xml><Encrypt>' })).status).toBe(400);
    expect((await postCallback(app, { ...cb, body: '<xml><Other>1</Other></xml>' })).status).toBe(400);
    const odd = sealCallback(TEST_CREDS, 'aibot', JSON.stringify({ hello: 'world' }), { timestamp: ts });
    expect((await postCallback(app, odd)).status).toBe(400);
    await nothingStored();
  });

  it('a callback without msg_signature → 401', async () => {
    const { app } = echoApp();
    const cb = buildCallback(TEST_CREDS, { user: 'u', text: 'x' }, { timestamp: ts });
    expect((await postCallback(app, { ...cb, url: '/wecom/aibot' })).status).toBe(401);
    await nothingStored();
  });
});
