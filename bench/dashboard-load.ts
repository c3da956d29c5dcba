/**
 * Dashboard load (issue 7: under 1 s on a district of 200 courtyards): the page, its assets
 * and its data API, cold (first request after the server starts) and warm, measured on the
 * server side (time to the last byte), and in headless Chromium (Debian's when installed, else
 * the one packaged in @sparticuz/chromium: test/helpers/chromium.ts) through playwright-core: time from navigation to the page drawn, after a restart,
 * on a visitor's first load and on a reload, split into its parts by the page's own marks.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { signDashboardToken } from '../src/dashboard/link';
import { addBeijingDays, startOfBeijingWeek } from '../src/services/beijing-time';
import { connectMongoose } from '../src/db/connect';
import { createModels, syncIndexes } from '../src/db/models';
import { findChromium, type FoundChromium } from '../test/helpers/chromium';
import { FULL_CITY, cityActivity, cityId, cityRoster, scaleCity, type CityPlan } from './city';
import { firstLine, spawnTs, startBenchDb, stopChild } from './database';
import { fmt, type BenchResult, type Table, type Target } from './report';

const SECRET = 'bench-dashboard-secret-0123456789abcdef';
const TARGET_MS = 1000;
const WARM_REPEATS = 5;
const FIRST_VISITS = 3;
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

/** The latest Thursday 16:00 Beijing time at or before `now`. */
function lastThursdayAfternoon(now: Date): Date {
  const thursday = new Date(addBeijingDays(startOfBeijingWeek(now), 3).getTime() + 16 * 3_600_000);
  return thursday <= now ? thursday : addBeijingDays(thursday, -7);
}

/** Until the server has its bundle (it builds it at start when missing or stale). */
async function waitForBundle(base: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const res = await fetch(`${base}/dashboard/assets/manifest-probe`);
    if (res.status === 404) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the dashboard server did not build its bundle within 60 s');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One load in the browser, in ms from navigation start by the page's own clock. */
interface LoadTimes {
  /** The HTML received. */
  html: number;
  /** The bundle parsed and started (`lyt:script`). */
  script: number;
  /** The data API's answer in hand (`lyt:data`). */
  data: number;
  /** The ranking chart, the courtyard grid, then everything drawn (`lyt:chart`, `lyt:grid`, `lyt:drawn`). */
  chart: number;
  grid: number;
  drawn: number;
}

/** The kinds of load, per viewport; all but the first are medians. */
interface BrowserFigures {
  viewport: string;
  /** The first page a server serves right after it starts (its district overview still being computed). */
  restart: LoadTimes;
  /** A visitor's first load (nothing in the browser's cache) of the district link on a running server. */
  firstVisit: LoadTimes;
  /** The same for street links nobody opened before: their overview is computed on request. */
  streetFirstVisit: LoadTimes;
  /** A reload of the district link. */
  reload: LoadTimes;
}

const LOAD_PARTS: Array<keyof LoadTimes> = ['html', 'script', 'data', 'chart', 'grid', 'drawn'];

/** The median of each part over several loads. */
function medianTimes(loads: LoadTimes[]): LoadTimes {
  return Object.fromEntries(LOAD_PARTS.map((k) => [k, median(loads.map((l) => l[k]))])) as unknown as LoadTimes;
}

/**
 * In headless Chromium, per viewport, on a server started for it (`freshServer()`): the
 * district link's first load right after the start, first visits in fresh browser contexts,
 * first visits of street links nobody opened yet, and reloads.
 */
async function browserLoad(found: FoundChromium, freshServer: () => Promise<string>, paths: { district: string; streets: string[] }): Promise<BrowserFigures[]> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: found.executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const out: BrowserFigures[] = [];
  try {
    for (const [v, viewport] of [{ width: 390, height: 844 }, { width: 1920, height: 1080 }].entries()) {
      const visit = async (url: string, reloads = 0): Promise<LoadTimes[]> => {
        const context = await browser.newContext({ viewport });
        const page = await context.newPage();
        const times = async (): Promise<LoadTimes> => {
          await page.waitForSelector(READY, { timeout: 30_000 });
          return page.evaluate<LoadTimes>(`(() => {
            const mark = (n) => performance.getEntriesByName('lyt:' + n)[0]?.startTime ?? NaN;
            return { html: performance.getEntriesByType('navigation')[0].responseEnd, script: mark('script'), data: mark('data'), chart: mark('chart'), grid: mark('grid'), drawn: mark('drawn') };
          })()`);
        };
        await page.goto(url);
        const loads = [await times()];
        for (let i = 0; i < reloads; i++) {
          await page.reload();
          loads.push(await times());
        }
        await context.close();
        return loads;
      };
      const base = await freshServer();
      const [restart] = await visit(base + paths.district);
      const firstVisits: LoadTimes[] = [];
      for (let i = 0; i < FIRST_VISITS; i++) firstVisits.push(...(await visit(base + paths.district)));
      const streetVisits: LoadTimes[] = [];
      // Each viewport its own streets, so that none is in the server's cache yet.
      for (let i = 0; i < FIRST_VISITS; i++) streetVisits.push(...(await visit(base + paths.streets[v * FIRST_VISITS + i]!)));
      const reloads = (await visit(base + paths.district, WARM_REPEATS)).slice(1);
      out.push({
        viewport: `${viewport.width}×${viewport.height}`,
        restart: restart!,
        firstVisit: medianTimes(firstVisits),
        streetFirstVisit: medianTimes(streetVisits),
        reload: medianTimes(reloads),
      });
    }
  } finally {
    await browser.close();
  }
  return out;
}

