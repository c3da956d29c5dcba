/**
 * Photo reply: a /进度 with three photos (a mixed intelligent-robot message) against the same
 * /进度 without, through main.ts's composition (WeCom router, dispatcher, every command, the
 * photo intake kicked after each answer) in this process; the pictures (encrypted 3-megapixel
 * JPEGs of about 1 MB) are served by a local sink on WECOM_API_BASE's origin. Each message a
 * signed callback over HTTP, timed to the reply's last byte. Run twice: one message at a time
 * (the intake idle before each), and back to back (the previous message's downloads, decoding
 * and thumbnails running while the next is answered).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { loadConfig } from '../src/config';
import { connectMongoose } from '../src/db/connect';
import { createModels, syncIndexes } from '../src/db/models';
import { silentLogger } from '../src/log';
import { createCalendar } from '../src/services/calendar';
import { buildCallback, decodeReply, type WeComCredentials } from '../src/sim/callback-builder';
import { encryptMedia } from '../src/wecom/media';
import type { Outbox } from '../src/wecom/outbox';
import { startBenchDb } from './database';
import { fmt, type BenchResult } from './report';
import { createRuntime } from '../src/runtime';

const CREDS: WeComCredentials = { token: 'BenchToken2026', encodingAesKey: 'aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcdefg', corpId: 'wwbench0000000001' };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A photo-like JPEG (noise compresses like a real scene, not like a flat colour). */
async function photoJpeg(seed: number): Promise<Buffer> {
  const width = 2000;
  const height = 1500;
  const raw = Buffer.alloc(width * height * 3);
  let x = seed * 2654435761;
  for (let i = 0; i < raw.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    raw[i] = (i % 3 === 0 ? 120 : 80) + ((x >>> 24) & 0x3f);
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).withExif({ IFD0: { Make: 'Bench' }, IFD2: { DateTimeOriginal: '2020:09:15 08:30:00' } }).toBuffer();
}

