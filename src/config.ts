import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseScoreWeights, type ScoreWeights } from './score-weights';

/** The one time zone of the product: every date a user sees or types is Beijing time. */
export const TIME_ZONE = 'Asia/Shanghai';

/**
 * WeCom waits 5 s for an answer and then retries (path/96466); the last second is left
 * for the network. Past this, the callback router answers 系统繁忙 rather than let WeCom retry.
 */
export const ANSWER_DEADLINE_MS = 4000;
/**
 * The longest REPLY_BUDGET_MS: after the budget, acknowledging (and pushing the answer later)
 * takes a database write, which needs the last second before the answer deadline.
 */
export const MAX_REPLY_BUDGET_MS = ANSWER_DEADLINE_MS - 1000;

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const optionalText = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

/** WeCom's EncodingAESKey: 43 characters of base64 without the trailing "=". */
const aesKey = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9+/]{43}$/, 'must be the 43-character EncodingAESKey from the WeCom admin console');

/** At most `max` in any fixed window of `windowMs` (src/services/rate-limit.ts). */
export interface RateLimit {
  max: number;
  windowMs: number;
}

/** The limits on logging resident requests (/诉求); null: none. */
export interface RequestLimits {
  perSender: RateLimit | null;
  perCourtyard: RateLimit | null;
}

/**
 * Parses `20/10m` (at most 20 in 10 minutes; units s, m, h, d; `20/h` = one hour), or `off`.
 * Returns the limit, null for off, or a problem in words.
 */
export function parseRateLimit(text: string): RateLimit | null | string {
  const t = text.trim().toLowerCase();
  if (t === 'off' || t === '0') return null;
  const m = /^(\d{1,6})\s*\/\s*(\d{0,6})\s*(s|m|h|d)$/.exec(t);
  if (!m) return 'must be like 20/10m (at most 20 in 10 minutes; units s, m, h, d) or off';
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[3] as 's' | 'm' | 'h' | 'd'];
  const windowMs = (m[2] ? Number(m[2]) : 1) * unit;
  const max = Number(m[1]);
  if (max < 1 || windowMs < 1000) return 'needs at least 1 in a window of at least 1s';
  return { max, windowMs };
}

/** `20/10m` or `off`. */
const rateLimit = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s, ctx) => {
      const limit = parseRateLimit(s);
      if (typeof limit === 'string') {
        ctx.issues.push({ code: 'custom', message: limit, input: s });
        return z.NEVER;
      }
      return limit;
    });

