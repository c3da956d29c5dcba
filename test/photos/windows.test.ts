/**
 * Which record a picture sent alone goes to: the sender's latest report in that chat (for
 * 10 minutes), or the project of a `/照片 #n` sent after it (the next picture only); the
 * newer of the two wins. Through the signed callbacks, as WeCom sends them; the pictures are
 * recorded, not downloaded (no intake runs here).
 */
import { PHOTO_WINDOW_MS } from '../../src/services/photos';
import { WECOM_MEDIA_HOSTS } from '../../src/wecom/origin';
import { createTestBot, type BasicFixture, type TestBot, type TestUser } from '../helpers/bot';

let bot: TestBot;
let f: BasicFixture;
let n = 0;
const picture = () => `https://${WECOM_MEDIA_HOSTS[0]}/windows/${++n}.jpg?sign=x`;

beforeAll(async () => {
  bot = await createTestBot();
  f = await bot.seed.basic();
  expect(await bot.send(f.users.admin, f.groups.dongfang, '/项目 新建 路面硬化 类别=工程 截止=9月30日 责任人=张三')).toContain('#1');
});
afterAll(() => bot.close());
// Every test starts with no window open.
beforeEach(() => bot.advance(PHOTO_WINDOW_MS + 1));

const NOTHING = '没有可关联的记录，未保存';

/** Sends one picture alone; its reply and the record the picture was recorded for (null: none). */
async function sendPicture(user: TestUser, chat: string, channel?: 'bot') {
  const msgId = `windows-pic-${++n}`;
  const reply = await bot.sendWith(user, chat, { images: [picture()], msgId, ...(channel ? { channel } : {}) });
  const photo = await bot.models.Photo.findOne({ msgKey: `${channel ?? 'aibot'}:${msgId}` }).lean();
  return { reply, record: photo?.record ? { kind: photo.record.kind, id: String(photo.record.id) } : null };
}

async function report(user: TestUser, chat: string, text: string) {
  const msgId = `windows-report-${++n}`;
  expect(await bot.sendWith(user, chat, { text, msgId })).toContain('进度已更新');
  const r = await bot.models.ProgressReport.findOne({ msgId: `aibot:${msgId}` }).lean();
  return { kind: 'ProgressReport', id: String(r!._id) };
}

const project1 = async () => ({ kind: 'Project', id: String((await bot.models.Project.findOne({ no: 1 }).lean())!._id) });

it('a picture sent alone after /进度 attaches to that report, for 10 minutes, every picture', async () => {
  const r = await report(f.users.zhangsan, f.groups.dongfang, '/进度 #1 20% 开工');
  const first = await sendPicture(f.users.zhangsan, f.groups.dongfang);
  expect(first.reply).toContain('📷 已保存照片 1 张，关联到 #1 路面硬化 的进度（20%）');
  expect(first.record).toEqual(r);
  bot.advance(PHOTO_WINDOW_MS - 1000);
  expect((await sendPicture(f.users.zhangsan, f.groups.dongfang)).record).toEqual(r);
  // Another sender, or the same sender in another chat, has no window.
  expect((await sendPicture(f.users.admin, f.groups.dongfang)).reply).toContain(NOTHING);
  expect((await sendPicture(f.users.zhangsan, '')).reply).toContain(NOTHING);
});

it('after 10 minutes a picture attaches to nothing', async () => {
  await report(f.users.zhangsan, f.groups.dongfang, '/进度 #1 25% 备料');
  bot.advance(PHOTO_WINDOW_MS);
  const late = await sendPicture(f.users.zhangsan, f.groups.dongfang);
  expect(late.reply).toContain(NOTHING);
  expect(late.record).toBeNull();
});

it('a later /进度 takes the pictures, and a command that makes no record changes nothing', async () => {
  await report(f.users.zhangsan, f.groups.dongfang, '/进度 #1 30% 挖槽');
  bot.advance(1000);
  const later = await report(f.users.zhangsan, f.groups.dongfang, '/进度 #1 35% 铺基层');
  bot.advance(1000);
  expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/帮助')).toBeTruthy();
  expect((await sendPicture(f.users.zhangsan, f.groups.dongfang)).record).toEqual(later);
});

it('/照片 #1 then /进度 then a picture: the report takes it (the newer wins)', async () => {
  expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/照片 #1')).toContain('将关联到 #1');
  bot.advance(1000);
  const r = await report(f.users.zhangsan, f.groups.dongfang, '/进度 #1 40% 面层');
  const pic = await sendPicture(f.users.zhangsan, f.groups.dongfang);
  expect(pic.reply).toContain('的进度（40%）');
  expect(pic.record).toEqual(r);
  expect((await sendPicture(f.users.zhangsan, f.groups.dongfang)).record).toEqual(r);
});

it('/进度 then /照片 #1 then a picture: project #1 takes it, and the next picture nothing', async () => {
  await report(f.users.zhangsan, f.groups.dongfang, '/进度 #1 45% 养护');
  bot.advance(1000);
  expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/照片 #1')).toContain('将关联到 #1');
  const pic = await sendPicture(f.users.zhangsan, f.groups.dongfang, 'bot');
  expect(pic.reply).toContain('📷 已保存照片 1 张，关联到 #1 路面硬化');
  expect(pic.record).toEqual(await project1());
  expect((await sendPicture(f.users.zhangsan, f.groups.dongfang)).reply).toContain(NOTHING);
});

it('two pictures at once after /照片 #1: exactly one takes it', async () => {
  for (const before of [false, true]) {
    bot.advance(PHOTO_WINDOW_MS + 1);
    if (before) await report(f.users.zhangsan, f.groups.dongfang, '/进度 #1 50% 收尾');
    bot.advance(1000);
    expect(await bot.send(f.users.zhangsan, f.groups.dongfang, '/照片 #1')).toContain('将关联到 #1');
    const pics = await Promise.all([sendPicture(f.users.zhangsan, f.groups.dongfang), sendPicture(f.users.zhangsan, f.groups.dongfang, 'bot')]);
    const project = await project1();
    expect(pics.filter((p) => p.record && p.record.kind === project.kind && p.record.id === project.id)).toHaveLength(1);
    expect(pics.filter((p) => p.reply.includes(NOTHING) && p.record === null)).toHaveLength(1);
  }
});

it('a window a record opened before this version (once false) still takes pictures until it expires', async () => {
  const project = (await bot.models.Project.findOne({ no: 1 }).lean())!;
  await bot.models.PhotoWindow.updateOne(
    { chatId: f.groups.dongfang, userId: f.users.lisi.userId },
    { $set: { courtyard: project.courtyard, project: project._id, record: { kind: 'Project', id: project._id }, label: '#1 路面硬化', once: false, until: new Date(bot.now().getTime() + 60_000) } },
    { upsert: true },
  );
  expect((await sendPicture(f.users.lisi, f.groups.dongfang)).record).toEqual(await project1());
  expect((await sendPicture(f.users.lisi, f.groups.dongfang)).record).toEqual(await project1());
  bot.advance(60_000);
  expect((await sendPicture(f.users.lisi, f.groups.dongfang)).reply).toContain(NOTHING);
});
