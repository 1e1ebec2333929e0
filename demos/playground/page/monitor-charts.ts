/// <reference lib="dom" />
/**
 * The training monitor's four small charts in the layer inspector, one point per epoch, drawn
 * from a `TrainingMonitor.history()` (lib/tools/monitor.ts), one line per layer of the
 * Sequential (or per parameter), the layer chosen in the inspector drawn thick and the others
 * thin and pale:
 *
 * 1. activations: each layer's output mean over the epoch, and for the chosen layer a band of
 *    ± one standard deviation;
 * 2. dead ReLU units and saturated tanh/σ values (dashed), in % (only layers that have them);
 * 3. ‖∂L/∂output‖ entering each layer's backward, averaged over the epoch's batches (log scale);
 * 4. the update-to-weight ratio ‖Δθ‖/‖θ‖ of each parameter per step, averaged over the epoch
 *    (weights solid, biases dashed, log scale), with the rule of thumb 1e-3 as a grey dashed line.
 *
 * A layer has the same colour in every chart, and in `npm run disk -- --monitor`'s figures
 * (demos/figures/monitor-figures.ts): Tableau's ten colours, in the order of the layers.
 */
import { MonitorHistory } from '../../../lib';
import { FONT, Frame, SMALL_FONT, niceTicks, setupCanvas, tickLabel } from './canvas';

const WIDTH = 300;
const HEIGHT = 190;
const MARGIN = { left: 54, right: 10, top: 10, bottom: 38 };

/** Tableau's ten colours, then two more (as demos/figures/monitor-figures.ts). */
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#393b79', '#637939'];

/** The update-to-weight ratio the rule of thumb aims at (CS231n: about 1e-3 per update). */
export const RULE_OF_THUMB = 1e-3;

/** At most this many powers of ten on a log axis (a diverging run spans hundreds): the smallest values are cut. */
const MAX_DECADES = 40;
/** About this many labelled powers of ten on a log axis (every k-th power when it spans more). */
const LOG_TICKS = 6;

/** The colour of layer `l` (its index in the Sequential) in every chart and in the legend. */
export function layerColor(l: number): string {
  return PALETTE[l % PALETTE.length];
}

/** The indices (in `history.params`) of the parameters of layer `l`: those whose name starts with the layer's. */
export function paramsOfLayer(history: MonitorHistory, l: number): number[] {
  const prefix = `${history.layers[l]} `;
  return history.params.map((name, p) => (name.startsWith(prefix) ? p : -1)).filter((p) => p >= 0);
}

/** One line of a chart: a value per epoch (index 0 is epoch 1; null where there is none). */
interface Series {
  values: (number | null)[];
  color: string;
  /** The chosen layer's: drawn thick and opaque. */
  chosen: boolean;
  dashed: boolean;
}

/** Epochs 0 to at least 10, with round ticks (as the loss and error charts). */
function epochFrame(ctx: CanvasRenderingContext2D, epochs: number, yRange: [number, number]): { frame: Frame; ticks: number[] } {
  const hi = Math.max(10, epochs);
  const ticks = niceTicks(0, hi, 5);
  const top = Math.max(hi, ticks[ticks.length - 1]);
  const frame = new Frame(ctx, MARGIN.left, MARGIN.top, WIDTH - MARGIN.left - MARGIN.right, HEIGHT - MARGIN.top - MARGIN.bottom, [0, top], yRange);
  return { frame, ticks };
}

/**
 * The lines, the chosen layer's last: the others thin and pale under it (all of them plain when
 * the chosen layer has no line here), a dot on each line's last value.
 */
function drawLines(frame: Frame, series: Series[], transform: (v: number) => number = (v) => v): void {
  const { ctx } = frame;
  ctx.save();
  ctx.beginPath();
  ctx.rect(frame.left, frame.top - 3, frame.width + 3, frame.height + 6);
  ctx.clip();
  const emphasis = series.some((s) => s.chosen);
  for (const s of [...series.filter((s) => !s.chosen), ...series.filter((s) => s.chosen)]) {
    ctx.strokeStyle = ctx.fillStyle = s.color;
    ctx.globalAlpha = s.chosen || !emphasis ? 1 : 0.45;
    ctx.lineWidth = s.chosen ? 2.4 : 1.2;
    ctx.setLineDash(s.dashed ? [5, 3] : []);
    ctx.beginPath();
    let drawing = false;
    let last: [number, number] | null = null;
    s.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(transform(v))) {
        drawing = false;
        return;
      }
      last = [frame.px(i + 1), frame.py(transform(v))];
      if (drawing) ctx.lineTo(...last);
      else ctx.moveTo(...last);
      drawing = true;
    });
    ctx.stroke();
    if (last !== null) {
      ctx.beginPath();
      ctx.arc(last[0], last[1], s.chosen ? 3 : 2, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
  ctx.restore();
}

/** Grey text in the middle of the plot. */
function message(frame: Frame, text: string): void {
  const { ctx } = frame;
  ctx.save();
  ctx.font = FONT;
  ctx.fillStyle = '#888';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, frame.left + frame.width / 2, frame.top + frame.height / 2);
  ctx.restore();
}

