import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from '../demos/common/cli';
import { FileError } from '../demos/common/file-errors';
import { findConfig } from '../demos/disk/configs';
import { roundSeed, runRound } from '../demos/disk/experiment';
import { OPTIMIZERS_OUTPUT_NAMES, QUICK_EPOCHS, readOptimizersFlags, runOptimizersDemo } from '../demos/optimizers';
import { CONTENDERS } from '../demos/optimizers/contenders';
import { runDiskRace } from '../demos/optimizers/disk-race';
import { RosenbrockSurface, rosenbrock } from '../demos/optimizers/rosenbrock';
import { SURFACE, runSurfaceRace } from '../demos/optimizers/surface-race';
import { Tensor, gradcheck } from '../lib';

/**
 * `npm run optimizers` (demos/optimizers.ts): the same flags give the same bytes in every file,
 * wrong flags are refused before any work, and the Rosenbrock surface's hand-written gradient
 * agrees with finite differences. The demo runs in this process (twice, with --quick), its
 * printed tables silenced; one run goes through the command line, for its exit status.
 */
const ROOT = path.join(__dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-optimizers-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs the demo in this process with its output silenced; returns what it printed on stdout. */
function runQuiet(argv: string[]): string {
  const printed: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { printed.push(args.join(' ')); });
  const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    runOptimizersDemo(argv);
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
  return printed.join('\n');
}

/** Runs `fn`, which must throw a UsageError whose message matches `message`. */
function expectUsageError(fn: () => unknown, message: RegExp): void {
  let caught: unknown = null;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(UsageError);
  expect((caught as Error).message).toMatch(message);
}

describe('npm run optimizers --quick', () => {
  const first = path.join(tmp, 'first');
  const second = path.join(tmp, 'second');
  let printed = '';

  beforeAll(() => {
    printed = runQuiet(['--quick', '--out', first]);
    runQuiet(['--quick', '--out', second]);
  }, 30_000);

  test('writes exactly the files it announced, the same bytes twice', () => {
    expect(fs.readdirSync(first).sort()).toEqual([...OPTIMIZERS_OUTPUT_NAMES].sort());
    for (const name of OPTIMIZERS_OUTPUT_NAMES) {
      const a = fs.readFileSync(path.join(first, name));
      expect(a.length).toBeGreaterThan(1000);
      expect(fs.readFileSync(path.join(second, name)).equals(a)).toBe(true);
    }
    expect(fs.readFileSync(path.join(first, 'optimizers-loss.png')).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(fs.readFileSync(path.join(first, 'optimizers-trajectories.svg'), 'utf8')).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });

  test('prints both tables, one row per optimizer, as results.md holds them', () => {
    expect(printed.trim()).toBe(fs.readFileSync(path.join(first, 'results.md'), 'utf8').trim());
    for (const c of CONTENDERS) expect(printed.split('\n').filter((l) => l.startsWith(`| ${c.name} |`))).toHaveLength(2);
    const json = JSON.parse(fs.readFileSync(path.join(first, 'results.json'), 'utf8'));
    expect(json.disk.epochs).toBe(QUICK_EPOCHS);
    expect(json.disk.optimizers.map((o: { name: string }) => o.name)).toEqual(CONTENDERS.map((c) => c.name));
    expect(json.disk.optimizers.every((o: { loss: number[] }) => o.loss.length === QUICK_EPOCHS)).toBe(true);
    expect(json.surface.steps).toBe(SURFACE.quickSteps);
    expect(JSON.stringify(json)).not.toMatch(/seconds|time/i);
  });

  test('the SGD row is npm run disk\'s round 1 of the course network: same data, weights and batches', () => {
    const sgd = runDiskRace(CONTENDERS[0], '0', 3);
    const course = findConfig('course');
    const disk = runRound(course!, roundSeed('0', 1), 1, 3, false);
    expect(sgd.loss).toEqual(disk.curves.loss);
    expect(sgd.finalTrainLoss).toBe(disk.finalLoss);
    expect(sgd.testError).toBe(disk.testError);
  });
});

describe('the flags of npm run optimizers', () => {
  test('defaults, --quick, and the values given', () => {
    expect(readOptimizersFlags([])).toEqual({ epochs: 300, steps: SURFACE.steps, seed: '0', outDir: path.join('out', 'optimizers'), quick: false });
    expect(readOptimizersFlags(['--quick'])).toMatchObject({ epochs: QUICK_EPOCHS, steps: SURFACE.quickSteps, quick: true });
    expect(readOptimizersFlags(['--epochs', '20', '--seed', 'abc', '--out', 'x'])).toMatchObject({ epochs: 20, seed: 'abc', outDir: 'x' });
  });

  test('--help prints the flags and runs nothing', () => {
    const printed: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((text: string) => { printed.push(text); });
    try {
      expect(readOptimizersFlags(['--help'])).toBeNull();
    } finally {
      log.mockRestore();
    }
    expect(printed.join('\n')).toMatch(/^Usage: npm run optimizers -- \[flags\][\s\S]*--epochs N[\s\S]*--seed S[\s\S]*--out DIR[\s\S]*--quick[\s\S]*--help/);
  });

  test.each([
    [['--bogus'], /^unknown flag --bogus; the flags are --epochs, --seed, --out, --quick, --help$/],
    [['--epoch', '3'], /^unknown flag --epoch \(did you mean --epochs\?\)/],
    [['--epochs', '0'], /^--epochs must be an integer ≥ 1, got '0'$/],
    [['--epochs', '2.5'], /^--epochs must be an integer ≥ 1, got '2.5'$/],
    [['--epochs'], /^--epochs needs a value, as in --epochs N$/],
    [['--seed', ''], /^--seed is empty/],
    [['--quick', '--epochs', '5'], /^--quick sets the epochs \(10\); give --quick or --epochs, not both$/],
    [['--quick=yes'], /^--quick takes no value, got '--quick=yes'$/],
    [['--quick', '--quick'], /^--quick is given twice$/],
    [['fast'], /^unexpected argument 'fast': every value follows its flag/],
  ])('%j is refused', (argv, message) => {
    expectUsageError(() => readOptimizersFlags(argv), message);
  });

  test('an unusable --out is refused before any training, and its file is kept', () => {
    const file = path.join(tmp, 'a-file');
    fs.writeFileSync(file, 'mine');
    let caught: unknown = null;
    try {
      runQuiet(['--out', path.join(file, 'run')]); // 300 epochs, were it to train
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(FileError);
    expect((caught as Error).message).toBe(`--out '${path.join(file, 'run')}': cannot create the folder: '${file}' is a file, not a folder`);
    expect(fs.readFileSync(file, 'utf8')).toBe('mine');
  });

  test('on the command line a wrong flag is one line on stderr and exit status 2', () => {
    const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(ROOT, 'demos', 'optimizers.ts'), '--epochs', '0'], { encoding: 'utf8', cwd: ROOT, timeout: 30_000 });
    expect(r.stderr).toBe("error: --epochs must be an integer ≥ 1, got '0' (--help lists the flags)\n");
    expect(r.stdout).toBe('');
    expect(r.status).toBe(2);
  }, 30_000);
});

