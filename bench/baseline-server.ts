/**
 * The callback path's baselines: only the work no implementation can skip — read the body,
 * verify the signature, decrypt, parse the message, encrypt and sign a fixed reply — with the
 * same functions the real ingress uses, on plain node:http, no command.
 *   tsx bench/baseline-server.ts   (prints its URL once listening; SIGTERM stops it)
 * Credentials come from WECOM_TOKEN / WECOM_ENCODING_AES_KEY / WECOM_CORP_ID.
 *
 * With MONGODB_URI set, the database baseline: besides the crypto, the database work a
 * `/进度` cannot do without, through the same driver (mongoose's MongoDB client, one pooled
 * connection set): the dedupe claim (an insert on a unique key), the progress report (an
 * insert) and the project update (one update by its number), one after the other as the
 * command needs them. Its claims and reports go to collections of their own
 * (baseline_processedmessages, baseline_progressreports), so the app's records stay apart.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import mongoose from 'mongoose';
import { CallbackRejected, extractCiphertext, openCiphertext, readBody, readQuery } from '../src/wecom/ingress/open-callback';
import { parseAibot } from '../src/wecom/ingress/parse-aibot';
import { renderPassive } from '../src/wecom/passive-reply';

const keys = { token: process.env.WECOM_TOKEN ?? '', encodingAesKey: process.env.WECOM_ENCODING_AES_KEY ?? '', receiveId: '' };
const FIXED_REPLY = '✅ 已收到';

async function databaseWork(): Promise<((msgId: string, text: string) => Promise<void>) | undefined> {
  const uri = process.env.MONGODB_URI;
  if (!uri) return undefined;
  const conn = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 5000 }).asPromise();
  const db = conn.getClient().db(conn.name);
  const claims = db.collection('baseline_processedmessages');
  const reports = db.collection('baseline_progressreports');
  const projects = db.collection('projects');
  await claims.createIndex({ key: 1 }, { unique: true });
  await reports.createIndex({ msgId: 1 }, { unique: true, sparse: true });
  return async (msgId, text) => {
    const now = new Date();
    const no = Number(/#(\d+)/.exec(text)?.[1] ?? 0);
    const percent = Number(/(\d+)%/.exec(text)?.[1] ?? 0);
    await claims.insertOne({ key: `aibot:${msgId}`, status: 'running', leaseUntil: new Date(now.getTime() + 30_000), createdAt: now });
    await projects.updateOne({ no }, { $set: { percent, lastReportAt: now }, $inc: { __v: 1 } });
    await reports.insertOne({ msgId: `aibot:${msgId}`, no, percent, note: text, at: now });
  };
}

void (async () => {
  const work = await databaseWork();
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://baseline');
        const query = readQuery(Object.fromEntries(url.searchParams));
        const parsed = parseAibot(openCiphertext(keys, query, extractCiphertext(await readBody(req), 'json'), new Date()), new Date());
        if (parsed.kind !== 'message') throw new CallbackRejected(400, 'not a message');
        if (work) await work(parsed.message.msgId, parsed.message.text);
        const out = renderPassive(
          { channel: 'aibot', format: 'json', keys, nonce: query.nonce, now: new Date(), streamId: `s-${parsed.message.msgId}` },
          { type: 'answer', content: FIXED_REPLY },
        );
        res.writeHead(200, { 'content-type': out.type });
        res.end(out.body);
      } catch (err) {
        res.writeHead(err instanceof CallbackRejected ? err.status : 500);
        res.end();
      }
    })();
  });

  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
  });
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
})();
