import http from 'node:http';
import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { allCommands } from '../../commands';
import { createTestBot, type BasicFixture, type TestBot } from '../helpers/bot';
import { SYSTEM_BUSY_TEXT } from '../../src/errors';
import { BUSY_NOT_RUN_TEXT, BUSY_UNSURE_TEXT } from '../../src/wecom/ingress/router';
import { TEST_CREDS, buildCallback, decodeReply, sealCallback } from '../helpers/wecom';
import { ALL_INJECTIONS, injectedLines } from '../fault/helpers/injection';

/**
 * 100,000 hostile requests against the whole app on a listening server: forged signatures,
 * replays, a wrong AES key, bodies that are not envelopes, operators in signed messages and
 * operator injection in every argument of every command. Every answer is a 4xx or a polite
 * 200; the heap after GC at 100,000 is not more than a generous bound above the heap at
 * 10,000 (a leak check, not a timing check).
 */
const TOTAL = 100_000;
const WARM = 10_000;
const CONCURRENCY = 16;
/** Generous: a leak of even 1 KiB per request would show as ~90 MB. */
const MAX_GROWTH_BYTES = 48 * 1024 * 1024;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

let bot: TestBot;
let fx: BasicFixture;
let server: http.Server;
let port: number;
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

afterAll(async () => {
  agent.destroy();
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  await bot?.close();
});

function post(url: string, body: string | Buffer, contentType: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ port, agent, method: 'POST', path: url, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('100,000 hostile requests', () => {
  it('are refused or answered politely, and the heap stays flat', async () => {
    bot = await createTestBot();
    fx = await bot.seed.basic();
    server = http.createServer(bot.app.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;

    const lines = ALL_INJECTIONS.flatMap((p) => allCommands.flatMap((c) => injectedLines(c, p)));
    const users = [fx.users.admin, fx.users.zhangsan, fx.users.stranger];
    const now = () => Math.floor(bot.now().getTime() / 1000);
    /** The i-th hostile request: mostly refused before the database, one in ten a signed command with an operator in it. */
    const request = (i: number) => {
      const kind = i % 10;
      const cb = buildCallback(TEST_CREDS, { user: users[i % 3]!.userId, chat: fx.groups.dongfang, text: lines[i % lines.length]!, msgId: `abuse-${i}` }, { timestamp: now() });
      switch (kind) {
        case 0:
          return { ...cb, expect: 200 };
        case 1:
          return { ...cb, url: cb.url.replace(/msg_signature=[0-9a-f]{40}/, `msg_signature=${'f'.repeat(40)}`), expect: 401 };
        case 2:
          return { ...buildCallback(TEST_CREDS, { user: 'admin', text: '/帮助' }, { timestamp: now() - 3600 }), expect: 401 };
        case 3:
          return { ...buildCallback({ ...TEST_CREDS, encodingAesKey: 'b'.repeat(43) }, { user: 'admin', text: '/帮助' }, { timestamp: now() }), expect: 400 };
        case 4:
          return { ...cb, body: '{"encrypt":{"$gt":""}}', expect: 400 };
        case 5:
          return { ...cb, body: `{"encrypt":"${'x'.repeat(i % 500)}`, expect: 400 };
        case 6:
          return { ...sealCallback(TEST_CREDS, 'aibot', JSON.stringify({ msgid: `abuse-${i}`, from: { userid: { $ne: null } }, msgtype: 'text', text: { content: '/帮助' } }), { timestamp: now() }), expect: 400 };
        case 7:
          return { ...cb, url: cb.url.replace('/wecom/aibot', '/wecom/bot'), body: '<xml><Encrypt><![CDATA[', contentType: 'text/xml', expect: 400 };
        case 8:
          return { ...cb, url: '/wecom/aibot', expect: 401 };
        default:
          return { ...cb, body: Buffer.concat([Buffer.from('{"encrypt":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]), expect: 400 };
      }
    };

    const problems: string[] = [];
    /** Answers at the router's deadline: the machine too slow for the 4 s, not a fault of the input. */
    let late = 0;
    let next = 0;
    const run = async (until: number) => {
      const worker = async () => {
        while (next < until) {
          const i = next++;
          const r = request(i);
          const res = await post(r.url, r.body, r.contentType);
          if (res.status !== r.expect) problems.push(`#${i}: HTTP ${res.status}, expected ${r.expect}`);
          else if (res.status === 200) {
            const reply = decodeReply(TEST_CREDS, 'aibot', res.body);
            if (reply.text === BUSY_NOT_RUN_TEXT || reply.text === BUSY_UNSURE_TEXT) late++;
            else if (reply.text.includes(SYSTEM_BUSY_TEXT) || /\bat \S+ \(|Error\b|undefined/.test(reply.text)) problems.push(`#${i}: ${reply.text.slice(0, 200)}`);
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    };

    await run(WARM);
    const atWarm = heapAfterGc();
    await run(TOTAL);
    const atEnd = heapAfterGc();
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    process.stdout.write(`abuse soak: heap after GC ${mb(atWarm)} MB at ${WARM}, ${mb(atEnd)} MB at ${TOTAL} (growth ${mb(atEnd - atWarm)} MB, bound ${mb(MAX_GROWTH_BYTES)} MB); ${late} answered at the deadline\n`);
    expect(problems.slice(0, 20)).toEqual([]);
    expect(atEnd - atWarm).toBeLessThan(MAX_GROWTH_BYTES);
  });
});
