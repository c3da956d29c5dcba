import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { allCommands } from '../../commands';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';
import { TEST_CREDS, buildCallback, decodeReply, postCallback, sealCallback } from '../helpers/wecom';
import { diffDocs, snapshotDocs } from './helpers/db-diff';
import { INJECTIONS, injectedLines } from './helpers/injection';
import { sealBytes } from './helpers/raw-callback';

/**
 * Hostile input against the whole app (router, dispatcher, every command, the test
 * database): refused with a 4xx, or answered politely; nothing written that the input
 * did not literally ask for.
 */
let bot: TestBot;
let fx: BasicFixture;
const ts = () => Math.floor(bot.now().getTime() / 1000);

beforeAll(async () => {
  bot = await createTestBot();
  fx = await bot.seed.basic();
});
afterAll(() => bot.close());

async function unchanged(run: () => Promise<void>): Promise<void> {
  const before = await snapshotDocs(bot.db.conn);
  await run();
  expect(diffDocs(before, await snapshotDocs(bot.db.conn))).toEqual([]);
}

const post = (cb: { url: string; body: string; contentType?: string }) => postCallback(bot.app, { contentType: 'application/json', ...cb });
const text = (fields: { channel?: 'aibot' | 'bot' | 'app'; text: string; msgId?: string }, timestamp = ts()) =>
  buildCallback(TEST_CREDS, { user: fx.users.admin.userId, chat: fields.channel === 'app' ? undefined : fx.groups.dongfang, ...fields }, { timestamp });

