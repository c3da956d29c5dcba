/**
 * The street-score chart of the weekly ranking, as a PNG made on the server: echarts draws
 * it as SVG (its SSR renderer, no DOM, no canvas), resvg rasterises it with the bundled
 * Noto Sans SC font so that Chinese names render on any machine.
 */
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';
import type { RankRow } from './ranking';

/** WeCom's limit for an image message (2 MB). */
export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

/** Only the Regular weight: the family has nine files of 11 MB each. */
const FONT_FILE = require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
const FONT_FAMILY = 'Noto Sans SC';

/** Okabe–Ito colours, told apart with every common colour-vision deficiency. */
const THIS_PERIOD = '#0072B2';
const LAST_PERIOD = '#E69F00';

export interface ChartOptions {
  /** Default: 各街道综合得分. */
  title?: string;
  /** Pixels; default 1000. */
  width?: number;
  /** Pixels; default grows with the number of rows (at least 400). */
  height?: number;
  /** Legend names of the two bars, with their dates: '11月23日–29日' / '上一周 11月16日–22日'. */
  seriesNames?: { current: string; previous: string };
}

function size(value: number | undefined, fallback: number, what: string): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 100 || n > 4000) throw new RangeError(`renderStreetChart: ${what} must be a whole number of pixels from 100 to 4000, got ${n}`);
  return n;
}

/**
 * A horizontal bar chart of the rows' scores (best at the top) with each row's previous
 * score beside it, as a PNG of exactly `width` × `height` pixels, under 2 MB.
 */
export function renderStreetChart(rows: RankRow[], opts: ChartOptions = {}): Buffer {
  const width = size(opts.width, 1000, 'width');
  const height = size(opts.height, Math.max(400, 130 + rows.length * 48), 'height');
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  const names = opts.seriesNames ?? { current: '本周', previous: '上周' };
  // One number format everywhere: one decimal (50.0, never 50).
  const label = { show: true, position: 'right', fontSize: 13, color: '#222', formatter: (p: { value: unknown }) => (typeof p.value === 'number' ? p.value.toFixed(1) : '') } as const;
  chart.setOption({
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: FONT_FAMILY },
    title: { text: opts.title ?? '各街道综合得分', left: 'center', top: 12, textStyle: { fontSize: 20, fontWeight: 'normal' } },
    legend: { top: 46, data: [names.current, names.previous], textStyle: { fontSize: 14 } },
    grid: { left: 20, right: 60, top: 84, bottom: 30, containLabel: true },
    xAxis: { type: 'value', min: 0, max: 100, axisLabel: { fontSize: 12 } },
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.name), axisLabel: { fontSize: 14 } },
    series: [
      { name: names.current, type: 'bar', data: rows.map((r) => r.score ?? '-'), itemStyle: { color: THIS_PERIOD }, label, barGap: '10%' },
      { name: names.previous, type: 'bar', data: rows.map((r) => r.previousScore ?? '-'), itemStyle: { color: LAST_PERIOD }, label },
    ],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  const png = new Resvg(svg, {
    font: { fontFiles: [FONT_FILE], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
    background: '#ffffff',
  })
    .render()
    .asPng();
  if (png.length > MAX_IMAGE_BYTES) throw new Error(`street chart is ${png.length} bytes, over WeCom's 2 MB image limit: render it smaller`);
  return png;
}
