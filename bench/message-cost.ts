/**
 * Message cost: what the worst message a user can type costs against a normal one (issue 12,
 * finding 6: a 4,000-character /查询 ran edit distance against every courtyard, 17 s at
 * 5,000 courtyards; a 44 KB /撤销 froze the process for 20 s in reply splitting). main.ts's
 * composition (WeCom router, dispatcher, every command; an outbox that only records) in this
 * process, on a district of 5,000 courtyards in the bench database; each message a signed,
 * encrypted intelligent-robot callback over HTTP, one at a time, timed to the reply's last
 * byte. A second table times the reply splitter alone on a normal reply and on 44 KB of
 * hostile text.
 */
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { MAX_MESSAGE_CHARS } from '../src/bot/dispatcher';
import { loadConfig } from '../src/config';
import { connectMongoose } from '../src/db/connect';
import { createModels, syncIndexes } from '../src/db/models';
import { silentLogger } from '../src/log';
import { createCalendar } from '../src/services/calendar';
import { buildCallback, type WeComCredentials } from '../src/sim/callback-builder';
import type { Outbox } from '../src/wecom/outbox';
import { splitByBytes } from '../src/text/split';
import { createRuntime } from '../src/runtime';
import { startBenchDb } from './database';
import { fmt, type BenchResult } from './report';

const CREDS: WeComCredentials = { token: 'BenchToken2026', encodingAesKey: 'aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcdefg', corpId: 'wwbench0000000001' };
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const KINDS = ['家属院', '小区', '花园', '新村', '公寓', '大院'];

