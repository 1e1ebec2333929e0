/// <reference lib="dom" />
/**
 * The decision map: the network's output at every point of the unit square as a colour
 * field (blue = outside, grey = boundary, red = inside), the true circle, the training and/or
 * test points coloured by their label, and a cross on each point the network gets wrong.
 *
 * The field costs one forward pass per grid point, so its resolution follows the network's
 * speed: as fine as fits in the time budget of a redraw (up to 100 × 100), scaled up smoothly.
 */
import { DISK_CENTER, DISK_RADIUS, Linear, Tensor, applyStandardization } from '../../../lib';
import { unitSquareGrid } from '../../figures/grid';
import { FONT, Frame, SMALL_FONT, niceTicks, setupCanvas } from './canvas';
import { CLASS_COLORS, fieldColor } from './colors';
import { TrainingSession } from './session';

/** Which points to draw over the colour field. */
export type PointsShown = 'train' | 'test' | 'both' | 'none';

const MIN_RESOLUTION = 20;
const MAX_RESOLUTION = 100;
const PLOT = { left: 36, top: 8, size: 400 };
const WIDTH = PLOT.left + PLOT.size + 10;
const HEIGHT = PLOT.top + PLOT.size + 36;

/** Multiply–adds of one forward pass of one point through the network's Linear layers. */
function multiplyAddsPerPoint(session: TrainingSession): number {
  return session.model.modules.reduce((total, m) => total + (m instanceof Linear ? m.inFeatures * m.outFeatures : 0), 0);
}

export class DecisionMap {
  private readonly field: HTMLCanvasElement = document.createElement('canvas');
  /** The grid's points, standardized with the statistics of `gridOwner`'s training set. */
  private grid: Tensor | null = null;
  private gridOwner: TrainingSession | null = null;
  private gridResolution = 0;
  /** Measured milliseconds of forward pass per grid point (null: not measured for this network yet). */
  private msPerPoint: number | null = null;
  /** Predicted classes of the training and test points, kept until the weights change (the session takes a step). */
  private predictions = new Map<'train' | 'test', { session: TrainingSession; steps: number; classes: Int32Array }>();

  constructor(private readonly canvas: HTMLCanvasElement) {}

  /**
   * Draws the map for the session's current weights, computing the field within about
   * `budgetMs` milliseconds; returns how many of the shown points are misclassified.
   */
  draw(session: TrainingSession, shown: PointsShown, budgetMs: number): number {
    const ctx = setupCanvas(this.canvas, WIDTH, HEIGHT);
    const frame = new Frame(ctx, PLOT.left, PLOT.top, PLOT.size, PLOT.size, [0, 1], [0, 1]);

    this.paintField(session, budgetMs);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.field, PLOT.left, PLOT.top, PLOT.size, PLOT.size);
    const ticks = niceTicks(0, 1, 5);
    frame.gridColor = 'rgba(255,255,255,0.3)';
    frame.axes(ticks, ticks, 'x₁', 'x₂');

    // The true boundary.
    ctx.save();
    ctx.beginPath();
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = 1.8;
    ctx.strokeStyle = '#111';
    ctx.arc(frame.px(DISK_CENTER[0]), frame.py(DISK_CENTER[1]), DISK_RADIUS * PLOT.size, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.restore();

    const sets = [
      { name: 'train' as const, show: shown === 'train' || shown === 'both', square: false },
      { name: 'test' as const, show: shown === 'test' || shown === 'both', square: true },
    ];
    const crosses: Array<[number, number]> = [];
    for (const set of sets) {
      if (!set.show) continue;
      const { inputs, labels } = set.name === 'train' ? session.train : session.test;
      const predicted = this.predicted(session, set.name);
      ctx.lineWidth = 0.7;
      ctx.strokeStyle = set.square ? '#333' : '#fff';
      for (const label of [0, 1]) { // one path per class: a few draw calls instead of one per point
        ctx.fillStyle = CLASS_COLORS[label];
        ctx.beginPath();
        for (let i = 0; i < labels.length; i++) {
          if (labels[i] !== label) continue;
          const x = frame.px(inputs.data[2 * i]), y = frame.py(inputs.data[2 * i + 1]);
          if (set.square) {
            ctx.rect(x - 2.4, y - 2.4, 4.8, 4.8);
          } else {
            ctx.moveTo(x + 2.6, y);
            ctx.arc(x, y, 2.6, 0, 2 * Math.PI);
          }
          if (predicted[i] !== labels[i]) crosses.push([x, y]);
        }
        ctx.fill();
        ctx.stroke();
      }
    }
    ctx.strokeStyle = '#000';
    ctx.lineWidth = 1.6;
    ctx.beginPath();
    for (const [x, y] of crosses) {
      ctx.moveTo(x - 4, y - 4); ctx.lineTo(x + 4, y + 4);
      ctx.moveTo(x + 4, y - 4); ctx.lineTo(x - 4, y + 4);
    }
    ctx.stroke();

    if (session.steps === 0) this.label(ctx, 'untrained: the initial random weights');
    return crosses.length;
  }

