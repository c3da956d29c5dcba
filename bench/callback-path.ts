/**
 * Callback path: signed, encrypted intelligent-robot callbacks carrying a command that writes,
 * through the real app (src/main.ts as a child process: its own event loop, its own core
 * when one is free) into the database, at concurrency 1, 16 and 64, with autocannon; beside
 * it, in the same run, the baseline server (bench/baseline-server.ts: verify, decrypt, parse,
 * encrypt a fixed reply, nothing else), and the database baseline (the same, plus the database
 * work a /进度 cannot skip: the dedupe insert, the report insert, the project update). Each request is a distinct message (its own MsgId)
 * from a distinct user, built and signed before the run so the load generator only sends.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { connectMongoose } from '../src/db/connect';
import { Types } from 'mongoose';
import { createModels, syncIndexes, type Models } from '../src/db/models';
import { buildCallback, decodeReply, type WeComCredentials } from '../src/sim/callback-builder';
import { summariseProfiles } from './cpu-profile';
import { databaseCommandsPerCallback } from './round-trips';
import { firstLine, spawnTs, startBenchDb, stopChild } from './database';
import { fmt, type BenchResult, type Table, type Target } from './report';

/** Made-up credentials in WeCom's formats (the app runs in WeCom mode with them). */
const CREDS: WeComCredentials = { token: 'BenchToken2026', encodingAesKey: 'aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcdefg', corpId: 'wwbench0000000001' };
const CONCURRENCIES = [1, 16, 64] as const;
const TARGET_P99_MS = 300;
/** Of the database baseline's throughput at concurrency 64. */
const TARGET_FRACTION = 0.5;
const TARGET_COMMANDS = 5;
const TARGET_APP_CPU_MS = 2.5;

/** The command each request carries: a progress report (/进度) by the project's owner, on a project of its own. */
const commandText = (i: number) => `/进度 #${i + 1} 60% 主路已硬化`;
const userOf = (i: number) => `bench${i}`;
const COURTYARDS = 100;
/** Request i comes from the work group of its project's courtyard (i mod 100), bound to it as /绑定 楼院 binds one. */
const chatOf = (i: number) => `wrbenchgroup${String(i % COURTYARDS).padStart(4, '0')}`;

/**
 * The roster and projects the requests report on: cadre i (WeCom userid bench<i>) owns project
 * #i+1 in courtyard i mod 100; each courtyard has its work group (chatOf), bound to it.
 */
async function seedProjects(models: Models, n: number): Promise<void> {
  const street = new Types.ObjectId();
  await models.Street.collection.insertOne({ _id: street, name: '压测街道', aliases: [], district: '压测区', kind: '街道' });
  const yards = Array.from({ length: COURTYARDS }, (_, c) => ({
    _id: new Types.ObjectId(),
    name: `压测${c + 1}号院`,
    aliases: [],
    street,
    kind: '无主管楼院',
    management: '无',
    orgs: { party: { status: '未建' }, selfGov: { status: '未建' }, volunteerTeams: 0 },
    demonstration: false,
  }));
  await models.Courtyard.collection.insertMany(yards);
  const createdAt = new Date();
  // What /绑定 楼院 <name> stores (commands/bind.ts): the scope, the purpose, who bound it and when.
  await models.Group.collection.insertMany(
    yards.map((yard, c) => ({
      chatId: chatOf(c),
      name: `${yard.name}工作群`,
      channel: 'aibot',
      scope: { kind: 'courtyard', refId: yard._id },
      purpose: 'work',
      boundBy: userOf(c),
      boundAt: createdAt,
      active: true,
      linkGeneration: 0,
      firstSeenAt: createdAt,
      createdAt,
      updatedAt: createdAt,
    })),
  );
  const deadline = new Date(createdAt.getTime() + 90 * 86_400_000);
  for (let from = 0; from < n; from += 5000) {
    const ids = Array.from({ length: Math.min(5000, n - from) }, (_, k) => from + k);
    const cadres = ids.map((i) => ({
      _id: new Types.ObjectId(),
      name: `张${i}`,
      unit: '区医保局',
      userId: userOf(i),
      userIdSource: 'roster',
      courtyards: [yards[i % COURTYARDS]!._id],
      roles: ['cadre'],
      scope: { kind: 'district' },
      active: true,
    }));
    await models.Cadre.collection.insertMany(cadres);
    await models.Project.collection.insertMany(
      ids.map((i, k) => ({
        no: i + 1,
        courtyard: yards[i % COURTYARDS]!._id,
        street,
        category: '工程',
        area: '环境',
        title: `路面硬化${i + 1}`,
        standard: '',
        owner: cadres[k]!._id,
        deadline,
        percent: 20,
        status: '进行中',
        postponements: [],
        createdAt,
      })),
    );
  }
}

