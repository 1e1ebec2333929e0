/**
 * The training monitor's figure (`npm run disk -- --monitor`), as SVG text: four panels over the
 * epochs of one training run, one line per layer (or per parameter), from a
 * `TrainingMonitor.history()`:
 *
 * - the activations: each layer's output mean, with a band of ± one standard deviation;
 * - dead ReLU units and saturated tanh/sigmoid values, in % (only the layers that have them);
 * - ‖∂L/∂output‖ entering each layer's backward, on a log scale;
 * - the update-to-weight ratio ‖Δθ‖/‖θ‖ of each parameter (weights solid, biases and other
 *   parameters dashed), on a log scale, with the rule of thumb 1e-3 as a dashed grey line.
 *
 * A layer keeps its colour in every panel, and a parameter takes its layer's colour. Every
 * number is printed with fixed precision (./svg.ts), so the same history gives the same bytes.
 */
import { MonitorHistory } from '../../lib';
import { PlotArea, escapeXml, legend, niceTicks, num, svgDocument, wrapWords } from './svg';

/** Ten colours that stay apart (Tableau's 10), then two more for deeper networks. */
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#393b79', '#637939'];

/** The update-to-weight ratio the rule of thumb aims at (CS231n: about 1e-3 per update). */
const RULE_OF_THUMB = 1e-3;

/** A series to draw: y per epoch (null where there is no value). */
interface Series {
  values: (number | null)[];
  color: string;
  dashed: boolean;
}

/** The four panels of the monitor's figure for one run; `title` goes above them. */
export function monitorFigure(title: string, history: MonitorHistory): string {
  const epochs = history.epochs.map((e) => e.epoch);
  const colorOf = (layer: number): string => PALETTE[layer % PALETTE.length];
  const xRange: [number, number] = [0, Math.max(1, epochs.length)];
  const xTicks = niceTicks(xRange[0], xRange[1], 6).filter((t) => Number.isInteger(t)); // whole epochs
  const parts: string[] = [];
  const panel = (left: number, top: number, yRange: [number, number]): PlotArea => new PlotArea(left, top, 380, 220, xRange, yRange);

  // 1. Activations: mean ± std per layer.
  const means = history.layers.map((_, l) => history.epochs.map((e) => e.layers[l].mean));
  const lows = history.layers.map((_, l) => history.epochs.map((e) => nullOr(e.layers[l].mean, e.layers[l].std, (m, s) => m - s)));
  const highs = history.layers.map((_, l) => history.epochs.map((e) => nullOr(e.layers[l].mean, e.layers[l].std, (m, s) => m + s)));
  const activationRange = paddedRange([...lows.flat(), ...highs.flat()]);
  const activations = panel(80, 70, activationRange);
  activations.title('Activations: mean ± std per layer').axes('epoch', 'output value', xTicks);
  history.layers.forEach((_, l) => {
    for (const run of runs(epochs, lows[l], highs[l])) activations.band(run.xs, run.lows, run.highs, colorOf(l), 0.1);
  });
  history.layers.forEach((_, l) => drawSeries(activations, epochs, { values: means[l], color: colorOf(l), dashed: false }));
  parts.push(...activations.parts);

  // 2. Dead ReLU units and saturated tanh/sigmoid values (%).
  const unitSeries: Series[] = [];
  history.layers.forEach((_, l) => {
    const first = history.epochs[0]?.layers[l];
    if (first === undefined) return;
    const key = first.deadFraction !== null ? 'deadFraction' : first.saturatedFraction !== null ? 'saturatedFraction' : null;
    if (key === null) return;
    unitSeries.push({ values: history.epochs.map((e) => nullOr(e.layers[l][key], 100, (f, k) => f * k)), color: colorOf(l), dashed: key === 'saturatedFraction' });
  });
  const unitTop = Math.max(5, Math.ceil(Math.max(0, ...unitSeries.flatMap((s) => s.values.filter(isNumber))) / 5) * 5);
  const units = panel(580, 70, [0, Math.min(100, unitTop)]);
  units.title('Dead ReLU units, saturated tanh/σ (dashed)').axes('epoch', '% of units / values', xTicks);
  for (const series of unitSeries) drawSeries(units, epochs, series);
  if (unitSeries.length === 0) parts.push(`<text x="${num(580 + 190)}" y="${num(70 + 110)}" text-anchor="middle" fill="#777">no ReLU, tanh or sigmoid layer</text>`);
  parts.push(...units.parts);

  // 3. ‖∂L/∂output‖ entering each layer's backward (log scale).
  const gradients = history.layers.map((_, l): Series => ({ values: history.epochs.map((e) => e.layers[l].gradOutputNorm), color: colorOf(l), dashed: false }));
  parts.push(...logPanel(panel, 80, 380, 'Gradient norm entering each layer (log)', '‖∂L/∂output‖', epochs, xTicks, gradients, null));

  // 4. Update-to-weight ratio per parameter (log scale), with the rule of thumb.
  const layerOfParam = (name: string): number => history.layers.findIndex((layer) => name.startsWith(`${layer} `));
  const ratios = history.params.map((name, p): Series => ({
    values: history.epochs.map((e) => e.params[p].updateRatio),
    color: colorOf(Math.max(0, layerOfParam(name))),
    dashed: !name.endsWith(' weight'),
  }));
  parts.push(...logPanel(panel, 580, 380, 'Update / weight ratio per update (log)', '‖Δθ‖ / ‖θ‖', epochs, xTicks, ratios, RULE_OF_THUMB));

  const key = legend(1010, 90, history.layers.map((name, l) => ({ label: shortName(name), color: colorOf(l), kind: 'line' as const })));
  const notes = [
    `<text x="1010" y="${num(90 + 18 * history.layers.length + 10)}" font-size="11" fill="#555">update ratio: weights solid,</text>`,
    `<text x="1010" y="${num(90 + 18 * history.layers.length + 24)}" font-size="11" fill="#555">biases dashed; grey: 1e-3</text>`,
  ];
  // the title on as many lines as it needs (about 130 bold characters fit the width); the panels move down by the extra lines
  const lines = wrapWords(title, 130);
  const extra = 18 * (lines.length - 1);
  const heading = lines.map((line, i) => `<text x="640" y="${28 + 18 * i}" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(line)}</text>`);
  const body = [...parts, key, ...notes];
  if (extra === 0) return svgDocument(1280, 660, [...heading, ...body]);
  return svgDocument(1280, 660 + extra, [...heading, `<g transform="translate(0,${extra})">`, ...body, '</g>']);
}

