import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mongoose';
import { connectMongoose } from '../../src/db/connect';
import { createModels, syncIndexes, type Models } from '../../src/db/models';
import { spawnStandin, type StandinProcess } from '../db/standin-process';
import { uriWithDatabase } from '../helpers/db';
import { TEST_CREDS, buildCallback, decodeReply } from '../helpers/wecom';
import { freePort, spawnApp, type AppProcess } from '../fault/helpers/app-process';

/**
 * The app (src/main.ts as a child process) on a stand-in with a data dir (another child),
 * 1,000 /进度 callbacks with distinct MsgIds, SIGKILL in the middle, a restart; the client
 * retries like WeCom: an unanswered delivery (no 200 within 5 s) is sent again with the same
 * MsgId, three deliveries in all (path/96466), and an unfinished stream is polled. Half the
 * messages come through the group robot, where an empty 200 acknowledges a message whose
 * answer follows by push: those must be recorded too.
 */
const MESSAGES = 1000;
const CONCURRENCY = 8;
const KILL_AFTER = 300;
const PROJECTS = 20;
const DELIVERIES = 3;
const TIMEOUT_MS = 5000;

let standin: StandinProcess;
let conn: Connection;
let models: Models;
let app: AppProcess;
const dirs: string[] = [];
const tmp = (prefix: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};

afterAll(async () => {
  app?.child.kill('SIGKILL');
  await app?.exited;
  await conn?.close().catch(() => {});
  standin?.child.kill('SIGTERM');
  await standin?.exited;
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function post(url: string, cb: { url: string; body: string; contentType: string }): Promise<string | null> {
  try {
    const res = await fetch(url + cb.url, { method: 'POST', headers: { 'content-type': cb.contentType }, body: cb.body, signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = await res.text();
    return res.status === 200 ? body : null;
  } catch {
    return null; // refused, reset or timed out: WeCom counts it as not delivered
  }
}

/** What the user saw of one message: an answer, an acknowledgement (empty 200: the answer follows by push), or nothing. */
type Seen = { kind: 'answer'; text: string } | { kind: 'ack' } | { kind: 'nothing' };

/** One message as WeCom delivers it, on the intelligent robot (even i) or the group robot (odd i). */
async function deliver(i: number, msgId: string): Promise<Seen> {
  const channel = i % 2 === 0 ? 'aibot' : 'bot';
  const fields = { channel, user: 'zhangsan', chat: 'grp-crash', text: `/进度 #${(i % PROJECTS) + 1} ${(i % 98) + 1}% 第${i}次`, msgId } as const;
  for (let attempt = 0; attempt < DELIVERIES; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 1000));
    const body = await post(app.url, buildCallback(TEST_CREDS, fields));
    if (body === null) continue;
    let reply = decodeReply(TEST_CREDS, channel, body);
    if (reply.kind === 'empty') return { kind: 'ack' };
    for (let polls = 0; !reply.finished && polls < 10; polls++) {
      const refresh = await post(app.url, buildCallback(TEST_CREDS, { user: 'zhangsan', chat: 'grp-crash', streamRefresh: reply.streamId }));
      if (refresh === null) return { kind: 'nothing' };
      reply = decodeReply(TEST_CREDS, 'aibot', refresh);
    }
    return reply.finished ? { kind: 'answer', text: reply.text } : { kind: 'nothing' };
  }
  return { kind: 'nothing' };
}

describe('the app killed with SIGKILL in the middle of 1,000 callbacks', () => {
  it('records every command whose reply was received exactly once, and none twice', async () => {
    standin = await spawnStandin(tmp('lyt-soak-db-'));
    const mongodbUri = uriWithDatabase(standin.uri, 'crash');
    conn = await connectMongoose(mongodbUri);
    models = createModels(conn);
    await syncIndexes(models);
    const street = await models.Street.create({ name: '济源路街道', district: '上街区' });
    const yard = await models.Courtyard.create({ name: '东方花园', street: street._id });
    const cadre = await models.Cadre.create({ name: '张三', unit: '区医保局', userId: 'zhangsan', userIdSource: 'roster', roles: ['cadre'], courtyards: [yard._id], scope: { kind: 'district' } });
    await models.Group.create({ chatId: 'grp-crash', scope: { kind: 'courtyard', refId: yard._id }, purpose: 'work', boundBy: 'seed', boundAt: new Date(), channel: 'aibot' });
    for (let no = 1; no <= PROJECTS; no++) {
      await models.Project.create({ no, courtyard: yard._id, street: street._id, category: '工程', title: `项目${no}`, owner: cadre._id, deadline: new Date('2099-12-31T16:00:00Z'), createdAt: new Date() });
    }

    const port = await freePort();
    const appDir = tmp('lyt-soak-app-');
    app = await spawnApp({ mongodbUri, port, dataDir: appDir });

    const answers = new Map<string, Seen>();
    let received = 0;
    let receivedAfterRestart = 0;
    let restarted: Promise<void> | null = null;
    let next = 0;
    const worker = async () => {
      while (next < MESSAGES) {
        const i = next++;
        const msgId = `crash-${i}`;
        const answer = await deliver(i, msgId);
        answers.set(msgId, answer);
        if (answer.kind === 'nothing') continue;
        received++;
        if (restarted) receivedAfterRestart++;
        if (received === KILL_AFTER && !restarted) {
          app.child.kill('SIGKILL');
          restarted = app.exited.then(async () => {
            app = await spawnApp({ mongodbUri, port, dataDir: appDir });
          });
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await restarted;

    const confirmed = [...answers].filter(([, a]) => a.kind === 'answer' && /进度已更新|销号|完成/.test(a.text)).map(([id]) => id);
    const acked = [...answers].filter(([, a]) => a.kind === 'ack').map(([id]) => id);
    const count = async () => {
      const perMsg = new Map<string, number>();
      for (const r of await models.ProgressReport.find({}, { msgId: 1 }).lean()) perMsg.set(r.msgId ?? '', (perMsg.get(r.msgId ?? '') ?? 0) + 1);
      return perMsg;
    };
    const stored = (perMsg: Map<string, number>, id: string) => perMsg.get(`aibot:${id}`) ?? perMsg.get(`bot:${id}`) ?? 0;
    // An acknowledged message whose claim died with the first process is run once its lease (30 s) runs out.
    let perMsg = await count();
    for (const end = Date.now() + 90_000; Date.now() < end && acked.some((id) => stored(perMsg, id) === 0); perMsg = await count()) {
      await new Promise((r) => setTimeout(r, 1000));
    }
    const reports = [...perMsg.values()].reduce((a, b) => a + b, 0);
    process.stdout.write(
      `crash soak: ${answers.size} sent, ${received} answered or acknowledged (${receivedAfterRestart} after the restart), ${confirmed.length} confirmed, ${acked.length} acknowledged for a later push, ${reports} reports stored\n`,
    );

    expect(receivedAfterRestart).toBeGreaterThan(0);
    expect(confirmed.length).toBeGreaterThan(MESSAGES / 2);
    expect(confirmed.filter((id) => stored(perMsg, id) !== 1)).toEqual([]);
    expect(acked.filter((id) => stored(perMsg, id) !== 1)).toEqual([]);
    expect([...perMsg].filter(([, n]) => n > 1)).toEqual([]);
    expect([...perMsg.keys()].filter((k) => !answers.has(k.replace(/^(aibot|bot):/, '')))).toEqual([]);
  });
});
