/// <reference lib="dom" />
/**
 * The decision map: the network's output at every point of the unit square as a colour
 * field (blue = outside, grey = boundary, red = inside), the true circle, the training and/or
 * test points coloured by their label, and a cross on each point the network gets wrong.
 */
import { DISK_CENTER, DISK_RADIUS, Tensor, applyStandardization } from '../../../lib';
import { Frame, SMALL_FONT, niceTicks, setupCanvas } from './canvas';
import { CLASS_COLORS, fieldColor } from './colors';
import { TrainingSession } from './session';

/** Which points to draw over the colour field. */
export type PointsShown = 'train' | 'test' | 'both' | 'none';

/** The field is computed on a RESOLUTION × RESOLUTION grid, then scaled up smoothly. */
const RESOLUTION = 100;
const PLOT = { left: 36, top: 8, size: 400 };
const WIDTH = PLOT.left + PLOT.size + 10;
const HEIGHT = PLOT.top + PLOT.size + 36;

export class DecisionMap {
  private readonly field: HTMLCanvasElement = document.createElement('canvas');
  /** The grid's points, standardized with the statistics of `gridOwner`'s training set. */
  private grid: Tensor | null = null;
  private gridOwner: TrainingSession | null = null;

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.field.width = RESOLUTION;
    this.field.height = RESOLUTION;
  }

  /** Draws the map for the session's current weights; returns how many shown points are misclassified. */
  draw(session: TrainingSession, shown: PointsShown): number {
    const ctx = setupCanvas(this.canvas, WIDTH, HEIGHT);
    const frame = new Frame(ctx, PLOT.left, PLOT.top, PLOT.size, PLOT.size, [0, 1], [0, 1]);

    this.paintField(session);
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
      { data: session.train, show: shown === 'train' || shown === 'both', square: false },
      { data: session.test, show: shown === 'test' || shown === 'both', square: true },
    ];
    const crosses: Array<[number, number]> = [];
    for (const set of sets) {
      if (!set.show) continue;
      const predicted = session.classify(applyStandardization(set.data.inputs, session.stats));
      const { inputs, labels } = set.data;
      ctx.lineWidth = 0.7;
      for (let i = 0; i < labels.length; i++) {
        const x = frame.px(inputs.data[2 * i]), y = frame.py(inputs.data[2 * i + 1]);
        ctx.fillStyle = CLASS_COLORS[labels[i]];
        ctx.strokeStyle = set.square ? '#333' : '#fff';
        ctx.beginPath();
        if (set.square) ctx.rect(x - 2.4, y - 2.4, 4.8, 4.8);
        else ctx.arc(x, y, 2.6, 0, 2 * Math.PI);
        ctx.fill();
        ctx.stroke();
        if (predicted[i] !== labels[i]) crosses.push([x, y]);
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

    if (session.steps === 0) {
      ctx.font = SMALL_FONT;
      ctx.fillStyle = 'rgba(255,255,255,0.85)';
      ctx.fillRect(PLOT.left + 8, PLOT.top + 8, 196, 20);
      ctx.fillStyle = '#333';
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      ctx.fillText('untrained: the initial random weights', PLOT.left + 14, PLOT.top + 18);
    }
    return crosses.length;
  }

  /** The network's inside-score over the grid, as pixels of the small `field` canvas. */
  private paintField(session: TrainingSession): void {
    if (this.gridOwner !== session) {
      const raw = new Tensor([RESOLUTION * RESOLUTION, 2]);
      for (let row = 0; row < RESOLUTION; row++) {
        for (let col = 0; col < RESOLUTION; col++) {
          const k = row * RESOLUTION + col;
          raw.data[2 * k] = (col + 0.5) / RESOLUTION; //           x₁ grows to the right
          raw.data[2 * k + 1] = 1 - (row + 0.5) / RESOLUTION; //   x₂ grows upwards (image rows go down)
        }
      }
      this.grid = applyStandardization(raw, session.stats);
      this.gridOwner = session;
    }
    const score = session.insideScore(session.net.predict(this.grid as Tensor, { batchSize: RESOLUTION * RESOLUTION }));
    const ctx = this.field.getContext('2d') as CanvasRenderingContext2D;
    const image = ctx.createImageData(RESOLUTION, RESOLUTION);
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