interface Level {
  concurrency: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  /** Replies that were not a finished answer (an acknowledgement or a pending stream). */
  notAnswered: number;
  /** CPU ms per request of the server (app or baseline), the database and the load generator. */
  cpuPerRequest: { server?: number; db?: number; generator: number };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitForHealth(base: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the app exited (${child.exitCode}) while starting`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the app did not answer ${base}/healthz within ${timeoutMs} ms`);
}

/** `mongodb://host:port/?x` → `mongodb://host:port/<db>?x`. */
function withDatabase(uri: string, db: string): string {
  const [base = '', query] = uri.split('?', 2);
  const hosts = /^(mongodb(?:\+srv)?:\/\/[^/]+)/.exec(base)?.[1] ?? base;
  return `${hosts}/${db}${query ? `?${query}` : ''}`;
}

/** CPU time (user + system) a process has used so far, in ms; undefined where /proc cannot tell. */
function cpuMs(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in USER_HZ (100)
  } catch {
    return undefined;
  }
}

/** Sends `count` distinct callbacks at `concurrency`; reads latencies, replies, and the CPU each process spent. */
async function load(base: string, concurrency: number, first: number, count: number, pids: { server?: number; db?: number } = {}): Promise<Level> {
  const timestamp = Math.floor(Date.now() / 1000);
  const built = Array.from({ length: count }, (_, k) =>
    buildCallback(CREDS, { channel: 'aibot', user: userOf(first + k), chat: chatOf(first + k), text: commandText(first + k) }, { timestamp }),
  );
  const cpuBefore = { server: cpuMs(pids.server), db: cpuMs(pids.db), generator: process.cpuUsage() };
  let next = 0;
  let notAnswered = 0;
  // autocannon's own duration ends on its 1 s tick; time from the first send to the last answer instead.
  let firstSent = 0;
  let lastAnswered = 0;
  const result = await autocannon({
    url: base,
    connections: concurrency,
    amount: count,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          if (next === 0) firstSent = performance.now();
          const cb = built[next++ % built.length]!;
          return { ...req, path: cb.url, body: cb.body, headers: { 'content-type': cb.contentType } };
        },
        onResponse: (status, body) => {
          lastAnswered = performance.now();
          if (status !== 200) return;
          try {
            const reply = decodeReply(CREDS, 'aibot', body);
            if (reply.kind === 'empty' || !reply.finished) notAnswered++;
          } catch {
            notAnswered++;
          }
        },
      },
    ],
  });
  const perRequest = (before: number | undefined, after: number | undefined) => (before === undefined || after === undefined ? undefined : (after - before) / count);
  const gen = process.cpuUsage(cpuBefore.generator);
  return {
    concurrency,
    cpuPerRequest: {
      server: perRequest(cpuBefore.server, cpuMs(pids.server)),
      db: perRequest(cpuBefore.db, cpuMs(pids.db)),
      generator: (gen.user + gen.system) / 1000 / count,
    },
    requests: result.requests.total,
    rps: result.requests.total / ((lastAnswered - firstSent) / 1000),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.timeouts + result.non2xx,
    notAnswered,
  };
}

interface Sizes {
  warmup: number;
  perLevel: Record<(typeof CONCURRENCIES)[number], number>;
}

async function runLevels(base: string, sizes: Sizes, firstIndex: number, pids: { server?: number; db?: number }): Promise<{ levels: Level[]; used: number }> {
  let i = firstIndex;
  await load(base, 16, i, sizes.warmup);
  i += sizes.warmup;
  const levels: Level[] = [];
  for (const c of CONCURRENCIES) {
    levels.push(await load(base, c, i, sizes.perLevel[c], pids));
    i += sizes.perLevel[c];
  }
  return { levels, used: i - firstIndex };
}

interface AppProcess {
  base: string;
  pid?: number;
  stop(): Promise<void>;
}

