/**
 * The roster's four tables and their columns (header row in Chinese). A table is recognised
 * by its key column (街道名称 / 社区名称 / 楼院名称 / 姓名), so sheet and file names do not
 * matter. Headers may carry a `*` (required) and may be written in full-width characters.
 */

export type SheetKind = 'streets' | 'communities' | 'courtyards' | 'cadres';

export interface ColumnSpec {
  /** Field name in the parsed row. */
  key: string;
  /** The template's header, then other accepted spellings. */
  headers: readonly string[];
  required?: boolean;
  /** A note for the template's 说明 sheet. */
  note?: string;
}

export interface SheetSpec {
  kind: SheetKind;
  /** 街道, 社区, 楼院, 干部: the sheet name in the template and in messages. */
  label: string;
  columns: readonly ColumnSpec[];
  /** An example row for the template, in column order. */
  example: readonly string[];
}

const LIST_NOTE = '多个用顿号“、”分隔';

export const SHEETS: readonly SheetSpec[] = [
  {
    kind: 'streets',
    label: '街道',
    columns: [
      { key: 'name', headers: ['街道名称', '街道办事处', '名称'], required: true, note: '如 济源路街道、峡窝镇' },
      { key: 'aliases', headers: ['别名', '简称'], note: `群里常用的叫法，如 济源路；${LIST_NOTE}` },
      { key: 'district', headers: ['所属区', '区'], note: '如 上街区' },
      { key: 'kind', headers: ['类型'], note: '街道、镇 或 办事处；空着按名称判断' },
    ],
    example: ['济源路街道', '济源路', '上街区', '街道'],
  },
  {
    kind: 'communities',
    label: '社区',
    columns: [
      { key: 'name', headers: ['社区名称', '名称'], required: true },
      { key: 'street', headers: ['所属街道', '街道'], required: true, note: '须在街道表或系统里已有' },
      { key: 'aliases', headers: ['别名', '简称'], note: LIST_NOTE },
    ],
    example: ['三湾街社区', '济源路街道', ''],
  },
  {
    kind: 'courtyards',
    label: '楼院',
    columns: [
      { key: 'name', headers: ['楼院名称', '名称'], required: true },
      { key: 'street', headers: ['所属街道', '街道'], required: true },
      { key: 'community', headers: ['所属社区', '社区'], note: '须是该街道的社区' },
      { key: 'aliases', headers: ['别名', '简称'], note: LIST_NOTE },
      { key: 'households', headers: ['户数', '居民户数'], note: '整数' },
      { key: 'partyMembers', headers: ['党员数', '党员人数'], note: '整数' },
      { key: 'kind', headers: ['类型', '楼院类型'], note: '无主管楼院 或 老旧小区；默认 无主管楼院' },
      { key: 'management', headers: ['管理方式'], note: '物业、自管、业委会 或 无' },
      { key: 'partyOrg', headers: ['党组织'], note: '党支部、党小组、临时党支部 或 功能型党组织' },
      { key: 'partyOrgStatus', headers: ['党组织状态'], note: '未建、筹建中 或 已建；写了党组织而空着按 已建' },
      { key: 'selfGov', headers: ['自治组织', '居民自治组织'], note: '业委会、自管会 或 居民议事会' },
      { key: 'selfGovStatus', headers: ['自治组织状态'], note: '未建、筹建中 或 已建；写了自治组织而空着按 已建' },
      { key: 'volunteerTeams', headers: ['志愿服务队', '志愿服务队数', '志愿队'], note: '支数，整数' },
      { key: 'demonstration', headers: ['示范楼院', '示范'], note: '是 或 否' },
      { key: 'selfGovContact', headers: ['自治组织联系人', '自管会联系人'], note: '自治组织（自管会、业委会等）的联系人姓名；可以空着' },
      {
        key: 'selfGovContactUserId',
        headers: ['联系人企业微信账号', '自治组织联系人账号'],
        note: '该联系人的企业微信账号：可用 /公开 登记本楼院的收支（楼院的分包干部不能，除非这里写的是他）；可以空着',
      },
    ],
    example: ['三湾街18号楼', '济源路街道', '三湾街社区', '三湾街18号', '120', '9', '无主管楼院', '自管', '临时党支部', '已建', '自管会', '已建', '1', '否', '刘大姐', 'liudajie'],
  },
  {
    kind: 'cadres',
    label: '干部',
    columns: [
      { key: 'name', headers: ['姓名'], required: true },
      { key: 'unit', headers: ['单位', '所在单位'], required: true, note: '如 区医保局；姓名+单位 确定一个人' },
      { key: 'mobile', headers: ['手机', '手机号', '联系电话'], note: '11 位手机号' },
      { key: 'userId', headers: ['企业微信账号', '企业微信ID', 'userid'], note: '企业微信通讯录里的账号；管理员和领导必须填写，干部可留空后自己 /登记' },
      { key: 'roles', headers: ['角色'], note: `干部、管理员、领导；${LIST_NOTE}；空着按 干部` },
      { key: 'scope', headers: ['管辖范围', '范围'], note: '管理员和领导的范围：全区，或一个街道的名称；空着按 全区' },
      { key: 'courtyards', headers: ['分包楼院', '楼院'], note: `${LIST_NOTE}；重名的楼院写成 街道/楼院` },
    ],
    example: ['张三', '区医保局', '13800000001', 'zhangsan', '干部', '', '三湾街18号楼'],
  },
];

/** The spec of a table kind. */
export function sheetSpec(kind: SheetKind): SheetSpec {
  return SHEETS.find((s) => s.kind === kind)!;
}

/** `楼院名称*` / `楼院名称（必填）` / `ＵＳＥＲＩＤ` → comparison form. */
export function headerKey(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[*＊]|[(（]必填[)）]|\s/g, '')
    .toLowerCase();
}

/** Which table a header row belongs to: the one whose key column (first header) it has. */
export function detectSheet(headers: readonly string[]): SheetSpec | undefined {
  const keys = new Set(headers.map(headerKey));
  return SHEETS.find((s) => keys.has(headerKey(s.columns[0]!.headers[0]!)));
}

/** Field key of each header cell (undefined for columns the table does not know). */
export function mapHeaders(spec: SheetSpec, headers: readonly string[]): (string | undefined)[] {
  return headers.map((h) => {
    const k = headerKey(h);
    return spec.columns.find((c) => c.headers.some((alt) => headerKey(alt) === k))?.key;
  });
}
