/**
 * The harness every command test uses: the real path end to end. `send` builds a signed,
 * encrypted WeCom callback (intelligent robot by default), posts it through the real Koa
 * app and WeCom router to the real dispatcher on a fresh test database, and returns the
 * decrypted reply's markdown. The clock is fake (`setNow`), shared by the router and the
 * commands.
 *
 * ```ts
 * const bot = await createTestBot();
 * const { users } = await bot.seed.basic();
 * const reply = await bot.send(users.admin, 'grp-dongfang', '/绑定 楼院 东方花园');
 * expect(await bot.models.Group.findOne({ chatId: 'grp-dongfang' })).toMatchObject({ … });
 * await bot.close();
 * ```
 */
import type Koa from 'koa';
import type { Types } from 'mongoose';
import type { Command } from '../../src/bot/define-command';
import {
  type CadreDoc,
  type CourtyardDoc,
  type GroupDoc,
  type Models,
  type Role,
  type StreetDoc,
} from '../../src/db/models';
import { silentLogger } from '../../src/log';
import { createCalendar } from '../../src/services/calendar';
import { createWeComClient } from '../../src/wecom/client';
import type { Channel } from '../../src/wecom/message';
import type { Outbox } from '../../src/wecom/outbox';
import type { PhotoIntake, PhotoIntakeDeps } from '../../src/services/photo-intake';
import { createRuntime } from '../../src/runtime';
import { openTestDb, type TestDb } from './db';
import { recordingOutbox, sendText, testConfig, type CallbackFields } from './wecom';

export interface TestUser {
  userId: string;
  name?: string;
}

export interface TestBotOptions {
  /** Start of the fake clock; default Wednesday 2020-09-16 10:00 Beijing time. */
  now?: Date;
  /** ADMIN_USERIDS. */
  adminUserIds?: string[];
  /** Callback channel of `send`; default the intelligent robot. */
  channel?: Channel;
  /** Commands to register; default all of commands/index.ts. */
  commands?: readonly Command[];
  /**
   * WECOM_API_BASE: where the commands that send at once (the test message of `/绑定 …
   * webhook=`) send, and the one origin a webhook may be on. Default WeCom's own (unreachable in tests: test/setup/no-network.ts).
   */
  apiBase?: string;
  /** More configuration (testConfig's environment), e.g. WECOM_API_BASE of a webhook sink. */
  env?: NodeJS.ProcessEnv;
  /** Where commands' pushes go besides the recording (`outbox` still records them), e.g. a real outbox. */
  forwardPushesTo?: Pick<Outbox, 'enqueue'>;
  /** Download the pictures of messages after answering them (src/services/photo-intake.ts); `bot.photos` then waits for them. */
  photos?: Partial<Omit<PhotoIntakeDeps, 'models' | 'conn' | 'config' | 'log' | 'outbox'>>;
}

/** Wednesday 2020-09-16 10:00 Beijing time, in the campaign's 整治提升阶段. */
export const DEFAULT_NOW = new Date('2020-09-16T02:00:00Z');

export interface CadreSeed {
  name: string;
  unit: string;
  userId?: string;
  /** Default 'roster' when a userId is given. */
  userIdSource?: 'roster' | 'register';
  roles?: Role[];
  courtyards?: CourtyardDoc[];
  /** Scope of admin/leader: a street, or the district (default). */
  scope?: StreetDoc | 'district';
  mobile?: string;
}

/** The fixture of `seed.basic()`: two streets, three courtyards, six people, two bound groups. */
export interface BasicFixture {
  streets: { jiyuan: StreetDoc; zhongxin: StreetDoc };
  courtyards: { dongfang: CourtyardDoc; longhai: CourtyardDoc; shuibeng: CourtyardDoc };
  cadres: Record<'admin' | 'jyAdmin' | 'leader' | 'zhangsan' | 'lisi' | 'wangwu', CadreDoc>;
  /** Senders for `send`; `wangwu` is on the roster without a userid (for /登记), `stranger` is not on it. */
  users: Record<'admin' | 'jyAdmin' | 'leader' | 'zhangsan' | 'lisi' | 'wangwu' | 'stranger', TestUser>;
  /** Groups bound to 东方花园 and to 济源路街道. */
  groups: { dongfang: string; jiyuan: string };
}

