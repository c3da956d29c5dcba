/**
 * The dashboard's HTTP routes (read-only):
 * - GET /dashboard?t=<token>                 the page (the HTML shell; data comes from the API)
 * - GET /dashboard/api/data?t=<token>        the overview of the link's scope
 * - GET /dashboard/api/courtyard/:id?t=…     one courtyard's card, if inside the scope
 * - GET /dashboard/api/photo/:id?t=…[&size=thumb]  one photo of a courtyard inside the scope
 * - GET /dashboard/assets/<file>             the bundle (no token: it holds no data)
 * A missing, malformed, tampered or expired token, a revoked one (its group's links reset
 * with `/看板 重置`, or the group bound elsewhere since), a scope whose record is gone, or a
 * courtyard outside the scope gets 403 and no data.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Router from '@koa/router';
import type { Context } from 'koa';
import { Types } from 'mongoose';
import type { Config } from '../config';
import type { Models } from '../db/models';
import type { Logger } from '../log';
import { beijingDayKey } from '../services/beijing-time';
import type { WorkingCalendar } from '../services/calendar';
import { photoBucket } from '../services/photos';
import { dashboardPaths, ensureDashboard, type DashboardManifest, type DashboardPaths } from './build';
import { buildCourtyardCard } from './courtyard-card';
import { buildDashboardData } from './data';
import { verifyDashboardToken, type DashboardScope, type LinkIssuer } from './link';
import { courtyardVisible, resolveDashboardScope, type ResolvedScope } from './scope';
import type { DashboardData } from './types';

export interface DashboardRouterDeps {
  models: Models;
  config: Pick<Config, 'dashboardSecret' | 'scoreWeights'>;
  log: Logger;
  calendar: WorkingCalendar;
  /** The clock (links expire by it; figures are as of it). */
  now?: () => Date;
  /** Where the page's sources and bundle live; default src/dashboard/web and dist/dashboard. */
  paths?: DashboardPaths;
  /** Bundle the page right away (default) instead of on the first page request. */
  prepareAtStart?: boolean;
  /**
   * Compute the district's overview at start and again whenever it is older than `cacheMs`
   * (main.ts: on; default off). The leadership's link — opened by several people at once
   * after a push, and left open on the 大屏 — then never waits for the district's figures.
   */
  keepDistrictFresh?: boolean;
  /**
   * How long one scope's overview is reused as it is (default 60 s; 0: never). Everyone a
   * link was sent to tends to open it at once, and the 大屏 refreshes on its own: they share
   * one computation instead of each running the district's ranking.
   */
  cacheMs?: number;
  /**
   * Up to this age (default 10 min) an older overview is still shown at once while a fresh
   * one is computed for the next visitor; beyond it, the visitor waits for a new one. The
   * page says when its figures were computed (更新于).
   */
  staleMs?: number;
}

const PAGE_HEADERS = {
  // Everything from this origin; the token in the address must never leave it as a Referer.
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Robots-Tag': 'noindex, nofollow',
};

