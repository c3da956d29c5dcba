/**
 * Dashboard load (issue 7: under 1 s on a district of 200 courtyards): the page, its assets
 * and its data API, cold (first request after the server starts) and warm, measured on the
 * server side (time to the last byte), and — when Debian's chromium is installed — in headless
 * Chromium through playwright-core: time from navigation to the ranking chart being drawn.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { signDashboardToken } from '../src/dashboard/link';
import { connectMongoose } from '../src/db/connect';
import { createModels, syncIndexes } from '../src/db/models';
import { FULL_CITY, cityActivity, cityRoster, scaleCity, type CityPlan } from './city';
import { firstLine, spawnTs, startBenchDb, stopChild } from './database';
import { fmt, type BenchResult, type Table, type Target } from './report';

const CHROMIUM = '/usr/bin/chromium';
const SECRET = 'bench-dashboard-secret-0123456789abcdef';
const TARGET_MS = 1000;
const WARM_REPEATS = 5;
/** The page is ready when the app marks it so and the ranking chart has its SVG. */
const READY = 'body[data-ready="true"] #chart svg';

interface Fetched {
  path: string;
  ms: number;
  bytes: number;
  status: number;
}

async function timedGet(base: string, p: string): Promise<Fetched> {
  const t0 = performance.now();
  const res = await fetch(base + p);
  const body = Buffer.from(await res.arrayBuffer());
  return { path: p, ms: performance.now() - t0, bytes: body.length, status: res.status };
}