export interface TestBot {
  /** Sends `text` from `user` in chat `chat` (a group ChatId; the user's own userid or '' for a 1:1 chat); resolves to the reply's markdown ('' for none). */
  send(user: TestUser, chat: string, text: string): Promise<string>;
  /** As `send`, with more of the callback's fields (pictures: `images`, a fixed `msgId` to retry …). */
  sendWith(user: TestUser, chat: string, fields: Partial<Omit<CallbackFields, 'user' | 'chat'>>): Promise<string>;
  /** With the `photos` option: the intake downloading pictures after each answer. */
  photos?: PhotoIntake;
  models: Models;
  db: TestDb;
  /** WECOM_API_BASE of this bot (a webhook must be on its origin). */
  apiBase: string;
  /** What commands pushed. */
  outbox: ReturnType<typeof recordingOutbox>;
  app: Koa;
  now(): Date;
  setNow(d: Date | string): void;
  /** Moves the clock forward. */
  advance(ms: number): void;
  seed: {
    street(name: string, opts?: { aliases?: string[] }): Promise<StreetDoc>;
    courtyard(name: string, opts: { street: StreetDoc; aliases?: string[]; households?: number }): Promise<CourtyardDoc>;
    cadre(seed: CadreSeed): Promise<CadreDoc>;
    /** A group bound to a courtyard, a street or the district. */
    group(chatId: string, to: CourtyardDoc | StreetDoc | 'district', opts?: { purpose?: 'work' | 'leadership'; webhookUrl?: string }): Promise<GroupDoc>;
    basic(): Promise<BasicFixture>;
  };
  close(): Promise<void>;
}

let msgCounter = 0;

