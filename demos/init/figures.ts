/**
 * The figure of `npm run init`, as SVG text: for one activation, three panels over the layers,
 * one line per initialisation — the activations' standard deviation (log scale), the fraction
 * of dead ReLU units or saturated tanh values, and ‖∂L/∂W‖ of each layer (log scale).
 * Numbers are printed with fixed precision (../figures/svg.ts): the same runs give the same bytes.
 */
import { PlotArea, escapeXml, legend, svgDocument } from '../figures/svg';
import { InitRun, LAYERS } from './experiment';

/** One colour per initialisation, in the order of INIT_SCHEMES. */
const COLORS: Record<string, string> = { small: '#1f77b4', large: '#d62728', xavier: '#2ca02c', kaiming: '#9467bd' };

/** The three panels for the runs of one activation (`runs`: one per initialisation). */
export function initFigure(activation: string, runs: InitRun[], seed: string): string {
  const layers = Array.from({ length: LAYERS }, (_, l) => l + 1);
  const xRange: [number, number] = [0.5, LAYERS + 0.5];
  const parts: string[] = [];

  parts.push(...logPanel(70, 60, 'Activation std per layer (log)', 'std of the layer\'s output', layers, xRange,
    runs.map((r) => ({ name: r.scheme.name, values: r.blocks.map((b) => b.std) }))));

  const unitsTitle = activation === 'relu' ? 'Dead ReLU units per layer' : 'Saturated tanh values per layer';
  const unitsPlot = new PlotArea(480, 60, 320, 240, xRange, [0, 100]);
  unitsPlot.title(unitsTitle).axes('layer', activation === 'relu' ? '% of units' : '% of values |y| > 0.99', layers, [0, 20, 40, 60, 80, 100]);
  for (const r of runs) unitsPlot.line(layers, r.blocks.map((b) => 100 * b.deadOrSaturated), COLORS[r.scheme.name], 2);
  for (const r of runs) r.blocks.forEach((b, i) => unitsPlot.dot(layers[i], 100 * b.deadOrSaturated, COLORS[r.scheme.name], 2.5));
  parts.push(...unitsPlot.parts);

  parts.push(...logPanel(890, 60, 'Weight gradient norm per layer (log)', '‖∂L/∂W‖', layers, xRange,
    runs.map((r) => ({ name: r.scheme.name, values: r.blocks.map((b) => b.weightGradNorm) }))));

  const key = legend(1250, 80, runs.map((r) => ({ label: r.scheme.description, color: COLORS[r.scheme.name], kind: 'line' as const })));
  const title = `${LAYERS} layers of Linear(100→100) + ${activation}, one forward and backward pass (seed ${seed})`;
  const heading = `<text x="760" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`;
  return svgDocument(1520, 360, [heading, ...parts, key]);
}

/** A panel with a log-scale y axis (ticks at powers of ten), one line with dots per series. */
function logPanel(left: number, top: number, title: string, yTitle: string, layers: number[], xRange: [number, number],
  series: { name: string; values: number[] }[]): string[] {
  const positive = series.flatMap((s) => s.values.filter((v) => Number.isFinite(v) && v > 0));
  const lo = positive.length > 0 ? Math.floor(Math.log10(Math.min(...positive))) : -1;
  const hi = positive.length > 0 ? Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...positive)))) : 0;
  const step = Math.max(1, Math.ceil((hi - lo) / 8)); //                        at most about 8 labelled powers
  const powers: number[] = [];
  for (let p = lo; p <= hi; p += step) powers.push(p);
  const plot = new PlotArea(left, top, 320, 240, xRange, [lo, hi]);
  plot.title(title).axes('layer', yTitle, layers, powers, (p) => `1e${p}`);
  for (const s of series) {
    const ys = s.values.map((v) => (Number.isFinite(v) && v > 0 ? Math.log10(v) : lo)); // 0 drawn at the bottom
    plot.line(layers, ys, COLORS[s.name], 2);
    ys.forEach((y, i) => plot.dot(layers[i], y, COLORS[s.name], 2.5));
  }
  return plot.parts;
}
