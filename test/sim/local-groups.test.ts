import { importSampleRosterIfEmpty } from '../../src/roster/sample';
import { bindLocalGroups } from '../../src/local/local-groups';
import { simChatId, simUserId } from '../../src/local/sim-identity';
import { silentLogger } from '../../src/log';
import { createTestBot, type TestBot } from '../helpers/bot';

let bot: TestBot;
beforeAll(async () => {
  bot = await createTestBot();
  await importSampleRosterIfEmpty(bot.models, silentLogger, bot.now());
});
afterAll(() => bot.close());

it('local mode: the simulator’s usual groups are bound to the sample roster, so 张三 can work at once', async () => {
  expect(await bindLocalGroups(bot.models, 'http://127.0.0.1:3001', bot.now())).toEqual(['东方花园工作群', '九冶院工作群', '济源路街道工作群', '区领导群']);

  const dongfang = await bot.models.Courtyard.findOne({ name: '东方花园' });
  const group = await bot.models.Group.findOne({ chatId: simChatId('东方花园工作群') });
  expect(group).toMatchObject({ scope: { kind: 'courtyard', refId: dongfang!._id }, purpose: 'work' });
  expect(group!.webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:3001\/cgi-bin\/webhook\/send\?key=/);
  expect(await bot.models.Group.findOne({ chatId: simChatId('区领导群') })).toMatchObject({ scope: { kind: 'district' }, purpose: 'leadership' });

  const help = await bot.send({ userId: simUserId('张三') }, simChatId('东方花园工作群'), '/帮助');
  expect(help).toContain('本群：东方花园');
});

it('a binding changed by hand survives the next start', async () => {
  const chatId = simChatId('九冶院工作群');
  await bot.models.Group.updateOne({ chatId }, { $set: { purpose: 'leadership' } });
  expect(await bindLocalGroups(bot.models, 'http://127.0.0.1:3001', bot.now())).toEqual([]);
  expect(await bot.models.Group.findOne({ chatId })).toMatchObject({ purpose: 'leadership' });
});