export async function createTestBot(opts: TestBotOptions = {}): Promise<TestBot> {
  const db = await openTestDb();
  let clock = new Date(opts.now ?? DEFAULT_NOW);
  const now = () => new Date(clock);
  const config = testConfig({ ADMIN_USERIDS: (opts.adminUserIds ?? []).join(','), ...opts.env, ...(opts.apiBase ? { WECOM_API_BASE: opts.apiBase } : {}) });
  const outbox = recordingOutbox(opts.forwardPushesTo);
  const wecom = createWeComClient({ apiBase: config.wecom.apiBase, corpId: config.wecom.corpId, log: silentLogger, timeoutMs: 2000 });
  // The app as src/runtime.ts composes it (dispatcher, scheduler for /推送, photo intake), with a recording outbox and the fake clock.
  const runtime = await createRuntime(config, db.conn, {
    log: silentLogger,
    now,
    calendar: createCalendar(),
    outbox,
    client: wecom,
    commands: opts.commands,
    timers: false,
    photos: opts.photos,
    // A loaded test machine can take over a second to defer a slow answer; the 系统繁忙
    // deadline is tested on its own (test/fault/db-down.test.ts), not in every command test.
    answerDeadlineMs: 10_000,
  });
  const { models } = runtime;
  const photos = opts.photos ? runtime.photos : undefined;
  const app = runtime.app('test');

  const seed: TestBot['seed'] = {
    street: (name, o = {}) => models.Street.create({ name, aliases: o.aliases ?? [], district: '上街区' }),
    courtyard: (name, o) => models.Courtyard.create({ name, street: o.street._id, aliases: o.aliases ?? [], households: o.households }),
    cadre: (s) =>
      models.Cadre.create({
        name: s.name,
        unit: s.unit,
        mobile: s.mobile,
        userId: s.userId,
        userIdSource: s.userId ? (s.userIdSource ?? 'roster') : undefined,
        roles: s.roles ?? ['cadre'],
        courtyards: (s.courtyards ?? []).map((c) => c._id),
        scope: !s.scope || s.scope === 'district' ? { kind: 'district' } : { kind: 'street', refId: s.scope._id },
      }),
    group: (chatId, to, o = {}) =>
      models.Group.create({
        chatId,
        scope: to === 'district' ? { kind: 'district' } : { kind: to instanceof models.Courtyard ? 'courtyard' : 'street', refId: to._id as Types.ObjectId },
        purpose: o.purpose ?? 'work',
        webhookUrl: o.webhookUrl,
        boundBy: 'seed',
        boundAt: now(),
        channel: opts.channel ?? 'aibot',
      }),
    async basic() {
      const jiyuan = await seed.street('济源路街道', { aliases: ['济源路'] });
      const zhongxin = await seed.street('中心路街道', { aliases: ['中心路'] });
      const dongfang = await seed.courtyard('东方花园', { street: jiyuan, households: 120 });
      const longhai = await seed.courtyard('陇海安居', { street: jiyuan, households: 86 });
      const shuibeng = await seed.courtyard('水泵厂家属院', { street: zhongxin, households: 64 });
      const cadres = {
        admin: await seed.cadre({ name: '王管理', unit: '区委城乡社治委', userId: 'admin', roles: ['admin'] }),
        jyAdmin: await seed.cadre({ name: '赵街道', unit: '济源路街道办事处', userId: 'jy-admin', roles: ['admin'], scope: jiyuan }),
        leader: await seed.cadre({ name: '刘领导', unit: '区政府', userId: 'leader', roles: ['leader'] }),
        zhangsan: await seed.cadre({ name: '张三', unit: '区医保局', userId: 'zhangsan', courtyards: [dongfang] }),
        lisi: await seed.cadre({ name: '李四', unit: '区残联', userId: 'lisi', courtyards: [longhai, shuibeng] }),
        wangwu: await seed.cadre({ name: '王五', unit: '区教育局', courtyards: [dongfang] }),
      };
      await seed.group('grp-dongfang', dongfang);
      await seed.group('grp-jiyuan', jiyuan);
      return {
        streets: { jiyuan, zhongxin },
        courtyards: { dongfang, longhai, shuibeng },
        cadres,
        users: {
          admin: { userId: 'admin', name: '王管理' },
          jyAdmin: { userId: 'jy-admin', name: '赵街道' },
          leader: { userId: 'leader', name: '刘领导' },
          zhangsan: { userId: 'zhangsan', name: '张三' },
          lisi: { userId: 'lisi', name: '李四' },
          wangwu: { userId: 'wangwu', name: '王五' },
          stranger: { userId: 'stranger', name: '路人' },
        },
        groups: { dongfang: 'grp-dongfang', jiyuan: 'grp-jiyuan' },
      };
    },
  };

  async function sendWith(user: TestUser, chat: string, fields: Partial<Omit<CallbackFields, 'user' | 'chat'>>): Promise<string> {
    const single = chat === '' || chat === user.userId;
    const res = await sendText(app, {
      channel: opts.channel,
      user: user.userId,
      userName: user.name,
      chat: single ? undefined : chat,
      msgId: `test-${process.pid}-${++msgCounter}`,
      now: now(),
      ...fields,
      text: fields.text ?? '',
    });
    if (res.status !== 200) throw new Error(`callback answered HTTP ${res.status}`);
    return res.replyText;
  }

  return {
    send: (user, chat, text) => sendWith(user, chat, { text }),
    sendWith,
    photos,
    models,
    db,
    apiBase: config.wecom.apiBase,
    outbox,
    app,
    now,
    setNow(d) {
      clock = new Date(d);
    },
    advance(ms) {
      clock = new Date(clock.getTime() + ms);
    },
    seed,
    close: async () => {
      await photos?.stop();
      await db.close();
    },
  };
}