  /** Shows `message` instead of the map (e.g. when the network's outputs are no longer finite). */
  drawMessage(message: string): void {
    const ctx = setupCanvas(this.canvas, WIDTH, HEIGHT);
    ctx.fillStyle = '#f6f8fa';
    ctx.fillRect(PLOT.left, PLOT.top, PLOT.size, PLOT.size);
    ctx.font = FONT;
    ctx.fillStyle = '#b3261e';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    const words = message.split(' ');
    const lines: string[] = [];
    for (const word of words) {
      const last = lines.length - 1;
      if (last >= 0 && ctx.measureText(`${lines[last]} ${word}`).width < PLOT.size - 40) lines[last] += ` ${word}`;
      else lines.push(word);
    }
    lines.forEach((line, i) => ctx.fillText(line, PLOT.left + PLOT.size / 2, PLOT.top + PLOT.size / 2 + (i - (lines.length - 1) / 2) * 17));
  }

  private label(ctx: CanvasRenderingContext2D, text: string): void {
    ctx.font = SMALL_FONT;
    const width = ctx.measureText(text).width + 12;
    ctx.fillStyle = 'rgba(255,255,255,0.88)';
    ctx.fillRect(PLOT.left + 8, PLOT.top + 8, width, 20);
    ctx.fillStyle = '#333';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText(text, PLOT.left + 14, PLOT.top + 18);
  }

  private predicted(session: TrainingSession, name: 'train' | 'test'): Int32Array {
    const cached = this.predictions.get(name);
    if (cached && cached.session === session && cached.steps === session.steps) return cached.classes;
    const data = name === 'train' ? session.xTrain : session.xTest;
    const classes = session.classify(data);
    this.predictions.set(name, { session, steps: session.steps, classes });
    return classes;
  }

  /** The network's inside-score over the grid, as pixels of the small `field` canvas. */
  private paintField(session: TrainingSession, budgetMs: number): void {
    if (this.gridOwner !== session) {
      this.msPerPoint = null;
      this.gridOwner = session;
      this.gridResolution = 0;
    }
    const msPerPoint = this.msPerPoint ?? multiplyAddsPerPoint(session) * 2e-6; // a first guess: 0.5 G multiply–adds per second
    const fitting = 5 * Math.floor(Math.sqrt(budgetMs / msPerPoint) / 5); // a multiple of 5, so it does not change at every redraw
    const resolution = Math.max(MIN_RESOLUTION, Math.min(MAX_RESOLUTION, fitting));
    if (resolution !== this.gridResolution) {
      this.grid = applyStandardization(unitSquareGrid(resolution), session.stats);
      this.gridResolution = resolution;
      this.field.width = resolution;
      this.field.height = resolution;
    }
    const start = performance.now();
    const score = session.insideScore(session.net.predict(this.grid as Tensor, { batchSize: resolution * resolution }));
    const measured = (performance.now() - start) / (resolution * resolution);
    this.msPerPoint = this.msPerPoint === null ? measured : 0.5 * this.msPerPoint + 0.5 * measured;
    const ctx = this.field.getContext('2d') as CanvasRenderingContext2D;
    const image = ctx.createImageData(resolution, resolution);
    for (let k = 0; k < score.length; k++) {
      const [r, g, b] = fieldColor(score[k]);
      image.data[4 * k] = r;
      image.data[4 * k + 1] = g;
      image.data[4 * k + 2] = b;
      image.data[4 * k + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
  }
}