/** [lo, hi] around every finite value, with a little room; [-1, 1] when there is none. */
function paddedRange(values: number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [-1, 1];
  const lo = Math.min(...finite), hi = Math.max(...finite);
  const pad = hi > lo ? 0.08 * (hi - lo) : Math.max(0.1, Math.abs(hi) * 0.1);
  return [lo - pad, hi + pad];
}

/** Powers of ten from below the smallest to above the largest positive value (at most MAX_DECADES). */
function decades(values: number[], fallback: [number, number]): [number, number] {
  const logs = values.filter((v) => v > 0 && Number.isFinite(v)).map(Math.log10);
  if (logs.length === 0) return fallback;
  const hi = Math.ceil(Math.max(...logs));
  const lo = Math.max(Math.floor(Math.min(...logs)), hi - MAX_DECADES);
  return [lo, hi === lo ? lo + 1 : hi];
}

function powerLabel(p: number): string {
  return p === 0 ? '1' : `1e${p}`;
}

/** Tick labels of a linear axis: as the loss chart's, in exponent notation (2e6) for large or tiny ticks. */
function linearLabel(ticks: number[]): (v: number) => string {
  const largest = Math.max(...ticks.map(Math.abs));
  if (largest < 1e4 && largest >= 1e-3) return (v) => tickLabel(v, ticks);
  return (v) => (Math.abs(v) < 1e-9 * largest ? '0' : v.toExponential(1).replace('e+', 'e').replace('.0e', 'e'));
}

const NO_EPOCH_YET = 'a point per layer after each epoch';

/** Chart 1: each layer's output mean per epoch; the chosen layer's ± one standard deviation as a band. */
export function drawActivationChart(canvas: HTMLCanvasElement, history: MonitorHistory, chosen: number): void {
  const ctx = setupCanvas(canvas, WIDTH, HEIGHT);
  const epochs = history.epochs;
  const mean = (l: number): (number | null)[] => epochs.map((e) => e.layers[l].mean);
  const lows = epochs.map((e) => band(e.layers[chosen], -1));
  const highs = epochs.map((e) => band(e.layers[chosen], 1));
  const all = [...history.layers.flatMap((_, l) => mean(l)), ...lows, ...highs].filter((v): v is number => v !== null);
  const yRange = paddedRange(all);
  const { frame, ticks } = epochFrame(ctx, epochs.length, yRange);
  const yTicks = niceTicks(yRange[0], yRange[1], 4);
  frame.axes(ticks, yTicks, 'epoch', 'output value', linearLabel(yTicks));
  // the band: from (epoch, mean − std) forwards along the top, back along the bottom
  ctx.save();
  ctx.fillStyle = layerColor(chosen);
  ctx.globalAlpha = 0.18;
  ctx.beginPath();
  const points = epochs.map((_, i) => i).filter((i) => lows[i] !== null);
  points.forEach((i, k) => (k === 0 ? ctx.moveTo(frame.px(i + 1), frame.py(highs[i] as number)) : ctx.lineTo(frame.px(i + 1), frame.py(highs[i] as number))));
  for (const i of [...points].reverse()) ctx.lineTo(frame.px(i + 1), frame.py(lows[i] as number));
  ctx.closePath();
  ctx.fill();
  ctx.restore();
  drawLines(frame, history.layers.map((_, l) => ({ values: mean(l), color: layerColor(l), chosen: l === chosen, dashed: false })));
  if (epochs.length === 0) message(frame, NO_EPOCH_YET);
}

/** mean + side·std of a layer's epoch, or null. */
function band(stats: { mean: number | null; std: number | null }, side: number): number | null {
  return stats.mean === null || stats.std === null ? null : stats.mean + side * stats.std;
}

