/**
 * The disk experiment's figures, as SVG text:
 *
 * - `curvesFigure`: training loss and test error per epoch, mean over the rounds with a
 *   min–max band;
 * - `datasetFigure`: the training points coloured by class, with the true circle;
 * - `decisionMapFigure`: a trained network's output over the unit square as a colour field,
 *   the circle, the test points and the misclassified ones marked.
 *
 * `svgToPng` (./png.ts) turns any of them into a PNG for a report.
 */
import { DISK_CENTER, DISK_RADIUS, FeatureStats, NeuralNet, Tensor, applyStandardization } from '../../lib';
import { unitSquareGrid } from './grid';
import { rasterToPngDataUri } from './png';
import { PlotArea, legend, niceTicks, num, svgDocument, wrapWords } from './svg';

const BLUE = '#2166ac';
const RED = '#b2182b';
const CLASS_COLORS = ['#4393c3', '#d6604d'];

/** Per-epoch curves of one round, as written to curves.json. */
export interface RoundCurves {
  loss: number[];
  testError: number[];
}

function columnStats(rows: number[][]): { mean: number[]; min: number[]; max: number[] } {
  const length = Math.min(...rows.map((r) => r.length));
  const mean: number[] = [], min: number[] = [], max: number[] = [];
  for (let e = 0; e < length; e++) {
    const values = rows.map((r) => r[e]);
    mean.push(values.reduce((a, b) => a + b, 0) / values.length);
    min.push(Math.min(...values));
    max.push(Math.max(...values));
  }
  return { mean, min, max };
}

/** Training loss (log scale) and test error (%) per epoch: mean over rounds, band from min to max. */
export function curvesFigure(title: string, rounds: RoundCurves[]): string {
  const width = 900;
  const loss = columnStats(rounds.map((r) => r.loss));
  const error = columnStats(rounds.map((r) => r.testError.map((e) => 100 * e)));
  const epochs = loss.mean.map((_, i) => i + 1);
  const xRange: [number, number] = [0, epochs.length];
  const xTicks = niceTicks(0, epochs.length, 6);

  // Loss on a log scale: plot log10(loss), label ticks with the loss values.
  const log = (v: number): number => Math.log10(Math.max(v, 1e-12));
  const lo = Math.floor(log(Math.min(...loss.min))), hi = Math.ceil(log(Math.max(...loss.max)));
  const lossPlot = new PlotArea(70, 50, 340, 260, xRange, [lo, hi]);
  const powers: number[] = [];
  for (let p = lo; p <= hi; p++) powers.push(p);
  lossPlot.title('Training loss (log scale)').axes('epoch', 'loss', xTicks, powers, formatPower);
  lossPlot.band(epochs, loss.min.map(log), loss.max.map(log), BLUE).line(epochs, loss.mean.map(log), BLUE);

  const errorTop = Math.max(5, Math.ceil(Math.max(...error.max.slice(Math.min(5, error.max.length - 1)))));
  const errorPlot = new PlotArea(520, 50, 340, 260, xRange, [0, errorTop]);
  const clip = (v: number): number => Math.min(v, errorTop);
  const clipped = Math.max(...error.max) > errorTop;
  errorPlot.title(clipped ? `Test error (axis cut at ${errorTop} %)` : 'Test error').axes('epoch', 'test error (%)', xTicks, niceTicks(0, errorTop, 5));
  errorPlot.band(epochs, error.min.map(clip), error.max.map(clip), RED).line(epochs, error.mean.map(clip), RED);

  const summary = `mean over ${rounds.length} round${rounds.length === 1 ? '' : 's'}, band: min to max; final test error ${error.mean[error.mean.length - 1].toFixed(2)} %`;
  const lines = wrapWords(`${title} — ${summary}`, 115);
  const height = 378 + 18 * lines.length;
  const caption = lines
    .map((line, i) => `<text x="${width / 2}" y="${376 + 18 * i}" text-anchor="middle" font-size="13">${escape(line)}</text>`)
    .join('');
  return svgDocument(width, height, [...lossPlot.parts, ...errorPlot.parts, caption]);
}

function formatPower(p: number): string {
  return p >= 0 ? String(10 ** p) : (10 ** p).toFixed(-p);
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The points of a data set in the unit square, coloured by class, with the true circle. */
export function datasetFigure(title: string, inputs: Tensor, labels: Int32Array): string {
  const plot = new PlotArea(60, 40, 400, 400, [0, 1], [0, 1]);
  plot.title(title).axes('x₁', 'x₂');
  for (let i = 0; i < labels.length; i++) plot.dot(inputs.data[2 * i], inputs.data[2 * i + 1], CLASS_COLORS[labels[i]]);
  plot.circle(DISK_CENTER[0], DISK_CENTER[1], DISK_RADIUS, '#222', 2);
  const key = legend(480, 60, [
    { label: 'label 1 (inside)', color: CLASS_COLORS[1], kind: 'dot' },
    { label: 'label 0 (outside)', color: CLASS_COLORS[0], kind: 'dot' },
    { label: 'disk r = 1/√(2π)', color: '#222', kind: 'circle' },
  ]);
  return svgDocument(640, 490, [...plot.parts, key]);
}

/**
 * How sure the network is that a point is inside the disk, in [0, 1], consistent with the
 * trainer's classification rule (so 0.5 is exactly the decision boundary): for two outputs
 * (one-hot targets) (o₁ − o₀ + 1)/2, clipped; for one output, the output clipped to [0, 1]
 * (or its sigmoid when the loss works on logits).
 */
export function insideScore(output: Tensor, logits: boolean): Float64Array {
  const n = output.shape[0];
  const cols = output.size / n;
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = cols === 2
      ? (output.data[2 * i + 1] - output.data[2 * i] + 1) / 2
      : logits ? 1 / (1 + Math.exp(-output.data[i])) : output.data[i];
    score[i] = Math.min(1, Math.max(0, s));
  }
  return score;
}

