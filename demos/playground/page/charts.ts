/// <reference lib="dom" />
/**
 * The training curves, one point per epoch (epoch 0 is the untrained network): the loss on
 * the whole training and test sets (log scale), and their error rates in percent.
 */
import { FONT, Frame, SMALL_FONT, niceTicks, setupCanvas } from './canvas';
import { TEST_COLOR, TRAIN_COLOR } from './colors';
import { History } from './session';

const WIDTH = 380;
const HEIGHT = 215;
const MARGIN = { left: 58, right: 14, top: 26, bottom: 40 };

interface Series {
  label: string;
  color: string;
  values: number[];
}

/** Epoch axis: from 0 to at least 10 epochs, with round ticks. */
function epochAxis(epochs: number): { range: [number, number]; ticks: number[] } {
  const hi = Math.max(10, epochs);
  const ticks = niceTicks(0, hi, 5);
  const top = Math.max(hi, ticks[ticks.length - 1]);
  return { range: [0, top], ticks };
}

function drawSeries(frame: Frame, series: Series[], transform: (v: number) => number): void {
  const { ctx } = frame;
  ctx.save();
  ctx.beginPath();
  ctx.rect(frame.left, frame.top - 4, frame.width + 4, frame.height + 8);
  ctx.clip();
  for (const s of series) {
    if (s.values.length === 0) continue;
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 1.8;
    ctx.beginPath();
    s.values.forEach((v, epoch) => {
      const x = frame.px(epoch), y = frame.py(transform(v));
      if (epoch === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
    const last = s.values.length - 1;
    ctx.fillStyle = s.color;
    ctx.beginPath();
    ctx.arc(frame.px(last), frame.py(transform(s.values[last])), 3, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.restore();
}

function drawLegend(ctx: CanvasRenderingContext2D, series: Series[], note: string): void {
  ctx.save();
  ctx.font = SMALL_FONT;
  ctx.textBaseline = 'middle';
  let x = MARGIN.left;
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    ctx.moveTo(x, 11);
    ctx.lineTo(x + 18, 11);
    ctx.stroke();
    ctx.fillStyle = '#333';
    ctx.textAlign = 'left';
    ctx.fillText(s.label, x + 23, 11);
    x += 30 + ctx.measureText(s.label).width + 14;
  }
  if (note) {
    ctx.fillStyle = '#777';
    ctx.textAlign = 'right';
    ctx.fillText(note, WIDTH - MARGIN.right, 11);
  }
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

function plotFrame(ctx: CanvasRenderingContext2D, epochs: number, yRange: [number, number]): Frame {
  const x = epochAxis(epochs);
  return new Frame(ctx, MARGIN.left, MARGIN.top, WIDTH - MARGIN.left - MARGIN.right, HEIGHT - MARGIN.top - MARGIN.bottom, x.range, yRange);
}

/** Training and test loss per epoch, on a log scale (ticks at powers of ten). */
export function drawLossChart(canvas: HTMLCanvasElement, history: History): void {
  const ctx = setupCanvas(canvas, WIDTH, HEIGHT);
  const series: Series[] = [
    { label: 'training set', color: TRAIN_COLOR, values: history.trainLoss },
    { label: 'test set', color: TEST_COLOR, values: history.testLoss },
  ];
  const all = [...history.trainLoss, ...history.testLoss].filter((v) => v > 0 && Number.isFinite(v));
  const log = (v: number): number => Math.log10(Math.max(v, 1e-12));
  let lo = all.length ? Math.floor(log(Math.min(...all))) : -2;
  let hi = all.length ? Math.ceil(log(Math.max(...all))) : 0;
  if (hi === lo) hi = lo + 1;
  while (hi - lo > 8) lo++; // at most 8 decades: the tail of a loss that keeps shrinking is cut
  const powers: number[] = [];
  for (let p = lo; p <= hi; p++) powers.push(p);
  const epochs = history.trainLoss.length - 1;
  const frame = plotFrame(ctx, epochs, [lo, hi]);
  frame.axes(epochAxis(epochs).ticks, powers, 'epoch', 'loss', (p) => (p >= 0 ? String(10 ** p) : p >= -4 ? (10 ** p).toFixed(-p) : `1e${p}`));
  drawSeries(frame, series, log);
  drawLegend(ctx, series, '');
  if (epochs < 1) emptyMessage(frame, 'curves grow here, one point per epoch');
}

/** Training and test error (%) per epoch; the axis is cut above the later epochs' values so small errors stay readable. */
export function drawErrorChart(canvas: HTMLCanvasElement, history: History): void {
  const ctx = setupCanvas(canvas, WIDTH, HEIGHT);
  const percent = (values: number[]): number[] => values.map((v) => 100 * v);
  const series: Series[] = [
    { label: 'training set', color: TRAIN_COLOR, values: percent(history.trainError) },
    { label: 'test set', color: TEST_COLOR, values: percent(history.testError) },
  ];
  const epochs = history.trainError.length - 1;
  const later = series.flatMap((s) => s.values.slice(Math.max(1, Math.floor(s.values.length / 10))));
  const all = series.flatMap((s) => s.values);
  const wanted = later.length ? Math.max(...later) : all.length ? Math.max(...all) : 50;
  const rough = niceTicks(0, Math.max(5, wanted), 5);
  const tickStep = rough[1] - rough[0];
  const top = Math.max(5, Math.ceil((wanted * 1.05) / tickStep) * tickStep);
  const ticks = niceTicks(0, top, 5);
  const cut = all.some((v) => v > top);
  const frame = plotFrame(ctx, epochs, [0, top]);
  frame.axes(epochAxis(epochs).ticks, ticks, 'epoch', 'error (%)');
  drawSeries(frame, series, (v) => Math.min(v, top + 2));
  drawLegend(ctx, series, cut ? `axis cut at ${top} %` : '');
  if (epochs < 1) emptyMessage(frame, 'curves grow here, one point per epoch');
}
