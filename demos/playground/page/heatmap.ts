/// <reference lib="dom" />
/**
 * A matrix as a heat map: one cell per entry, coloured by its value on a scale symmetric
 * around 0 (purple < 0 < orange, white = 0), with the colour bar and the value range under it
 * (each number kept on one line: `numberSpan`).
 * An optional extra row (a bias vector) is drawn under the matrix on the same scale.
 */
import { Tensor } from '../../../lib';
import { SMALL_FONT, formatNumber, numberSpan, setupCanvas } from './canvas';
import { css, heatColor } from './colors';

const MAX_WIDTH = 280;
const MAX_HEIGHT = 210;
const MAX_CELL = 22;

export interface HeatmapSpec {
  title: string;
  /** One line under the title: what rows and columns are. */
  caption: string;
  matrix: Tensor;
  /** A vector [1, cols] drawn as an extra row under the matrix (e.g. the bias b). */
  extraRow?: { label: string; values: Tensor };
}

/** The figure (title, caption, canvas, value range) for one matrix. */
export function heatmapFigure(spec: HeatmapSpec): HTMLElement {
  const figure = document.createElement('figure');
  figure.className = 'heatmap';
  figure.style.margin = '0';
  const rows = spec.matrix.shape[0];
  const cols = spec.matrix.size / rows;
  figure.dataset.shape = `${rows}x${cols}`;
  const title = document.createElement('h4');
  title.textContent = spec.title;
  const caption = document.createElement('p');
  caption.className = 'shape';
  caption.textContent = spec.caption;
  const canvas = document.createElement('canvas');
  const range = document.createElement('p');
  range.className = 'range';

  const values = spec.matrix.data;
  const extra = spec.extraRow?.values.data ?? null;
  let maxAbs = 0, min = Infinity, max = -Infinity, sumAbs = 0;
  for (const v of values) {
    maxAbs = Math.max(maxAbs, Math.abs(v));
    min = Math.min(min, v);
    max = Math.max(max, v);
    sumAbs += Math.abs(v);
  }
  if (extra) {
    for (const v of extra) {
      maxAbs = Math.max(maxAbs, Math.abs(v));
      min = Math.min(min, v);
      max = Math.max(max, v);
      sumAbs += Math.abs(v);
    }
  }
  const count = values.length + (extra ? extra.length : 0);
  const scale = maxAbs > 0 ? maxAbs : 1;

  const cellW = Math.min(MAX_CELL, MAX_WIDTH / cols);
  const cellH = Math.min(MAX_CELL, MAX_HEIGHT / rows);
  const width = cellW * cols, height = cellH * rows;
  const extraGap = extra ? 8 : 0, extraH = extra ? Math.max(6, Math.min(MAX_CELL, cellH)) : 0;
  const labelW = extra ? 18 : 0;
  const barTop = height + extraGap + extraH + 10;
  const totalW = Math.max(width + labelW, 200) + 2, totalH = barTop + 30;
  const ctx = setupCanvas(canvas, totalW, totalH);

  // The matrix, one pixel per entry in a small image, scaled up (sharp cells unless there are more entries than pixels).
  const image = document.createElement('canvas');
  image.width = cols;
  image.height = rows;
  const ictx = image.getContext('2d') as CanvasRenderingContext2D;
  const pixels = ictx.createImageData(cols, rows);
  for (let k = 0; k < values.length; k++) {
    const [r, g, b] = heatColor(values[k] / scale);
    pixels.data.set([r, g, b, 255], 4 * k);
  }
  ictx.putImageData(pixels, 0, 0);
  ctx.imageSmoothingEnabled = cellW < 1 || cellH < 1;
  ctx.drawImage(image, labelW, 0, width, height);
  ctx.strokeStyle = '#b8c0c8';
  ctx.lineWidth = 1;
  ctx.strokeRect(labelW + 0.5, 0.5, width - 1, height - 1);

  if (extra && spec.extraRow) {
    const y = height + extraGap;
    for (let j = 0; j < extra.length; j++) {
      ctx.fillStyle = css(heatColor(extra[j] / scale));
      ctx.fillRect(labelW + j * cellW, y, Math.ceil(cellW), extraH);
    }
    ctx.strokeRect(labelW + 0.5, y + 0.5, width - 1, extraH - 1);
    ctx.fillStyle = '#333';
    ctx.font = SMALL_FONT;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText(spec.extraRow.label, 0, y + extraH / 2);
  }

  // Colour bar from −max|v| to +max|v|.
  const barW = 180;
  for (let i = 0; i < barW; i++) {
    ctx.fillStyle = css(heatColor((2 * i) / (barW - 1) - 1));
    ctx.fillRect(labelW + i, barTop, 1, 9);
  }
  ctx.fillStyle = '#444';
  ctx.font = SMALL_FONT;
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillText(`−${formatNumber(maxAbs)}`, labelW, barTop + 12);
  ctx.textAlign = 'center';
  ctx.fillText('0', labelW + barW / 2, barTop + 12);
  ctx.textAlign = 'right';
  ctx.fillText(`+${formatNumber(maxAbs)}`, labelW + barW, barTop + 12);

  range.replaceChildren(
    'min ', numberSpan(formatNumber(min)),
    ', max ', numberSpan(formatNumber(max)),
    ', mean |value| ', numberSpan(formatNumber(sumAbs / count)),
    extra ? ` (${spec.extraRow?.label} included)` : '',
  );
  figure.append(title, caption, canvas, range);
  return figure;
}

/** A box in place of a heat map, with a sentence saying why there is nothing to show yet. */
export function placeholderFigure(title: string, text: string): HTMLElement {
  const figure = document.createElement('figure');
  figure.className = 'heatmap';
  figure.style.margin = '0';
  const h = document.createElement('h4');
  h.textContent = title;
  const p = document.createElement('p');
  p.className = 'placeholder';
  p.textContent = text;
  figure.append(h, p);
  return figure;
}
