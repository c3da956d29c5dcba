import { z } from 'zod';
import { arg, withArgContext } from '../../../src/bot/args';
import { createModels, syncIndexes, type Models, type StreetDoc } from '../../../src/db/models';
import type { Scope } from '../../../src/services/scope';
import { openTestDb, type TestDb } from '../../helpers/db';

let db: TestDb;
let models: Models;
let jiyuan: StreetDoc;

beforeAll(async () => {
  db = await openTestDb();
  models = createModels(db.conn);
  await syncIndexes(models);
  jiyuan = await models.Street.create({ name: '济源路街道', aliases: ['济源路'] });
  const xinan = await models.Street.create({ name: '新安路街道' });
  const dongfang = await models.Courtyard.create({ name: '东方花园', street: jiyuan._id });
  await models.Courtyard.create({ name: '九冶院', street: jiyuan._id });
  await models.Courtyard.create({ name: '九冶新院', street: xinan._id });
  await models.Cadre.create({ name: '张三', unit: '区医保局', userId: 'zhangsan', courtyards: [dongfang._id] });
  await models.Project.create({ no: 12, courtyard: dongfang._id, street: jiyuan._id, category: '工程', title: '路面硬化', createdAt: new Date() });
  await models.ResidentRequest.create({ no: 7, courtyard: dongfang._id, street: jiyuan._id, text: '灯不亮', reporter: { userId: 'r' }, createdAt: new Date(), dueAt: new Date() });
});
afterAll(() => db.close());

const schema = z.object({
  courtyard: arg.courtyard().optional(),
  street: arg.street().optional(),
  project: arg.project().optional(),
  request: arg.request().optional(),
  person: arg.person().optional(),
});
const parse = (input: Record<string, string>, scope: Scope = { kind: 'none' }) =>
  withArgContext({ now: new Date(), models, scope }, () => schema.safeParseAsync(input));
const messages = async (input: Record<string, string>) => {
  const result = await parse(input);
  return result.error?.issues.map((i) => i.message) ?? [];
};

describe('record argument types', () => {
  it('resolve to the documents', async () => {
    const result = await parse({ courtyard: '东方', street: '济源路', project: '#12', request: '#7', person: '@张三' });
    expect(result.success).toBe(true);
    expect(result.data).toMatchObject({
      courtyard: { name: '东方花园' },
      street: { name: '济源路街道' },
      project: { title: '路面硬化' },
      request: { text: '灯不亮' },
      person: { userId: 'zhangsan' },
    });
  });

  it('list the candidates of an ambiguous courtyard, and prefer the group’s street', async () => {
    expect(await messages({ courtyard: '九冶' })).toEqual(['「九冶」对应多个楼院：九冶新院、九冶院。请写全名，或写成 街道/楼院。']);
    const inStreet = await parse({ courtyard: '九冶' }, { kind: 'street', street: jiyuan });
    expect(inStreet.data?.courtyard?.name).toBe('九冶院');
  });

  it('say what was not found, every field at once', async () => {
    expect((await messages({ courtyard: '天坛', project: '#99', request: 'x', person: '赵六' })).sort()).toEqual([
      '没有找到楼院「天坛」',
      '没有编号为 #99 的项目，发送 /项目 列表 查看',
      '「x」不是诉求编号，请写成 #7 这样',
      '花名册里没有「赵六」，请核对姓名',
    ].sort());
  });
});
