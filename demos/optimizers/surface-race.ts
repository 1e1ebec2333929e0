import { Tensor } from '../../lib';
import { Contender } from './contenders';
import { RosenbrockSurface } from './rosenbrock';

/**
 * Part 2 of `npm run optimizers`: one contender's path over Rosenbrock's surface
 * f(x, y) = (1 − x)² + 100·(y − x²)², from Rosenbrock's own starting point (−1.2, 1), for a
 * fixed number of steps. Nothing is random: the same settings give the same path.
 *
 * Each step is the training step of any model: zeroGrad, forward (the output is f), backward
 * from ∂f/∂f = 1, the optimizer's step, then the scheduler's step when there is one.
 */

/** The surface and the race over it. */
export const SURFACE = {
  /** Rosenbrock's constants: the minimum f = 0 is at (a, a²) = (1, 1). */
  a: 1,
  b: 100,
  /** Where every contender starts (Rosenbrock, 1960). */
  start: [-1.2, 1] as [number, number],
  /** Steps of a full run and of a --quick one. */
  steps: 1000,
  quickSteps: 300,
  /** The value of f the table counts the steps to. */
  target: 1e-3,
} as const;

/** What one contender did on the surface. */
export interface SurfaceRaceResult {
  contender: Contender;
  /** The optimizer as it prints itself. */
  optimizer: string;
  /** The point before every step and after the last: steps + 1 points (fewer if it diverged). */
  path: Array<[number, number]>;
  /** f at each point of `path`. */
  values: number[];
  /** The first step count after which f ≤ SURFACE.target, or null when it never is. */
  stepsToTarget: number | null;
  /** True when the point or f stopped being finite numbers (the path ends before that). */
  diverged: boolean;
}

/** Runs `contender`'s surface settings for `steps` steps from SURFACE.start. */
export function runSurfaceRace(contender: Contender, steps: number): SurfaceRaceResult {
  const surface = new RosenbrockSurface(SURFACE.start);
  const constants = Tensor.from([[SURFACE.a, SURFACE.b]]);
  const optimizer = contender.surface.optimizer(surface.params());
  const scheduler = contender.surface.scheduler?.(optimizer, steps);
  const path: Array<[number, number]> = [];
  const values: number[] = [];
  let stepsToTarget: number | null = null;
  let diverged = false;
  for (let t = 0; ; t++) {
    const [x, y] = surface.point.value.data;
    optimizer.zeroGrad();
    const f = surface.forward(constants).data[0];
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(f)) {
      diverged = true;
      break;
    }
    path.push([x, y]);
    values.push(f);
    if (stepsToTarget === null && f <= SURFACE.target) stepsToTarget = t;
    if (t === steps) break;
    surface.backward(Tensor.ones([1, 1])); //   ∂f/∂f = 1
    optimizer.step();
    scheduler?.step();
  }
  return { contender, optimizer: optimizer.toString(), path, values, stepsToTarget, diverged };
}