async function startApp(mongodbUri: string, opts: { profileDir?: string } = {}): Promise<AppProcess> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lyt-bench-app-'));
  const child = spawnTs('src/main.ts', [], {
    nodeArgs: opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`] : [],
    env: {
      MONGODB_URI: mongodbUri,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      WECOM_TOKEN: CREDS.token,
      WECOM_ENCODING_AES_KEY: CREDS.encodingAesKey,
      WECOM_CORP_ID: CREDS.corpId,
      WECOM_API_BASE: 'http://127.0.0.1:9',
      SCHEDULER: 'off',
      LOG_LEVEL: 'info',
    },
  });
  // The app logs a line per callback (LOG_LEVEL=info, as in production): drain it.
  child.stdout?.resume();
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  await waitForHealth(base, child).catch((err: Error) => {
    throw new Error(`${err.message}\n${stderr}`);
  });
  return {
    base,
    pid: child.pid,
    stop: async () => {
      await stopChild(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The crypto-only baseline; with `mongodbUri`, the database baseline. */
async function startBaseline(mongodbUri?: string): Promise<AppProcess> {
  const child = spawnTs('bench/baseline-server.ts', [], {
    env: { WECOM_TOKEN: CREDS.token, WECOM_ENCODING_AES_KEY: CREDS.encodingAesKey, WECOM_CORP_ID: CREDS.corpId, ...(mongodbUri ? { MONGODB_URI: mongodbUri } : {}) },
  });
  const base = await firstLine(child, mongodbUri ? 'the database baseline server' : 'the baseline server');
  return { base, pid: child.pid, stop: () => stopChild(child) };
}

const ms = (n: number) => fmt(n, 1);

/** Commands per callback, by name, most first, as a table. */
function commandTable(counts: Record<string, number>, what: string): Table {
  return {
    headers: [what, 'per /进度'],
    rows: Object.entries(counts)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([k, v]) => [k, fmt(v, 1)]),
  };
}

/**
 * `npm run bench -- commands`: only the callback bench's count of database commands per /进度
 * (its seed, its composition in-process with command monitoring), by command and by collection;
 * no load is run. Seconds, not minutes.
 */
export async function callbackCommands(): Promise<BenchResult> {
  const callbacks = 21;
  const db = await startBenchDb({ heapMb: 1024 });
  try {
    const uri = withDatabase(db.uri, 'bench_callback_commands');
    const conn = await connectMongoose(uri);
    try {
      await conn.dropDatabase();
      const models = createModels(conn);
      await syncIndexes(models);
      await seedProjects(models, callbacks);
    } finally {
      await conn.close();
    }
    const probe = Array.from({ length: callbacks }, (_, k) => ({ user: userOf(callbacks - 1 - k), chat: chatOf(callbacks - 1 - k), text: commandText(callbacks - 1 - k) }));
    const byCollection: Record<string, number> = {};
    const perCallback = await databaseCommandsPerCallback(uri, CREDS, probe, byCollection);
    const sum = Object.values(perCallback).reduce((a, b) => a + b, 0);
    return {
      name: 'commands',
      title: 'Database commands per /进度 callback (the callback bench\'s count alone)',
      engine: db.engine,
      command: 'npm run bench -- commands',
      tables: [
        { caption: `By command, over ${callbacks - 1} callbacks one at a time after one warm-up (${fmt(sum, 1)} in all):`, table: commandTable(perCallback, 'command') },
        { caption: 'By command and collection:', table: commandTable(byCollection, 'command collection') },
      ],
      targets: [{ what: `at most ${TARGET_COMMANDS} database commands per /进度`, met: sum <= TARGET_COMMANDS, actual: `${fmt(sum, 1)} commands` }],
      notes: [`Seed and composition as \`npm run bench -- callback\` counts them (bench/round-trips.ts). Database: ${db.how}.`],
    };
  } finally {
    await db.stop();
  }
}

