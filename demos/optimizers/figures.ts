/**
 * The figures of `npm run optimizers`, as SVG text (`svgToPng` in ../figures/png.ts makes the
 * PNG of each):
 *
 * - `lossFigure`: the disk network's training loss per epoch, one line per optimizer, on a log
 *   scale, with the table's loss threshold as a dotted line;
 * - `trajectoriesFigure`: on the left, each optimizer's path over Rosenbrock's surface, drawn
 *   over its contour lines (shaded darker where f is higher), from the common start to the
 *   minimum; on the right, f along each path, per step, on a log scale.
 *
 * Both have a legend under the plots, two columns of name, line and settings; dashed lines are
 * variants of a solid one (see contenders.ts). Every coordinate is printed with fixed precision,
 * so the same numbers give the same bytes.
 */
import { rasterToPngDataUri } from '../figures/png';
import { PlotArea, escapeXml, niceTicks, num, svgDocument } from '../figures/svg';
import { Contender } from './contenders';
import { contourSegments, sampleGrid } from './contours';
import { DiskRaceResult, LOSS_THRESHOLD } from './disk-race';
import { rosenbrock } from './rosenbrock';
import { SURFACE, SurfaceRaceResult } from './surface-race';

/** The smallest value a log-scale axis shows (a loss or f of 0 would be −∞). */
const LOG_FLOOR = 1e-12;

const log10 = (v: number): number => Math.log10(Math.max(v, LOG_FLOOR));

/** A power of ten as a tick label: 100, 1, 0.01, or 1e-6 below 0.0001. */
function powerLabel(p: number): string {
  if (p >= 0) return String(10 ** p);
  return p >= -4 ? (10 ** p).toFixed(-p) : `1e${p}`;
}

/** The integer powers of ten from lo to hi. */
function powers(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let p = lo; p <= hi; p++) out.push(p);
  return out;
}

/** Light grid lines at 2·10ᵖ … 9·10ᵖ between the labelled powers of a log10 axis (drawn first, under everything). */
function minorLogGrid(plot: PlotArea, lo: number, hi: number): void {
  for (let p = lo; p < hi; p++) {
    for (let m = 2; m <= 9; m++) {
      const y = plot.y(p + Math.log10(m));
      plot.parts.push(`<line x1="${num(plot.left)}" y1="${num(y)}" x2="${num(plot.left + plot.width)}" y2="${num(y)}" stroke="#f2f2f2"/>`);
    }
  }
}

/** Text with a white outline, readable over lines and shading (bold unless `bold` is false). */
function haloText(x: number, y: number, anchor: 'start' | 'middle' | 'end', text: string, bold = true): string {
  return `<text x="${num(x)}" y="${num(y)}" text-anchor="${anchor}"${bold ? ' font-weight="bold"' : ''} stroke="white" stroke-width="3" paint-order="stroke">${escapeXml(text)}</text>`;
}

/** A polyline through (xs[i], ys[i]) in the contender's colour, dashed for a variant. */
function contenderLine(plot: PlotArea, xs: number[], ys: number[], contender: Contender, width = 2): void {
  const points = xs.map((x, i) => `${num(plot.x(x))},${num(plot.y(ys[i]))}`).join(' ');
  const dash = contender.dashed ? ' stroke-dasharray="7 4"' : '';
  plot.parts.push(`<polyline points="${points}" fill="none" stroke="${contender.color}" stroke-width="${width}" stroke-linejoin="round"${dash}/>`);
}

/** A horizontal dotted line at data height `y`, with a label above it at the plot's left or right end. */
function thresholdLine(plot: PlotArea, y: number, label: string, side: 'left' | 'right'): void {
  const py = plot.y(y);
  plot.parts.push(`<line x1="${num(plot.left)}" y1="${num(py)}" x2="${num(plot.left + plot.width)}" y2="${num(py)}" stroke="#444" stroke-width="1.2" stroke-dasharray="2 3"/>`);
  const x = side === 'left' ? plot.left + 6 : plot.left + plot.width - 6;
  plot.parts.push(`<text x="${num(x)}" y="${num(py - 5)}" text-anchor="${side === 'left' ? 'start' : 'end'}" fill="#444">${escapeXml(label)}</text>`);
}

