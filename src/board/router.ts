/**
 * The public board's HTTP routes (no login; links signed in src/board/link.ts):
 * - GET  /board/:token                   the courtyard's board (HTML)
 * - GET  /board/:token/data              the same public subset as JSON (src/board/data.ts)
 * - GET  /board/:token/photo/:id[?size=thumb]  a stored photo of one of this courtyard's projects
 * - POST /board/:token/request           a resident's request (form: category, text, phone[, challenge, answer])
 * - GET  /board/r/:token                 the follow page of one request
 * - POST /board/r/:token/rate            the resident's rating of a closed request (form: rating)
 * - GET  /board/assets/board.css, /board/assets/noto-sans-sc.ttf   the stylesheet and the CJK font (the page's only assets)
 * A bad, tampered or revoked board link (`/公示码 重置`) gets 404 and no data; any photo not
 * of the courtyard's projects gets 404 alike, so a link cannot probe what exists.
 */
import { createReadStream } from 'node:fs';
import Router from '@koa/router';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import type { Config } from '../config';
import { RATINGS, REQUEST_CATEGORIES, type CourtyardDoc, type Models, type Rating, type RequestCategory } from '../db/models';
import { UserError } from '../errors';
import type { Logger } from '../log';
import type { WorkingCalendar } from '../services/calendar';
import { MAX_REQUEST_TEXT } from '../services/requests';
import { photoBucket } from '../services/photos';
import type { Outbox } from '../wecom/outbox';
import { buildBoardData, type BoardAccountsProvider } from './data';
import { checkChallenge, newChallenge, signBoardToken, signFollowToken, verifyBoardToken, verifyFollowToken } from './link';
import { BOARD_CSS, boardPage, followPage, GONE_PAGE, type FormState } from './page';
import { DEFAULT_BOARD_LIMITS, normalisePhone, rateFromBoard, submissionsFrom, submitBoardRequest, type BoardLimits } from './submit';

export interface BoardRouterDeps {
  models: Models;
  config: Pick<Config, 'dashboardSecret' | 'requestLimits'>;
  log: Logger;
  calendar: WorkingCalendar;
  /** Where the request is posted to the courtyard's groups. */
  outbox?: Pick<Outbox, 'enqueue'>;
  now?: () => Date;
  limits?: BoardLimits;
  /** The month's public accounts (事务公开); absent: 本月尚未公开收支. */
  accounts?: BoardAccountsProvider;
}

const FONT_FILE = require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');

/** The largest form body accepted (a 500-character request is ~4.5 KB urlencoded). */
export const MAX_BODY_BYTES = 8 * 1024;

const PAGE_HEADERS = {
  // Nothing but this origin's stylesheet and images; no script at all; forms post back here only.
  'Content-Security-Policy':
    "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Robots-Tag': 'noindex, nofollow',
};

/**
 * The address a submission counts under. The app trusts X-Forwarded-For (app.proxy, for the
 * load balancer); its leftmost entries are whatever the client sent, so the rightmost one —
 * what the nearest proxy saw — is taken, which a client cannot choose.
 */
export function clientAddress(ctx: Context): string {
  const ips = ctx.ips;
  return ips.length ? ips[ips.length - 1]! : ctx.ip;
}

