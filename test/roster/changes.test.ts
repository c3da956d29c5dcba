/**
 * The import as an office uses it after the first week (issue 13): example rows left in,
 * every problem once at its row, the changes field by field, and people and courtyards
 * left out of the file.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createModels, syncIndexes, type Models } from '../../src/db/models';
import { formatImportResult, importRoster } from '../../src/roster/import-roster';
import { sampleRosterDir } from '../../src/roster/sample';
import { writeRosterTemplates } from '../../src/roster/template';
import { createCalendar } from '../../src/services/calendar';
import { findCadre, findCourtyard } from '../../src/services/lookup';
import { computeRanking, weekPeriod } from '../../src/services/ranking';
import { openTestDb, type TestDb } from '../helpers/db';

const NOW = new Date('2020-09-16T02:00:00Z');
const LATER = new Date('2020-09-23T02:00:00Z');

let db: TestDb;
let models: Models;

beforeEach(async () => {
  db = await openTestDb();
  models = createModels(db.conn);
  await syncIndexes(models);
});
afterEach(() => db.close());

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

/** The sample roster's CSV files as text, to edit. */
function sampleFiles(): Record<string, string> {
  const dir = sampleRosterDir();
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));
}

/** `text` with `from` replaced once (the edit must apply). */
function edit(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  if (out === text) throw new Error(`edit not applied: ${String(from)}`);
  return out;
}

const where = (problems: { source: string; row?: number; message: string }[]) => problems.map((p) => `${p.source}:${p.row} ${p.message}`);

describe('example rows, duplicates and bad rows', () => {
  it('lists every problem once at its row, skips the template’s examples, and imports nothing', async () => {
    await importRoster(models, [sampleRosterDir()], { now: NOW });
    const before = await snapshot(models);

    // The shipped template with an office's rows typed below its example rows.
    const dir = mkdtempSync(path.join(tmpdir(), 'lyt-template-'));
    await writeRosterTemplates(dir);
    const append = (file: string, rows: string[]) => writeFileSync(path.join(dir, file), readFileSync(path.join(dir, file), 'utf8') + rows.join('\r\n') + '\r\n');
    append('courtyards.csv', ['新楼院,济源路街道,三湾街社区,,很多,,,,,,,,,']);
    append('cadres.csv', [
      '周一,区民政局,13800000021,,干部,,新楼院',
      '吴二,区民政局,13800000021,,干部,,新楼院',
      '郑三,区水利局,13800000001,,干部,,九冶院',
      '周一,区民政局,1380002,,干部,,九冶院',
    ]);
    const result = await importRoster(models, [dir], { now: LATER });

    expect(where(result.problems)).toEqual([
      'courtyards.csv:3 户数「很多」应为整数',
      'cadres.csv:4 手机号「13800000021」与第 3 行重复',
      'cadres.csv:5 手机号「13800000001」已属于 王管理（区委城乡社治委）',
      'cadres.csv:6 手机号「1380002」应为 11 位手机号',
      'cadres.csv:6 「周一（区民政局）」与第 3 行重复',
    ]);
    // The examples of the workbook and of the CSV files: left out, each with its row.
    expect(result.skipped.map((p) => `${p.source}:${p.row}`)).toEqual([
      'roster-template.xlsx「街道」:2',
      'streets.csv:2',
      'communities.csv:2',
      'roster-template.xlsx「社区」:2',
      'courtyards.csv:2',
      'roster-template.xlsx「楼院」:2',
      'cadres.csv:2',
      'roster-template.xlsx「干部」:2',
    ]);
    const text = formatImportResult(result);
    expect(text).toContain('花名册有 5 处问题，没有导入任何数据：');
    expect(text).toContain('  cadres.csv 第 2 行：模板的示例行，未导入');
    expect(text).not.toContain('楼院表和系统里都没有');
    expect(await snapshot(models)).toEqual(before);
  });

  it('recognises the example rows of templates from before the mark, and keeps a real place another row names', async () => {
    const old = {
      'streets.csv': '街道名称*,别名,所属区,类型\n济源路街道,济源路,上街区,街道\n中心路街道,中心路,上街区,街道\n',
      'communities.csv': '社区名称*,所属街道*,别名\n三湾街社区,济源路街道,\n民主路社区,中心路街道,\n',
      'courtyards.csv': [
        '楼院名称*,所属街道*,所属社区,别名,户数,党员数,类型,管理方式,党组织,党组织状态,自治组织,自治组织状态,志愿服务队,示范楼院',
        '三湾街18号楼,济源路街道,三湾街社区,三湾街18号,120,9,无主管楼院,自管,临时党支部,已建,自管会,已建,1,否',
        '东方花园,中心路街道,民主路社区,,160,12,,,,,,,,',
      ].join('\n'),
      'cadres.csv': '姓名*,单位*,手机,企业微信账号,角色,管辖范围,分包楼院\n张三,区医保局,13800000001,zhangsan,干部,,三湾街18号楼\n李四,区残联,13800000012,lisi,干部,,东方花园\n',
    };
    const result = await importRoster(models, [tempDir(old)], { now: NOW });
    expect(result.problems).toEqual([]);
    expect(result.skipped.map((p) => `${p.source}:${p.row}`)).toEqual(['streets.csv:2', 'communities.csv:2', 'courtyards.csv:2', 'cadres.csv:2']);
    expect(formatImportResult(result)).toContain('cadres.csv 第 2 行：与旧版模板的示例行完全相同，当作示例，未导入');
    expect((await models.Street.find().lean()).map((s) => s.name)).toEqual(['中心路街道']);
    expect((await models.Courtyard.find().lean()).map((s) => s.name)).toEqual(['东方花园']);
    expect(await models.Cadre.findOne({ userId: 'zhangsan' }).lean()).toBeNull();

    // The same street row is real when the office's own rows name it.
    const named = { ...old, 'communities.csv': edit(old['communities.csv'], '民主路社区,中心路街道,', '中安街社区,济源路街道,') };
    const again = await importRoster(models, [tempDir(named)], { now: LATER });
    expect(again.skipped.map((p) => `${p.source}:${p.row}`)).toEqual(['communities.csv:2', 'courtyards.csv:2', 'cadres.csv:2']);
    expect(await models.Street.findOne({ name: '济源路街道' }).lean()).toMatchObject({ aliases: ['济源路'], district: '上街区' });
  });

  it('refuses a userid twice in the file, and a bad street named by the rows below it only once', async () => {
    const result = await importRoster(
      models,
      [
        tempDir({
          'streets.csv': '街道名称*,类型\n济源路街道,区\n',
          'courtyards.csv': '楼院名称*,所属街道*\n东方花园,济源路街道\n陇海安居,济源路\n',
          'cadres.csv': '姓名*,单位*,企业微信账号,角色,分包楼院\n张三,区医保局,zs,干部,东方花园\n李四,区残联,zs,队长,陇海安居\n',
        }),
      ],
      { now: NOW },
    );
    expect(where(result.problems)).toEqual([
      'streets.csv:2 类型「区」应为 街道、镇、办事处 之一',
      'cadres.csv:3 角色「队长」应为 干部、管理员、领导 之一',
      'cadres.csv:3 企业微信账号「zs」与第 2 行重复',
    ]);
  });
});