/** The benchmark. */
export async function dashboardLoad(opts: { quick: boolean }): Promise<BenchResult> {
  const size = scaleCity(FULL_CITY, 0.04); // 200 courtyards, 8 street offices, 400 cadres
  // The work grows through the week (this week's figures against last week's): time it on a
  // Thursday, not on whatever weekday the bench happens to run.
  const benchNow = lastThursdayAfternoon(new Date());
  const db = await startBenchDb({ heapMb: 2048 });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lyt-bench-dash-'));
  const notes: string[] = [];
  let cold: Awaited<ReturnType<typeof serverLoad>>;
  const warm: Array<Awaited<ReturnType<typeof serverLoad>>> = [];
  let browser: BrowserFigures[] | undefined;
  const chromiumFound = await findChromium();
  try {
    const uri = db.uri.replace(/^(mongodb:\/\/[^/]+)\/?/, '$1/bench_dashboard');
    const conn = await connectMongoose(uri);
    await conn.dropDatabase();
    const models = createModels(conn);
    await syncIndexes(models);
    // The district as of a Thursday afternoon: the page shows the running week against the last.
    const plan: CityPlan = { seed: 7, size, now: benchNow };
    for (const batches of [cityRoster(plan), cityActivity(plan, { endWeeksAgo: 0, weeks: size.historyWeeks, slice: 0 })]) {
      for (const b of batches) await models[b.model].collection.insertMany(b.docs, { ordered: false });
    }
    // A link is issued in a group and checked against it: the leadership group and one group per street.
    const leaders = await models.Group.create({ chatId: 'bench-leaders', scope: { kind: 'district' }, purpose: 'leadership' });
    const streetGroups = await models.Group.insertMany(
      Array.from({ length: size.streets }, (_, i) => ({ chatId: `bench-street-${i}`, scope: { kind: 'street', refId: cityId('Street', i) }, purpose: 'work' })),
    );
    const issuer = (group: { _id: unknown }) => ({ groupId: String(group._id), generation: 0 });
    await conn.close();

    // A server per measurement that must be cold: its first request computes the overview.
    const servers: ChildProcess[] = [];
    const freshServer = async (extraEnv: NodeJS.ProcessEnv = {}): Promise<string> => {
      const child = spawnTs('bench/dashboard-server.ts', [], {
        env: {
          MONGODB_URI: uri,
          DASHBOARD_SECRET: SECRET,
          DATA_DIR: dataDir,
          WECOM_TOKEN: 'BenchToken2026',
          WECOM_ENCODING_AES_KEY: 'aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcdefg',
          WECOM_CORP_ID: 'wwbench0000000001',
          LOG_LEVEL: 'warn',
          BENCH_NOW: benchNow.toISOString(),
          ...extraEnv,
        },
      });
      servers.push(child);
      const base = await firstLine(child, 'the dashboard server');
      // The bundle is made at start; wait for it, so "cold" is the data's cold, not a build's.
      await waitForBundle(base);
      return base;
    };
    const stopServers = () => Promise.all(servers.splice(0).map((c) => stopChild(c)));
    try {
      const token = signDashboardToken(SECRET, { kind: 'district' }, issuer(leaders), new Date(benchNow.getTime() + 86_400_000));
      const pagePath = `/dashboard?t=${encodeURIComponent(token)}`;
      // The cost of computing the district's overview on request: this server does not keep it ready.
      const base = await freshServer({ BENCH_KEEP_FRESH: '0' });
      cold = await serverLoad(base, pagePath, token);
      for (let i = 0; i < (opts.quick ? 2 : WARM_REPEATS); i++) warm.push(await serverLoad(base, pagePath, token));
      {
        const streetPaths = Array.from({ length: 2 * FIRST_VISITS }, (_, i) => {
          const t = signDashboardToken(
            SECRET,
            { kind: 'street', streetId: String(cityId('Street', i % size.streets)) },
            issuer(streetGroups[i % size.streets]!),
            new Date(benchNow.getTime() + 86_400_000),
          );
          return `/dashboard?t=${encodeURIComponent(t)}`;
        });
        browser = await browserLoad(chromiumFound, async () => {
          await stopServers();
          return freshServer();
        }, { district: pagePath, streets: streetPaths });
      }
    } finally {
      await stopServers();
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
    const row = (viewport: string, load: string, t: LoadTimes) => [viewport, load, ...LOAD_PARTS.map((k) => fmt(t[k], 0))];
    tables.push({
      caption: `Headless ${chromiumFound.label} (playwright-core), ms from navigation start to: HTML received, bundle started, data in hand, ranking chart drawn, courtyard grid drawn, page drawn. On a server started for each viewport, keeping the district's overview ready as main.ts does: "after a restart", the district link right after the start (its overview still being computed); "first visit", the district link in a fresh browser context (nothing cached), median of ${FIRST_VISITS}; "street, first visit", street links nobody opened yet (their overview computed on request), median of ${FIRST_VISITS}; "reload", the district link reloaded, median of ${WARM_REPEATS}:`,
      table: {
        headers: ['viewport', 'load', 'HTML', 'bundle', 'data', 'chart', 'grid', 'drawn'],
        rows: browser.flatMap((b) => [
          row(b.viewport, 'after a restart', b.restart),
          row(b.viewport, 'first visit', b.firstVisit),
          row(b.viewport, 'street, first visit', b.streetFirstVisit),
          row(b.viewport, 'reload', b.reload),
        ]),
      },
    });
  }
  const worst = (pick: (b: BrowserFigures) => LoadTimes) => Math.max(...browser!.map((b) => pick(b).drawn));
  const browserTarget = (what: string, pick: (b: BrowserFigures) => LoadTimes): Target => ({ what, met: worst(pick) < TARGET_MS, actual: `${fmt(worst(pick), 0)} ms` });
  const targets: Target[] = [
    ...(browser
      ? [
          browserTarget('page loads in under 1 s on 200 courtyards: the district link, first visit (browser, page drawn)', (b) => b.firstVisit),
          browserTarget('the same for a street link nobody opened yet', (b) => b.streetFirstVisit),
          browserTarget('the same for the district link right after a restart', (b) => b.restart),
        ]
      : [{ what: 'page loads in under 1 s on 200 courtyards (server side, cold; no browser here)', met: cold.total < TARGET_MS, actual: `${fmt(cold.total, 0)} ms` }]),
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
      `Data: bench/city.ts at 1/25 (seed 7): ${size.streets} street offices, ${size.courtyards} courtyards, ${size.cadres} cadres, ${fmt(size.projects, 0)} projects, ${fmt(size.progressReports, 0)} progress reports and ${fmt(size.requests, 0)} requests over ${size.historyWeeks} weeks ending ${benchNow.toISOString()} (a Thursday, 16:00 Beijing time: the server's clock is set back to it) (test/services/ranking-seed.ts has no 200-courtyard seed). A district-wide link (the leadership group's).`,
      'Server: bench/dashboard-server.ts — createApp with createDashboardRouter, as src/main.ts mounts it, in a child process started afresh for the server-side figures (with BENCH_KEEP_FRESH=0: the district overview computed on request, so "data API" shows what computing it costs) and for each viewport (keeping the district overview ready, as main.ts does). The bundle is built before the first request.',
      `Database: ${db.how}.`,
      ...notes,
    ],
  };
}
