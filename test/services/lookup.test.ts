import { createModels, syncIndexes, type CourtyardDoc, type Models, type StreetDoc } from '../../src/db/models';
import { findCadre, findCourtyard, findProject, findRequest, findStreet } from '../../src/services/lookup';
import { openTestDb, type TestDb } from '../helpers/db';

let db: TestDb;
let models: Models;
let jiyuan: StreetDoc;
let xinan: StreetDoc;
let dongfang: CourtyardDoc;
let yard3a: CourtyardDoc;

beforeAll(async () => {
  db = await openTestDb();
  models = createModels(db.conn);
  await syncIndexes(models);
  jiyuan = await models.Street.create({ name: '济源路街道', aliases: ['济源路'] });
  xinan = await models.Street.create({ name: '新安路街道' });
  dongfang = await models.Courtyard.create({ name: '东方花园', aliases: ['东方小区'], street: jiyuan._id });
  yard3a = await models.Courtyard.create({ name: '3号院', street: jiyuan._id });
  await models.Courtyard.create({ name: '3号院', street: xinan._id });
  const common = { street: jiyuan._id, category: '工程', createdAt: new Date() } as const;
  await models.Project.create({ ...common, no: 12, courtyard: dongfang._id, title: '路面硬化' });
  await models.Project.create({ ...common, no: 13, courtyard: yard3a._id, title: '路面硬化' });
  await models.Project.create({ ...common, no: 14, courtyard: dongfang._id, title: '楼道照明' });
  await models.Cadre.create({ name: '张伟', unit: '区财政局', userId: 'zw1', courtyards: [dongfang._id] });
  await models.Cadre.create({ name: '张伟', unit: '区住建局', courtyards: [yard3a._id] });
  await models.ResidentRequest.create({
    no: 7,
    courtyard: dongfang._id,
    street: jiyuan._id,
    text: '楼道灯不亮',
    reporter: { userId: 'r' },
    createdAt: new Date(),
    dueAt: new Date(),
  });
});
afterAll(() => db.close());

describe('findStreet', () => {
  it('finds a street by its name, alias or beginning', async () => {
    expect((await findStreet(models, '济源路'))._id).toEqual(jiyuan._id);
    expect((await findStreet(models, '新安'))._id).toEqual(xinan._id);
    await expect(findStreet(models, '天坛')).rejects.toThrow('没有找到街道「天坛」');
  });
});

describe('findCourtyard', () => {
  it('finds by name, alias or near spelling', async () => {
    expect((await findCourtyard(models, '东方小区'))._id).toEqual(dongfang._id);
    expect((await findCourtyard(models, '东方花圆'))._id).toEqual(dongfang._id);
  });

  it('lists the candidates with their street when a name exists twice, and takes 街道/楼院', async () => {
    await expect(findCourtyard(models, '3号院')).rejects.toThrow('「3号院」对应多个楼院：3号院（济源路街道）、3号院（新安路街道）。');
    expect((await findCourtyard(models, '济源路/3号院'))._id).toEqual(yard3a._id);
  });

  it('prefers the courtyards of the group’s street', async () => {
    expect((await findCourtyard(models, '3号院', { kind: 'street', street: jiyuan }))._id).toEqual(yard3a._id);
  });
});

describe('findCadre', () => {
  it('finds a person by name, @mention, name(unit) or userid', async () => {
    expect((await findCadre(models, '@张伟(财政局)')).unit).toBe('区财政局');
    expect((await findCadre(models, 'zw1')).unit).toBe('区财政局');
    await expect(findCadre(models, '张伟')).rejects.toThrow('有 2 位「张伟」：张伟（区住建局）、张伟（区财政局）。请写成 张伟(单位)。');
    await expect(findCadre(models, '赵六')).rejects.toThrow('花名册里没有「赵六」');
  });

  it('prefers the one assigned in the group’s scope', async () => {
    expect((await findCadre(models, '张伟', { kind: 'courtyard', courtyard: yard3a, street: jiyuan })).unit).toBe('区住建局');
  });
});

describe('findProject and findRequest', () => {
  it('finds a project by number, or by title within the scope', async () => {
    expect((await findProject(models, '#14')).title).toBe('楼道照明');
    expect((await findProject(models, '＃１２')).no).toBe(12);
    expect((await findProject(models, '楼道照明')).no).toBe(14);
    expect((await findProject(models, '路面硬化', { kind: 'courtyard', courtyard: yard3a, street: jiyuan })).no).toBe(13);
    await expect(findProject(models, '路面硬化')).rejects.toThrow('「路面硬化」对应多个项目：#12 路面硬化（东方花园）、#13 路面硬化（3号院）。请用编号，如 #12。');
    await expect(findProject(models, '#99')).rejects.toThrow('没有编号为 #99 的项目');
    await expect(findProject(models, '天文台')).rejects.toThrow('没有找到项目「天文台」');
  });

  it('finds a request by number', async () => {
    expect((await findRequest(models, '#7')).text).toBe('楼道灯不亮');
    await expect(findRequest(models, '#8')).rejects.toThrow('没有编号为 #8 的诉求');
    await expect(findRequest(models, '楼道')).rejects.toThrow('不是诉求编号');
  });
});
