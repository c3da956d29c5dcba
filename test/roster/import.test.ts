import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { createModels, syncIndexes, type Models } from '../../src/db/models';
import { silentLogger } from '../../src/log';
import { formatImportResult, importRoster } from '../../src/roster/import-roster';
import { importSampleRosterIfEmpty, sampleRosterDir } from '../../src/roster/sample';
import { writeRosterTemplates } from '../../src/roster/template';
import { openTestDb, type TestDb } from '../helpers/db';

const NOW = new Date('2020-09-16T02:00:00Z');

let db: TestDb;
let models: Models;

beforeEach(async () => {
  db = await openTestDb();
  models = createModels(db.conn);
  await syncIndexes(models);
});
afterEach(() => db.close());

/** Every record of the roster's collections, for comparing two states. */
async function snapshot(m: Models) {
  return {
    streets: await m.Street.find().sort({ name: 1 }).lean(),
    communities: await m.Community.find().sort({ name: 1 }).lean(),
    courtyards: await m.Courtyard.find().sort({ name: 1 }).lean(),
    cadres: await m.Cadre.find().sort({ name: 1, unit: 1 }).lean(),
    audit: await m.AuditEntry.countDocuments(),
  };
}

function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lyt-roster-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('roster import', () => {
  it('imports the sample roster, and a second import leaves the same records', async () => {
    const first = await importRoster(models, [sampleRosterDir()], { now: NOW });
    expect(first.problems).toEqual([]);
    expect(first.counts).toEqual({
      streets: { created: 5, updated: 0, unchanged: 0 },
      communities: { created: 5, updated: 0, unchanged: 0 },
      courtyards: { created: 10, updated: 0, unchanged: 0 },
      cadres: { created: 9, updated: 0, unchanged: 0 },
    });
    const before = await snapshot(models);

    const second = await importRoster(models, [sampleRosterDir()], { now: new Date(NOW.getTime() + 3600_000) });
    expect(second.counts?.courtyards).toEqual({ created: 0, updated: 0, unchanged: 10 });
    expect(second.counts?.cadres).toEqual({ created: 0, updated: 0, unchanged: 9 });
    expect(await snapshot(models)).toEqual(before);
  });

  it('resolves references and reads every column', async () => {
    await importRoster(models, [sampleRosterDir()], { now: NOW });
    const jiyuan = await models.Street.findOne({ name: '济源路街道' }).lean();
    const sanwan = await models.Community.findOne({ name: '三湾街社区' }).lean();
    expect(jiyuan).toMatchObject({ aliases: ['济源路'], district: '上街区', kind: '街道' });
    expect(await models.Street.findOne({ name: '峡窝镇' }).lean()).toMatchObject({ kind: '镇' });
    expect(await models.Courtyard.findOne({ name: '三湾街18号楼' }).lean()).toMatchObject({
      street: jiyuan!._id,
      community: sanwan!._id,
      aliases: ['三湾街18号'],
      households: 120,
      partyMembers: 9,
      kind: '无主管楼院',
      management: '自管',
      orgs: { party: { kind: '临时党支部', status: '已建' }, selfGov: { kind: '自管会', status: '已建' }, volunteerTeams: 1 },
      demonstration: false,
    });
    expect(await models.Courtyard.findOne({ name: '东方花园' }).lean()).toMatchObject({ demonstration: true });
    const lisi = await models.Cadre.findOne({ name: '李四' }).lean();
    const lisiYards = await models.Courtyard.find({ _id: { $in: lisi!.courtyards } }).sort({ name: 1 }).lean();
    expect(lisiYards.map((c) => c.name).sort()).toEqual(['水泵厂家属院', '陇海安居'].sort());
    expect(lisi).toMatchObject({ userId: 'lisi', userIdSource: 'roster', roles: ['cadre'], mobile: '13800000012' });
    expect(await models.Cadre.findOne({ userId: 'jiyuanlu' }).lean()).toMatchObject({ roles: ['admin'], scope: { kind: 'street', refId: jiyuan!._id } });
    expect((await models.Cadre.findOne({ name: '王五' }).lean())?.userId).toBeUndefined();
  });

  it('reports every bad row with its table and row number, and writes nothing', async () => {
    const dir = tempDir({
      'streets.csv': '街道名称*,别名\n济源路街道,济源路\n济源路街道,\n',
      'courtyards.csv': [
        '楼院名称*,所属街道*,户数,类型,党组织,示范楼院',
        '东方花园,济源路,160,无主管楼院,临时党支部,是',
        '陇海安居,济原路,80,,,',
        '九冶院,济源路,很多,小区,党委,也许',
      ].join('\n'),
      'cadres.csv': ['姓名*,单位*,手机,企业微信账号,角色,分包楼院', '张三,区医保局,1380013,zhang san,,东方花园', '李四,,,,校长,天坛'].join('\n'),
    });
    const result = await importRoster(models, [dir], { now: NOW });
    expect(result.counts).toBeUndefined();
    const where = result.problems.map((p) => `${p.source}:${p.row}`);
    expect(where).toEqual([
      'streets.csv:3',
      'courtyards.csv:3',
      'courtyards.csv:4',
      'courtyards.csv:4',
      'courtyards.csv:4',
      'courtyards.csv:4',
      'cadres.csv:2',
      'cadres.csv:2',
      'cadres.csv:3',
      'cadres.csv:3',
      'cadres.csv:3',
    ]);
    const text = formatImportResult(result);
    expect(text).toContain('花名册有 11 处问题，没有导入任何数据：');
    expect(text).toContain('streets.csv 第 3 行：街道「济源路街道」与第 2 行重复');
    expect(text).toContain('courtyards.csv 第 3 行：所属街道「济原路」不存在');
    expect(text).toContain('courtyards.csv 第 4 行：户数「很多」应为整数');
    expect(text).toContain('courtyards.csv 第 4 行：示范楼院「也许」应为 是 或 否');
    expect(text).toContain('cadres.csv 第 2 行：手机号「1380013」应为 11 位手机号');
    expect(text).toContain('cadres.csv 第 3 行：缺少单位');
    expect(text).toContain('cadres.csv 第 3 行：分包楼院「天坛」不存在');
    expect(await snapshot(models)).toEqual({ streets: [], communities: [], courtyards: [], cadres: [], audit: 0 });
  });

  it('updates what changed, and keeps what chat commands recorded where the cell is empty', async () => {
    const files = (households: string) => ({
      'streets.csv': '街道名称*\n济源路街道\n',
      'courtyards.csv': `楼院名称*,所属街道*,户数,党组织\n东方花园,济源路街道,${households},\n陇海安居,济源路街道,80,\n`,
    });
    await importRoster(models, [tempDir(files('160'))], { now: NOW });
    await models.Courtyard.updateOne({ name: '东方花园' }, { 'orgs.party.status': '已建', 'orgs.party.kind': '党支部' });
    const result = await importRoster(models, [tempDir(files('168'))], { now: NOW });
    expect(result.counts?.courtyards).toEqual({ created: 0, updated: 1, unchanged: 1 });
    expect(await models.Courtyard.findOne({ name: '东方花园' }).lean()).toMatchObject({
      households: 168,
      orgs: { party: { status: '已建', kind: '党支部' } },
    });
    expect(await models.AuditEntry.findOne({ op: 'update', modelName: 'Courtyard' }).lean()).toMatchObject({
      actor: 'import',
      before: { households: 160 },
      after: { households: 168 },
    });
  });

  it('dates a cadre’s courtyards and a courtyard’s organisations, so that past periods read what was true then', async () => {
    const files = (yards: string, party: string) => ({
      'streets.csv': '街道名称*\n济源路街道\n',
      'courtyards.csv': `楼院名称*,所属街道*,党组织,党组织状态\n东方花园,济源路街道,党支部,${party}\n陇海安居,济源路街道,,\n`,
      'cadres.csv': `姓名*,单位*,分包楼院\n张三,区医保局,${yards}\n`,
    });
    await importRoster(models, [tempDir(files('东方花园', '筹建中'))], { now: NOW });
    const later = new Date(NOW.getTime() + 86_400_000);
    expect((await importRoster(models, [tempDir(files('陇海安居', '已建'))], { now: later })).problems).toEqual([]);
    const yards = new Map((await models.Courtyard.find().lean()).map((y) => [y.name, y]));
    const cadre = (await models.Cadre.findOne({ name: '张三' }).lean())!;
    expect(cadre.courtyards).toEqual([yards.get('陇海安居')!._id]);
    expect(cadre.assignments.map((a) => [String(a.courtyard), a.from, a.to])).toEqual([
      [String(yards.get('东方花园')!._id), NOW, later],
      [String(yards.get('陇海安居')!._id), later, null],
    ]);
    expect(yards.get('东方花园')!.listedAt).toEqual(NOW);
    expect(yards.get('东方花园')!.orgHistory.map((h) => [h.at, h.by, h.before.party?.status, h.after.party?.status])).toEqual([[later, 'import', '筹建中', '已建']]);
  });

  it('refuses a userid that belongs to someone else on the roster', async () => {
    await models.Cadre.create({ name: '张三', unit: '区医保局', userId: 'zhangsan', userIdSource: 'register' });
    const result = await importRoster(models, [tempDir({ 'cadres.csv': '姓名*,单位*,企业微信账号\n李四,区残联,zhangsan\n' })], { now: NOW });
    expect(formatImportResult(result)).toContain('cadres.csv 第 2 行：企业微信账号「zhangsan」已属于 张三（区医保局）');
  });

  it('gives the roster userid precedence over /登记, and never clears a registered one', async () => {
    await importRoster(models, [tempDir({ 'cadres.csv': '姓名*,单位*,企业微信账号\n张三,区医保局,\n' })], { now: NOW });
    await models.Cadre.updateOne({ name: '张三' }, { userId: 'zs', userIdSource: 'register' });
    await importRoster(models, [tempDir({ 'cadres.csv': '姓名*,单位*,企业微信账号,手机\n张三,区医保局,,13800000011\n' })], { now: NOW });
    expect(await models.Cadre.findOne({ name: '张三' }).lean()).toMatchObject({ userId: 'zs', userIdSource: 'register', mobile: '13800000011' });
    await importRoster(models, [tempDir({ 'cadres.csv': '姓名*,单位*,企业微信账号\n张三,区医保局,zs\n' })], { now: NOW });
    expect(await models.Cadre.findOne({ name: '张三' }).lean()).toMatchObject({ userId: 'zs', userIdSource: 'roster' });
  });

  it('reads an .xlsx workbook, and the shipped template imports without a problem and without its example rows', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lyt-xlsx-'));
    const [template] = await writeRosterTemplates(dir);
    const blank = await importRoster(models, [template!], { now: NOW });
    expect(blank.problems).toEqual([]);
    expect(blank.skipped.map((p) => `${p.source}:${p.row} ${p.message}`)).toEqual(
      ['街道', '社区', '楼院', '干部'].map((sheet) => `roster-template.xlsx「${sheet}」:2 模板的示例行，未导入`),
    );
    expect(blank.counts?.cadres.created).toBe(0);
    expect(await snapshot(models)).toEqual({ streets: [], communities: [], courtyards: [], cadres: [], audit: 0 });

    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('说明').addRow(['随便写点什么']);
    const streets = wb.addWorksheet('Sheet1');
    streets.addRow(['街道名称*', '别名']);
    streets.addRow(['中心路街道', '中心路']);
    const yards = wb.addWorksheet('楼院');
    yards.addRow(['楼院名称（必填）', '所属街道', '志愿服务队']);
    yards.addRow(['东方花园', '中心路', '2支']);
    yards.getRow(5).values = ['劳动局家属院', '中心路', 'x'];
    const file = path.join(dir, 'roster.xlsx');
    await wb.xlsx.writeFile(file);
    const bad = await importRoster(models, [file], { now: NOW });
    expect(formatImportResult(bad)).toContain('roster.xlsx「楼院」 第 5 行：志愿服务队「x」应为整数');

    yards.getRow(5).getCell(3).value = 1;
    await wb.xlsx.writeFile(file);
    expect((await importRoster(models, [file], { now: NOW })).counts?.courtyards.created).toBe(2);
    expect(await models.Courtyard.findOne({ name: '东方花园' }).lean()).toMatchObject({ orgs: { volunteerTeams: 2 } });
  });

  it('imports the sample into an empty database only', async () => {
    expect(await importSampleRosterIfEmpty(models, silentLogger, NOW)).toBe(true);
    expect(await models.Cadre.findOne({ userId: 'admin' }).lean()).toMatchObject({ roles: ['admin'], scope: { kind: 'district' } });
    expect(await importSampleRosterIfEmpty(models, silentLogger, NOW)).toBe(false);
    expect(await models.Street.countDocuments()).toBe(5);
  });

  it('runs as npm run import, twice with the same result, and exits 1 on a bad file', async () => {
    // Asynchronous: the test database may live in this very process (jest --runInBand).
    const run = (...args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [require.resolve('tsx/cli'), 'src/roster/import.ts', ...args],
          {
            cwd: path.resolve(__dirname, '../..'),
            env: { ...process.env, MONGODB_URI: db.uri, LOG_LEVEL: 'silent', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'lyt-cli-')) },
            encoding: 'utf8',
            timeout: 60_000,
          },
          (err, stdout, stderr) => resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
        );
      });
    const first = await run('src/roster/sample');
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('楼院：新增 10，更新 0，未变 0');
    expect(first.status).toBe(0);
    const again = await run('src/roster/sample', '--dry-run', '--remove-missing');
    expect(again.stdout).toContain('试导入（--dry-run，未写入）：');
    expect(again.stdout).toContain('楼院：新增 0，更新 0，未变 10');
    expect(again.status).toBe(0);
    const bad = await run(tempDir({ 'streets.csv': '街道名称*\n\n济源路街道\n济源路街道\n' }));
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('streets.csv 第 4 行：街道「济源路街道」与第 3 行重复');
    const wrong = await run('--oops');
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('用法：npm run import -- 文件或目录…');
  });
});