describe('refused before anything is read from or written to the database', () => {
  it.each(['aibot', 'bot', 'app'] as const)('%s: a forged signature, a wrong token, a wrong AES key → 401/400', async (channel) => {
    await unchanged(async () => {
      const cb = text({ channel, text: '/绑定 楼院 东方花园' });
      expect((await post({ ...cb, url: cb.url.replace(/msg_signature=[0-9a-f]{40}/, `msg_signature=${'a'.repeat(40)}`) })).status).toBe(401);
      expect((await post(buildCallback({ ...TEST_CREDS, token: 'another' }, { channel, user: 'admin', text: '/帮助' }, { timestamp: ts() }))).status).toBe(401);
      const otherKey = buildCallback({ ...TEST_CREDS, encodingAesKey: 'b'.repeat(43) }, { channel, user: 'admin', text: '/帮助' }, { timestamp: ts() });
      expect((await post(otherKey)).status).toBe(400);
    });
  });

  // WeCom signs each delivery with its timestamp; its retries come within seconds
  // (path/96466). A callback more than 5 minutes from our clock either way is a replay.
  it('replays: older or newer than 5 minutes → 401; a replay inside the window gets the stored answer and runs nothing', async () => {
    await unchanged(async () => {
      expect((await post(text({ text: '/帮助' }, ts() - 301))).status).toBe(401);
      expect((await post(text({ text: '/帮助' }, ts() + 301))).status).toBe(401);
      expect((await post(text({ text: '/帮助' }, ts() - 24 * 3600))).status).toBe(401);
    });
    const register = buildCallback(TEST_CREDS, { user: 'intruder', text: '/登记 王五 区教育局' }, { timestamp: ts() });
    const first = await post(register);
    expect(decodeReply(TEST_CREDS, 'aibot', first.body).text).toContain('已提交登记申请');
    await unchanged(async () => {
      bot.advance(4 * 60_000);
      const again = await post(register);
      expect(again.status).toBe(200);
      expect(decodeReply(TEST_CREDS, 'aibot', again.body).text).toBe(decodeReply(TEST_CREDS, 'aibot', first.body).text);
      bot.advance(2 * 60_000);
      expect((await post(register)).status).toBe(401);
    });
  });

  it('bodies that are not envelopes: bad XML, bad JSON, invalid UTF-8, an entity bomb → 400 (401 where only the signature is wrong)', async () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">' +
      Array.from({ length: 9 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`).join('') +
      ']><xml><Encrypt>&j;</Encrypt></xml>';
    await unchanged(async () => {
      const bot1 = text({ channel: 'bot', text: '/帮助' });
      const ai = text({ text: '/帮助' });
      for (const body of ['<xml><Encrypt>', '<xml><Encrypt><a>1</a></Encrypt></xml>', 'not xml at all', bomb, '<xml><Encrypt>\udcff</Encrypt></xml>']) {
        expect({ body: body.slice(0, 40), status: (await post({ url: bot1.url, body, contentType: 'text/xml' })).status }).toEqual({ body: body.slice(0, 40), status: 400 });
      }
      for (const body of ['{"encrypt":', '{"encrypt":{"$gt":""}}', '[]', 'null', '{"encrypt":"' + 'A'.repeat(10) + '"}']) {
        // Not JSON, or no ciphertext → 400; a well-formed ciphertext the signature does not cover → 401.
        const { status } = await post({ url: ai.url, body });
        expect({ body, refused: status === 400 || status === 401 }).toEqual({ body, refused: true });
      }
      const res = await new Promise<number>((resolve, reject) => {
        const server = http.createServer(bot.app.callback()).listen(0, '127.0.0.1', () => {
          const req = http.request({ port: (server.address() as AddressInfo).port, method: 'POST', path: ai.url, headers: { 'content-type': 'application/json' } }, (r) => {
            r.resume();
            server.close();
            resolve(r.statusCode ?? 0);
          });
          req.on('error', reject);
          req.end(Buffer.concat([Buffer.from('{"encrypt":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('"}')]));
        });
      });
      expect(res).toBe(400);
    });
  });

  it('a signed message whose plaintext is invalid UTF-8, or carries query operators instead of strings → 400', async () => {
    await unchanged(async () => {
      const bytes = Buffer.concat([Buffer.from('{"msgid":"x1","from":{"userid":"admin"},"msgtype":"text","text":{"content":"/帮助 '), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}}')]);
      expect((await post(sealBytes(TEST_CREDS, bytes, '', ts()))).status).toBe(400);
      const base = { msgid: 'x2', chatid: fx.groups.dongfang, chattype: 'group', from: { userid: 'admin' }, msgtype: 'text', text: { content: '/帮助' } };
      for (const evil of [
        { from: { userid: { $gt: '' } } },
        { msgid: { $ne: null } },
        { chatid: { $gt: '' } },
        { text: { content: { $where: 'sleep(100)' } } },
        { stream: { id: { $ne: null } }, msgtype: 'stream' },
      ]) {
        expect((await post(sealCallback(TEST_CREDS, 'aibot', JSON.stringify({ ...base, ...evil }), { timestamp: ts() }))).status).toBe(400);
      }
      const xml = (userId: string) =>
        `<xml><MsgId>x3</MsgId><ChatId>${fx.groups.dongfang}</ChatId><ChatType>group</ChatType><From><UserId>${userId}</UserId></From><MsgType>text</MsgType><Text><Content>@楼院通 /帮助</Content></Text></xml>`;
      expect((await post({ ...sealCallback(TEST_CREDS, 'bot', xml('<gt>1</gt>'), { timestamp: ts() }), contentType: 'text/xml' })).status).toBe(400);
      expect((await post({ ...sealCallback(TEST_CREDS, 'bot', xml('<$gt>1</$gt>'), { timestamp: ts() }), contentType: 'text/xml' })).status).toBe(400);
    });
  });

  it('a 10 MB body → 413, answered before the client has sent it all (declared length) or after 64 KiB (chunked)', async () => {
    const ai = text({ text: '/帮助' });
    const server = http.createServer(bot.app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const TEN_MB = 10 * 1024 * 1024;
    const send = (declared: boolean) =>
      new Promise<{ status: number; sentWhenAnswered: number }>((resolve, reject) => {
        let sent = 0;
        const headers: Record<string, string | number> = { 'content-type': 'application/json' };
        if (declared) headers['content-length'] = TEN_MB;
        const req = http.request({ port, method: 'POST', path: ai.url, headers }, (r) => {
          r.resume();
          resolve({ status: r.statusCode ?? 0, sentWhenAnswered: sent });
          req.destroy();
        });
        req.on('error', (err) => (sent >= TEN_MB ? undefined : reject(err)));
        const chunk = Buffer.alloc(64 * 1024, 0x41);
        const pump = () => {
          while (sent < TEN_MB && !req.destroyed) {
            sent += chunk.length;
            if (!req.write(chunk)) return void req.once('drain', pump);
          }
          if (!req.destroyed) req.end();
        };
        pump();
      });
    try {
      for (const declared of [true, false]) {
        const res = await send(declared);
        expect(res.status).toBe(413);
        expect(res.sentWhenAnswered).toBeLessThan(TEN_MB);
      }
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

/** A document that holds the user's literal text (the tokenizer drops the quotes): the command may change it. */
const unquote = (s: string) => s.replace(/\\?"/g, '');
const literal = (json: string) => INJECTIONS.some((p) => unquote(json).includes(unquote(p)));

/**
 * An operator taken as one would match records it should not: so every record that existed
 * before (the fixture, a project, a request) must stay as it was, unless it holds the
 * literal text itself (a project titled `{$gt:}` may be reported on). New records are
 * allowed (a project may be titled `{$gt:}`); operators stored as keys are not.
 */
describe('MongoDB operators in every argument position of every command', () => {
  beforeAll(async () => {
    expect(await bot.send(fx.users.admin, fx.groups.dongfang, '/项目 新建 外墙粉刷 类别=工程 截止=9月30日 责任人=张三')).toContain('#1');
    expect(await bot.send(fx.users.zhangsan, fx.groups.dongfang, '/诉求 5号楼路灯不亮')).toContain('#1');
  });

  it.each(allCommands.map((c) => [c.name, c] as const))('/%s: a polite answer to an admin and a cadre; nothing existing touched', async (_name, command) => {
    const before = await snapshotDocs(bot.db.conn);
    const problems: string[] = [];
    for (const who of ['admin', 'zhangsan'] as const) {
      for (const payload of INJECTIONS) {
        for (const line of injectedLines(command, payload)) {
          const reply = await bot.send(fx.users[who], fx.groups.dongfang, line);
          if (reply.includes('系统繁忙') || /\bat \S+ \(|Error\b|undefined|\[object/.test(reply)) problems.push(`${who}: ${line} → ${reply}`);
        }
      }
    }
    for (const c of diffDocs(before, await snapshotDocs(bot.db.conn))) {
      if (/"\$(gt|ne|where|regex)"\s*:/.test(c.json)) problems.push(`operator stored as a key in ${c.collection}: ${c.json}`);
      // Counters (sequence numbers, /诉求 rate limits) move with every accepted command, and so
      // does the sender's photo window (the record a following picture attaches to).
      if (c.change !== 'inserted' && !['processedmessages', 'sequences', 'rate_slots', 'photowindows'].includes(c.collection) && !literal(c.json)) problems.push(`${c.change} ${c.collection} ${c.json}`);
    }
    expect(problems).toEqual([]);
  }, 120_000);
});
