/**
 * The figure of `npm run init`, as SVG text: for one activation, three panels over the layers,
 * one line per initialisation — the activations' standard deviation (log scale), the fraction
 * of dead ReLU units or saturated tanh values, and ‖∂L/∂W‖ of each layer (log scale) — laid out
 * two by two with the legend in the fourth place, so that the figure keeps its text readable
 * at the width of a page (about 1.2:1, text 13 px in a figure 790 px wide).
 * Numbers are printed with fixed precision (../figures/svg.ts): the same runs give the same bytes.
 */
import { PlotArea, escapeXml, legend, num, svgDocument, wrapWords } from '../figures/svg';
import { InitRun, LAYERS, SAMPLES, WIDTH } from './experiment';

/** One colour per initialisation, in the order of INIT_SCHEMES. */
const COLORS: Record<string, string> = { small: '#1f77b4', large: '#d62728', xavier: '#2ca02c', kaiming: '#9467bd' };

/** Size of each panel's plot area, in pixels. */
const PANEL = { width: 290, height: 220 };
/** Left edges of the two columns and top edges of the two rows of panels. */
const COLUMNS = [84, 484];
const ROWS = [70, 380];
const FIGURE = { width: 790, height: 652 };
/** Tick labels and axis titles (the panel titles are 14 px bold, the heading 15 px bold). */
const FONT_SIZE = 13;

/** The three panels and the legend for the runs of one activation (`runs`: one per initialisation). */
export function initFigure(activation: string, runs: InitRun[], seed: string): string {
  const layers = Array.from({ length: LAYERS }, (_, l) => l + 1);
  const xRange: [number, number] = [0.5, LAYERS + 0.5];
  const parts: string[] = [];

  parts.push(...logPanel(COLUMNS[0], ROWS[0], 'Activation std per layer (log)', 'std of the layer\'s output', layers, xRange,
    runs.map((r) => ({ name: r.scheme.name, values: r.blocks.map((b) => b.std) }))));

  const relu = activation === 'relu';
  const unitsPlot = new PlotArea(COLUMNS[1], ROWS[0], PANEL.width, PANEL.height, xRange, [0, 100]);
  unitsPlot.title(relu ? 'Dead ReLU units per layer' : 'Saturated tanh values per layer')
    .axes('layer', '', layers, [0, 20, 40, 60, 80, 100]);
  for (const r of runs) unitsPlot.line(layers, r.blocks.map((b) => 100 * b.deadOrSaturated), COLORS[r.scheme.name], 2);
  for (const r of runs) r.blocks.forEach((b, i) => unitsPlot.dot(layers[i], 100 * b.deadOrSaturated, COLORS[r.scheme.name], 2.5));
  parts.push(...unitsPlot.parts, yTitle(unitsPlot, relu ? '% of units' : '% of values |y| > 0.99'));
  // With biases 0, every initialisation scales the same standard normal draws, and a positive
  // scale changes no sign: the same ReLU units are dead under all four (docs/experiments.md).
  // The four lines are then drawn on top of each other, and only the last colour shows.
  const fractions = runs.map((r) => r.blocks.map((b) => b.deadOrSaturated).join(' '));
  if (relu && runs.length > 1 && fractions.every((f) => f === fractions[0])) {
    const last = runs[runs.length - 1].scheme.name;
    const note = `The four lines coincide (${last[0].toUpperCase()}${last.slice(1)}'s, drawn last, hides the others): all four scale the same draws and the biases are zero, so no sign changes and the same units are dead.`;
    parts.push(panelNote(unitsPlot, note));
  }

  parts.push(...logPanel(COLUMNS[0], ROWS[1], 'Weight gradient per layer (log)', '‖∂L/∂W‖', layers, xRange,
    runs.map((r) => ({ name: r.scheme.name, values: r.blocks.map((b) => b.weightGradNorm) }))));

  const keyTop = ROWS[1] + 40;
  parts.push(`<text x="${COLUMNS[1]}" y="${keyTop}" font-size="14" font-weight="bold">Initial weights W</text>`);
  parts.push(legend(COLUMNS[1], keyTop + 26, runs.map((r) => ({ label: r.scheme.description, color: COLORS[r.scheme.name], kind: 'line' as const }))));
  parts.push(`<text x="${COLUMNS[1]}" y="${keyTop + 26 + 18 * runs.length + 12}" fill="#444">biases 0; ${SAMPLES} inputs, targets N(0, 1)</text>`);

  const title = `${LAYERS} layers of Linear(${WIDTH}→${WIDTH}) + ${activation}, one forward and backward pass (seed ${seed})`;
  const heading = `<text x="${FIGURE.width / 2}" y="26" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`;
  return svgDocument(FIGURE.width, FIGURE.height, [heading, `<g font-size="${FONT_SIZE}">`, ...parts, '</g>']);
}