/** The benchmark. */
export async function callbackPath(opts: { quick: boolean }): Promise<BenchResult> {
  const sizes: Sizes = opts.quick
    ? { warmup: 50, perLevel: { 1: 50, 16: 200, 64: 300 } }
    : { warmup: 200, perLevel: { 1: 300, 16: 1500, 64: 3000 } };
  const total = sizes.warmup + CONCURRENCIES.reduce((n, c) => n + sizes.perLevel[c], 0);
  const db = await startBenchDb({ heapMb: 2048 });
  const notes: string[] = [];
  let full: Level[];
  let baseline: Level[];
  let dbBaseline: Level[];
  let written = 0;
  let profile: ReturnType<typeof summariseProfiles> | undefined;
  let commands: number;
  try {
    const uri = withDatabase(db.uri, 'bench_callback');
    // The roster the commands link to: one entry per request (and for a profiled rerun).
    const conn = await connectMongoose(uri);
    await conn.dropDatabase();
    const models = createModels(conn);
    await syncIndexes(models);
    await seedProjects(models, total * 2);

    const app = await startApp(uri);
    try {
      full = (await runLevels(app.base, sizes, 0, { server: app.pid, db: db.pid })).levels;
      // Answers that outlived the reply budget finish in the background: let them land before counting.
      let last = -1;
      for (let waited = 0, still = 0; waited < 30_000 && still < 4; waited += 500) {
        written = await models.ProgressReport.countDocuments({});
        if (written === total) break;
        still = written === last ? still + 1 : 0;
        last = written;
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      await app.stop();
    }

    const base = await startBaseline();
    try {
      baseline = (await runLevels(base.base, sizes, 0, { server: base.pid })).levels;
    } finally {
      await base.stop();
    }

    const dbBase = await startBaseline(uri);
    try {
      dbBaseline = (await runLevels(dbBase.base, sizes, 0, { server: dbBase.pid, db: db.pid })).levels;
    } finally {
      await dbBase.stop();
    }

    const probe = Array.from({ length: 21 }, (_, k) => ({ user: userOf(total * 2 - 1 - k), chat: chatOf(total * 2 - 1 - k), text: commandText(total * 2 - 1 - k) }));
    const byCollection: Record<string, number> = {};
    const perCallback = await databaseCommandsPerCallback(uri, CREDS, probe, byCollection);
    const sum = Object.values(perCallback).reduce((a, b) => a + b, 0);
    commands = sum;
    notes.push(
      `Database commands per callback (the same composition in-process with command monitoring, 20 callbacks one at a time): ${fmt(sum, 1)} — ` +
        Object.entries(perCallback)
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ${fmt(v, 1)}`)
          .join(', ') +
        ' (by collection: ' +
        Object.entries(byCollection)
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ${fmt(v, 1)}`)
          .join(', ') +
        ').',
    );

    const at64 = full.find((l) => l.concurrency === 64)!;
    const d64 = dbBaseline.find((l) => l.concurrency === 64)!;
    const missed = at64.p99 >= TARGET_P99_MS || at64.rps / d64.rps < TARGET_FRACTION || (at64.cpuPerRequest.server ?? 0) > TARGET_APP_CPU_MS;
    if (missed && !opts.quick) {
      // Where the time goes: the same load at 64 once more, with the app under --cpu-prof.
      const profileDir = mkdtempSync(path.join(tmpdir(), 'lyt-bench-prof-'));
      const profiled = await startApp(uri, { profileDir });
      try {
        await load(profiled.base, 64, total, sizes.perLevel[64]);
      } finally {
        await profiled.stop();
      }
      profile = summariseProfiles(profileDir);
      notes.push(
        `CPU profile of the app at concurrency 64 (node --cpu-prof, main thread, kept in ${profileDir}): idle ${fmt(profile.idlePercent, 0)} % of the time (waiting for the database or for requests). Of the busy time, self time by package or file: ` +
          profile.self.map((p) => `${fmt(p.percent, 1)} % ${p.area} (${p.top.join(', ')})`).join('; ') +
          '. Busy time by the innermost repository function on the stack: ' +
          profile.repoInclusive.map((p) => `${fmt(p.percent, 1)} % ${p.area} (${p.top.join(', ')})`).join('; ') +
          '.',
      );
    }
    await conn.close();
  } finally {
    await db.stop();
  }

  const table: Table = {
    headers: ['concurrency', 'server', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'not answered', 'full / crypto baseline req/s', 'full / DB baseline req/s', 'CPU ms/req server', 'CPU ms/req DB', 'CPU ms/req load gen'],
    rows: [],
  };
  for (const c of CONCURRENCIES) {
    const f = full.find((l) => l.concurrency === c)!;
    const b = baseline.find((l) => l.concurrency === c)!;
    const d = dbBaseline.find((l) => l.concurrency === c)!;
    const cpu = (n?: number) => (n === undefined ? '—' : fmt(n, 2));
    table.rows.push([c, 'full path', f.requests, fmt(f.rps, 0), ms(f.p50), ms(f.p99), ms(f.max), f.errors, f.notAnswered, fmt(f.rps / b.rps, 3), fmt(f.rps / d.rps, 3), cpu(f.cpuPerRequest.server), cpu(f.cpuPerRequest.db), cpu(f.cpuPerRequest.generator)]);
    table.rows.push([c, 'DB baseline', d.requests, fmt(d.rps, 0), ms(d.p50), ms(d.p99), ms(d.max), d.errors, d.notAnswered, '', '', cpu(d.cpuPerRequest.server), cpu(d.cpuPerRequest.db), cpu(d.cpuPerRequest.generator)]);
    table.rows.push([c, 'crypto baseline', b.requests, fmt(b.rps, 0), ms(b.p50), ms(b.p99), ms(b.max), b.errors, b.notAnswered, '', '', cpu(b.cpuPerRequest.server), '—', cpu(b.cpuPerRequest.generator)]);
  }
  const at64 = full.find((l) => l.concurrency === 64)!;
  const b64 = baseline.find((l) => l.concurrency === 64)!;
  const d64 = dbBaseline.find((l) => l.concurrency === 64)!;
  const appCpu = at64.cpuPerRequest.server;
  const targets: Target[] = [
    { what: `at most ${TARGET_COMMANDS} database commands per /进度`, met: commands <= TARGET_COMMANDS, actual: `${fmt(commands, 1)} commands` },
    { what: `app CPU at most ${TARGET_APP_CPU_MS} ms per callback at concurrency 64`, met: appCpu !== undefined && appCpu <= TARGET_APP_CPU_MS, actual: appCpu === undefined ? 'not measured' : `${fmt(appCpu, 2)} ms` },
    { what: `full path at least ${TARGET_FRACTION} of the database baseline's throughput at concurrency 64`, met: at64.rps / d64.rps >= TARGET_FRACTION, actual: `${fmt(at64.rps / d64.rps, 3)} (${fmt(at64.rps, 0)} vs ${fmt(d64.rps, 0)} req/s; of the crypto-only baseline: ${fmt(at64.rps / b64.rps, 3)}, ${fmt(b64.rps, 0)} req/s)` },
    { what: `p99 under ${TARGET_P99_MS} ms at concurrency 64`, met: at64.p99 < TARGET_P99_MS, actual: `p99 ${ms(at64.p99)} ms` },
    { what: 'every request answered with 200 and a finished reply', met: full.every((l) => l.errors === 0 && l.notAnswered === 0), actual: `${full.reduce((n, l) => n + l.errors, 0)} errors, ${full.reduce((n, l) => n + l.notAnswered, 0)} not answered` },
    { what: 'every command written to the database', met: written === total, actual: `${written} progress reports for ${total} requests` },
  ];
  return {
    name: 'callback',
    title: 'Callback path: signed, encrypted /进度 callbacks through the real app into the database, vs the baseline',
    engine: db.engine,
    command: `npm run bench -- callback${opts.quick ? ' --quick' : ''}`,
    tables: [{ caption: `Each request a distinct message from a distinct user (intelligent-robot JSON channel, group chat); ${sizes.warmup} warm-up requests at 16 first (not counted):`, table }],
    targets,
    notes: [
      `Command: \`/进度 #<n> 60% 主路已硬化\` from the project's owner (a cadre on the roster, 100 courtyards, one open project per request), sent in the work group bound to the project's courtyard: caller lookup, project lookup, scope check, progress report and project update with their audit entries, dedupe claim, group record.`,
      `App: src/main.ts as a child process (composed by createRuntime, src/runtime.ts), LOG_LEVEL=info as in production, SCHEDULER=off. Crypto baseline: bench/baseline-server.ts, plain node:http, the ingress's own verify/decrypt/parse/encrypt functions. DB baseline: the same server with MONGODB_URI, adding the database work a /进度 cannot skip through the same driver — the dedupe insert, the project update, the report insert, one after the other (3 commands). Load generator: autocannon in the bench process. App (or baseline), database and load generator share the machine's cores.`,
      `Database: ${db.how}.`,
      ...notes,
    ],
  };
}