/** One legend entry: a contender, the settings it used, and a note (e.g. `diverged`). */
interface LegendItem {
  contender: Contender;
  settings: string;
}

/**
 * The legend under the plots: entries in two columns, each a line swatch (dashed for a
 * variant), the name in bold and the settings after it. Returns the SVG and its height.
 */
function legendBlock(x: number, y: number, columnWidth: number, items: LegendItem[]): { svg: string; height: number } {
  const rows = Math.ceil(items.length / 2);
  const parts = items.map((item, k) => {
    const column = k < rows ? 0 : 1;
    const lx = x + column * columnWidth;
    const ly = y + (k % rows) * 22;
    const dash = item.contender.dashed ? ' stroke-dasharray="7 4"' : '';
    return `<line x1="${num(lx)}" y1="${num(ly)}" x2="${num(lx + 30)}" y2="${num(ly)}" stroke="${item.contender.color}" stroke-width="3"${dash}/>` +
      `<text x="${num(lx + 38)}" y="${num(ly + 4)}"><tspan font-weight="bold">${escapeXml(item.contender.name)}</tspan>` +
      `<tspan fill="#444">  ${escapeXml(item.settings)}</tspan></text>`;
  });
  return { svg: parts.join('\n'), height: rows * 22 };
}

/** A legend of one column: a line swatch (dashed for a variant), the name in bold and a note, 24 px apart. */
function legendColumn(x: number, y: number, items: Array<{ contender: Contender; note: string }>): string {
  return items.map((item, k) => {
    const ly = y + k * 24;
    const dash = item.contender.dashed ? ' stroke-dasharray="7 4"' : '';
    return `<line x1="${num(x)}" y1="${num(ly)}" x2="${num(x + 30)}" y2="${num(ly)}" stroke="${item.contender.color}" stroke-width="3"${dash}/>` +
      `<text x="${num(x + 38)}" y="${num(ly + 4)}"><tspan font-weight="bold">${escapeXml(item.contender.name)}</tspan>` +
      (item.note === '' ? '' : `<tspan fill="#444">  ${escapeXml(item.note)}</tspan>`) + '</text>';
  }).join('\n');
}

/** Centred lines of text (a caption) from height y on, 17 px apart. */
function caption(width: number, y: number, lines: string[]): string {
  return lines.map((line, i) => `<text x="${num(width / 2)}" y="${num(y + 17 * i)}" text-anchor="middle" fill="#333">${escapeXml(line)}</text>`).join('\n');
}

/**
 * The disk network's training loss per epoch, one line per contender, log scale; the dotted
 * line is LOSS_THRESHOLD. `seed` and the number of epochs go into the caption.
 */
export function lossFigure(results: DiskRaceResult[], seed: string): string {
  const width = 1040;
  const epochs = Math.max(...results.map((r) => r.loss.length));
  const all = results.flatMap((r) => r.loss);
  const lo = Math.min(Math.floor(log10(Math.min(...all))), Math.floor(log10(LOSS_THRESHOLD)));
  const hi = Math.ceil(log10(Math.max(...all)));
  const plot = new PlotArea(90, 50, 900, 380, [0, epochs], [lo, hi]);
  minorLogGrid(plot, lo, hi);
  plot.title('Disk task: training loss per epoch (log scale)')
    .axes('epoch', 'training loss (MSE, mean over the epoch)', niceTicks(0, epochs, 8), powers(lo, hi), powerLabel);
  thresholdLine(plot, log10(LOSS_THRESHOLD), `loss ${LOSS_THRESHOLD} (the table's threshold)`, 'right');
  const xs = Array.from({ length: epochs }, (_, i) => i + 1);
  for (const r of results) contenderLine(plot, xs.slice(0, r.loss.length), r.loss.map(log10), r.contender, 1.6);
  const legend = legendBlock(70, 500, 470, results.map((r) => ({ contender: r.contender, settings: r.contender.disk.settings })));
  const lines = [
    `Network 2-25-25-25-2 ReLU, MSE on one-hot targets, batches of 100, ${epochs} epochs, seed ${seed}.`,
    'Every optimizer starts from the same weights and sees the batches in the same order.',
    'Dashed: a variant of a solid line (Nesterov and the schedule of SGD + momentum, AdamW of Adam).',
  ];
  const captionTop = 500 + legend.height + 14;
  return svgDocument(width, captionTop + 17 * lines.length + 4, [...plot.parts, legend.svg, caption(width, captionTop, lines)]);
}

