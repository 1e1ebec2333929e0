/**
 * The optimisation week's experiment: the same network trained by eight optimizers, and the
 * same eight on a two-dimensional surface where their paths can be seen.
 *
 *   npm run optimizers                    300 epochs on the disk task, 1000 steps on the surface
 *   npm run optimizers -- --quick         a short run (10 epochs, 300 steps) to try the demo
 *   npm run optimizers -- --help          all flags
 *
 * The contenders (optimizers/contenders.ts, with the reason for each learning rate): SGD, SGD
 * with momentum 0.9, Nesterov, RMSprop, Adagrad, Adam, AdamW, and SGD with momentum under a
 * cosine learning-rate schedule.
 *
 * Part 1 (optimizers/disk-race.ts): the course network of `npm run disk` (2-25-25-25-2 ReLU,
 * MSE, batches of 100) on round 1's data of the seed, trained by each contender from the same
 * initial weights, with the batches in the same order. The table gives the final training
 * loss, the training and test error, and the first epoch whose loss is ≤ 0.03; the figure
 * optimizers-loss shows every loss curve on a log scale.
 *
 * Part 2 (optimizers/surface-race.ts): Rosenbrock's surface f(x, y) = (1 − x)² + 100·(y − x²)²
 * as a Module of two numbers with a hand-written gradient (optimizers/rosenbrock.ts), every
 * contender starting at (−1.2, 1); the table gives f at the end, the distance to the minimum
 * (1, 1) and the first step with f ≤ 1e-3; the figure optimizers-trajectories draws the paths
 * over the contour lines and f per step.
 *
 * Writes into the output folder (default out/optimizers): results.md (the tables printed
 * here), results.json (the same numbers and the loss curves), optimizers-loss.svg/.png and
 * optimizers-trajectories.svg/.png. No file holds a time: the same flags give the same bytes
 * in every file. The flags and the output folder are checked before any training, and the
 * files are written at the end all or nothing (common/).
 */
import * as path from 'node:path';
import { FlagSpec, UsageError, intFlag, readArgv, runMain, textFlag } from './common/cli';
import { prepareOutDir } from './common/out-dir';
import { OutputFile, writeFilesAtomically } from './common/write-files';
import { svgToPng } from './figures/png';
import { CONTENDERS } from './optimizers/contenders';
import { DISK_BATCH_SIZE, DiskRaceResult, LOSS_THRESHOLD, runDiskRace } from './optimizers/disk-race';
import { lossFigure, trajectoriesFigure } from './optimizers/figures';
import { SURFACE, SurfaceRaceResult, runSurfaceRace } from './optimizers/surface-race';

const USAGE = 'Usage: npm run optimizers -- [flags]';

/** The epochs of a --quick run. */
export const QUICK_EPOCHS = 10;

const FLAGS: Record<string, FlagSpec> = {
  epochs: { type: 'string', default: '300', value: 'N', help: 'epochs on the disk task' },
  seed: { type: 'string', default: '0', value: 'S', help: "seed of the disk task's data, initial weights and batch order (as npm run disk's round 1)" },
  out: { type: 'string', default: path.join('out', 'optimizers'), value: 'DIR', help: 'output folder' },
  quick: { type: 'boolean', help: `a short run: ${QUICK_EPOCHS} epochs and ${SURFACE.quickSteps} steps on the surface (instead of ${SURFACE.steps})` },
};

/** What the flags of `npm run optimizers` ask for. */
export interface OptimizersRun {
  /** Epochs on the disk task. */
  epochs: number;
  /** Steps on Rosenbrock's surface. */
  steps: number;
  seed: string;
  outDir: string;
  quick: boolean;
}

/** The files a run writes into its output folder. */
export const OPTIMIZERS_OUTPUT_NAMES = [
  'results.md', 'results.json', 'optimizers-loss.svg', 'optimizers-loss.png', 'optimizers-trajectories.svg', 'optimizers-trajectories.png',
] as const;

/** Reads and checks every flag of `npm run optimizers`; null after printing the help for --help. Throws a UsageError. */
export function readOptimizersFlags(argv: readonly string[]): OptimizersRun | null {
  const flags = readArgv(argv, USAGE, FLAGS); //   absent flags are undefined: --quick must know whether --epochs was given
  if (flags === null) return null;
  const quick = flags.quick === true;
  if (quick && flags.epochs !== undefined) {
    throw new UsageError(`--quick sets the epochs (${QUICK_EPOCHS}); give --quick or --epochs, not both`);
  }
  return {
    epochs: quick ? QUICK_EPOCHS : intFlag('epochs', flags.epochs ?? FLAGS.epochs.default),
    steps: quick ? SURFACE.quickSteps : SURFACE.steps,
    seed: textFlag('seed', flags.seed ?? FLAGS.seed.default),
    outDir: textFlag('out', flags.out ?? FLAGS.out.default),
    quick,
  };
}

/** 0.01234 → `1.234e-2`: four significant digits, for losses and values of f. */
const sci = (x: number): string => x.toExponential(3).replace('e+', 'e');
const percent = (x: number): string => (100 * x).toFixed(1);