/**
 * The y axis title of a panel, rotated, 56 px left of the plot area: PlotArea.axes puts its own
 * 44 px left, where the 13 px tick labels of a log axis (`1e-10`) would run into it, so the
 * panels give axes an empty title and draw theirs with this.
 */
function yTitle(plot: PlotArea, text: string): string {
  const x = plot.left - 56, y = plot.top + plot.height / 2;
  return `<text x="${num(x)}" y="${num(y)}" text-anchor="middle" transform="rotate(-90 ${num(x)} ${num(y)})">${escapeXml(text)}</text>`;
}

/** A short note in the upper part of a panel, wrapped to its width (12 px, dark grey on white over the grid). */
function panelNote(plot: PlotArea, text: string): string {
  const lines = wrapWords(text, 40);
  const box = `<rect x="${num(plot.left + 4)}" y="${num(plot.top + 5)}" width="${num(plot.width - 8)}" height="${num(15 * lines.length + 8)}" fill="white"/>`;
  return box + lines
    .map((line, i) => `<text x="${num(plot.left + 10)}" y="${num(plot.top + 20 + 15 * i)}" font-size="12" fill="#333">${escapeXml(line)}</text>`)
    .join('');
}

/** A power of ten as a tick label: `1` for 10⁰, else `1e<p>` (`1e-3`, `1e6`). */
function powerLabel(p: number): string {
  return p === 0 ? '1' : `1e${p}`;
}

/**
 * A panel with a log-scale y axis, one line with dots per series. The axis runs from the
 * smallest to the largest positive value with 5 % of its span as headroom on each side (never
 * less than the powers of ten around them), so a line at the largest value stays off the frame;
 * the labelled powers of ten are the multiples of a step of 1, 2, 3… decades (at most about 8
 * labels), so 1 (10⁰) is labelled whenever the axis covers it. A value of 0 is drawn at the
 * bottom.
 */
function logPanel(left: number, top: number, title: string, yTitleText: string, layers: number[], xRange: [number, number],
  series: { name: string; values: number[] }[]): string[] {
  const logs = series.flatMap((s) => s.values.filter((v) => Number.isFinite(v) && v > 0).map(Math.log10));
  const minLog = logs.length > 0 ? Math.min(...logs) : -1;
  const maxLog = logs.length > 0 ? Math.max(...logs) : 0;
  const lo = Math.floor(minLog);
  const hi = Math.max(lo + 1, Math.ceil(maxLog));
  const pad = 0.05 * (hi - lo);
  const yRange: [number, number] = [Math.min(lo, minLog - pad), Math.max(hi, maxLog + pad)];
  const step = Math.max(1, Math.ceil((hi - lo) / 8)); //                        at most about 8 labelled powers
  const powers: number[] = [];
  for (let p = Math.ceil(yRange[0] / step) * step; p <= yRange[1]; p += step) powers.push(p);
  const plot = new PlotArea(left, top, PANEL.width, PANEL.height, xRange, yRange);
  plot.title(title).axes('layer', '', layers, powers, powerLabel);
  for (const s of series) {
    const ys = s.values.map((v) => (Number.isFinite(v) && v > 0 ? Math.log10(v) : yRange[0])); // 0 drawn at the bottom
    plot.line(layers, ys, COLORS[s.name], 2);
    ys.forEach((y, i) => plot.dot(layers[i], y, COLORS[s.name], 2.5));
  }
  return [...plot.parts, yTitle(plot, yTitleText)];
}