describe('what an import changes', () => {
  it('lists in a dry run each change field by field and who would be added, and writes nothing', async () => {
    await importRoster(models, [sampleRosterDir()], { now: NOW });
    const before = await snapshot(models);
    const files = sampleFiles();
    files['cadres.csv'] = edit(files['cadres.csv']!, '张三,区医保局,13800000011,zhangsan,干部,,东方花园', '张三,区医保局,13800000011,zhangsan,干部,,三湾街18号楼') + '王六,区教育局,13800000017,,干部,,新楼院\n';
    files['courtyards.csv'] = edit(files['courtyards.csv']!, '东方花园,中心路街道,民主路社区,东方花园小区,160,', '东方花园,中心路街道,民主路社区,东方花园小区,168,') + '新楼院,济源路街道,三湾街社区,,40,,,,,,,,,\n';
    const dir = tempDir(files);

    const dry = await importRoster(models, [dir], { now: LATER, dryRun: true });
    expect(dry.problems).toEqual([]);
    const text = formatImportResult(dry);
    expect(text).toContain('试导入（--dry-run，未写入）：');
    expect(text).toContain('将新增 2 条：\n  楼院 新楼院（济源路街道）\n  干部 王六（区教育局）');
    expect(text).toContain('将更新 2 处：\n  楼院 东方花园（中心路街道）：户数 160 → 168\n  干部 张三（区医保局）：楼院 东方花园 → 三湾街18号楼');
    expect(text).not.toContain('不在本次花名册里');
    expect(await snapshot(models)).toEqual(before);

    const real = await importRoster(models, [dir], { now: LATER });
    expect(formatImportResult(real)).toContain('更新 2 处：\n  楼院 东方花园（中心路街道）：户数 160 → 168\n  干部 张三（区医保局）：楼院 东方花园 → 三湾街18号楼');
    const zhangsan = await models.Cadre.findOne({ name: '张三' }).lean();
    expect((await models.Courtyard.find({ _id: { $in: zhangsan!.courtyards } }).lean()).map((y) => y.name)).toEqual(['三湾街18号楼']);
    expect(await models.Cadre.findOne({ name: '王六' }).lean()).toMatchObject({ mobile: '13800000017' });
  });

  it('reports people and courtyards left out, and deactivates them only with --remove-missing, from then on', async () => {
    await importRoster(models, [sampleRosterDir()], { now: NOW });
    const files = sampleFiles();
    files['cadres.csv'] = edit(files['cadres.csv']!, /钱七,[^\n]*\n/, '');
    files['courtyards.csv'] = edit(files['courtyards.csv']!, /06小区,[^\n]*\n/, '');
    const dir = tempDir(files);

    const reported = await importRoster(models, [dir], { now: LATER });
    expect(formatImportResult(reported)).toContain(
      '不在本次花名册里、仍在用的 2 条（加 --remove-missing 才停用）：\n  楼院 06小区（济源路街道）\n  干部 钱七（区住建局）',
    );
    expect(await models.Courtyard.countDocuments({ active: false })).toBe(0);
    expect(await models.Cadre.countDocuments({ active: false })).toBe(0);
    expect((await findCourtyard(models, '06小区')).name).toBe('06小区');

    const dry = await importRoster(models, [dir], { now: LATER, dryRun: true, removeMissing: true });
    expect(formatImportResult(dry)).toContain('将停用 2 条（不在本次花名册里，--remove-missing）：\n  楼院 06小区（济源路街道）\n  干部 钱七（区住建局）');
    expect(await models.Cadre.countDocuments({ active: false })).toBe(0);

    const removed = await importRoster(models, [dir], { now: LATER, removeMissing: true });
    expect(formatImportResult(removed)).toContain('已停用 2 条（不在本次花名册里，--remove-missing）：');
    expect(await models.Courtyard.findOne({ name: '06小区' }).lean()).toMatchObject({ active: false, deactivatedAt: LATER });
    const qianqi = (await models.Cadre.findOne({ name: '钱七' }).lean())!;
    expect(qianqi).toMatchObject({ active: false, deactivatedAt: LATER, courtyards: [] });
    expect(qianqi.assignments.map((a) => [a.from, a.to])).toEqual([
      [NOW, LATER],
      [NOW, LATER],
    ]);
    await expect(findCourtyard(models, '06小区')).rejects.toThrow('没有找到楼院「06小区」');
    await expect(findCadre(models, '钱七')).rejects.toThrow('花名册里没有「钱七」');

    // Rankings: a period begun before the deactivation still ranks them; one begun after does not.
    const calendar = createCalendar();
    const rank = async (level: 'courtyard' | 'cadre', at: Date) =>
      (await computeRanking(models, { level, period: weekPeriod(at), calendar, now: new Date('2020-10-10T02:00:00Z') })).map((r) => r.name);
    expect(await rank('courtyard', NOW)).toContain('06小区');
    expect(await rank('cadre', NOW)).toContain('钱七');
    expect(await rank('courtyard', LATER)).toContain('06小区');
    const after = new Date('2020-09-30T02:00:00Z');
    expect(await rank('courtyard', after)).not.toContain('06小区');
    expect(await rank('cadre', after)).not.toContain('钱七');
    expect(await rank('cadre', after)).toContain('李四');

    // Listed again: active again.
    const back = await importRoster(models, [sampleRosterDir()], { now: after });
    expect(formatImportResult(back)).toContain('恢复在用 2 条：\n  楼院 06小区（济源路街道）\n  干部 钱七（区住建局）');
    const returned = (await models.Cadre.findOne({ name: '钱七' }).lean())!;
    expect(returned.active).toBe(true);
    expect(returned.assignments.filter((a) => a.to === null).map((a) => a.from)).toEqual([after, after]);
    expect((await findCourtyard(models, '06小区')).name).toBe('06小区');
  });

  it('deactivates each left-out record once when two imports race', async () => {
    await importRoster(models, [sampleRosterDir()], { now: NOW });
    const files = sampleFiles();
    files['cadres.csv'] = edit(files['cadres.csv']!, /钱七,[^\n]*\n/, '');
    const dir = tempDir(files);
    const results = await Promise.all([0, 1].map(() => importRoster(models, [dir], { now: LATER, removeMissing: true })));
    expect(results.flatMap((r) => r.report!.deactivated.map((e) => e.who))).toEqual(['钱七（区住建局）']);
    expect(await models.AuditEntry.countDocuments({ modelName: 'Cadre', 'after.active': false })).toBe(1);
  });

  it('refuses with --remove-missing a cadre row naming a courtyard the 楼院 sheet leaves out', async () => {
    await importRoster(models, [sampleRosterDir()], { now: NOW });
    const files = sampleFiles();
    files['courtyards.csv'] = edit(files['courtyards.csv']!, /06小区,[^\n]*\n/, '');
    const result = await importRoster(models, [tempDir(files)], { now: LATER, removeMissing: true });
    expect(where(result.problems)).toEqual(['cadres.csv:9 分包楼院「06小区」不在楼院表里，--remove-missing 会停用它']);
    expect(await models.Courtyard.countDocuments({ active: false })).toBe(0);
  });
});
