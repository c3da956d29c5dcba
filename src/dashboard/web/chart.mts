/**
 * The ranking bar chart (ECharts, SVG renderer, only the parts used): this week's score
 * against last week's, best on top. Last week's bars carry a pattern (ECharts' aria decals),
 * so the two series differ by more than colour; a hidden table repeats the figures for
 * screen readers.
 */
import { BarChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { ScoreRow } from '../types.js';
import { fill, h } from './dom.mjs';
import { change, score } from './format.mjs';

echarts.use([BarChart, GridComponent, LegendComponent, AriaComponent, SVGRenderer]);

const THIS_WEEK = '#1f5aa6';
const LAST_WEEK = '#e8a33d';

let chart: echarts.ECharts | undefined;
const chartIn = (el: HTMLElement) => (chart ??= echarts.init(el, undefined, { renderer: 'svg' }));

/** The chart's frame (legend, axes), options for a set of rows (best first). */
function chartOption(rows: ScoreRow[], large: boolean, names: { current: string; previous: string }) {
  const font = large ? 20 : 13;
  // ECharts measures labels itself (to lay out and truncate them): give it the page's real fonts, not 'inherit'.
  const fontFamily = getComputedStyle(document.body).fontFamily;
  // Category axes draw the first category at the bottom: reverse so the best is on top.
  const shown = [...rows].reverse();
  return {
    animation: false,
    aria: { enabled: true, decal: { show: true } },
    textStyle: { fontFamily, fontSize: font },
    legend: { top: 0, data: [names.current, names.previous], itemGap: 20, textStyle: { fontFamily, fontSize: font } },
    grid: { left: 8, right: large ? 70 : 48, top: large ? 44 : 32, bottom: 8, containLabel: true },
    xAxis: { type: 'value', min: 0, max: 100, axisLabel: { fontSize: font - 1 } },
    yAxis: {
      type: 'category',
      data: shown.map((r) => (r.rank ? `${r.rank}. ${r.name}` : r.name)),
      // On the 大屏 a long name wraps (its bars are tall enough for two lines); on a phone it is cut.
      axisLabel: { fontFamily, fontSize: font, width: large ? 300 : 120, overflow: large ? 'break' : 'truncate' },
    },
    series: [
      {
        name: names.current,
        type: 'bar',
        data: shown.map((r) => r.score ?? null),
        // Solid: the pattern marks last week's bars.
        itemStyle: { color: THIS_WEEK, decal: { symbol: 'none' } },
        label: { show: true, position: 'right', fontFamily, fontSize: font - 1, formatter: (p: { value: unknown }) => score(p.value as number | null) },
        barGap: '10%',
        barMaxWidth: large ? 26 : 18,
      },
      {
        name: names.previous,
        type: 'bar',
        data: shown.map((r) => r.previousScore ?? null),
        itemStyle: { color: LAST_WEEK, decal: { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [2, 3], rotation: Math.PI / 4, color: 'rgba(0,0,0,0.35)' } },
        label: { show: false },
        barMaxWidth: large ? 26 : 18,
      },
    ],
  };
}

/**
 * Sets the chart up empty while the figures are on their way: ECharts' first drawing costs
 * a compile of its code, better spent waiting for the network than after it.
 */
export function prepareChart(el: HTMLElement, opts: { large: boolean }): void {
  chartIn(el).setOption(chartOption([], opts.large, { current: '', previous: '' }), { notMerge: true });
}

/** Draws `rows` (best first) into `el`, and the same figures into `table`. */
export function renderChart(el: HTMLElement, table: HTMLTableElement, rows: ScoreRow[], opts: { large: boolean; height?: number; names: { current: string; previous: string } }): void {
  const rowHeight = opts.large ? 64 : 46;
  el.style.height = `${opts.height ?? Math.max(160, rows.length * rowHeight + 70)}px`;
  // The new height, then the figures.
  chartIn(el).resize();
  chartIn(el).setOption(chartOption(rows, opts.large, opts.names), { notMerge: true });

  fill(
    table,
    h('caption', {}, `排名（${opts.names.current}与${opts.names.previous}）`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '名次'), h('th', { scope: 'col' }, '名称'), h('th', { scope: 'col' }, opts.names.current), h('th', { scope: 'col' }, opts.names.previous), h('th', { scope: 'col' }, '变化'))),
    h(
      'tbody',
      {},
      ...rows.map((r) =>
        h('tr', {}, h('td', {}, r.rank ?? ''), h('td', {}, r.name), h('td', {}, score(r.score)), h('td', {}, score(r.previousScore)), h('td', {}, r.change ?? change(r.score, r.previousScore))),
      ),
    ),
  );
}

/** Follows the window's size (phone rotation, screen resize). */
export function resizeChart(): void {
  chart?.resize();
}