const schema = z.object({
  PORT: port.default(3000),
  HOST: z.string().default('0.0.0.0'),
  MONGODB_URI: optionalText.pipe(
    z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').optional(),
  ),
  DATA_DIR: z.string().default('./data'),
  MONGOD_DOWNLOAD: z.enum(['on', 'off']).default('off'),
  EMBEDDED_DB: optionalText.pipe(z.enum(['allow'], 'must be "allow" (or unset)').optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PUBLIC_URL: optionalText.pipe(z.url().optional()),
  DASHBOARD_SECRET: optionalText.pipe(z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -hex 32)').optional()),

  WECOM_TOKEN: optionalText,
  WECOM_ENCODING_AES_KEY: optionalText.pipe(aesKey.optional()),
  WECOM_CORP_ID: optionalText,
  WECOM_CORP_SECRET: optionalText,
  WECOM_AGENT_ID: optionalText.pipe(
    z
      .string()
      .regex(/^\d{1,10}$/, 'must be the self-built app’s numeric AgentId (应用管理 › the app’s page in the WeCom admin console)')
      .optional(),
  ),
  WECOM_API_BASE: optionalText.pipe(z.url().optional()),
  SIM_SINK_PORT: port.optional(),

  ADMIN_USERIDS: z
    .string()
    .default('')
    .transform((s) => s.split(/[,，\s]+/).filter(Boolean)),
  PUSH_PER_MINUTE: positiveInt.default(20),
  PUSH_MAX_ATTEMPTS: positiveInt.default(8),
  REPLY_BUDGET_MS: positiveInt
    .max(
      MAX_REPLY_BUDGET_MS,
      `must be at most ${MAX_REPLY_BUDGET_MS}: WeCom is answered by ${ANSWER_DEADLINE_MS} ms at the latest, and acknowledging a slow answer (to push it later) needs the last second`,
    )
    .default(2000),
  SCHEDULER: z.enum(['on', 'off']).default('on'),
  REQUEST_LIMIT_PER_SENDER: rateLimit('20/10m'),
  REQUEST_LIMIT_PER_COURTYARD: rateLimit('60/1h'),
  SCORE_WEIGHTS: z
    .string()
    .default('')
    .transform((s, ctx) => {
      const { weights, problems } = parseScoreWeights(s);
      for (const message of problems) ctx.issues.push({ code: 'custom', message, input: s });
      return weights;
    }),
  BACKUP_KEEP: z.coerce.number().int().min(0).default(7),
  PHOTO_QUOTA_MB: z.coerce.number().int().min(0).default(500),
  PHOTO_RETENTION_DAYS: z.coerce.number().int().min(0).default(1095),
});

type Env = z.infer<typeof schema>;

export interface WeComCredentials {
  token: string;
  encodingAesKey: string;
  corpId: string;
  corpSecret?: string;
  agentId?: string;
}

export interface Config {
  port: number;
  host: string;
  mongodbUri?: string;
  dataDir: string;
  /** Without MONGODB_URI: whether the embedded database may download a mongod binary (else the stand-in). */
  mongodDownload: boolean;
  logLevel: Env['LOG_LEVEL'];
  /** Base URL users reach this service at (links in chat); defaults to localhost. */
  publicUrl: string;
  /**
   * Key of the dashboard links' HMAC signature: DASHBOARD_SECRET, else derived from the
   * WeCom EncodingAESKey and token (a secret every process of a deployment already shares).
   */
  dashboardSecret: string;
  wecom: WeComCredentials & { apiBase: string };
  /**
   * `local`: no WeCom credentials were configured, so development values were generated
   * (kept in DATA_DIR so that the simulator and restarts share them).
   */
  mode: 'wecom' | 'local';
  /** WeCom userids that are district admins whatever the roster says (to bootstrap a deployment). */
  adminUserIds: string[];
  push: { perMinute: number; maxAttempts: number };
  replyBudgetMs: number;
  scheduler: boolean;
  /** Weights of the campaign score's parts (src/score-weights.ts). */
  scoreWeights: ScoreWeights;
  /** How many daily backups of the embedded database to keep in $DATA_DIR/backups (0: none are made). */
  backupKeep: number;
  /** /诉求 per sender and per courtyard (REQUEST_LIMIT_PER_SENDER, REQUEST_LIMIT_PER_COURTYARD). */
  requestLimits: RequestLimits;
  /** Photo evidence (src/services/photos.ts). */
  photos: PhotoLimits;
}

/** The limits on photos kept from the chats. */
export interface PhotoLimits {
  /** Bytes of photos (with thumbnails) one courtyard may keep (PHOTO_QUOTA_MB; 0: no limit). */
  quotaBytes: number;
  /** Photos older than this many days are deleted (PHOTO_RETENTION_DAYS; 0: kept for ever). */
  retentionDays: number;
  /** The largest picture downloaded (10 MB). */
  maxBytes: number;
}

/** The largest picture the bot downloads and keeps. */
export const PHOTO_MAX_BYTES = 10 * 1024 * 1024;

/** Thrown with every bad variable listed, so one start-up tells the operator everything. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example for every variable and its default.`);
    this.name = 'ConfigError';
  }
}

const DEV_CREDENTIALS_FILE = 'dev-wecom.json';

/** The simulator's webhook sink listens next to the bot unless SIM_SINK_PORT says otherwise. */
export function simSinkPort(botPort: number): number {
  return botPort + 1;
}

/** Where local mode keeps its generated WeCom values; the simulator reads the same file. */
export function devCredentialsPath(dataDir: string): string {
  return path.join(dataDir, DEV_CREDENTIALS_FILE);
}

/** Reads the development credentials, creating them on first use. */
export function loadDevCredentials(dataDir: string): WeComCredentials {
  const file = devCredentialsPath(dataDir);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as WeComCredentials;
  } catch {
    const generated: WeComCredentials = {
      token: randomBytes(12).toString('hex'),
      encodingAesKey: randomBytes(32).toString('base64').slice(0, 43),
      corpId: 'wwlocal' + randomBytes(5).toString('hex'),
    };
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(generated, null, 2) + '\n', { mode: 0o600 });
    return generated;
  }
}

