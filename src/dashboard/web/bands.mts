/**
 * Score bands of the courtyard grid. Colour alone never carries the meaning: each band has
 * its own pattern (CSS class) and a word, and the colours (blue to orange, light to dark)
 * stay apart for red–green colour blindness and in greyscale print.
 */
export interface Band {
  /** CSS class: colour and pattern. */
  cls: string;
  /** One character on the tile. */
  mark: string;
  /** The legend's words. */
  label: string;
  min: number;
}

export const BANDS: readonly Band[] = [
  { cls: 'band-a', mark: '优', label: '优（85 分及以上）', min: 85 },
  { cls: 'band-b', mark: '良', label: '良（70–85 分）', min: 70 },
  { cls: 'band-c', mark: '中', label: '中（60–70 分）', min: 60 },
  { cls: 'band-d', mark: '差', label: '差（60 分以下）', min: -Infinity },
];

/** A row with no score (nothing measured): no band. */
export const NO_BAND: Band = { cls: 'band-none', mark: '无', label: '无数据', min: NaN };

export function bandOf(score: number | null): Band {
  return score === null ? NO_BAND : BANDS.find((b) => score >= b.min)!;
}