/** The visible part of the surface: a square region, so that x and y have the same scale. */
const VIEW = { x: [-1.5, 1.5] as [number, number], y: [-0.5, 2.5] as [number, number] };

/** The contour levels drawn: about two per decade. */
const LEVELS = [0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000];

/** The side of one panel of the surface, in pixels; the shaded background has one pixel per pixel. */
const PANEL = 200;

/** Cells per side of the grid the contours are traced on. */
const CONTOUR_CELLS = 100;

/**
 * Rosenbrock's surface over VIEW shaded in bands between the contour levels, from white
 * (f < 0.1) to a light blue-grey (f > 1000), as a PNG data URI for an SVG image (row 0 is the
 * top, y = VIEW.y[1]).
 */
function shadedSurface(): string {
  const rgba = new Uint8Array(PANEL * PANEL * 4);
  for (let row = 0; row < PANEL; row++) {
    const y = VIEW.y[1] - ((row + 0.5) / PANEL) * (VIEW.y[1] - VIEW.y[0]);
    for (let col = 0; col < PANEL; col++) {
      const x = VIEW.x[0] + ((col + 0.5) / PANEL) * (VIEW.x[1] - VIEW.x[0]);
      const f = rosenbrock(x, y, SURFACE.a, SURFACE.b);
      const t = LEVELS.filter((level) => f >= level).length / LEVELS.length; // the band, 0 (lowest) to 1
      rgba.set([Math.round(255 - 52 * t), Math.round(255 - 48 * t), Math.round(255 - 36 * t), 255], 4 * (row * PANEL + col));
    }
  }
  return rasterToPngDataUri(rgba, PANEL, PANEL);
}

/**
 * The surface as drawn under every path, in a panel's own coordinates (`local`: a PlotArea at
 * 0, 0): the shading and the contour lines of LEVELS, one SVG path per level. Defined once in
 * the document (`<defs>`) and placed in each panel by `<use>`.
 */
function surfaceDefinition(local: PlotArea): string {
  const grid = sampleGrid((x, y) => rosenbrock(x, y, SURFACE.a, SURFACE.b), VIEW.x, VIEW.y, CONTOUR_CELLS, CONTOUR_CELLS);
  const contours = LEVELS.map((level) => {
    const d = contourSegments(grid, level)
      .map(([x1, y1, x2, y2]) => `M${num(local.x(x1))},${num(local.y(y1))}L${num(local.x(x2))},${num(local.y(y2))}`)
      .join('');
    return `<path d="${d}" fill="none" stroke="#8a8a8a" stroke-width="0.7"/>`;
  });
  return [
    '<defs>',
    `<clipPath id="surface-view"><rect x="0" y="0" width="${PANEL}" height="${PANEL}"/></clipPath>`,
    '<g id="rosenbrock-surface">',
    `<image x="0" y="0" width="${PANEL}" height="${PANEL}" preserveAspectRatio="none" href="${shadedSurface()}"/>`,
    ...contours,
    '</g>',
    '</defs>',
  ].join('\n');
}

/**
 * One contender's panel at (left, top): the surface, the path (clipped to the view), the start,
 * the minimum, the end point and the value of f there, under a title with the name and settings;
 * the y axis is named in the first panel of a row only.
 */