/** `n` Chinese characters that name nothing. */
const chinese = (n: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20000))).join('');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The benchmark. */
export async function messageCost(opts: { quick: boolean }): Promise<BenchResult> {
  const courtyards = opts.quick ? 500 : 5000;
  const repeats = opts.quick ? 3 : 9;
  const db = await startBenchDb({ heapMb: 2048 });
  const uri = db.uri.replace(/^(mongodb:\/\/[^/]+)\/?/, '$1/bench_message_cost');
  const conn = await connectMongoose(uri);
  try {
    await conn.dropDatabase();
    const models = createModels(conn);
    await syncIndexes(models);
    const streets = await models.Street.insertMany(Array.from({ length: 20 }, (_, i) => ({ name: `${SURNAMES[i]}${SURNAMES[i + 20]}路街道`, district: '上街区' })));
    const yards = await models.Courtyard.insertMany(
      Array.from({ length: courtyards }, (_, i) => ({
        name: `${SURNAMES[i % SURNAMES.length]}${SURNAMES[Math.floor(i / SURNAMES.length) % SURNAMES.length]}${KINDS[i % KINDS.length]}${i}号`,
        street: streets[i % streets.length]!._id,
      })),
    );
    await models.Cadre.create({ name: '张三', unit: '区医保局', userId: 'zhangsan', userIdSource: 'roster', roles: ['cadre'], courtyards: [yards[0]!._id], scope: { kind: 'district' } });
    await models.Group.create({ chatId: 'grp-bench', scope: { kind: 'courtyard', refId: yards[0]!._id }, purpose: 'work', boundBy: 'bench', boundAt: new Date(), channel: 'aibot' });

    const config = loadConfig({
      WECOM_TOKEN: CREDS.token,
      WECOM_ENCODING_AES_KEY: CREDS.encodingAesKey,
      WECOM_CORP_ID: CREDS.corpId,
      MONGODB_URI: uri,
      WECOM_API_BASE: 'http://127.0.0.1:9',
      SCHEDULER: 'off',
      LOG_LEVEL: 'silent',
      REPLY_BUDGET_MS: '3000',
    });
    const outbox: Pick<Outbox, 'enqueue'> = { enqueue: async () => 'queued' };
    // A generous deadline: a slow message is measured, not cut off at 4 s.
    const runtime = await createRuntime(config, conn, { log: silentLogger, outbox, calendar: createCalendar(), timers: false, answerDeadlineMs: 120_000 });
    const app = runtime.app(db.engine);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    let n = 0;
    const send = async (text: string): Promise<{ ms: number; status: number }> => {
      const cb = buildCallback(CREDS, { channel: 'aibot', user: 'zhangsan', chat: 'grp-bench', text, msgId: `bench-${process.pid}-${++n}` });
      const t0 = performance.now();
      const res = await fetch(base + cb.url, { method: 'POST', body: cb.body, headers: { 'content-type': cb.contentType } });
      await res.text();
      return { ms: performance.now() - t0, status: res.status };
    };

    const known = yards[Math.floor(courtyards / 2)]!.name;
    const typo = known.slice(0, -2) + '号'; // one character wrong … or gone: a near spelling
    const hostile = `/撤销 ${'<font color="warning">!</font><@all>[x](http://127.0.0.1/x)<font color="info">'.repeat(570)}`;
    const messages: Array<{ label: string; text: string; normal?: true }> = [
      { label: '/帮助', text: '/帮助' },
      { label: `/查询 ${known} (a courtyard by its name: the normal message)`, text: `/查询 ${known}`, normal: true },
      { label: '/查询 with one character wrong (near spelling round)', text: `/查询 ${typo}` },
      { label: '/查询 of a name that is not there (every round, "did you mean")', text: '/查询 东风花圆' },
      { label: '/查询 + 40 characters (the longest name matched fuzzily)', text: `/查询 ${chinese(40)}` },
      { label: `/查询 + ${MAX_MESSAGE_CHARS - 4} characters (${MAX_MESSAGE_CHARS}, at the cap)`, text: `/查询 ${chinese(MAX_MESSAGE_CHARS - 4)}` },
      { label: '/查询 + 4,000 characters (the issue’s; over the cap)', text: `/查询 ${chinese(4000)}` },
      { label: `/撤销 + ${fmt(Buffer.byteLength(hostile) / 1024, 0)} KB of markup (the issue’s; over the cap)`, text: hostile },
    ];
    // Warm-up: first use of each path (index builds, JIT).
    for (const m of messages) await send(m.text);
    const rows: Array<{ label: string; ms: number; status: number; normal?: true }> = [];
    for (const m of messages) {
      const runs = [];
      for (let i = 0; i < repeats; i++) runs.push(await send(m.text));
      rows.push({ label: m.label, ms: median(runs.map((r) => r.ms)), status: runs[0]!.status, normal: m.normal });
    }
    server.close();

    const normalMs = rows.find((r) => r.normal)!.ms;
    const worst = rows.filter((r) => !r.normal).reduce((a, b) => (b.ms > a.ms ? b : a));

    // The reply splitter alone, on hostile text of a tenth of the size and of its full size:
    // linear work takes about 10× as long for 10× the text, quadratic work 100×.
    const splitCases: Array<[string, (kb: number) => string]> = [
      ['unclosed <font> tags', (kb) => '<font color="warning">紧急'.repeat(Math.round((kb * 1024) / 28))],
      ['one line of ASCII', (kb) => 'a'.repeat(kb * 1024)],
      ['emoji with modifiers and joiners', (kb) => '👍🏽👨‍👩‍👧🇨🇳'.repeat(Math.round((kb * 1024) / 34))],
      ['mentions without an end', (kb) => '<@a'.repeat(Math.round((kb * 1024) / 3))],
      ['a list of lines (a long /项目 列表)', (kb) => Array.from({ length: Math.round((kb * 1024) / 42) }, (_, i) => `#${i} 东方花园 主路硬化 80% 张三`).join('\n')],
    ];
    // The fastest of many runs: a run of a millisecond is easily lengthened by a collection or another process, never shortened.
    const timeSplit = (text: string) => {
      for (let i = 0; i < 3; i++) splitByBytes(text, 4096);
      let best = Infinity;
      for (let i = 0; i < 5 * repeats; i++) {
        const t0 = performance.now();
        splitByBytes(text, 4096);
        best = Math.min(best, performance.now() - t0);
      }
      return best;
    };
    const splitRows = splitCases.map(([label, make]) => {
      const small = timeSplit(make(4.4));
      const large = timeSplit(make(44));
      return { label, small, large, growth: large / small };
    });
    const splitWorst = splitRows.reduce((a, b) => (b.growth > a.growth ? b : a));

    return {
      name: 'message',
      title: `Message cost: the worst a user can send against a normal /查询, ${fmt(courtyards, 0)} courtyards`,
      engine: db.engine,
      command: `npm run bench -- message${opts.quick ? ' --quick' : ''}`,
      tables: [
        {
          caption: `Each message a signed callback through the real HTTP app, one at a time; median of ${repeats} after a warm-up, ms to the reply's last byte:`,
          table: {
            headers: ['message', 'HTTP', 'ms', '× normal'],
            rows: rows.map((r) => [r.label, r.status, fmt(r.ms, 1), fmt(r.ms / normalMs, 2)]),
          },
        },
        {
          caption: `The reply splitter alone (splitByBytes at 4,096 bytes) on 4.4 KB and on 44 KB of each text, fastest of ${5 * repeats} (linear: about 10× for 10× the text; quadratic: 100×):`,
          table: {
            headers: ['text', '4.4 KB ms', '44 KB ms', '× for 10× the text'],
            rows: splitRows.map((r) => [r.label, fmt(r.small, 2), fmt(r.large, 2), fmt(r.growth, 1)]),
          },
        },
      ],
      targets: [
        { what: 'the worst-case message costs at most 10× a normal one', met: worst.ms <= 10 * normalMs, actual: `${worst.label}: ${fmt(worst.ms / normalMs, 2)}×` },
        { what: 'every message answered HTTP 200', met: rows.every((r) => r.status === 200), actual: rows.map((r) => r.status).join(', ') },
        { what: 'reply splitting is linear: 10× the text costs at most 20× the time (quadratic would be 100×)', met: splitWorst.growth <= 20, actual: `${splitWorst.label}: ${fmt(splitWorst.growth, 1)}×` },
      ],
      notes: [
        `Data: ${fmt(courtyards, 0)} courtyards in 20 street offices, one cadre (the sender), the courtyard group the messages are sent in. /查询 reads every street and courtyard to match the name (the normal message's cost is mostly that).`,
        `Messages over ${MAX_MESSAGE_CHARS} characters are refused before any command work (src/bot/dispatcher.ts); a name longer than 40 characters gets no near-spelling search, and the bounded edit distance (src/text/edit-distance.ts) rules most names out by length and shared characters before filling any table.`,
        `Before this change (issue 12): the 4,000-character /查询 took 17 s at 5,000 courtyards, the 44 KB /撤销 20 s.`,
        `App: createRuntime (src/runtime.ts, every command; an outbox that only records) in the bench process, as src/main.ts composes it; database: ${db.how}.`,
      ],
    };
  } finally {
    await conn.close();
    await db.stop();
  }
}
