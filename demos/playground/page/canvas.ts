/// <reference lib="dom" />
/**
 * Small drawing helpers shared by the map, the charts and the inspector: sharp canvases on
 * high-density screens, number formatting, axes.
 */
import { niceTicks, tickLabel } from '../../figures/svg';

export { niceTicks, tickLabel };

/** Sizes `canvas` to `width`×`height` CSS pixels (more device pixels on dense screens) and returns its context, in CSS pixels. */
export function setupCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const ratio = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  }
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return ctx;
}

export const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
export const SMALL_FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';

/** A number in a few significant digits, switching to exponent notation for tiny or huge values. */
export function formatNumber(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) return v.toExponential(digits - 1).replace('e+', 'e');
  return v.toPrecision(digits).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

export function formatPercent(v: number): string {
  return `${(100 * v).toFixed(1)} %`;
}

/**
 * A formatted number (`formatNumber`, `formatPercent`, or a number with its unit such as "40 %")
 * as a `<span class="number">`, which style.css keeps on one line (`white-space: nowrap`). In a
 * line of text, a browser may otherwise break a number where it has a hyphen: Chromium puts
 * "3.62e-" at the end of one line and "4" on the next.
 */
export function numberSpan(text: string): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = 'number';
  span.textContent = text;
  return span;
}

/** An element by id, or an error naming the missing id. */
export function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no element #${id}`);
  return el as T;
}

/** A plot rectangle in CSS pixels and the data ranges it shows. */
export class Frame {
  /** Colour of the grid lines at the ticks. */
  gridColor = '#e6e9ed';

  constructor(
    readonly ctx: CanvasRenderingContext2D,
    readonly left: number,
    readonly top: number,
    readonly width: number,
    readonly height: number,
    readonly xRange: [number, number],
    readonly yRange: [number, number],
  ) {}

  px(x: number): number {
    return this.left + ((x - this.xRange[0]) / (this.xRange[1] - this.xRange[0])) * this.width;
  }

  py(y: number): number {
    return this.top + this.height - ((y - this.yRange[0]) / (this.yRange[1] - this.yRange[0])) * this.height;
  }

  /** Light grid, tick labels, axis titles and a frame. */
  axes(xTicks: number[], yTicks: number[], xLabel: string, yLabel: string, yFormat: (v: number) => string = (v) => tickLabel(v, yTicks)): void {
    const { ctx } = this;
    ctx.save();
    ctx.strokeStyle = this.gridColor;
    ctx.lineWidth = 1;
    for (const t of xTicks) this.line(this.px(t), this.top, this.px(t), this.top + this.height);
    for (const t of yTicks) this.line(this.left, this.py(t), this.left + this.width, this.py(t));
    ctx.strokeStyle = '#8c959f';
    ctx.strokeRect(this.left + 0.5, this.top + 0.5, this.width, this.height);
    ctx.fillStyle = '#444';
    ctx.font = SMALL_FONT;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of xTicks) ctx.fillText(tickLabel(t, xTicks), this.px(t), this.top + this.height + 4);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of yTicks) ctx.fillText(yFormat(t), this.left - 5, this.py(t));
    ctx.font = FONT;
    ctx.fillStyle = '#333';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText(xLabel, this.left + this.width / 2, this.top + this.height + 19);
    ctx.translate(this.left - 44, this.top + this.height / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'bottom';
    ctx.fillText(yLabel, 0, 0);
    ctx.restore();
  }

  private line(x0: number, y0: number, x1: number, y1: number): void {
    this.ctx.beginPath();
    this.ctx.moveTo(Math.round(x0) + 0.5, Math.round(y0) + 0.5);
    this.ctx.lineTo(Math.round(x1) + 0.5, Math.round(y1) + 0.5);
    this.ctx.stroke();
  }
}