/** A panel on a log scale: log10 of the values, ticks at powers of ten; `rule` draws a dashed grey line at that value. */
function logPanel(
  panel: (left: number, top: number, yRange: [number, number]) => PlotArea,
  left: number, top: number, title: string, yTitle: string, epochs: number[], xTicks: number[], series: Series[], rule: number | null,
): string[] {
  const positive = series.flatMap((s) => s.values.filter((v): v is number => isNumber(v) && v > 0));
  if (rule !== null) positive.push(rule);
  const lo = positive.length > 0 ? Math.floor(Math.log10(Math.min(...positive))) : -1;
  const hi = positive.length > 0 ? Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...positive)))) : 0;
  const powers: number[] = [];
  for (let p = lo; p <= hi; p++) powers.push(p);
  const plot = panel(left, top, [lo, hi]);
  plot.title(title).axes('epoch', yTitle, xTicks, powers, (p) => `1e${p}`);
  if (rule !== null) {
    const y = Math.log10(rule);
    plot.parts.push(`<line x1="${num(plot.x(plot.xRange[0]))}" y1="${num(plot.y(y))}" x2="${num(plot.x(plot.xRange[1]))}" y2="${num(plot.y(y))}" stroke="#999" stroke-width="1.5" stroke-dasharray="6 4"/>`);
  }
  for (const s of series) drawSeries(plot, epochs, { ...s, values: s.values.map((v) => (isNumber(v) && v > 0 ? Math.log10(v) : null)) });
  return plot.parts;
}

/** Draws a series as polylines through its consecutive values (a gap where a value is null). */
function drawSeries(plot: PlotArea, epochs: number[], series: Series): void {
  for (const run of runs(epochs, series.values, series.values)) {
    if (run.xs.length === 1) {
      plot.dot(run.xs[0], run.lows[0], series.color, 2.5);
    } else if (series.dashed) {
      const points = run.xs.map((x, i) => `${num(plot.x(x))},${num(plot.y(run.lows[i]))}`).join(' ');
      plot.parts.push(`<polyline points="${points}" fill="none" stroke="${series.color}" stroke-width="1.6" stroke-dasharray="5 3"/>`);
    } else {
      plot.line(run.xs, run.lows, series.color, 1.8);
    }
  }
}

/** The stretches of consecutive epochs where both `lows` and `highs` have a value. */
function runs(epochs: number[], lows: (number | null)[], highs: (number | null)[]): { xs: number[]; lows: number[]; highs: number[] }[] {
  const out: { xs: number[]; lows: number[]; highs: number[] }[] = [];
  let current: { xs: number[]; lows: number[]; highs: number[] } | null = null;
  epochs.forEach((epoch, i) => {
    const lo = lows[i];
    const hi = highs[i];
    if (!isNumber(lo) || !isNumber(hi)) {
      current = null;
      return;
    }
    if (current === null) out.push((current = { xs: [], lows: [], highs: [] }));
    current.xs.push(epoch);
    current.lows.push(lo);
    current.highs.push(hi);
  });
  return out;
}

/** [lo, hi] around the finite values, with a little room; [−1, 1] without any. */
function paddedRange(values: (number | null)[]): [number, number] {
  const finite = values.filter(isNumber);
  if (finite.length === 0) return [-1, 1];
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const pad = hi > lo ? (hi - lo) * 0.05 : 1;
  return [lo - pad, hi + pad];
}

/** f(a, b), or null when either is null. */
function nullOr(a: number | null, b: number | null, f: (a: number, b: number) => number): number | null {
  return a === null || b === null ? null : f(a, b);
}

function isNumber(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** A layer's name without the root container: `[2] ReLU` for `Sequential[2] ReLU`. */
function shortName(name: string): string {
  return name.replace(/^[A-Za-z]\w*(?=\[)/, '');
}
