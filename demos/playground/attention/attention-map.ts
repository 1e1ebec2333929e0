/// <reference lib="dom" />
/**
 * One head's attention weights P [T, T] as a heat map: row i is query position i, column j key
 * position j, the cell's darkness P[i, j] (0 white, 1 darkest). The causal mask's cells (j > i,
 * where P is 0 by construction) are hatched, so a zero the model chose and a zero it was forced
 * to take look different. Rows and columns are labelled with the tokens of the sequence; the
 * rows of positions without a target are faded and labelled in grey (nothing trains them).
 */
import { SMALL_FONT, setupCanvas } from '../page/canvas';
import { Rgb, css } from '../page/colors';

const CELL = 22;
const LEFT = 34;
const TOP = 30;
const BAR = 10;
/** The opacity of the rows of positions without a target. */
const FADED = 0.35;

/** What one map shows. */
export interface AttentionMapSpec {
  /** P [T, T], rows summing to 1. */
  weights: Float64Array;
  /** T. */
  size: number;
  /** The token at each position (one character each). */
  tokens: string;
  /** Positions that have a target (their rows' labels are dark). */
  hasTarget: boolean[];
}

/** 0 → white, 1 → dark blue (a sequential scale: weights are ≥ 0). */
export function weightColor(p: number): Rgb {
  const stops: Rgb[] = [[255, 255, 255], [158, 202, 225], [49, 130, 189], [8, 48, 107]];
  const u = Math.min(1, Math.max(0, Number.isNaN(p) ? 0 : p)) * (stops.length - 1);
  const k = Math.min(stops.length - 2, Math.floor(u));
  const f = u - k;
  return [0, 1, 2].map((c) => Math.round(stops[k][c] + (stops[k + 1][c] - stops[k][c]) * f)) as Rgb;
}

/** Draws the map into `canvas` (resized to fit). */
export function drawAttentionMap(canvas: HTMLCanvasElement, spec: AttentionMapSpec): void {
  const T = spec.size;
  const side = T * CELL;
  const width = LEFT + side + 2, height = TOP + side + 34;
  const ctx = setupCanvas(canvas, width, height);

  for (let i = 0; i < T; i++) {
    for (let j = 0; j < T; j++) {
      const x = LEFT + j * CELL, y = TOP + i * CELL;
      if (j > i) {
        hatch(ctx, x, y);
        continue;
      }
      ctx.globalAlpha = spec.hasTarget[i] ? 1 : FADED;
      ctx.fillStyle = css(weightColor(spec.weights[i * T + j]));
      ctx.fillRect(x, y, CELL, CELL);
      ctx.globalAlpha = 1;
    }
  }
  ctx.strokeStyle = '#b8c0c8';
  ctx.lineWidth = 1;
  ctx.strokeRect(LEFT + 0.5, TOP + 0.5, side - 1, side - 1);

  // Labels: keys along the top, queries down the left side, each with its position.
  ctx.font = SMALL_FONT;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'center';
  for (let j = 0; j < T; j++) {
    ctx.fillStyle = '#333';
    ctx.fillText(spec.tokens[j], LEFT + j * CELL + CELL / 2, TOP - 16);
    ctx.fillStyle = '#999';
    ctx.fillText(String(j), LEFT + j * CELL + CELL / 2, TOP - 5);
  }
  ctx.textAlign = 'right';
  for (let i = 0; i < T; i++) {
    ctx.fillStyle = spec.hasTarget[i] ? '#333' : '#aaa';
    ctx.fillText(`${i} ${spec.tokens[i]}`, LEFT - 6, TOP + i * CELL + CELL / 2);
  }

  // Colour bar 0 … 1 under the map.
  const barTop = TOP + side + 8, barW = Math.min(side, 160);
  for (let k = 0; k < barW; k++) {
    ctx.fillStyle = css(weightColor(k / (barW - 1)));
    ctx.fillRect(LEFT + k, barTop, 1, BAR);
  }
  ctx.strokeRect(LEFT + 0.5, barTop + 0.5, barW - 1, BAR - 1);
  ctx.fillStyle = '#444';
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillText('0', LEFT, barTop + BAR + 2);
  ctx.textAlign = 'right';
  ctx.fillText('1', LEFT + barW, barTop + BAR + 2);
  ctx.textAlign = 'left';
  ctx.fillStyle = '#777';
  ctx.fillText('masked', LEFT + barW + 10, barTop - 1);
  hatch(ctx, LEFT + barW + 52, barTop - 2, 12);
}

/** A light grey cell with diagonal strokes: a position the causal mask hides. */
function hatch(ctx: CanvasRenderingContext2D, x: number, y: number, size = CELL): void {
  ctx.save();
  ctx.fillStyle = '#f1f3f5';
  ctx.fillRect(x, y, size, size);
  ctx.beginPath();
  ctx.rect(x, y, size, size);
  ctx.clip();
  ctx.strokeStyle = '#d5dade';
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let k = -size; k < size; k += 6) {
    ctx.moveTo(x + k, y + size);
    ctx.lineTo(x + k + size, y);
  }
  ctx.stroke();
  ctx.restore();
}
