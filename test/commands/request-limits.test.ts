import { createTestBot, type BasicFixture, type TestBot, type TestUser } from '../helpers/bot';
import { testConfig } from '../helpers/wecom';

/**
 * /诉求 is rate limited per sender and per courtyard, counted in MongoDB (every process
 * behind the load balancer sees the same counts): each request @-mentions the courtyard's
 * cadres and counts in its 诉求办理 figures, so a flood from one account, or against one
 * courtyard, is refused with when to try again. Defaults: 20 per sender in 10 minutes, 60
 * per courtyard in an hour.
 */
let bot: TestBot;
let f: BasicFixture;
const opened: TestBot[] = [];

/** A bot on a fresh database with the basic fixture, closed after the test. */
async function start(env?: NodeJS.ProcessEnv) {
  bot = await createTestBot({ env });
  opened.push(bot);
  f = await bot.seed.basic();
}
afterEach(async () => {
  for (const b of opened.splice(0)) await b.close();
});

const logged = () => bot.models.ResidentRequest.countDocuments();

it('accepts 20 from one account in 10 minutes, refuses the flood beyond with when to try again, and takes them again after', async () => {
  await start();
  const replies: string[] = [];
  for (let i = 0; i < 30; i++) replies.push(await bot.send(f.users.stranger, '', `/诉求 第${i}号楼灯不亮 楼院=东方花园`));
  expect(replies.filter((r) => r.includes('✅ 已登记诉求'))).toHaveLength(20);
  expect(replies[20]).toContain('❌ 你登记诉求太频繁了（每 10 分钟最多 20 条），请在 9月16日 10:10 以后再试');
  expect(await logged()).toBe(20);
  // Another account is not held up by the first one's flood.
  expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/诉求 单元门坏了')).toContain('✅ 已登记诉求');
  bot.advance(10 * 60_000);
  expect(await bot.send(f.users.stranger, '', '/诉求 又一个 楼院=东方花园')).toContain('✅ 已登记诉求');
});

it('limits each courtyard whoever sends (REQUEST_LIMIT_PER_COURTYARD), and other courtyards go on', async () => {
  await start({ REQUEST_LIMIT_PER_COURTYARD: '3/1h' });
  const senders: TestUser[] = [1, 2, 3, 4].map((i) => ({ userId: `resident-${i}` }));
  const replies = [];
  for (const s of senders) replies.push(await bot.send(s, f.groups.dongfang, '/诉求 路灯不亮'));
  expect(replies.slice(0, 3).every((r) => r.includes('✅ 已登记诉求'))).toBe(true);
  expect(replies[3]).toContain('❌ 东方花园 的诉求登记太频繁了（每 1 小时最多 3 条），请在 9月16日 11:00 以后再试');
  expect(await bot.models.ResidentRequest.countDocuments({ courtyard: f.courtyards.dongfang._id })).toBe(3);
  expect(await bot.send(senders[3]!, '', '/诉求 路灯不亮 楼院=陇海安居')).toContain('✅ 已登记诉求');
  // The refused courtyard did not use up the sender's own allowance.
  expect(await bot.models.RateSlot.findOne({ _id: /^request:sender:resident-4:/ }).lean()).toMatchObject({ count: 1 });
});

it('admits exactly one of two requests sent at once for the last place, in each of 20 rounds', async () => {
  await start({ REQUEST_LIMIT_PER_SENDER: '1/1h', REQUEST_LIMIT_PER_COURTYARD: 'off' });
  const problems: string[] = [];
  for (let round = 0; round < 20; round++) {
    const user: TestUser = { userId: `twice-${round}` };
    const replies = await Promise.all([1, 2].map((i) => bot.send(user, f.groups.dongfang, `/诉求 第${round}轮第${i}条`)));
    const accepted = replies.filter((r) => r.includes('✅ 已登记诉求')).length;
    const refused = replies.filter((r) => r.includes('太频繁了')).length;
    const stored = await bot.models.ResidentRequest.countDocuments({ 'reporter.userId': user.userId });
    if (accepted !== 1 || refused !== 1 || stored !== 1) problems.push(`round ${round}: ${accepted} accepted, ${refused} refused, ${stored} stored`);
  }
  expect(problems).toEqual([]);
});

it('refuses nonsense limits at start-up, and takes off', () => {
  expect(() => testConfig({ REQUEST_LIMIT_PER_SENDER: 'lots' })).toThrow(/REQUEST_LIMIT_PER_SENDER: must be like 20\/10m/);
  expect(testConfig({ REQUEST_LIMIT_PER_SENDER: 'off', REQUEST_LIMIT_PER_COURTYARD: '100/1d' }).requestLimits).toEqual({
    perSender: null,
    perCourtyard: { max: 100, windowMs: 86_400_000 },
  });
});
