/**
 * A few SVG building blocks for the experiment figures: a plot area with linear axes, nice
 * tick values, lines, min–max bands, points and labels. The output is plain SVG text,
 * deterministic for the same numbers (every coordinate is printed with fixed precision), so
 * figures can be diffed and compared byte for byte.
 */

/** A number for SVG coordinates: two decimals, no trailing zeros, never "-0". */
export function num(x: number): string {
  const s = x.toFixed(2).replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
}

/** Escapes text for SVG. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 times a power of ten). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** Tick label: no more digits than the tick step needs. */
export function tickLabel(value: number, ticks: number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : 1;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return value.toFixed(decimals);
}

/** A rectangular plot area mapping data coordinates to pixels. */
export class PlotArea {
  readonly parts: string[] = [];

  constructor(
    readonly left: number,
    readonly top: number,
    readonly width: number,
    readonly height: number,
    readonly xRange: [number, number],
    readonly yRange: [number, number],
  ) {}

  x(value: number): number {
    return this.left + ((value - this.xRange[0]) / (this.xRange[1] - this.xRange[0])) * this.width;
  }

  y(value: number): number {
    return this.top + this.height - ((value - this.yRange[0]) / (this.yRange[1] - this.yRange[0])) * this.height;
  }

  /** Frame, grid lines, tick labels and axis titles; `yLabel` can rewrite the y tick labels. */
  axes(
    xTitle: string, yTitle: string,
    xTicks = niceTicks(...this.xRange), yTicks = niceTicks(...this.yRange),
    yLabel: (tick: number) => string = (t) => tickLabel(t, yTicks),
    grid = true,
  ): this {
    const p = this.parts;
    const bottom = this.top + this.height;
    for (const t of yTicks) {
      if (grid) p.push(`<line x1="${num(this.left)}" y1="${num(this.y(t))}" x2="${num(this.left + this.width)}" y2="${num(this.y(t))}" stroke="#e4e4e4"/>`);
      else p.push(`<line x1="${num(this.left - 4)}" y1="${num(this.y(t))}" x2="${num(this.left)}" y2="${num(this.y(t))}" stroke="#555"/>`);
      p.push(`<text x="${num(this.left - 6)}" y="${num(this.y(t) + 4)}" text-anchor="end">${yLabel(t)}</text>`);
    }
    for (const t of xTicks) {
      if (grid) p.push(`<line x1="${num(this.x(t))}" y1="${num(this.top)}" x2="${num(this.x(t))}" y2="${num(bottom)}" stroke="#e4e4e4"/>`);
      else p.push(`<line x1="${num(this.x(t))}" y1="${num(bottom)}" x2="${num(this.x(t))}" y2="${num(bottom + 4)}" stroke="#555"/>`);
      p.push(`<text x="${num(this.x(t))}" y="${num(bottom + 16)}" text-anchor="middle">${tickLabel(t, xTicks)}</text>`);
    }
    p.push(`<rect x="${num(this.left)}" y="${num(this.top)}" width="${num(this.width)}" height="${num(this.height)}" fill="none" stroke="#555"/>`);
    p.push(`<text x="${num(this.left + this.width / 2)}" y="${num(bottom + 34)}" text-anchor="middle">${escapeXml(xTitle)}</text>`);
    const yMid = this.top + this.height / 2;
    p.push(`<text x="${num(this.left - 44)}" y="${num(yMid)}" text-anchor="middle" transform="rotate(-90 ${num(this.left - 44)} ${num(yMid)})">${escapeXml(yTitle)}</text>`);
    return this;
  }

  /** A title above the plot area. */
  title(text: string): this {
    this.parts.push(`<text x="${num(this.left + this.width / 2)}" y="${num(this.top - 10)}" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(text)}</text>`);
    return this;
  }

  /** A polyline through (xs[i], ys[i]). */
  line(xs: number[], ys: number[], color: string, width = 2): this {
    const points = xs.map((x, i) => `${num(this.x(x))},${num(this.y(ys[i]))}`).join(' ');
    this.parts.push(`<polyline points="${points}" fill="none" stroke="${color}" stroke-width="${width}" stroke-linejoin="round"/>`);
    return this;
  }