/** Set, once trimmed (the schema's notion of set). */
const isSet = (value: string | undefined) => (value ?? '').trim() !== '';

/** Problems of variables that are fine alone but not together (checked on the raw environment, so they are listed with the rest). */
function combinationProblems(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  const credentials = ['WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY', 'WECOM_CORP_ID'] as const;
  const given = credentials.filter((name) => isSet(env[name]));
  if (given.length > 0 && given.length < credentials.length) {
    for (const name of credentials.filter((n) => !given.includes(n))) {
      problems.push(`${name}: required when any WeCom credential is set (or unset all three for local mode)`);
    }
  }
  // App messages need both; one without the other passes start-up and fails on the first send.
  if (isSet(env.WECOM_CORP_SECRET) !== isSet(env.WECOM_AGENT_ID)) {
    const missing = isSet(env.WECOM_CORP_SECRET) ? 'WECOM_AGENT_ID' : 'WECOM_CORP_SECRET';
    problems.push(`${missing}: required together with ${missing === 'WECOM_AGENT_ID' ? 'WECOM_CORP_SECRET' : 'WECOM_AGENT_ID'} (both from the self-built app’s page in the WeCom admin console), or unset both`);
  }
  if (given.length > 0 && !isSet(env.MONGODB_URI) && (env.EMBEDDED_DB ?? '').trim() !== 'allow') {
    problems.push(
      'MONGODB_URI: required with WeCom credentials — without it the embedded development database would serve real users ' +
        '(one process, one data directory, no replica set, no backups). Point MONGODB_URI at your MongoDB, ' +
        'or set EMBEDDED_DB=allow to run on the embedded database on purpose (a trial)',
    );
  }
  return problems;
}

/**
 * Validates the environment. All problems are collected and thrown together as a
 * ConfigError; `env` is a parameter so tests never touch process.env.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`)),
    ...combinationProblems(env),
  ];
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  const mode = e.WECOM_TOKEN ? 'wecom' : 'local';
  // Local mode pushes to the simulator's webhook sink (`npm run chat`), not to WeCom.
  const apiBase =
    e.WECOM_API_BASE ??
    (mode === 'wecom' ? 'https://qyapi.weixin.qq.com' : `http://127.0.0.1:${e.SIM_SINK_PORT ?? simSinkPort(e.PORT)}`);
  const creds: WeComCredentials =
    mode === 'wecom'
      ? { token: e.WECOM_TOKEN!, encodingAesKey: e.WECOM_ENCODING_AES_KEY!, corpId: e.WECOM_CORP_ID! }
      : loadDevCredentials(dataDir);
  return {
    port: e.PORT,
    host: e.HOST,
    mongodbUri: e.MONGODB_URI,
    dataDir,
    mongodDownload: e.MONGOD_DOWNLOAD === 'on',
    logLevel: e.LOG_LEVEL,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    dashboardSecret:
      e.DASHBOARD_SECRET ??
      createHmac('sha256', `${creds.encodingAesKey}:${creds.token}`).update('louyuantong/dashboard-link/v1').digest('hex'),
    wecom: { ...creds, corpSecret: e.WECOM_CORP_SECRET, agentId: e.WECOM_AGENT_ID, apiBase: apiBase.replace(/\/$/, '') },
    mode,
    adminUserIds: e.ADMIN_USERIDS,
    push: { perMinute: e.PUSH_PER_MINUTE, maxAttempts: e.PUSH_MAX_ATTEMPTS },
    replyBudgetMs: e.REPLY_BUDGET_MS,
    scheduler: e.SCHEDULER === 'on',
    scoreWeights: e.SCORE_WEIGHTS,
    backupKeep: e.BACKUP_KEEP,
    requestLimits: { perSender: e.REQUEST_LIMIT_PER_SENDER, perCourtyard: e.REQUEST_LIMIT_PER_COURTYARD },
    photos: { quotaBytes: e.PHOTO_QUOTA_MB * 1024 * 1024, retentionDays: e.PHOTO_RETENTION_DAYS, maxBytes: PHOTO_MAX_BYTES },
  };
}