/** The Koa router of the public board; mount it with createApp's `routers`. */
export function createBoardRouter(deps: BoardRouterDeps): Router {
  const { models, config, log, calendar } = deps;
  const now = deps.now ?? (() => new Date());
  const limits = deps.limits ?? DEFAULT_BOARD_LIMITS;
  const secret = config.dashboardSecret;
  const router = new Router();

  function html(ctx: Context, status: number, body: string): void {
    ctx.status = status;
    ctx.set(PAGE_HEADERS);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = body;
  }

  /** The board link's courtyard, or null after answering 404. */
  async function courtyardOf(ctx: Context, kind: 'page' | 'api'): Promise<CourtyardDoc | null> {
    const check = verifyBoardToken(secret, ctx.params.token);
    const courtyard = check ? await models.Courtyard.findById(check.courtyardId) : null;
    if (check && courtyard && (courtyard.boardGeneration ?? 0) === check.generation) return courtyard;
    log.info({ reason: check ? 'revoked-or-gone' : 'bad-token', path: ctx.path.replace(/\/board\/[^/]+/, '/board/…') }, 'board link refused');
    if (kind === 'page') html(ctx, 404, GONE_PAGE);
    else {
      ctx.status = 404;
      ctx.set(PAGE_HEADERS);
      ctx.body = { error: '链接无效或已停用' };
    }
    return null;
  }

  async function form(ctx: Context): Promise<URLSearchParams | null> {
    try {
      const raw = await getRawBody(ctx.req, { limit: MAX_BODY_BYTES, encoding: 'utf8', length: ctx.get('content-length') || undefined });
      return new URLSearchParams(raw);
    } catch (err) {
      const status = (err as { status?: number }).status ?? 400;
      ctx.status = status === 413 ? 413 : 400;
      ctx.set(PAGE_HEADERS);
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = status === 413 ? '提交的内容太长' : '无法读取提交的内容';
      return null;
    }
  }

  const boardBase = (c: CourtyardDoc) => `/board/${signBoardToken(secret, String(c._id), c.boardGeneration ?? 0)}`;

  router.get('/board/assets/board.css', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.type = 'text/css; charset=utf-8';
    ctx.body = BOARD_CSS;
  });

  router.get('/board/assets/noto-sans-sc.ttf', async (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.type = 'font/ttf';
    ctx.body = createReadStream(FONT_FILE);
  });

  router.get('/board/r/:token', async (ctx) => {
    const id = verifyFollowToken(secret, ctx.params.token);
    const request = id ? await models.ResidentRequest.findById(id) : null;
    if (!request || request.source !== 'board') return html(ctx, 404, GONE_PAGE);
    const courtyard = await models.Courtyard.findById(request.courtyard);
    const notice = ctx.query.new === '1' ? `已提交，诉求编号 #${request.no}。请保存本页链接，2个工作日内会有反馈。` : ctx.query.rated === '1' ? '感谢您的评价' : undefined;
    html(ctx, 200, followPage(request, { self: `/board/r/${ctx.params.token}`, board: courtyard ? boardBase(courtyard) : null, courtyard: courtyard?.name ?? '', now: now(), notice }));
  });

  router.post('/board/r/:token/rate', async (ctx) => {
    const id = verifyFollowToken(secret, ctx.params.token);
    const request = id ? await models.ResidentRequest.findById(id) : null;
    if (!request || request.source !== 'board') return html(ctx, 404, GONE_PAGE);
    const body = await form(ctx);
    if (!body) return;
    const rating = body.get('rating') ?? '';
    const self = `/board/r/${ctx.params.token}`;
    const courtyard = await models.Courtyard.findById(request.courtyard);
    const page = (error: string) => followPage(request, { self, board: courtyard ? boardBase(courtyard) : null, courtyard: courtyard?.name ?? '', now: now(), error });
    if (!(RATINGS as readonly string[]).includes(rating)) return html(ctx, 400, page('请选择：满意、基本满意或不满意'));
    try {
      await rateFromBoard(models, request, rating as Rating, now());
    } catch (err) {
      if (err instanceof UserError) return html(ctx, 409, page(err.message));
      throw err;
    }
    ctx.status = 303;
    ctx.redirect(`${self}?rated=1`);
  });

  router.get('/board/:token', async (ctx) => {
    const courtyard = await courtyardOf(ctx, 'page');
    if (!courtyard) return;
    const address = clientAddress(ctx);
    const challenge = (await submissionsFrom(models, limits, address, now())) >= limits.challengeAfter ? newChallenge(secret, now()) : undefined;
    const data = await buildBoardData(models, courtyard, now(), deps.accounts);
    html(ctx, 200, boardPage(data, boardBase(courtyard), { challenge }));
  });

  router.get('/board/:token/data', async (ctx) => {
    const courtyard = await courtyardOf(ctx, 'api');
    if (!courtyard) return;
    ctx.set(PAGE_HEADERS);
    ctx.body = await buildBoardData(models, courtyard, now(), deps.accounts);
  });

  router.get('/board/:token/photo/:id', async (ctx) => {
    const courtyard = await courtyardOf(ctx, 'api');
    if (!courtyard) return;
    const id = ctx.params.id ?? '';
    // Only a stored photo of a project of this courtyard: visit photos and others are not public.
    const photo = /^[0-9a-f]{24}$/i.test(id)
      ? await models.Photo.findOne({ _id: id, status: 'stored', courtyard: courtyard._id, project: { $exists: true } }, { fileId: 1, thumbId: 1, contentType: 1 }).lean()
      : null;
    const thumb = ctx.query.size === 'thumb';
    const fileId = thumb ? photo?.thumbId : photo?.fileId;
    if (!photo || !fileId) {
      ctx.status = 404;
      return;
    }
    ctx.set(PAGE_HEADERS);
    ctx.set('Cache-Control', 'private, max-age=3600');
    ctx.type = thumb ? 'image/jpeg' : (photo.contentType ?? 'application/octet-stream');
    ctx.body = photoBucket(models.Photo.db).openDownloadStream(fileId);
  });

  router.post('/board/:token/request', async (ctx) => {
    const courtyard = await courtyardOf(ctx, 'page');
    if (!courtyard) return;
    const body = await form(ctx);
    if (!body) return;
    const at = now();
    const address = clientAddress(ctx);
    const state: FormState = { text: body.get('text') ?? '', category: body.get('category') ?? '', phone: body.get('phone') ?? '' };
    const again = async (status: number, error: string, challenge?: boolean) => {
      const needs = challenge || (await submissionsFrom(models, limits, address, at)) >= limits.challengeAfter;
      const data = await buildBoardData(models, courtyard, at, deps.accounts);
      html(ctx, status, boardPage(data, boardBase(courtyard), { ...state, error, challenge: needs ? newChallenge(secret, at) : undefined }));
    };
    const text = (state.text ?? '').trim();
    const phone = normalisePhone(state.phone ?? '');
    if (!text) return again(400, '请填写诉求内容');
    if (text.length > MAX_REQUEST_TEXT) return again(400, `诉求内容太长（${text.length} 字），最多 ${MAX_REQUEST_TEXT} 字`);
    if (!(REQUEST_CATEGORIES as readonly string[]).includes(state.category ?? '')) return again(400, '请选择诉求类别');
    if (!phone) return again(400, '请填写正确的手机号码或固定电话（如 13800001234）');
    if ((await submissionsFrom(models, limits, address, at)) >= limits.challengeAfter && !checkChallenge(secret, body.get('challenge') ?? undefined, body.get('answer') ?? undefined, at)) {
      return again(400, '请先回答验证问题（提交较多时需要验证）', true);
    }
    let request;
    try {
      request = await submitBoardRequest({ models, calendar, outbox: deps.outbox, requestLimits: config.requestLimits, limits, now: at }, courtyard, {
        text,
        category: state.category as RequestCategory,
        phone,
        address,
      });
    } catch (err) {
      if (err instanceof UserError) return again(429, err.message);
      throw err;
    }
    log.info({ courtyard: String(courtyard._id), no: request.no }, 'board: a resident submitted a request');
    ctx.status = 303;
    ctx.redirect(`/board/r/${signFollowToken(secret, String(request._id))}?new=1`);
  });

  return router;
}
