/**
 * The character-level language model's figures, as SVG text (deterministic: the same numbers
 * give the same bytes; `svgToPng` in ../figures/png.ts renders them):
 *
 * - `lossCurveFigure`: training and validation loss per epoch, in bits per character, one colour
 *   per model (solid: training, dashed: validation);
 * - `attentionFigure`: the attention weights of each head of one block for one sentence, a
 *   T × T grid per head with the sentence's characters on both axes.
 */
import { PlotArea, escapeXml, niceTicks, num, svgDocument, tickLabel, wrapWords } from '../figures/svg';
import { HeadWeights } from './attention-weights';

/** One model's curve. */
export interface LossCurve {
  /** The name in the legend, e.g. `LSTM`. */
  label: string;
  trainBits: number[];
  validationBits: number[];
}

const COLORS = ['#2166ac', '#b2182b', '#1b7837'];

/** Training and validation bits per character against the epoch, for one or more models. */
export function lossCurveFigure(title: string, curves: LossCurve[], note: string): string {
  const epochs = Math.max(...curves.map((c) => c.trainBits.length));
  const values = curves.flatMap((c) => [...c.trainBits, ...c.validationBits]);
  const lo = Math.min(...values), hi = Math.max(...values);
  const pad = Math.max((hi - lo) * 0.05, 0.05);
  const yTicks = niceTicks(lo - pad, hi + pad, 6);
  const yRange: [number, number] = [Math.min(yTicks[0], lo - pad), Math.max(yTicks[yTicks.length - 1], hi + pad)];
  const xRange: [number, number] = epochs > 1 ? [1, epochs] : [0.5, 1.5];
  const xTicks = epochs > 1 ? niceTicks(1, epochs, Math.min(epochs - 1, 10)).filter((t) => Number.isInteger(t)) : [1];
  const plot = new PlotArea(80, 50, 520, 320, xRange, yRange);
  plot.title(title).axes('epoch', 'loss (bits per character)', xTicks, yTicks, (t) => tickLabel(t, yTicks));
  const parts = plot.parts;
  const xs = Array.from({ length: epochs }, (_, i) => i + 1);
  curves.forEach((curve, k) => {
    const color = COLORS[k % COLORS.length];
    for (const [ys, dash] of [[curve.trainBits, ''], [curve.validationBits, '7 5']] as const) {
      const points = ys.map((y, i) => `${num(plot.x(xs[i]))},${num(plot.y(y))}`).join(' ');
      parts.push(`<polyline points="${points}" fill="none" stroke="${color}" stroke-width="2.2" stroke-linejoin="round"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
      ys.forEach((y, i) => parts.push(`<circle cx="${num(plot.x(xs[i]))}" cy="${num(plot.y(y))}" r="2.6" fill="${dash ? 'white' : color}" stroke="${color}" stroke-width="1.4"/>`));
    }
  });
  // Legend: one row per model and kind of loss, with the last value.
  const legendX = 625;
  let y = 70;
  curves.forEach((curve, k) => {
    const color = COLORS[k % COLORS.length];
    for (const [ys, dash, kind] of [[curve.trainBits, '', 'training'], [curve.validationBits, '7 5', 'validation']] as const) {
      parts.push(`<line x1="${legendX}" y1="${y}" x2="${legendX + 28}" y2="${y}" stroke="${color}" stroke-width="2.2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
      parts.push(`<text x="${legendX + 36}" y="${y + 4}">${escapeXml(`${curve.label}, ${kind}: ${ys[ys.length - 1].toFixed(3)}`)}</text>`);
      y += 20;
    }
    y += 8;
  });
  parts.push(`<text x="${legendX}" y="${y + 8}" font-size="11" fill="#444">(the last epoch's values)</text>`);
  const caption = wrapWords(note, 110).map((line, i) => `<text x="440" y="${422 + 17 * i}" text-anchor="middle" font-size="12.5">${escapeXml(line)}</text>`);
  return svgDocument(880, 430 + 17 * caption.length, [...parts, ...caption]);
}

/** White (0) to dark blue (1). */
function weightColor(w: number): string {
  const t = Math.min(1, Math.max(0, w));
  const from = [255, 255, 255], to = [8, 48, 107];
  const [r, g, b] = from.map((f, k) => Math.round(f + (to[k] - f) * t));
  return `rgb(${r},${g},${b})`;
}

/** A character as an axis label: a space shown as ␣. */
function charLabel(c: string): string {
  return c === ' ' ? '␣' : escapeXml(c);
}

/**
 * Where a label's baseline goes, in em below the middle of its row: 0.30 em centres the
 * letters (in DejaVu Sans the x-height is 0.55 em, capitals 0.73 em), while ␣ is drawn from
 * 0.10 em above its baseline to 0.23 em below it, so its baseline goes 0.34 em higher to put it
 * at the height of the letters around it (measured on the rendered glyphs).
 */
function baselineBelowMiddle(c: string): number {
  return c === ' ' ? 0.30 - 0.34 : 0.30;
}

/** Pixel sizes of the attention figure's text. */
const ATTENTION_FONT = { title: 22, head: 20, note: 17, caption: 18, scale: 16 };

/**
 * One T × T panel per head (two per row): cell (i, j) is how much position i (the row, the
 * character whose next one is being predicted) attends to position j (the column); positions
 * after i are masked (grey). The cells are 16 px for a sentence of up to 54 characters (fewer
 * for a longer one, never under 6 px), and each character labels its row and its column in a
 * font 1 px smaller than a cell, centred on it.
 */
export function attentionFigure(title: string, heads: HeadWeights, note: string): string {
  const T = heads.chars.length, H = heads.weights.length;
  const cell = Math.max(6, Math.min(16, Math.floor(864 / T)));
  const side = cell * T;
  const columns = Math.min(2, H), rows = Math.ceil(H / columns);
  const margin = { left: 90, top: 100, gapX: 96, gapY: 116, right: 160 };
  const width = margin.left + columns * side + (columns - 1) * margin.gapX + margin.right;
  const F = ATTENTION_FONT;
  const parts: string[] = [];
  parts.push(`<text x="${num((width - margin.right) / 2 + margin.left / 2)}" y="36" text-anchor="middle" font-size="${F.title}" font-weight="bold">${escapeXml(title)}</text>`);
  const fontSize = cell - 1;
  heads.weights.forEach((w, h) => {
    const left = margin.left + (h % columns) * (side + margin.gapX);
    const top = margin.top + Math.floor(h / columns) * (side + margin.gapY);
    parts.push(`<text x="${num(left + side / 2)}" y="${num(top - fontSize - 16)}" text-anchor="middle" font-size="${F.head}" font-weight="bold">head ${h + 1}</text>`);
    for (let i = 0; i < T; i++) {
      for (let j = 0; j < T; j++) {
        const fill = j > i ? '#e8e8e8' : weightColor(w[i][j]);
        parts.push(`<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="${fill}"/>`);
      }
    }
    parts.push(`<rect x="${left}" y="${top}" width="${side}" height="${side}" fill="none" stroke="#555"/>`);
    // Row labels centred on their rows; column labels above the frame, their letters'
    // descenders (0.23 em) clear of it, ␣ raised as in the rows.
    const columnBaseline = top - 0.3 * fontSize - 4;
    heads.chars.forEach((c, k) => {
      const rowBaseline = top + k * cell + cell / 2 + baselineBelowMiddle(c) * fontSize;
      parts.push(`<text x="${num(left - 5)}" y="${num(rowBaseline)}" text-anchor="end" font-size="${fontSize}">${charLabel(c)}</text>`);
      const raise = (0.30 - baselineBelowMiddle(c)) * fontSize;
      parts.push(`<text x="${num(left + k * cell + cell / 2)}" y="${num(columnBaseline - raise)}" text-anchor="middle" font-size="${fontSize}">${charLabel(c)}</text>`);
    });
    parts.push(`<text x="${num(left + side / 2)}" y="${num(top + side + 26)}" text-anchor="middle" font-size="${F.note}" fill="#444">column j: the position attended to</text>`);
    const yMid = top + side / 2, noteX = left - fontSize - 30;
    parts.push(`<text x="${num(noteX)}" y="${num(yMid)}" text-anchor="middle" font-size="${F.note}" fill="#444" transform="rotate(-90 ${num(noteX)} ${num(yMid)})">row i: the position attending (it predicts character i + 1)</text>`);
  });
  // Colour scale.
  const scaleX = margin.left + columns * side + (columns - 1) * margin.gapX + 44, scaleTop = margin.top, scaleHeight = 240;
  for (let k = 0; k < 50; k++) {
    parts.push(`<rect x="${scaleX}" y="${num(scaleTop + (k * scaleHeight) / 50)}" width="20" height="${num(scaleHeight / 50 + 0.5)}" fill="${weightColor(1 - k / 49)}"/>`);
  }
  parts.push(`<rect x="${scaleX}" y="${scaleTop}" width="20" height="${scaleHeight}" fill="none" stroke="#555"/>`);
  for (const v of [1, 0.5, 0]) parts.push(`<text x="${scaleX + 27}" y="${num(scaleTop + (1 - v) * scaleHeight + 5)}" font-size="${F.scale}">${v}</text>`);
  parts.push(`<rect x="${scaleX}" y="${scaleTop + scaleHeight + 24}" width="20" height="20" fill="#e8e8e8" stroke="#555"/>`);
  parts.push(`<text x="${scaleX + 27}" y="${scaleTop + scaleHeight + 39}" font-size="${F.scale}">masked</text>`);
  const bottom = margin.top + rows * side + (rows - 1) * margin.gapY + 62;
  const caption = wrapWords(note, Math.floor(width / 10.5)).map((line, i) => `<text x="${num(width / 2)}" y="${bottom + 24 * i}" text-anchor="middle" font-size="${F.caption}">${escapeXml(line)}</text>`);
  return svgDocument(width, bottom + 24 * caption.length + 8, [...parts, ...caption]);
}
