/// <reference lib="dom" />
/**
 * The attention page's two curves against the optimizer step: the loss of each step's batch
 * (log scale; it is a fresh batch each time, hence the noise) and the accuracy on the 200
 * held-out sequences, measured every 10 steps.
 */
import { FONT, Frame, niceTicks, setupCanvas } from '../page/canvas';
import { TEST_COLOR, TRAIN_COLOR } from '../page/colors';
import { AttentionHistory } from './session';

const WIDTH = 380;
const HEIGHT = 190;
const MARGIN = { left: 58, right: 14, top: 14, bottom: 40 };

/** Step axis from 0 to at least 100 steps, with round ticks. */
function stepAxis(steps: number): { range: [number, number]; ticks: number[] } {
  const ticks = niceTicks(0, Math.max(100, steps), 5);
  return { range: [0, Math.max(100, steps, ticks[ticks.length - 1])], ticks };
}

function frameFor(ctx: CanvasRenderingContext2D, steps: number, yRange: [number, number]): Frame {
  return new Frame(ctx, MARGIN.left, MARGIN.top, WIDTH - MARGIN.left - MARGIN.right, HEIGHT - MARGIN.top - MARGIN.bottom, stepAxis(steps).range, yRange);
}

/** A polyline through (xs[k], ys[k]), clipped to the frame. */
function drawLine(frame: Frame, xs: number[], ys: number[], color: string): void {
  const { ctx } = frame;
  ctx.save();
  ctx.beginPath();
  ctx.rect(frame.left, frame.top - 2, frame.width + 2, frame.height + 4);
  ctx.clip();
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  xs.forEach((x, k) => (k === 0 ? ctx.moveTo(frame.px(x), frame.py(ys[k])) : ctx.lineTo(frame.px(x), frame.py(ys[k]))));
  ctx.stroke();
  ctx.restore();
}

function emptyMessage(frame: Frame, text: string): void {
  const { ctx } = frame;
  ctx.save();
  ctx.font = FONT;
  ctx.fillStyle = '#888';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, frame.left + frame.width / 2, frame.top + frame.height / 2);
  ctx.restore();
}

/** The batch loss of every step, log scale (ticks at powers of ten). */
export function drawBatchLoss(canvas: HTMLCanvasElement, history: AttentionHistory): void {
  const ctx = setupCanvas(canvas, WIDTH, HEIGHT);
  const losses = history.batchLoss;
  const log = (v: number): number => Math.log10(Math.max(v, 1e-12));
  const finite = losses.filter((v) => v > 0 && Number.isFinite(v));
  let lo = finite.length ? Math.floor(log(Math.min(...finite))) : -2;
  const hi = finite.length ? Math.max(lo + 1, Math.ceil(log(Math.max(...finite)))) : 1;
  lo = Math.max(lo, hi - 6); //                       at most 6 decades
  const powers: number[] = [];
  for (let p = lo; p <= hi; p++) powers.push(p);
  const frame = frameFor(ctx, losses.length, [lo, hi]);
  frame.axes(stepAxis(losses.length).ticks, powers, 'step', 'batch loss', (p) => (p >= 0 ? String(10 ** p) : p >= -3 ? (10 ** p).toFixed(-p) : `1e${p}`));
  drawLine(frame, losses.map((_, k) => k + 1), losses.map(log), TRAIN_COLOR);
  if (losses.length === 0) emptyMessage(frame, 'one point per step');
}

/** The held-out accuracy, in percent, every 10 steps. */
export function drawAccuracy(canvas: HTMLCanvasElement, history: AttentionHistory): void {
  const ctx = setupCanvas(canvas, WIDTH, HEIGHT);
  const steps = history.batchLoss.length;
  const frame = frameFor(ctx, steps, [0, 100]);
  frame.axes(stepAxis(steps).ticks, [0, 25, 50, 75, 100], 'step', 'held-out accuracy (%)');
  drawLine(frame, history.accuracySteps, history.accuracy.map((a) => 100 * a), TEST_COLOR);
}