  /** The region between two curves (e.g. the minimum and maximum over rounds). */
  band(xs: number[], lows: number[], highs: number[], color: string, opacity = 0.2): this {
    const upper = xs.map((x, i) => `${num(this.x(x))},${num(this.y(highs[i]))}`);
    const lower = xs.map((x, i) => `${num(this.x(x))},${num(this.y(lows[i]))}`).reverse();
    this.parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${color}" fill-opacity="${opacity}" stroke="none"/>`);
    return this;
  }

  /** A circle in data coordinates (radius in data units of the x axis). */
  circle(cx: number, cy: number, r: number, stroke: string, width = 2, dash = ''): this {
    const rPixels = (r / (this.xRange[1] - this.xRange[0])) * this.width;
    this.parts.push(`<circle cx="${num(this.x(cx))}" cy="${num(this.y(cy))}" r="${num(rPixels)}" fill="none" stroke="${stroke}" stroke-width="${width}"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    return this;
  }

  /** A dot (radius in pixels). */
  dot(x: number, y: number, fill: string, radius = 2.2, stroke = 'none'): this {
    this.parts.push(`<circle cx="${num(this.x(x))}" cy="${num(this.y(y))}" r="${num(radius)}" fill="${fill}" stroke="${stroke}" stroke-width="0.6"/>`);
    return this;
  }

  /** A × marker (size in pixels). */
  cross(x: number, y: number, color: string, size = 4): this {
    const px = this.x(x), py = this.y(y);
    this.parts.push(`<path d="M${num(px - size)},${num(py - size)}L${num(px + size)},${num(py + size)}M${num(px - size)},${num(py + size)}L${num(px + size)},${num(py - size)}" stroke="${color}" stroke-width="1.8"/>`);
    return this;
  }

  /** An image (e.g. a PNG data URI) stretched over the data rectangle [x0,x1]×[y0,y1]. */
  image(href: string, x0: number, x1: number, y0: number, y1: number): this {
    this.parts.push(`<image x="${num(this.x(x0))}" y="${num(this.y(y1))}" width="${num(this.x(x1) - this.x(x0))}" height="${num(this.y(y0) - this.y(y1))}" preserveAspectRatio="none" href="${href}"/>`);
    return this;
  }
}

/** A legend entry: a colour swatch (line, dot or cross) and a label. */
export interface LegendEntry {
  label: string;
  color: string;
  kind: 'line' | 'dot' | 'cross' | 'circle';
}

/** Legend lines starting at (x, y), one entry under the other. */
export function legend(x: number, y: number, entries: LegendEntry[]): string {
  return entries.map((e, i) => {
    const cy = y + i * 18;
    const swatch = e.kind === 'line'
      ? `<line x1="${num(x)}" y1="${num(cy)}" x2="${num(x + 18)}" y2="${num(cy)}" stroke="${e.color}" stroke-width="2.5"/>`
      : e.kind === 'dot'
        ? `<circle cx="${num(x + 9)}" cy="${num(cy)}" r="3.5" fill="${e.color}"/>`
        : e.kind === 'circle'
          ? `<circle cx="${num(x + 9)}" cy="${num(cy)}" r="6" fill="none" stroke="${e.color}" stroke-width="2"/>`
          : `<path d="M${num(x + 5)},${num(cy - 4)}L${num(x + 13)},${num(cy + 4)}M${num(x + 5)},${num(cy + 4)}L${num(x + 13)},${num(cy - 4)}" stroke="${e.color}" stroke-width="1.8"/>`;
    return `${swatch}<text x="${num(x + 24)}" y="${num(cy + 4)}">${escapeXml(e.label)}</text>`;
  }).join('\n');
}

/** Splits `text` into lines of at most `width` characters, at spaces but never before a `%` (a longer word stays whole on its own line). */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/ (?!%)/)) { // a number keeps its unit: "0.55 %" is one word
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** A whole SVG document of the given size around the given parts. */
export function svgDocument(width: number, height: number, parts: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Verdana, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