/** Blue (0) → light grey (0.5) → red (1). */
export function divergingColor(t: number): [number, number, number] {
  const stops: Array<[number, number, number]> = [[33, 102, 172], [247, 247, 247], [178, 24, 43]];
  const u = Math.min(1, Math.max(0, t)) * 2;
  const [a, b] = u <= 1 ? [stops[0], stops[1]] : [stops[1], stops[2]];
  const f = u <= 1 ? u : u - 1;
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as [number, number, number];
}

/** The dash pattern of the true circle on the decision map: 6 px drawn, 4 px gap. */
const TRUE_CIRCLE_DASH = '6 4';

/**
 * The legend line of the true circle, laid out like those of `legend` (../figures/svg.ts: entries
 * 18 px apart, the label 24 px right of `x`), its mark a ring dashed like the circle on the map:
 * radius 20/π ≈ 6.37 px, a circumference of 40 px that holds the pattern `6 4` four times.
 */
function trueCircleLegendEntry(x: number, y: number): string {
  return `<circle cx="${num(x + 9)}" cy="${num(y)}" r="${num(20 / Math.PI)}" fill="none" stroke="#111" stroke-width="2" stroke-dasharray="${TRUE_CIRCLE_DASH}"/>` +
    `<text x="${num(x + 24)}" y="${num(y + 4)}">true circle</text>`;
}

/**
 * The trained network's output over the unit square (a `resolution`² grid, inputs standardized
 * with the training statistics), the true circle, the test points, and the misclassified
 * test points marked with a cross.
 */
export function decisionMapFigure(
  title: string,
  net: NeuralNet,
  stats: FeatureStats,
  test: { inputs: Tensor; labels: Int32Array },
  logits: boolean,
  resolution = 200,
): string {
  const grid = unitSquareGrid(resolution);
  const score = insideScore(net.predict(applyStandardization(grid, stats)), logits);
  const rgba = new Uint8Array(resolution * resolution * 4);
  score.forEach((s, k) => {
    const [r, g, b] = divergingColor(s);
    rgba.set([r, g, b, 255], 4 * k);
  });

  const plot = new PlotArea(60, 40, 400, 400, [0, 1], [0, 1]);
  plot.image(rasterToPngDataUri(rgba, resolution, resolution), 0, 1, 0, 1);
  const ticks = niceTicks(0, 1);
  plot.title(title).axes('x₁', 'x₂', ticks, ticks, (t) => t.toFixed(1), false);
  plot.circle(DISK_CENTER[0], DISK_CENTER[1], DISK_RADIUS, '#111', 2, TRUE_CIRCLE_DASH);
  const predicted = net.classify(applyStandardization(test.inputs, stats));
  let wrong = 0;
  for (let i = 0; i < test.labels.length; i++) {
    plot.dot(test.inputs.data[2 * i], test.inputs.data[2 * i + 1], CLASS_COLORS[test.labels[i]], 1.8, '#333');
  }
  for (let i = 0; i < test.labels.length; i++) {
    if (predicted[i] !== test.labels[i]) {
      plot.cross(test.inputs.data[2 * i], test.inputs.data[2 * i + 1], '#000', 4.5);
      wrong++;
    }
  }
  const scale: string[] = [];
  for (let k = 0; k <= 20; k++) {
    const [r, g, b] = divergingColor(1 - k / 20);
    scale.push(`<rect x="485" y="${60 + k * 10}" width="18" height="10" fill="rgb(${r},${g},${b})"/>`);
  }
  scale.push('<text x="510" y="68">1: inside</text>', '<text x="510" y="168">0.5</text>', '<text x="510" y="268">0: outside</text>');
  const key = legend(485, 300, [
    { label: 'test point, label 1', color: CLASS_COLORS[1], kind: 'dot' },
    { label: 'test point, label 0', color: CLASS_COLORS[0], kind: 'dot' },
    { label: `misclassified (${wrong})`, color: '#000', kind: 'cross' },
  ]);
  return svgDocument(660, 490, [...plot.parts, ...scale, key, trueCircleLegendEntry(485, 300 + 3 * 18)]);
}