describe("Rosenbrock's surface, the demo's Module with a hand-written gradient", () => {
  const constants = Tensor.from([[1, 100]]);

  test('its values: 0 at the minimum (1, 1), 24.2 at the start (−1.2, 1)', () => {
    expect(new RosenbrockSurface([1, 1]).forward(constants).data[0]).toBe(0);
    expect(new RosenbrockSurface([-1.2, 1]).forward(constants).data[0]).toBeCloseTo(24.2, 12);
    expect(rosenbrock(0, 0, 1, 100)).toBe(1);
  });

  test.each([[-1.2, 1], [0.3, -0.4], [1.1, 1.3], [-0.7, 2.1]])('its gradient at (%d, %d) agrees with central differences', (x, y) => {
    const surface = new RosenbrockSurface([x, y]);
    surface.forward(constants);
    surface.backward(Tensor.ones([1, 1]));
    const h = 1e-6;
    const f = (px: number, py: number): number => rosenbrock(px, py, 1, 100);
    const numeric = [(f(x + h, y) - f(x - h, y)) / (2 * h), (f(x, y + h) - f(x, y - h)) / (2 * h)];
    for (let i = 0; i < 2; i++) {
      const analytic = surface.point.grad.data[i];
      expect(Math.abs(analytic - numeric[i]) / Math.max(1e-8, Math.abs(analytic) + Math.abs(numeric[i]))).toBeLessThan(1e-7);
    }
  });

  test('gradcheck: the point (a Parameter) and the constants (the input)', () => {
    const report = gradcheck(new RosenbrockSurface([0.4, -0.3]), Tensor.from([[1.5, 20]]));
    expect(report.ok).toBe(true);
  });

  test('backward adds into the gradient, as every Module', () => {
    const surface = new RosenbrockSurface([0.5, 0.5]);
    surface.forward(constants);
    surface.backward(Tensor.ones([1, 1]));
    const once = Array.from(surface.point.grad.data);
    surface.backward(Tensor.ones([1, 1]));
    expect(Array.from(surface.point.grad.data)).toEqual(once.map((g) => 2 * g));
  });

  test('refuses a bad start or input', () => {
    expect(() => new RosenbrockSurface([Number.NaN, 1])).toThrow(/RosenbrockSurface\.constructor: start must be a pair \[x, y\] of finite numbers/);
    expect(() => new RosenbrockSurface([0, 0]).forward(Tensor.from([[1, 100, 3]]))).toThrow(/RosenbrockSurface\.forward: input must be the constants \[\[a, b\]\], shape \[1,2\], got shape \[1,3\]/);
  });

  test('a path starts at the start, and momentum reaches f ≤ 1e-3 where plain SGD does not', () => {
    const sgd = runSurfaceRace(CONTENDERS[0], 1000);
    const momentum = runSurfaceRace(CONTENDERS[1], 1000);
    expect(sgd.path[0]).toEqual(SURFACE.start);
    expect(sgd.path).toHaveLength(1001);
    expect(sgd.stepsToTarget).toBeNull();
    expect(momentum.stepsToTarget).not.toBeNull();
    expect(momentum.diverged).toBe(false);
  });
});
