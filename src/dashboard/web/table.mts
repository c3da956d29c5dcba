/** The weekly table (每周进度表): a row per courtyard with the five parts; printed on A4 landscape. */
import type { DashboardData } from '../types.js';
import { fill, h } from './dom.mjs';
import { part, score } from './format.mjs';

export function renderWeeklyTable(table: HTMLTableElement, data: DashboardData): void {
  const several = new Set(data.courtyards.map((c) => c.streetName)).size > 1;
  const rows = [...data.courtyards].sort((a, b) => (several ? a.streetName.localeCompare(b.streetName, 'zh-Hans-CN') : 0) || a.rank - b.rank);
  fill(
    table,
    h('caption', {}, `${data.scope.label} · ${data.period.label} · 综合得分与五项得分（对比${data.period.previousLabel}）`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        several ? h('th', { scope: 'col' }, '街道') : null,
        h('th', { scope: 'col' }, '楼院'),
        h('th', { scope: 'col' }, '名次'),
        h('th', { scope: 'col' }, '综合得分'),
        h('th', { scope: 'col' }, data.period.previousLabel),
        h('th', { scope: 'col' }, '变化'),
        ...data.parts.map((p) => h('th', { scope: 'col' }, p.label)),
        h('th', { scope: 'col' }, '逾期'),
      ),
    ),
    h(
      'tbody',
      {},
      ...rows.map((c) =>
        h(
          'tr',
          {},
          several ? h('td', {}, c.streetName) : null,
          h('th', { scope: 'row' }, c.name),
          h('td', { class: 'num' }, c.rank),
          h('td', { class: 'num strong' }, score(c.score)),
          h('td', { class: 'num' }, score(c.previousScore)),
          h('td', { class: 'num' }, c.change ?? ''),
          ...data.parts.map((p) => h('td', { class: 'num' }, part(c, p.key))),
          h('td', { class: c.overdue ? 'num warn' : 'num' }, c.overdue),
        ),
      ),
    ),
  );
}