const REFUSED_PAGE = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>无法打开看板</title></head>
<body style="font-family:system-ui,sans-serif;padding:24px;line-height:1.6"><h1 style="font-size:20px">链接无效或已过期</h1><p>链接可能已过期，或已被群管理员重置。请在工作群里发送 <b>/看板</b> 获取新的链接。</p></body></html>`;

const CONTENT_TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.ttf': 'font/ttf' };

const escapeAttribute = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The Koa router of the dashboard; mount it with createApp's `routers`. */
export function createDashboardRouter(deps: DashboardRouterDeps): Router {
  const { models, config, log, calendar } = deps;
  const now = deps.now ?? (() => new Date());
  const paths = deps.paths ?? dashboardPaths();
  const router = new Router();

  let bundle: Promise<{ manifest: DashboardManifest; html: string }> | undefined;
  const assets = () => {
    bundle ??= ensureDashboard(paths)
      .then(async (manifest) => ({ manifest, html: await readFile(path.join(paths.outDir, 'index.html'), 'utf8') }))
      .catch((err: unknown) => {
        bundle = undefined;
        log.error({ err }, 'dashboard page could not be bundled — run `npm run build` (it needs the esbuild devDependency) and check src/dashboard/web');
        throw err;
      });
    return bundle;
  };
  if (deps.prepareAtStart ?? true) assets().catch(() => {});

  const cacheMs = deps.cacheMs ?? 60_000;
  const staleMs = Math.max(cacheMs, deps.staleMs ?? 600_000);
  interface Entry {
    at: number;
    data: Promise<DashboardData>;
    /** Settled: data may be shown. */
    ready: boolean;
    refreshing?: boolean;
  }
  const overviews = new Map<string, Entry>();
  const keyOf = (scope: ResolvedScope) => (scope.kind === 'district' ? 'district' : scope.kind === 'street' ? `street:${scope.street._id}` : `courtyard:${scope.courtyard._id}`);

  /** Computes `scope`'s overview now; it replaces the cached one once it is in hand. */
  function compute(scope: ResolvedScope, key: string): Entry {
    const at = now().getTime();
    // The link's expiry is set per request (see overview); this one is a placeholder.
    const data = buildDashboardData(models, { scope, now: new Date(at), calendar, weights: config.scoreWeights, linkExpiresAt: new Date(at) });
    const entry: Entry = { at, data, ready: false };
    data.then(
      () => {
        entry.ready = true;
        if (cacheMs > 0) overviews.set(key, entry);
      },
      () => {},
    );
    return entry;
  }

  function overview(scope: ResolvedScope, expiresAt: Date): Promise<DashboardData> {
    const at = now().getTime();
    const key = keyOf(scope);
    for (const [k, v] of overviews) if (at - v.at >= staleMs && !v.refreshing) overviews.delete(k);
    let entry = overviews.get(key);
    if (entry?.ready && at - entry.at >= cacheMs && !entry.refreshing) void refresh(scope, key, entry);
    if (!entry) {
      // Nothing to show yet: compute, and let everyone who asks meanwhile wait for the same one.
      const fresh = compute(scope, key);
      if (cacheMs > 0) overviews.set(key, fresh);
      fresh.data.catch(() => overviews.get(key) === fresh && overviews.delete(key));
      entry = fresh;
    }
    return entry.data.then((d) => ({ ...d, linkExpires: beijingDayKey(expiresAt) }));
  }

  /** A new overview in the background; the old one is shown until it is in hand. */
  function refresh(scope: ResolvedScope, key: string, old: Entry): Promise<void> {
    old.refreshing = true;
    return compute(scope, key)
      .data.then(
        () => undefined,
        (err: unknown) => log.warn({ err, scope: key }, 'dashboard overview could not be refreshed; showing the previous one'),
      )
      .finally(() => (old.refreshing = false));
  }

  if (deps.keepDistrictFresh) {
    // Asking is enough: overview() computes one when there is none and refreshes an old one.
    const keepFresh = () => void overview({ kind: 'district' }, now()).catch((err: unknown) => log.warn({ err }, 'dashboard: the district overview could not be computed'));
    keepFresh();
    setInterval(keepFresh, Math.max(1000, cacheMs / 4)).unref();
  }

  /**
   * Why a well-signed link no longer opens, or null when it does: its group must still exist,
   * be at the link's generation (`/看板 重置` raises it) and be bound to the link's scope.
   */
  async function revoked(scope: DashboardScope, issuer: LinkIssuer): Promise<'group-gone' | 'revoked' | 'rebound' | null> {
    const group = await models.Group.findById(issuer.groupId, { scope: 1, linkGeneration: 1 }).lean();
    if (!group) return 'group-gone';
    if ((group.linkGeneration ?? 0) !== issuer.generation) return 'revoked';
    const boundId = group.scope?.refId ? String(group.scope.refId) : '-';
    const linkId = scope.kind === 'street' ? scope.streetId : scope.kind === 'courtyard' ? scope.courtyardId : '-';
    return group.scope?.kind === scope.kind && boundId === linkId ? null : 'rebound';
  }

  /** The link's scope, or null after answering 403. */
  async function authorise(ctx: Context, kind: 'page' | 'api'): Promise<{ scope: ResolvedScope; expiresAt: Date } | null> {
    const token = typeof ctx.query.t === 'string' ? ctx.query.t : undefined;
    const check = verifyDashboardToken(config.dashboardSecret, token, now());
    const reason = check.ok ? await revoked(check.scope, check.issuer) : check.reason;
    const scope = check.ok && !reason ? await resolveDashboardScope(models, check.scope) : null;
    if (check.ok && scope) return { scope, expiresAt: check.expiresAt };
    // Never log the token: it is a credential.
    log.info({ reason: reason ?? 'scope-gone', path: ctx.path }, 'dashboard link refused');
    refuse(ctx, kind);
    return null;
  }

  function refuse(ctx: Context, kind: 'page' | 'api'): void {
    ctx.status = 403;
    ctx.set(PAGE_HEADERS);
    if (kind === 'page') {
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = REFUSED_PAGE;
    } else {
      ctx.body = { error: '链接无效或已过期' };
    }
  }

  router.get('/dashboard', async (ctx) => {
    const auth = await authorise(ctx, 'page');
    if (!auth) return;
    // The page asks for the overview as soon as it has the HTML (a preload link); start on it now.
    overview(auth.scope, auth.expiresAt).catch(() => {});
    let html: string;
    try {
      html = (await assets()).html;
    } catch {
      ctx.status = 503;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = '看板页面尚未构建，请联系管理员（npm run build）';
      return;
    }
    ctx.set(PAGE_HEADERS);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = html.replace('%DATA_URL%', escapeAttribute(`dashboard/api/data?t=${encodeURIComponent(String(ctx.query.t))}`));
  });

  router.get('/dashboard/api/data', async (ctx) => {
    const auth = await authorise(ctx, 'api');
    if (!auth) return;
    ctx.set(PAGE_HEADERS);
    ctx.body = await overview(auth.scope, auth.expiresAt);
  });

  router.get('/dashboard/api/courtyard/:id', async (ctx) => {
    const auth = await authorise(ctx, 'api');
    if (!auth) return;
    const id = ctx.params.id ?? '';
    // Unknown and out-of-scope courtyards are refused alike, so a link cannot probe what exists.
    const courtyard = Types.ObjectId.isValid(id) && /^[0-9a-f]{24}$/i.test(id) ? await models.Courtyard.findById(id) : null;
    if (!courtyard || !courtyardVisible(auth.scope, courtyard)) {
      log.info({ reason: 'courtyard-outside-scope', scope: auth.scope.kind }, 'dashboard link refused');
      refuse(ctx, 'api');
      return;
    }
    ctx.set(PAGE_HEADERS);
    ctx.body = await buildCourtyardCard(models, courtyard, { now: now(), calendar, weights: config.scoreWeights });
  });

  // A photo (or with size=thumb its thumbnail), for a link whose scope holds its courtyard;
  // any other photo id is refused alike, so a link cannot probe what exists.
  router.get('/dashboard/api/photo/:id', async (ctx) => {
    const auth = await authorise(ctx, 'api');
    if (!auth) return;
    const id = ctx.params.id ?? '';
    const photo = /^[0-9a-f]{24}$/i.test(id) ? await models.Photo.findOne({ _id: id, status: 'stored' }, { courtyard: 1, fileId: 1, thumbId: 1, contentType: 1 }).lean() : null;
    const courtyard = photo ? await models.Courtyard.findById(photo.courtyard, { street: 1 }).lean() : null;
    const fileId = ctx.query.size === 'thumb' ? photo?.thumbId : photo?.fileId;
    if (!photo || !courtyard || !fileId || !courtyardVisible(auth.scope, courtyard)) {
      log.info({ reason: 'photo-outside-scope', scope: auth.scope.kind }, 'dashboard link refused');
      refuse(ctx, 'api');
      return;
    }
    ctx.set(PAGE_HEADERS);
    ctx.type = ctx.query.size === 'thumb' ? 'image/jpeg' : (photo.contentType ?? 'application/octet-stream');
    ctx.body = photoBucket(models.Photo.db).openDownloadStream(fileId);
  });

  router.get('/dashboard/assets/:file', async (ctx) => {
    const file = ctx.params.file ?? '';
    let manifest: DashboardManifest;
    try {
      manifest = (await assets()).manifest;
    } catch {
      ctx.status = 503;
      return;
    }
    if (!manifest.assets.includes(file) || file.endsWith('.gz')) {
      ctx.status = 404;
      return;
    }
    const gzip = ctx.acceptsEncodings('gzip', 'identity') === 'gzip';
    ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.vary('Accept-Encoding');
    ctx.type = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
    if (gzip) ctx.set('Content-Encoding', 'gzip');
    ctx.body = await readFile(path.join(paths.outDir, gzip ? `${file}.gz` : file));
  });

  return router;
}
