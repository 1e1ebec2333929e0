import { Adagrad, Adam, AdamW, CosineAnnealingLR, LRScheduler, Optimizer, Parameter, RMSprop, SGD } from '../../lib';

/**
 * The optimizers `npm run optimizers` compares, each with the settings it uses on the two tasks:
 * the disk network (part 1) and Rosenbrock's surface (part 2). The two tasks need different
 * learning rates (the surface's gradients are a hundred times steeper), but within a task the
 * rates follow one rule, so a difference between two rows is the rule of the optimizer and not
 * a lucky rate:
 *
 * Part 1, the disk network (2-25-25-25-2 ReLU, MSE, batches of 100):
 *   - SGD, SGD + momentum, Nesterov and the schedule all use the course's rate η = 0.1, so the
 *     momentum rows differ from SGD by the momentum alone (μ = 0.9, which also makes the
 *     steady-state step η/(1 − μ) ten times longer: with η = 0.01 momentum would take about SGD's
 *     path);
 *   - RMSprop η = 1e-3 (Keras' default, Adam's rate; PyTorch's default 1e-2 also trains here),
 *     Adagrad η = 1e-2, Adam η = 1e-3 and AdamW η = 1e-3, λ = 0.01: PyTorch's defaults.
 *   - the schedule: SGD + momentum with CosineAnnealingLR from 0.1 down to 0 over the run
 *     (tMax = epochs), stepped after every epoch by fit's `scheduler` option.
 *
 * Part 2, Rosenbrock's surface (steps of one point, no noise):
 *   - SGD, momentum, Nesterov and the schedule η = 1e-3, just under the largest stable rate of
 *     plain gradient descent at the minimum (2/λ_max ≈ 2/1002);
 *   - RMSprop η = 1e-2 and Adagrad η = 0.5, Adam and AdamW η = 0.1: their steps are about η long
 *     whatever the slope, so η is a distance on the plot (AdamW keeps its default λ = 0.01);
 *   - the schedule: CosineAnnealingLR from 1e-3 to 0 over the steps, stepped after every step.
 *
 * Colours are the Okabe–Ito palette (told apart with every common colour-vision deficiency),
 * with a brown for the eighth; a dashed line is a variant of a solid one (Nesterov and the
 * schedule of momentum, AdamW of Adam), which would otherwise hide it.
 */
export interface Contender {
  /** The name in tables and legends, e.g. `SGD + momentum`. */
  name: string;
  /** Line colour in the figures. */
  color: string;
  /** Dashed line (a variant of the line of another contender). */
  dashed: boolean;
  /** The settings on the disk network. */
  disk: Recipe;
  /** The settings on Rosenbrock's surface. */
  surface: Recipe;
}

/** How one contender is built for one task. */
export interface Recipe {
  /** The settings, as the tables print them: `lr 0.1, momentum 0.9`. */
  settings: string;
  /** The optimizer over `params`. */
  optimizer(params: Parameter[]): Optimizer;
  /**
   * A learning-rate schedule of `optimizer` that is stepped `steps` times (once per epoch on the
   * disk, once per step on the surface); absent for a constant rate.
   */
  scheduler?(optimizer: Optimizer, steps: number): LRScheduler;
}

/** Cosine annealing from the optimizer's rate down to 0 over `steps` steps. */
const cosine = (optimizer: Optimizer, steps: number): LRScheduler => new CosineAnnealingLR(optimizer, { tMax: steps });

/** Every contender, in the order of the tables and legends. */
export const CONTENDERS: readonly Contender[] = [
  {
    name: 'SGD',
    color: '#000000',
    dashed: false,
    disk: { settings: 'lr 0.1', optimizer: (p) => new SGD(p, { lr: 0.1 }) },
    surface: { settings: 'lr 1e-3', optimizer: (p) => new SGD(p, { lr: 1e-3 }) },
  },
  {
    name: 'SGD + momentum',
    color: '#E69F00',
    dashed: false,
    disk: { settings: 'lr 0.1, momentum 0.9', optimizer: (p) => new SGD(p, { lr: 0.1, momentum: 0.9 }) },
    surface: { settings: 'lr 1e-3, momentum 0.9', optimizer: (p) => new SGD(p, { lr: 1e-3, momentum: 0.9 }) },
  },
  {
    name: 'Nesterov',
    color: '#56B4E9',
    dashed: true,
    disk: { settings: 'lr 0.1, momentum 0.9, nesterov', optimizer: (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true }) },
    surface: { settings: 'lr 1e-3, momentum 0.9, nesterov', optimizer: (p) => new SGD(p, { lr: 1e-3, momentum: 0.9, nesterov: true }) },
  },
  {
    name: 'RMSprop',
    color: '#009E73',
    dashed: false,
    disk: { settings: 'lr 1e-3, alpha 0.99', optimizer: (p) => new RMSprop(p, { lr: 1e-3 }) },
    surface: { settings: 'lr 1e-2, alpha 0.99', optimizer: (p) => new RMSprop(p, { lr: 1e-2 }) },
  },
  {
    name: 'Adagrad',
    color: '#CC79A7',
    dashed: false,
    disk: { settings: 'lr 1e-2', optimizer: (p) => new Adagrad(p, { lr: 1e-2 }) },
    surface: { settings: 'lr 0.5', optimizer: (p) => new Adagrad(p, { lr: 0.5 }) },
  },
  {
    name: 'Adam',
    color: '#0072B2',
    dashed: false,
    disk: { settings: 'lr 1e-3, betas (0.9, 0.999)', optimizer: (p) => new Adam(p, { lr: 1e-3 }) },
    surface: { settings: 'lr 0.1, betas (0.9, 0.999)', optimizer: (p) => new Adam(p, { lr: 0.1 }) },
  },
  {
    name: 'AdamW',
    color: '#D55E00',
    dashed: true,
    disk: { settings: 'lr 1e-3, weight decay 0.01', optimizer: (p) => new AdamW(p, { lr: 1e-3, weightDecay: 0.01 }) },
    surface: { settings: 'lr 0.1, weight decay 0.01', optimizer: (p) => new AdamW(p, { lr: 0.1, weightDecay: 0.01 }) },
  },
  {
    name: 'momentum + cosine',
    color: '#8C510A',
    dashed: true,
    disk: {
      settings: 'lr 0.1 → 0 (cosine), momentum 0.9',
      optimizer: (p) => new SGD(p, { lr: 0.1, momentum: 0.9 }),
      scheduler: cosine,
    },
    surface: {
      settings: 'lr 1e-3 → 0 (cosine), momentum 0.9',
      optimizer: (p) => new SGD(p, { lr: 1e-3, momentum: 0.9 }),
      scheduler: cosine,
    },
  },
];