/** The table of part 1, in Markdown. */
export function diskTable(results: DiskRaceResult[], run: OptimizersRun): string {
  const lines = [
    `## Part 1: the disk task (course network 2-25-25-25-2 ReLU, MSE, batches of ${DISK_BATCH_SIZE}, ${run.epochs} epochs, seed ${run.seed})`,
    '',
    `Every optimizer starts from the same initial weights and sees the batches in the same order. Final train loss: the MSE over the training set after training; epochs to loss ≤ ${LOSS_THRESHOLD}: the first epoch whose mean training loss is that low (— if none).`,
    '',
    `| optimizer | settings | final train loss | train error (%) | test error (%) | epochs to loss ≤ ${LOSS_THRESHOLD} |`,
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    lines.push(`| ${r.contender.name} | ${r.contender.disk.settings} | ${sci(r.finalTrainLoss)} | ${percent(r.trainError)} | ${percent(r.testError)} | ${r.epochsToThreshold ?? '—'} |`);
  }
  return lines.join('\n');
}

/** The distance from the end of a path to the minimum (a, a²). */
function distanceToMinimum(r: SurfaceRaceResult): number {
  const [x, y] = r.path[r.path.length - 1];
  return Math.hypot(x - SURFACE.a, y - SURFACE.a * SURFACE.a);
}

/** The table of part 2, in Markdown. */
export function surfaceTable(results: SurfaceRaceResult[], run: OptimizersRun): string {
  const [sx, sy] = SURFACE.start;
  const lines = [
    `## Part 2: Rosenbrock's surface f(x, y) = (1 − x)² + 100·(y − x²)², from (${sx}, ${sy}), ${run.steps} steps`,
    '',
    `The minimum is f = 0 at (1, 1); steps to f ≤ ${SURFACE.target}: the first step after which f is that low (— if never).`,
    '',
    `| optimizer | settings | f at the end | distance to (1, 1) | steps to f ≤ ${SURFACE.target} |`,
    '|---|---|---:|---:|---:|',
  ];
  for (const r of results) {
    const end = r.diverged ? 'diverged' : sci(r.values[r.values.length - 1]);
    const distance = r.diverged ? '—' : distanceToMinimum(r).toFixed(4);
    lines.push(`| ${r.contender.name} | ${r.contender.surface.settings} | ${end} | ${distance} | ${r.stepsToTarget ?? '—'} |`);
  }
  return lines.join('\n');
}

/**
 * `npm run optimizers` with the arguments `argv`: checks the flags and the output folder, runs
 * both parts, prints the tables and writes every file at once (see the file's comment). Throws
 * a UsageError for a wrong flag and a FileError for an unusable output folder, before any
 * training.
 */
export function runOptimizersDemo(argv: readonly string[]): void {
  const run = readOptimizersFlags(argv);
  if (run === null) return;
  const out = prepareOutDir('--out', run.outDir, OPTIMIZERS_OUTPUT_NAMES);
  try {
    console.error(`optimizers: ${CONTENDERS.length} optimizers; disk task ${run.epochs} epochs (seed ${run.seed}), Rosenbrock's surface ${run.steps} steps`);
    const disk = CONTENDERS.map((contender) => {
      const result = runDiskRace(contender, run.seed, run.epochs);
      console.error(`  disk: ${contender.name.padEnd(18)} final train loss ${sci(result.finalTrainLoss)}, test error ${percent(result.testError)}% (${result.seconds.toFixed(1)} s)`);
      return result;
    });
    const surface = CONTENDERS.map((contender) => runSurfaceRace(contender, run.steps));
    writeResults(run, disk, surface);
  } catch (err) {
    out.discardIfEmpty();
    throw err;
  }
}

function writeResults(run: OptimizersRun, disk: DiskRaceResult[], surface: SurfaceRaceResult[]): void {
  const markdown = `${diskTable(disk, run)}\n\n${surfaceTable(surface, run)}\n`;
  console.log(markdown);
  const json = {
    experiment: 'optimizers',
    disk: {
      network: '2-25-25-25-2 ReLU, MSE on one-hot targets',
      epochs: run.epochs,
      batchSize: DISK_BATCH_SIZE,
      seed: run.seed,
      lossThreshold: LOSS_THRESHOLD,
      optimizers: disk.map((r) => ({
        name: r.contender.name,
        settings: r.contender.disk.settings,
        optimizer: r.optimizer,
        finalTrainLoss: r.finalTrainLoss,
        trainError: r.trainError,
        testError: r.testError,
        epochsToThreshold: r.epochsToThreshold,
        loss: r.loss,
      })),
    },
    surface: {
      function: 'f(x, y) = (a − x)² + b·(y − x²)²',
      a: SURFACE.a,
      b: SURFACE.b,
      start: SURFACE.start,
      steps: run.steps,
      target: SURFACE.target,
      optimizers: surface.map((r) => ({
        name: r.contender.name,
        settings: r.contender.surface.settings,
        optimizer: r.optimizer,
        end: r.path[r.path.length - 1],
        f: r.values[r.values.length - 1],
        stepsToTarget: r.stepsToTarget,
        diverged: r.diverged,
      })),
    },
  };
  const loss = lossFigure(disk, run.seed);
  const trajectories = trajectoriesFigure(surface, run.steps);
  const files: OutputFile[] = [
    { name: 'results.md', contents: markdown },
    { name: 'results.json', contents: JSON.stringify(json, null, 2) + '\n' },
    { name: 'optimizers-loss.svg', contents: loss },
    { name: 'optimizers-loss.png', contents: svgToPng(loss) },
    { name: 'optimizers-trajectories.svg', contents: trajectories },
    { name: 'optimizers-trajectories.png', contents: svgToPng(trajectories) },
  ];
  writeFilesAtomically(run.outDir, files);
  console.error(`wrote ${path.join(run.outDir, 'results.md')}, results.json, optimizers-loss.svg/.png and optimizers-trajectories.svg/.png`);
}

if (require.main === module) runMain(() => runOptimizersDemo(process.argv.slice(2)));