/** Chart 2: dead ReLU units (solid) and saturated tanh/σ values (dashed), in %. */
export function drawUnitChart(canvas: HTMLCanvasElement, history: MonitorHistory, chosen: number): void {
  const ctx = setupCanvas(canvas, WIDTH, HEIGHT);
  const epochs = history.epochs;
  const series: Series[] = [];
  history.layers.forEach((_, l) => {
    const first = epochs[0]?.layers[l];
    const key = first?.deadFraction != null ? 'deadFraction' : first?.saturatedFraction != null ? 'saturatedFraction' : null;
    if (key === null) return;
    const values = epochs.map((e) => (e.layers[l][key] === null ? null : 100 * (e.layers[l][key] as number)));
    series.push({ values, color: layerColor(l), chosen: l === chosen, dashed: key === 'saturatedFraction' });
  });
  const largest = Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const top = Math.min(100, Math.max(5, Math.ceil(largest / 5) * 5));
  const { frame, ticks } = epochFrame(ctx, epochs.length, [0, top]);
  frame.axes(ticks, niceTicks(0, top, 4), 'epoch', '% of units / values');
  drawLines(frame, series);
  if (epochs.length === 0) message(frame, NO_EPOCH_YET);
  else if (series.length === 0) message(frame, 'no ReLU, tanh or sigmoid layer');
}

/** Chart 3: ‖∂L/∂output‖ entering each layer's backward, the epoch's mean over its batches, log scale. */
export function drawGradientChart(canvas: HTMLCanvasElement, history: MonitorHistory, chosen: number): void {
  const ctx = setupCanvas(canvas, WIDTH, HEIGHT);
  const epochs = history.epochs;
  const series = history.layers.map((_, l): Series => ({
    values: epochs.map((e) => e.layers[l].gradOutputNorm), color: layerColor(l), chosen: l === chosen, dashed: false,
  }));
  logChart(ctx, epochs.length, series, '‖∂L/∂output‖', [-3, 0], null);
}

/** Chart 4: ‖Δθ‖/‖θ‖ per step of every parameter, the epoch's mean, log scale, with the rule of thumb. */
export function drawRatioChart(canvas: HTMLCanvasElement, history: MonitorHistory, chosen: number): void {
  const ctx = setupCanvas(canvas, WIDTH, HEIGHT);
  const epochs = history.epochs;
  const mine = new Set(paramsOfLayer(history, chosen));
  const series = history.params.map((name, p): Series => {
    const layer = history.layers.findIndex((_, l) => paramsOfLayer(history, l).includes(p));
    return { values: epochs.map((e) => e.params[p].updateRatio), color: layerColor(Math.max(0, layer)), chosen: mine.has(p), dashed: !name.endsWith(' weight') };
  });
  logChart(ctx, epochs.length, series, '‖Δθ‖ / ‖θ‖', [-5, -1], RULE_OF_THUMB);
}

/**
 * A chart on a log scale (ticks at powers of ten), with an optional grey dashed reference line,
 * labelled under it (the axis reaches at least a decade below it), or over it when the axis
 * spans so many decades that there is no room under it.
 */
function logChart(ctx: CanvasRenderingContext2D, epochs: number, series: Series[], yLabel: string, fallback: [number, number], reference: number | null): void {
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const [lo, top] = decades(reference === null ? values : [...values, reference / 10, reference], fallback);
  const every = Math.ceil((top - lo) / LOG_TICKS);
  const hi = lo + every * Math.ceil((top - lo) / every);
  const powers: number[] = [];
  for (let p = lo; p <= hi; p += every) powers.push(p);
  const { frame, ticks } = epochFrame(ctx, epochs, [lo, hi]);
  frame.axes(ticks, powers, 'epoch', yLabel, powerLabel);
  const log = (v: number): number => (v > 0 ? Math.log10(v) : NaN);
  if (reference !== null) {
    const y = Math.round(frame.py(Math.log10(reference))) + 0.5;
    ctx.save();
    ctx.strokeStyle = '#555';
    ctx.lineWidth = 1.2;
    ctx.setLineDash([6, 4]);
    ctx.beginPath();
    ctx.moveTo(frame.left, y);
    ctx.lineTo(frame.left + frame.width, y);
    ctx.stroke();
    ctx.font = SMALL_FONT;
    ctx.fillStyle = '#555';
    ctx.textAlign = 'right';
    const below = frame.top + frame.height - y >= 16; // room under the line for the label, else over it
    ctx.textBaseline = below ? 'top' : 'bottom';
    ctx.fillText(`rule of thumb ${powerLabel(Math.log10(reference))}`, frame.left + frame.width - 4, below ? y + 3 : y - 3);
    ctx.restore();
  }
  drawLines(frame, series, log);
  if (epochs === 0) message(frame, NO_EPOCH_YET);
}
