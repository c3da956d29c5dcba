import Koa from 'koa';
import Router from '@koa/router';
import type { Logger } from '../log';

export interface HttpDeps {
  log: Logger;
  /** Which storage engine runs ('mongod' or 'standin'), for /healthz. */
  engine: string;
  /** Resolves when the database answers a ping; rejects otherwise. */
  pingDb: () => Promise<void>;
  /** Routers of the features (WeCom callbacks, dashboard, …), mounted in order. */
  routers?: Router[];
}

/**
 * Builds the Koa application without listening, so tests drive `app.callback()` directly.
 */
export function createApp(deps: HttpDeps): Koa {
  const app = new Koa();
  app.proxy = true;
  const router = new Router();

  router.get('/healthz', async (ctx) => {
    let db = 'up';
    try {
      await deps.pingDb();
    } catch {
      db = 'down';
    }
    ctx.status = db === 'up' ? 200 : 503;
    ctx.body = { status: db === 'up' ? 'ok' : 'degraded', engine: deps.engine, db };
  });

  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      deps.log.error({ err, path: ctx.path }, 'unhandled error in HTTP handler');
      ctx.status = 500;
      ctx.body = 'internal error';
    }
  });
  app.use(router.routes()).use(router.allowedMethods());
  for (const r of deps.routers ?? []) app.use(r.routes()).use(r.allowedMethods());
  return app;
}
