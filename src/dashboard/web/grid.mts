/** The courtyard grid: a tile per courtyard, coloured and patterned by its score band, grouped by street. */
import type { CourtyardTile } from '../types.js';
import { BANDS, bandOf } from './bands.mjs';
import { fill, h } from './dom.mjs';
import { score } from './format.mjs';

export function renderLegend(el: HTMLElement): void {
  fill(el, ...BANDS.map((b) => h('li', {}, h('span', { class: `swatch ${b.cls}`, 'aria-hidden': 'true' }, b.mark), b.label)));
}

/** Tiles by street (a heading per street when there are several); clicking one calls `open`. */
export function renderGrid(el: HTMLElement, tiles: CourtyardTile[], open: (id: string) => void): void {
  const streets = new Map<string, CourtyardTile[]>();
  for (const t of tiles) streets.set(t.streetName, [...(streets.get(t.streetName) ?? []), t]);
  const tile = (t: CourtyardTile) => {
    const band = bandOf(t.score);
    const delta = t.change ?? '';
    return h(
      'li',
      {},
      h(
        'button',
        {
          type: 'button',
          class: `tile ${band.cls}`,
          'data-id': t.id,
          'aria-label': `${t.name}，${score(t.score)}分，${band.mark}${t.overdue ? `，逾期${t.overdue}项` : ''}，查看详情`,
          onclick: () => open(t.id),
        },
        h('span', { class: 'tile-name' }, t.name),
        h('span', { class: 'tile-score' }, score(t.score)),
        h('span', { class: 'tile-mark' }, band.mark, delta ? ` ${delta}` : ''),
        t.overdue ? h('span', { class: 'tile-late' }, `逾期${t.overdue}`) : null,
      ),
    );
  };
  if (tiles.length === 0) {
    fill(el, h('p', { class: 'empty' }, '这里还没有楼院'));
    return;
  }
  fill(
    el,
    ...[...streets].map(([street, list]) =>
      h('section', { class: 'grid-street' }, streets.size > 1 ? h('h3', {}, `${street}（${list.length}）`) : null, h('ul', { class: 'tiles' }, ...list.map(tile))),
    ),
  );
}
