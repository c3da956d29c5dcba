/**
 * `npm run job` (src/jobs-cli.ts) against the test database: it speaks Chinese with Beijing
 * times, and `--at` is its clock for everything — the hold for working hours included.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createModels, syncIndexes } from '../../src/db/models';
import { jobCli, parseAt } from '../../src/jobs-cli';
import { openTestDb, type TestDb } from '../helpers/db';
import { TEST_CREDS } from '../helpers/wecom';

let db: TestDb;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  db = await openTestDb();
  const models = createModels(db.conn);
  await syncIndexes(models);
  // One leadership group, so the ranking has a push to show.
  await models.Group.create({ chatId: 'grp-leaders', name: '区领导群', scope: { kind: 'district' }, purpose: 'leadership', webhookUrl: 'http://127.0.0.1:9/cgi-bin/webhook/send?key=k', boundBy: 'seed', boundAt: new Date('2020-09-01T00:00:00Z') });
  env = {
    MONGODB_URI: db.uri,
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'lyt-job-cli-')),
    WECOM_TOKEN: TEST_CREDS.token,
    WECOM_ENCODING_AES_KEY: TEST_CREDS.encodingAesKey,
    WECOM_CORP_ID: TEST_CREDS.corpId,
    WECOM_API_BASE: 'http://127.0.0.1:9',
    LOG_LEVEL: 'silent',
  };
});
afterAll(() => db.close());

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await jobCli(argv, { out: (s) => (out += s), err: (s) => (err += s), env });
  return { code, out, err };
}

describe('npm run job', () => {
  it('holds a Saturday run until Monday 08:00 as of --at, not as of the real clock, in Beijing time', async () => {
    const { code, out } = await run('weekly-ranking', '--dry-run', '--at', '2020-09-19T09:00+08:00');
    expect(code).toBe(0);
    expect(out).toContain('周排名（weekly-ranking），按 2020年9月19日 09:00（北京时间）运行');
    expect(out).toContain('试运行，不发送');
    expect(out).toContain('夜间或非工作日不推送：将在 2020年9月21日 08:00（北京时间）发出');
    expect(out).toContain('── 1. → 区领导群（grp-leaders）');
    expect(out).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z(?!:)/);
  });

  it('sends a Monday 09:00 run at once: no hold, whatever day it is now', async () => {
    const { code, out } = await run('weekly-ranking', '--dry-run', '--at', '2020-09-21T09:00');
    expect(code).toBe(0);
    expect(out).toContain('按 2020年9月21日 09:00（北京时间）运行');
    expect(out).not.toContain('不推送');
  });

  it('explains wrong usage in Chinese', async () => {
    const { code, err } = await run('weekly-ranking', '--at', 'next monday');
    expect(code).toBe(2);
    expect(err).toContain('--at 需要一个时间，例如 2020-09-28T09:00+08:00，收到「next monday」');
    expect(err).toContain('用法：npm run job -- 任务名');
    expect((await run('no-such-job')).err).toContain('没有叫「no-such-job」的任务');
  });

  it('reads a time without an offset as Beijing time', () => {
    expect(parseAt('2020-09-21T09:00')?.toISOString()).toBe('2020-09-21T01:00:00.000Z');
    expect(parseAt('2020-09-21')?.toISOString()).toBe('2020-09-20T16:00:00.000Z');
    expect(parseAt('2020-09-21T09:00:00Z')?.toISOString()).toBe('2020-09-21T09:00:00.000Z');
    expect(parseAt('21.9.2020')).toBeUndefined();
  });
});
