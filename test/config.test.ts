import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config';

const tmpDataDir = () => mkdtempSync(path.join(tmpdir(), 'lyt-config-'));
/** WeCom's published sample credentials, and a MongoDB: a production-shaped environment. */
const WECOM = {
  WECOM_TOKEN: 'QDG6eK',
  WECOM_ENCODING_AES_KEY: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  WECOM_CORP_ID: 'wx5823bf96d3bd56c7',
  MONGODB_URI: 'mongodb://db1,db2,db3/louyuantong?replicaSet=rs0',
};

/** The problems a ConfigError lists, one per entry. */
function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig({ DATA_DIR: tmpDataDir(), ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('the configuration was accepted');
}

describe('loadConfig', () => {
  it('starts in local mode with generated WeCom values that survive a restart', () => {
    const DATA_DIR = tmpDataDir();
    const first = loadConfig({ DATA_DIR });
    expect(first.mode).toBe('local');
    expect(first.port).toBe(3000);
    expect(first.wecom.apiBase).toBe('http://127.0.0.1:3001');
    expect(first.wecom.encodingAesKey).toMatch(/^[A-Za-z0-9+/]{43}$/);
    expect(loadConfig({ DATA_DIR }).wecom).toEqual(first.wecom);
  });

  it('uses the configured WeCom credentials', () => {
    const config = loadConfig({ DATA_DIR: tmpDataDir(), ...WECOM, PORT: '8080' });
    expect(config.mode).toBe('wecom');
    expect(config.port).toBe(8080);
    expect(config.wecom.token).toBe('QDG6eK');
    expect(config.wecom.apiBase).toBe('https://qyapi.weixin.qq.com');
  });

  it('names every bad variable at once', () => {
    const load = () =>
      loadConfig({ DATA_DIR: tmpDataDir(), PORT: 'eighty', MONGODB_URI: 'postgres://x', WECOM_ENCODING_AES_KEY: 'short' });
    expect(load).toThrow(ConfigError);
    try {
      load();
    } catch (err) {
      const text = (err as ConfigError).message;
      expect(text).toContain('PORT');
      expect(text).toContain('MONGODB_URI');
      expect(text).toContain('WECOM_ENCODING_AES_KEY');
    }
  });

  it('refuses a partial set of WeCom credentials', () => {
    expect(() => loadConfig({ DATA_DIR: tmpDataDir(), WECOM_TOKEN: 'abc' })).toThrow(/WECOM_ENCODING_AES_KEY.*\n.*WECOM_CORP_ID/);
  });

  it('refuses WeCom credentials without MONGODB_URI, saying why, unless EMBEDDED_DB=allow', () => {
    const { MONGODB_URI: _, ...withoutDb } = WECOM;
    const problems = problemsOf(withoutDb);
    expect(problems).toEqual([expect.stringMatching(/^MONGODB_URI: required with WeCom credentials/)]);
    expect(problems[0]).toContain('EMBEDDED_DB=allow');
    expect(problems[0]).toContain('real users');
    expect(loadConfig({ DATA_DIR: tmpDataDir(), ...withoutDb, EMBEDDED_DB: 'allow' }).mode).toBe('wecom');
    expect(problemsOf({ ...withoutDb, EMBEDDED_DB: 'yes' })).toEqual([expect.stringMatching(/^EMBEDDED_DB: must be "allow"/), expect.stringMatching(/^MONGODB_URI: required/)]);
    // Local mode (no credentials) is development: the embedded database is what it is for.
    expect(loadConfig({ DATA_DIR: tmpDataDir() }).mode).toBe('local');
  });

  it('caps REPLY_BUDGET_MS below the answer deadline', () => {
    expect(problemsOf({ ...WECOM, REPLY_BUDGET_MS: '5000' })).toEqual([expect.stringMatching(/^REPLY_BUDGET_MS: must be at most 3000: WeCom is answered by 4000 ms/)]);
    expect(problemsOf({ ...WECOM, REPLY_BUDGET_MS: '3001' })).toHaveLength(1);
    expect(loadConfig({ DATA_DIR: tmpDataDir(), ...WECOM, REPLY_BUDGET_MS: '3000' }).replyBudgetMs).toBe(3000);
  });

  it('wants a numeric WECOM_AGENT_ID, and WECOM_CORP_SECRET and WECOM_AGENT_ID together', () => {
    expect(problemsOf({ ...WECOM, WECOM_CORP_SECRET: 's3cret', WECOM_AGENT_ID: 'app-one' })).toEqual([expect.stringMatching(/^WECOM_AGENT_ID: must be the self-built app’s numeric AgentId/)]);
    expect(problemsOf({ ...WECOM, WECOM_CORP_SECRET: 's3cret' })).toEqual([expect.stringMatching(/^WECOM_AGENT_ID: required together with WECOM_CORP_SECRET/)]);
    expect(problemsOf({ ...WECOM, WECOM_AGENT_ID: '1000002' })).toEqual([expect.stringMatching(/^WECOM_CORP_SECRET: required together with WECOM_AGENT_ID/)]);
    expect(loadConfig({ DATA_DIR: tmpDataDir(), ...WECOM, WECOM_CORP_SECRET: 's3cret', WECOM_AGENT_ID: '1000002' }).wecom).toMatchObject({ corpSecret: 's3cret', agentId: '1000002' });
  });

  it('lists every problem at once: bad values and bad combinations together', () => {
    const problems = problemsOf({ WECOM_TOKEN: 'abc', PORT: 'eighty', REPLY_BUDGET_MS: '5000', WECOM_AGENT_ID: 'x', EMBEDDED_DB: 'please' });
    expect(problems.map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining(['PORT', 'REPLY_BUDGET_MS', 'WECOM_AGENT_ID', 'EMBEDDED_DB', 'WECOM_ENCODING_AES_KEY', 'WECOM_CORP_ID', 'WECOM_CORP_SECRET', 'MONGODB_URI']),
    );
    expect(problems).toHaveLength(8);
  });
});
