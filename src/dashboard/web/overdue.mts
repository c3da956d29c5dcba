/** The list of what is late, most late first; an item opens its courtyard's card. */
import type { DashboardData } from '../types.js';
import { fill, h } from './dom.mjs';

export function renderOverdue(el: HTMLElement, count: HTMLElement, overdue: DashboardData['overdue'], open: (id: string) => void): void {
  count.textContent = overdue.total ? `（${overdue.total} 项）` : '';
  if (overdue.items.length === 0) {
    fill(el, h('li', { class: 'empty' }, '没有逾期事项 👍'));
    return;
  }
  fill(
    el,
    ...overdue.items.map((o) =>
      h(
        'li',
        { class: `late late-${o.kind}` },
        h(
          'button',
          { type: 'button', class: 'late-link', onclick: () => open(o.courtyardId) },
          h('span', { class: 'late-kind' }, o.kindLabel),
          h('span', { class: 'late-title' }, o.no ? `#${o.no} ${o.title}` : o.title),
          h('span', { class: 'late-where' }, `${o.courtyardName} · ${o.streetName}`),
          h('span', { class: 'late-days' }, o.daysLate > 0 ? `逾期 ${o.daysLate} 天` : '今日到期未完成'),
          o.responsible.length ? h('span', { class: 'late-who' }, `责任人：${o.responsible.join('、')}`) : null,
        ),
      ),
    ),
    overdue.total > overdue.items.length ? h('li', { class: 'empty' }, `另有 ${overdue.total - overdue.items.length} 项未列出`) : null,
  );
}
