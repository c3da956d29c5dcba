import { utf8Bytes } from '../text/markdown';
import type { PlannedPush } from './define-job';

const PART_NAMES: Record<string, string> = {
  ranking: '排名',
  chart: '图表',
  table: '进度表',
  alert: '逾期提醒',
  digest: '逾期汇总',
  visits: '下沉提醒',
  inspection: '评分排名',
  holidays: '节假日数据',
};

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} 字节` : `${(bytes / 1024).toFixed(1)} KB`;
}

/** One line about a planned push for /推送 and `npm run job`: part, kind and size; image and file by name and size. */
export function describePush(p: PlannedPush): string {
  const part = PART_NAMES[p.part] ?? p.part;
  switch (p.payload.type) {
    case 'markdown':
    case 'text': {
      const mentions = p.payload.mentions?.length ? `，@${p.payload.mentions.join(' @')}` : '';
      return `${part}（${p.payload.type} ${size(utf8Bytes(p.payload.content))}${mentions}）`;
    }
    case 'image':
      return `${part}（图片 PNG ${size(p.payload.png.length)}）`;
    case 'file':
      return `${part}（文件 ${p.payload.filename} ${size(p.payload.data.length)}）`;
  }
}

/** The pushes by target, in plan order: `[[群名, ['排名（…）', …]], …]`. */
export function pushesByTarget(pushes: PlannedPush[]): Array<[string, string[]]> {
  const out = new Map<string, string[]>();
  for (const p of pushes) out.set(p.targetName, [...(out.get(p.targetName) ?? []), describePush(p)]);
  return [...out];
}