function pathPanel(r: SurfaceRaceResult, left: number, top: number, yTitle: boolean): string {
  const local = new PlotArea(0, 0, PANEL, PANEL, VIEW.x, VIEW.y);
  local.parts.push('<use href="#rosenbrock-surface"/>');
  local.axes('x', yTitle ? 'y' : '', [-1, 0, 1], [0, 1, 2], (t) => t.toFixed(0), false);
  local.parts.push('<g clip-path="url(#surface-view)">');
  contenderLine(local, r.path.map((p) => p[0]), r.path.map((p) => p[1]), r.contender, 1.8);
  const [ex, ey] = r.path[r.path.length - 1];
  local.parts.push(`<circle cx="${num(local.x(ex))}" cy="${num(local.y(ey))}" r="4" fill="${r.contender.color}" stroke="white" stroke-width="1"/>`);
  local.parts.push('</g>');
  const [sx, sy] = SURFACE.start;
  local.parts.push(`<circle cx="${num(local.x(sx))}" cy="${num(local.y(sy))}" r="4.5" fill="white" stroke="#000" stroke-width="1.8"/>`);
  local.cross(SURFACE.a, SURFACE.a * SURFACE.a, '#000', 5);
  const end = r.diverged ? 'diverged' : `f = ${sciShort(r.values[r.values.length - 1])} at the end`;
  local.parts.push(haloText(PANEL - 6, PANEL - 8, 'end', end, false));
  const title = [
    `<text x="${num(PANEL / 2)}" y="-24" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(r.contender.name)}</text>`,
    `<text x="${num(PANEL / 2)}" y="-9" text-anchor="middle" font-size="11" fill="#333">${escapeXml(r.contender.surface.settings)}</text>`,
  ];
  return [`<g transform="translate(${num(left)},${num(top)})">`, ...title, ...local.parts, '</g>'].join('\n');
}

/** 0.0000251 → `2.5e-5`, 0.45 → `0.45`: two significant digits. */
function sciShort(x: number): string {
  return x >= 0.01 ? x.toPrecision(2) : x.toExponential(1).replace('e+', 'e');
}

/**
 * Each contender's path over Rosenbrock's surface, one panel each with the same start (open
 * circle) and the minimum (×): the SGD family on the first row, the adaptive methods on the
 * second; under them, f along every path per step (log scale, the dotted line at
 * SURFACE.target). The paths are clipped to the visible square.
 */
export function trajectoriesFigure(results: SurfaceRaceResult[], steps: number): string {
  const width = 1040;
  const [sx, sy] = SURFACE.start;
  const parts = [
    surfaceDefinition(new PlotArea(0, 0, PANEL, PANEL, VIEW.x, VIEW.y)),
    `<text x="${num(width / 2)}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(`Rosenbrock's surface: ${steps} steps of each optimizer from (${sx}, ${sy}) (○) towards the minimum (1, 1) (×)`)}</text>`,
  ];
  // The panels: four per row, in the order of CONTENDERS' families (SGD's first).
  const family = (r: SurfaceRaceResult): number => (['SGD', 'SGD + momentum', 'Nesterov', 'momentum + cosine'].includes(r.contender.name) ? 0 : 1);
  const rows = [results.filter((r) => family(r) === 0), results.filter((r) => family(r) === 1)];
  const rowTops = [84, 380];
  rows.forEach((row, i) => row.forEach((r, k) => parts.push(pathPanel(r, 70 + 250 * k, rowTops[i], k === 0))));

  // f per step, log scale.
  const all = results.flatMap((r) => r.values);
  const lo = Math.min(Math.floor(log10(Math.min(...all))), Math.floor(log10(SURFACE.target)));
  const hi = Math.ceil(log10(Math.max(...all)));
  const curve = new PlotArea(90, 680, 560, 300, [0, steps], [lo, hi]);
  minorLogGrid(curve, lo, hi);
  curve.title('f along each path (log scale)').axes('step', 'f(x, y)', niceTicks(0, steps, 5), powers(lo, hi), powerLabel);
  thresholdLine(curve, log10(SURFACE.target), `f = ${SURFACE.target} (the table's threshold)`, 'left');
  for (const r of results) contenderLine(curve, r.values.map((_, t) => t), r.values.map(log10), r.contender, 1.8);
  parts.push(...curve.parts);
  parts.push(legendColumn(690, 700, results.map((r) => ({ contender: r.contender, note: r.diverged ? '(diverged)' : '' }))));

  const lines = [
    `f(x, y) = (1 − x)² + 100·(y − x²)², contours at f = ${LEVELS.join(', ')}; a dot marks where each path ends.`,
    'Across the valley along y = x² the surface is about 2500 times more curved than along its floor.',
    'Dashed: a variant of a solid line (Nesterov and the schedule of SGD + momentum, AdamW of Adam).',
  ];
  const captionTop = 1040;
  parts.push(caption(width, captionTop, lines));
  return svgDocument(width, captionTop + 17 * lines.length + 4, parts);
}
