/**
 * The printable poster of a courtyard's public board: an A4 page (1240 × 1754 px, 150 dpi)
 * with the courtyard's name, the QR code of its board link and a short line on what it is
 * for. Built as SVG (the QR's modules as one path, from the `qrcode` package's matrix) and
 * rasterised by resvg with the bundled Noto Sans SC font, as the ranking chart is
 * (src/services/chart.ts), so it prints alike on any machine.
 */
import { Resvg } from '@resvg/resvg-js';
import QRCode from 'qrcode';

/** A4 at 150 dpi: 210 × 297 mm. */
export const POSTER_WIDTH = 1240;
export const POSTER_HEIGHT = 1754;

const FONT_FILE = require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
const FONT_FAMILY = 'Noto Sans SC';

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The QR code of `url` as one SVG path of unit squares, and its size in modules. */
function qrPath(url: string): { d: string; size: number } {
  const { modules } = QRCode.create(url, { errorCorrectionLevel: 'M' });
  const parts: string[] = [];
  for (let y = 0; y < modules.size; y++) {
    for (let x = 0; x < modules.size; x++) if (modules.get(y, x)) parts.push(`M${x} ${y}h1v1h-1z`);
  }
  return { d: parts.join(''), size: modules.size };
}

/** The poster's SVG. */
export function posterSvg(opts: { courtyard: string; street: string; url: string }): string {
  const { d, size } = qrPath(opts.url);
  const qrPx = 820;
  // A quiet zone of 4 modules on each side, inside the white square.
  const scale = qrPx / (size + 8);
  const qrX = (POSTER_WIDTH - qrPx) / 2;
  const qrY = 560;
  const name = opts.courtyard.length > 14 ? `${opts.courtyard.slice(0, 14)}…` : opts.courtyard;
  const text = (y: number, size: number, s: string, fill = '#222') =>
    `<text x="${POSTER_WIDTH / 2}" y="${y}" font-size="${size}" text-anchor="middle" fill="${fill}" font-family="${FONT_FAMILY}">${escapeXml(s)}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${POSTER_WIDTH}" height="${POSTER_HEIGHT}" viewBox="0 0 ${POSTER_WIDTH} ${POSTER_HEIGHT}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<rect x="0" y="0" width="${POSTER_WIDTH}" height="150" fill="#b71c1c"/>`,
    text(100, 64, '楼院公示栏 · 扫码查看', '#ffffff'),
    text(290, 88, name),
    opts.street ? text(380, 44, opts.street, '#555') : '',
    text(470, 40, '项目公示 · 事务公开 · 诉求办理情况', '#333'),
    `<rect x="${qrX}" y="${qrY}" width="${qrPx}" height="${qrPx}" fill="#ffffff" stroke="#dddddd" stroke-width="2"/>`,
    `<path transform="translate(${qrX + 4 * scale} ${qrY + 4 * scale}) scale(${scale})" d="${d}" fill="#000000"/>`,
    text(1500, 44, '居民可扫码提交诉求，2个工作日内反馈'),
    text(1570, 36, '办结后可在同一页面评价：满意 / 基本满意 / 不满意', '#555'),
    text(1680, 28, '不收集姓名；留下的电话仅用于回复您的诉求', '#777'),
    `</svg>`,
  ].join('');
}

/** The poster as a PNG of exactly POSTER_WIDTH × POSTER_HEIGHT (well under WeCom's 2 MB image limit). */
export function renderPoster(opts: { courtyard: string; street: string; url: string }): Buffer {
  return new Resvg(posterSvg(opts), {
    font: { fontFiles: [FONT_FILE], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
    background: '#ffffff',
  })
    .render()
    .asPng();
}