export async function photoReply(opts: { quick: boolean }): Promise<BenchResult> {
  const repeats = opts.quick ? 3 : 11;
  const db = await startBenchDb({ heapMb: 1024 });
  const uri = db.uri.replace(/^(mongodb:\/\/[^/]+)\/?/, '$1/bench_photo_reply');
  const conn = await connectMongoose(uri);
  const pictures = await Promise.all([1, 2, 3].map((i) => photoJpeg(i).then((b) => encryptMedia(CREDS.encodingAesKey, b))));
  let served = 0;
  const sink = http.createServer((req, res) => {
    const i = Number(/\/img\/(\d)/.exec(req.url ?? '')?.[1] ?? -1);
    const body = pictures[i];
    if (!body) return void res.writeHead(404).end();
    served++;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const sinkBase = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  try {
    await conn.dropDatabase();
    const models = createModels(conn);
    await syncIndexes(models);
    const street = await models.Street.create({ name: '济源路街道', district: '上街区' });
    const yard = await models.Courtyard.create({ name: '东方花园', street: street._id });
    const cadre = await models.Cadre.create({ name: '张三', unit: '区医保局', userId: 'zhangsan', userIdSource: 'roster', roles: ['cadre'], courtyards: [yard._id], scope: { kind: 'district' } });
    await models.Group.create({ chatId: 'grp-bench', scope: { kind: 'courtyard', refId: yard._id }, purpose: 'work', boundBy: 'bench', boundAt: new Date(), channel: 'aibot' });
    await models.Project.create({ no: 1, title: '路面硬化', category: '工程', courtyard: yard._id, street: street._id, owner: cadre._id, createdAt: new Date() });

    const config = loadConfig({
      WECOM_TOKEN: CREDS.token,
      WECOM_ENCODING_AES_KEY: CREDS.encodingAesKey,
      WECOM_CORP_ID: CREDS.corpId,
      MONGODB_URI: uri,
      WECOM_API_BASE: sinkBase,
      SCHEDULER: 'off',
      LOG_LEVEL: 'silent',
      PHOTO_QUOTA_MB: '0',
    });
    const outbox: Pick<Outbox, 'enqueue'> = { enqueue: async () => 'queued' };
    // The runtime kicks the photo intake after each answer with pictures, as in main.ts.
    const runtime = await createRuntime(config, conn, { log: silentLogger, outbox, calendar: createCalendar(), timers: false, answerDeadlineMs: 120_000 });
    const intake = runtime.photos;
    const app = runtime.app(db.engine);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    let n = 0;
    const send = async (photos: boolean): Promise<{ ms: number; status: number; text: string }> => {
      const percent = 10 + (n % 80);
      const images = photos ? [0, 1, 2].map((i) => `${sinkBase}/img/${i}?sign=bench-${n}`) : undefined;
      const cb = buildCallback(CREDS, { channel: 'aibot', user: 'zhangsan', chat: 'grp-bench', text: `/进度 #1 ${percent}% 施工中`, images, msgId: `bench-photo-${process.pid}-${++n}` });
      const t0 = performance.now();
      const res = await fetch(base + cb.url, { method: 'POST', body: cb.body, headers: { 'content-type': cb.contentType } });
      const text = await res.text();
      return { ms: performance.now() - t0, status: res.status, text };
    };

    // Warm-up: first use of each path (sharp's decoders, GridFS indexes, JIT).
    await send(false);
    await send(true);
    await intake.idle();

    const series = async (photos: boolean, wait: boolean) => {
      const runs = [];
      for (let i = 0; i < repeats; i++) {
        if (wait) await intake.idle();
        runs.push(await send(photos));
      }
      return runs;
    };
    const quiet = { none: await series(false, true), three: await series(true, true) };
    // Interleaved back to back: each message is answered while the photos before it are processed.
    const busyNone: number[] = [];
    const busyThree: number[] = [];
    for (let i = 0; i < repeats; i++) {
      busyThree.push((await send(true)).ms);
      busyNone.push((await send(false)).ms);
    }
    const t0 = performance.now();
    await intake.idle();
    const drainMs = performance.now() - t0;
    server.close();

    const stored = await models.Photo.countDocuments({ status: 'stored' });
    const expected = 3 * (1 + repeats + repeats);
    const quietNone = median(quiet.none.map((r) => r.ms));
    const quietThree = median(quiet.three.map((r) => r.ms));
    const busyNoneMs = median(busyNone);
    const busyThreeMs = median(busyThree);
    const statuses = [...quiet.none, ...quiet.three].map((r) => r.status);
    const counted = quiet.three.every((r) => decodeReply(CREDS, 'aibot', r.text).text.includes('已保存照片 3 张'));
    const ratioQuiet = quietThree / quietNone;
    const ratioBusy = busyThreeMs / busyNoneMs;
    const budget = config.replyBudgetMs;
    const row = (label: string, ms: number, ratio?: number) => [label, fmt(ms, 1), ratio === undefined ? '' : fmt(ratio, 2)];
    process.stdout.write(`photo reply: 3 photos / none = ${fmt(ratioQuiet, 2)}× one at a time, ${fmt(ratioBusy, 2)}× back to back (reply budget ${budget} ms)\n`);

    return {
      name: 'photos',
      title: 'Photo reply: /进度 with three photos against /进度 without',
      engine: db.engine,
      command: `npm run bench -- photos${opts.quick ? ' --quick' : ''}`,
      tables: [
        {
          caption: `Median of ${repeats}, ms to the reply's last byte (each photo an encrypted 2000×1500 JPEG of ${fmt(pictures[0]!.length / 1024 / 1024, 2)} MB from a local sink):`,
          table: {
            headers: ['message', 'ms', '× without'],
            rows: [
              row('/进度 without photos, intake idle', quietNone),
              row('/进度 with 3 photos, intake idle', quietThree, ratioQuiet),
              row('/进度 without photos, while earlier photos are processed', busyNoneMs),
              row('/进度 with 3 photos, while earlier photos are processed', busyThreeMs, ratioBusy),
            ],
          },
        },
      ],
      targets: [
        { what: 'a message with three photos is answered within the reply budget', met: Math.max(quietThree, busyThreeMs) < budget, actual: `${fmt(Math.max(quietThree, busyThreeMs), 1)} ms (budget ${budget} ms)` },
        { what: 'three photos cost at most 1.5× the reply of none (one at a time)', met: ratioQuiet <= 1.5, actual: `${fmt(ratioQuiet, 2)}×` },
        { what: 'every photo stored once, after its reply', met: stored === expected && served === expected, actual: `${stored} stored, ${served} downloads, ${expected} sent` },
        { what: 'every message answered HTTP 200 with the photo count', met: statuses.every((s) => s === 200) && counted, actual: `${statuses.join(', ')}${counted ? '' : '; a reply without 已保存照片 3 张'}` },
      ],
      notes: [
        `The reply only records the three photos as pending (one insert) and names their record; downloads, decryption, EXIF removal, re-encoding and thumbnails run after it (router afterReply → photo intake), ${fmt(drainMs / 1000, 1)} s for the last backlog of ${repeats} messages.`,
        'Back to back the photo work of earlier messages shares the CPU with the message being answered: that row is what a busy group sees.',
        `App: createRuntime (src/runtime.ts: WeCom router, dispatcher, photo intake; an outbox that only records), as src/main.ts composes it; database: ${db.how}.`,
      ],
    };
  } finally {
    await new Promise<void>((resolve) => sink.close(() => resolve()));
    await conn.close();
    await db.stop();
  }
}