/** As a browser would: the page, then its assets and the data API together. */
async function serverLoad(base: string, pagePath: string, token: string): Promise<{ total: number; parts: Fetched[] }> {
  const page = await timedGet(base, pagePath);
  const html = await (await fetch(base + pagePath)).text();
  const assets = [...html.matchAll(/(?:src|href)="(dashboard\/assets\/[^"]+)"/g)].map((m) => `/${m[1]}`);
  const rest = await Promise.all([...assets.map((a) => timedGet(base, a)), timedGet(base, `/dashboard/api/data?t=${encodeURIComponent(token)}`)]);
  // The second fetch of the HTML above only finds the asset names; it is not counted.
  const total = page.ms + Math.max(...rest.map((r) => r.ms));
  return { total, parts: [page, ...rest] };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface BrowserFigures {
  viewport: string;
  cold: number;
  warm: number;
}

async function browserLoad(url: string): Promise<BrowserFigures[]> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const out: BrowserFigures[] = [];
  try {
    for (const viewport of [{ width: 390, height: 844 }, { width: 1920, height: 1080 }]) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      // Milliseconds from navigation start to the chart drawn, by the page's own clock.
      const readyAt = async () => {
        await page.waitForSelector(READY, { timeout: 30_000 });
        return page.evaluate<number>('performance.now()');
      };
      await page.goto(url);
      const cold = await readyAt();
      const warm: number[] = [];
      for (let i = 0; i < WARM_REPEATS; i++) {
        await page.reload();
        warm.push(await readyAt());
      }
      out.push({ viewport: `${viewport.width}×${viewport.height}`, cold, warm: median(warm) });
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return out;
}

/** The benchmark. */
export async function dashboardLoad(opts: { quick: boolean }): Promise<BenchResult> {
  const size = scaleCity(FULL_CITY, 0.04); // 200 courtyards, 8 street offices, 400 cadres
  const db = await startBenchDb({ heapMb: 2048 });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lyt-bench-dash-'));
  const notes: string[] = [];
  let cold: Awaited<ReturnType<typeof serverLoad>>;
  const warm: Array<Awaited<ReturnType<typeof serverLoad>>> = [];
  let browser: BrowserFigures[] | undefined;
  try {
    const uri = db.uri.replace(/^(mongodb:\/\/[^/]+)\/?/, '$1/bench_dashboard');
    const conn = await connectMongoose(uri);
    await conn.dropDatabase();
    const models = createModels(conn);
    await syncIndexes(models);
    // The district as of now: the page shows the running week.
    const plan: CityPlan = { seed: 7, size, now: new Date() };
    for (const batches of [cityRoster(plan), cityActivity(plan, { endWeeksAgo: 0, weeks: size.historyWeeks, slice: 0 })]) {
      for (const b of batches) await models[b.model].collection.insertMany(b.docs, { ordered: false });
    }
    await conn.close();

    const server = spawnTs('bench/dashboard-server.ts', [], {
      env: {
        MONGODB_URI: uri,
        DASHBOARD_SECRET: SECRET,
        DATA_DIR: dataDir,
        WECOM_TOKEN: 'BenchToken2026',
        WECOM_ENCODING_AES_KEY: 'aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcdefg',
        WECOM_CORP_ID: 'wwbench0000000001',
        LOG_LEVEL: 'warn',
      },
    });
    try {
      const base = await firstLine(server, 'the dashboard server');
      const token = signDashboardToken(SECRET, { kind: 'district' }, new Date(Date.now() + 86_400_000));
      const pagePath = `/dashboard?t=${encodeURIComponent(token)}`;
      cold = await serverLoad(base, pagePath, token);
      for (let i = 0; i < (opts.quick ? 2 : WARM_REPEATS); i++) warm.push(await serverLoad(base, pagePath, token));
      if (existsSync(CHROMIUM)) browser = await browserLoad(base + pagePath);
      else notes.push(`${CHROMIUM} is not installed: no browser figure (apt-get install chromium; never a downloaded browser).`);
    } finally {
      await stopChild(server);
    }
  } finally {
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const label = (p: string) => (p.startsWith('/dashboard?') ? 'page (HTML)' : p.startsWith('/dashboard/api/data') ? 'data API' : p.replace(/^\/dashboard\/assets\//, 'asset '));
  const server: Table = {
    headers: ['request', 'status', 'bytes', 'cold ms', `warm ms (median of ${warm.length})`],
    rows: cold.parts.map((p, i) => [label(p.path), p.status, fmt(p.bytes, 0), fmt(p.ms, 0), fmt(median(warm.map((w) => w.parts[i]!.ms)), 0)]),
  };
  server.rows.push(['whole load (page, then the rest in parallel)', '', '', fmt(cold.total, 0), fmt(median(warm.map((w) => w.total)), 0)]);
  const tables = [{ caption: 'Server side, time to the last byte (page first, then assets and data API together, as a browser loads them):', table: server }];
  if (browser) {
    tables.push({
      caption: `Headless Chromium (${CHROMIUM}, playwright-core): navigation start to the ranking chart drawn (${READY}); warm = reload, median of ${WARM_REPEATS}:`,
      table: { headers: ['viewport', 'cold ms', 'warm ms'], rows: browser.map((b) => [b.viewport, fmt(b.cold, 0), fmt(b.warm, 0)]) },
    });
  }
  const worstCold = browser ? Math.max(...browser.map((b) => b.cold)) : cold.total;
  const targets: Target[] = [
    {
      what: `page loads in under 1 s on 200 courtyards (${browser ? 'browser, cold, chart drawn' : 'server side, cold'})`,
      met: worstCold < TARGET_MS,
      actual: `${fmt(worstCold, 0)} ms`,
    },
    { what: 'every request answered 200', met: cold.parts.every((p) => p.status === 200), actual: cold.parts.map((p) => p.status).join(', ') },
  ];
  return {
    name: 'dashboard',
    title: 'Dashboard load (挂图作战): a district of 200 courtyards, cold and warm',
    engine: db.engine,
    command: `npm run bench -- dashboard${opts.quick ? ' --quick' : ''}`,
    tables,
    targets,
    notes: [
      `Data: bench/city.ts at 1/25 (seed 7): ${size.streets} street offices, ${size.courtyards} courtyards, ${size.cadres} cadres, ${fmt(size.projects, 0)} projects, ${fmt(size.progressReports, 0)} progress reports and ${fmt(size.requests, 0)} requests over ${size.historyWeeks} weeks ending now (test/services/ranking-seed.ts has no 200-courtyard seed). A district-wide link (the leadership group's).`,
      'Server: bench/dashboard-server.ts — createApp with createDashboardRouter, as src/main.ts mounts it, in a child process; "cold" is its first page load (the bundle already built at start, the database\'s and V8\'s caches cold).',
      `Database: ${db.how}.`,
      ...notes,
    ],
  };
}
