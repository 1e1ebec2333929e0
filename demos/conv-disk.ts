/**
 * The course's small convolutional task, seeded.
 *
 *   npm run conv-disk                         our setting (adam-reflect), 10 rounds
 *   npm run conv-disk -- --config all         the report's setting and ours, side by side
 *   npm run conv-disk -- --config all --jobs 1   the same on one core (same numbers, same files)
 *   npm run conv-disk -- --help               all flags
 *
 * The task (course report 000, "small conv task"): each sample is a 3 × 4 × 4 image with
 * entries drawn uniformly in [0, 1), labelled 1 when ‖x − 0.5‖₂ < 2 over its 48 entries (the
 * classes are nearly balanced: about 51 % positives; the tables show each round's share).
 * 1000 training and 1000 test samples, fresh for every round. The network is the report's:
 *
 *   Conv2d(3→5, 3×3, padding 1), ReLU, Conv2d(5→1, 3×3, padding 1), ReLU, Flatten,
 *   Linear(16→10), ReLU, Linear(10→1)
 *
 * What the report used: MSE loss, SGD with learning rate 3e-3, "regularization" 0.05 (here
 * weight decay 0.05), mini-batches of 64, raw inputs; it reports an accuracy of about 0.7
 * (epochs not stated). That is `--config course`. With it, this network stays at chance here:
 * 300 epochs (and 1000 in a single round) end at about 0.50 test accuracy, the loss at 0.25,
 * the value of a constant output of 1/2.
 *
 * What we use by default (`adam-reflect`): the single output is a logit trained with
 * BCEWithLogitsLoss and Adam (lr 3e-3, PyTorch's defaults otherwise), mini-batches of 64,
 * 300 epochs, inputs centred as x − 0.5. Without more (`--config adam`), the network learns the
 * 1000 training samples far better than the task: about 0.93 train and 0.67 test accuracy. The
 * label depends on each entry only through (x − 0.5)², so reflecting an entry about 0.5 keeps
 * the label: every epoch, each entry of each training sample is reflected with probability
 * 1/2. The network then cannot learn the samples by heart and learns the norm instead.
 *
 * `npm run conv-disk -- --config all` (seed 0, 10 rounds, 300 epochs), test accuracy:
 *   course 0.50 ± 0.01,  adam 0.67 ± 0.05,  adam-reflect 0.86 ± 0.07 (0.80–0.90 in nine rounds,
 *   0.68 in the round whose first initial network was dead and redrawn; train 0.87 ± 0.06).
 *
 * Dead starts: in about one initialisation in forty (as with PyTorch's default init), the ReLU
 * after Conv2d(5→1) is 0 for every input, no gradient reaches the convolutions and nothing can
 * be learned; such a network is drawn again and the round's table says so.
 *
 * Each round r of a run with seed s draws everything (data, weights, shuffling, reflections)
 * from one generator seeded by `conv-disk-s-round-r`, so the same flags give the same numbers.
 * Rounds run in parallel on worker threads, every core by default (`--jobs N` to choose;
 * demos/common/parallel-rounds.ts): each (configuration, round) is one task with its own seed,
 * and the results are gathered in round order, so the numbers and every file are the same
 * bytes whatever --jobs is (only the timings differ).
 * Writes results.md (the tables printed here), results.json (the same numbers; identical for
 * identical flags except its "timings" entry) and curves.json (per-epoch loss, training and
 * test accuracy of every round) into the output folder. The flags and the output folder are
 * checked before any training, and the three files are written at the end all or nothing, as
 * `npm run disk` does (see demos/common/).
 */
import * as path from 'node:path';
import { FlagSpec, RoundsRun, parseFlags, readRoundsFlags, roundsFlags, runMain } from './common/cli';
import { prepareOutDir } from './common/out-dir';
import { JOBS_FLAG, readJobsFlag, runTasks, whereTasksRun } from './common/parallel-rounds';
import { writeFilesAtomically } from './common/write-files';
import { CONV_DISK_CONFIGS, ConvDiskConfig, ConvDiskRound, TEST_SIZE, TRAIN_SIZE, convDiskRoundSeed } from './conv-disk/experiment';
import { ConvDiskRoundTask, runConvDiskRoundTask } from './conv-disk/round-task';
import { Stats, stats } from './disk/experiment';

const DEFAULT_CONFIG = 'adam-reflect';

const FLAGS: Record<string, FlagSpec> = {
  ...roundsFlags(CONV_DISK_CONFIGS.map((c) => c.name), DEFAULT_CONFIG, 'conv-disk'),
  jobs: JOBS_FLAG,
};

/** The files a run writes into its output folder. */
export const CONV_DISK_OUTPUT_NAMES = ['results.md', 'results.json', 'curves.json'] as const;

/** What the flags of `npm run conv-disk` ask for. */
export interface ConvDiskRun extends RoundsRun<ConvDiskConfig> {
  /** --jobs: worker threads for the rounds (1: no thread). */
  jobs: number;
}

/** Reads and checks every flag of `npm run conv-disk`; null after printing the help for --help. Throws a UsageError. */
export function readConvDiskFlags(argv: readonly string[]): ConvDiskRun | null {
  const flags = parseFlags(argv, 'Usage: npm run conv-disk -- [flags]', FLAGS);
  if (flags === null) return null;
  return { ...readRoundsFlags(flags, CONV_DISK_CONFIGS, 'conv-disk'), jobs: readJobsFlag(flags.jobs) };
}

/** Every (configuration, round) as one task, in the order the tables list them. */
export function convDiskTasks(run: Pick<ConvDiskRun, 'configs' | 'rounds' | 'epochs' | 'seed'>): ConvDiskRoundTask[] {
  return run.configs.flatMap((config) => Array.from({ length: run.rounds }, (_, i) => ({
    config: config.name, seed: convDiskRoundSeed(run.seed, i + 1), round: i + 1, epochs: run.epochs,
  })));
}

interface ConfigResult {
  config: ConvDiskConfig;
  rounds: ConvDiskRound[];
  trainAccuracy: Stats;
  testAccuracy: Stats;
  trainSeconds: Stats;
}

const percent = (x: number): string => (100 * x).toFixed(2);
const pm = (s: Stats): string => `${percent(s.mean)} ± ${percent(s.std)}`;

function summaryTable(results: ConfigResult[]): string {
  const lines = [
    '| config | setup | train accuracy (%) | test accuracy (%) | training time / round (s) |',
    '|---|---|---:|---:|---:|',
  ];
  for (const r of results) {
    lines.push(`| ${r.config.name} | ${r.config.description} | ${pm(r.trainAccuracy)} | ${pm(r.testAccuracy)} | ${r.trainSeconds.mean.toFixed(2)} |`);
  }
  return lines.join('\n');
}

function roundsTable(result: ConfigResult): string {
  const lines = [
    `### ${result.config.name}: ${result.config.description}`,
    '',
    '| round | seed | positives train / test (%) | dead initial networks redrawn | train accuracy (%) | test accuracy (%) | final train loss | time (s) |',
    '|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of result.rounds) {
    lines.push(`| ${r.round} | ${r.seed} | ${percent(r.trainPositive)} / ${percent(r.testPositive)} | ${r.redrawn} | ${percent(r.trainAccuracy)} | ` +
      `${percent(r.testAccuracy)} | ${r.finalLoss.toPrecision(4)} | ${r.trainSeconds.toFixed(2)} |`);
  }
  lines.push(`| mean ± std | | | | ${pm(result.trainAccuracy)} | ${pm(result.testAccuracy)} | | ${result.trainSeconds.mean.toFixed(2)} |`);
  return lines.join('\n');
}

/**
 * `npm run conv-disk` with the arguments `argv`: checks the flags and the output folder, then
 * returns the promise of the work — the rounds (on `--jobs` threads), then the three files
 * written at once. Throws a UsageError for a wrong flag and a FileError for an unusable output
 * folder at once, before any training; the promise rejects for what fails later.
 */
export function runConvDiskDemo(argv: readonly string[]): Promise<void> {
  const run = readConvDiskFlags(argv);
  if (run === null) return Promise.resolve();
  const out = prepareOutDir('--out', run.outDir, CONV_DISK_OUTPUT_NAMES);
  return train(run).then((results) => writeResults(run, results)).catch((err: unknown) => {
    out.discardIfEmpty();
    throw err;
  });
}

async function train(run: ConvDiskRun): Promise<ConfigResult[]> {
  const { configs, rounds, epochs, seed, jobs } = run;
  const tasks = convDiskTasks(run);
  console.error(`conv-disk: ${configs.map((c) => c.name).join(', ')}; ${rounds} round(s) of ${epochs} epochs; seed ${seed}; ${whereTasksRun(jobs, tasks.length)}`);
  const outcomes = await runTasks<ConvDiskRoundTask, ConvDiskRound>({
    tasks,
    jobs,
    workerFile: path.join(__dirname, 'conv-disk', 'round-worker.ts'),
    runHere: runConvDiskRoundTask,
    label: (t) => `${t.config} round ${t.round}`,
    onResult: (result, i) => {
      if (!run.quiet) {
        console.error(`  ${tasks[i].config} round ${result.round}/${rounds}: train accuracy ${percent(result.trainAccuracy)}%, ` +
          `test accuracy ${percent(result.testAccuracy)}% (${result.trainSeconds.toFixed(2)} s)`);
      }
    },
  });
  return configs.map((config, c) => {
    const done = outcomes.slice(c * rounds, (c + 1) * rounds);
    return {
      config,
      rounds: done,
      trainAccuracy: stats(done.map((r) => r.trainAccuracy)),
      testAccuracy: stats(done.map((r) => r.testAccuracy)),
      trainSeconds: stats(done.map((r) => r.trainSeconds)),
    };
  });
}

function writeResults(run: ConvDiskRun, results: ConfigResult[]): void {
  const { rounds, epochs, seed, outDir } = run;
  const header = [
    `## Small convolutional task (seed ${seed}, ${rounds} rounds, ${epochs} epochs, ${TRAIN_SIZE} train / ${TEST_SIZE} test samples)`,
    '',
    'Inputs in [0,1]^(3×4×4), label 1 when ‖x − 0.5‖₂ < 2. Network: ' + results[0].rounds[0].model + '.',
    'Mean ± standard deviation over the rounds; training time excludes the per-epoch test evaluation.',
    '',
  ].join('\n');
  const markdown = [header, summaryTable(results), '', ...results.map(roundsTable).flatMap((t) => [t, ''])].join('\n');
  console.log(markdown);

  const json = {
    experiment: 'conv-disk',
    protocol: { train: TRAIN_SIZE, test: TEST_SIZE, rounds, epochs, seed, label: '‖x − 0.5‖₂ < 2 over the 48 entries' },
    configs: results.map((r) => ({
      name: r.config.name,
      description: r.config.description,
      model: r.rounds[0].model,
      loss: r.rounds[0].loss,
      optimizer: r.rounds[0].optimizer,
      batchSize: r.config.batchSize,
      centred: r.config.centre,
      reflected: r.config.reflect,
      trainAccuracy: r.trainAccuracy,
      testAccuracy: r.testAccuracy,
      rounds: r.rounds.map((x) => ({
        round: x.round, seed: x.seed, trainPositive: x.trainPositive, testPositive: x.testPositive, redrawn: x.redrawn,
        trainAccuracy: x.trainAccuracy, testAccuracy: x.testAccuracy, finalLoss: x.finalLoss,
      })),
    })),
    timings: Object.fromEntries(results.map((r) => [r.config.name, { trainSecondsPerRound: r.rounds.map((x) => x.trainSeconds), mean: r.trainSeconds.mean }])),
  };
  const curves = Object.fromEntries(results.map((r) => [r.config.name, r.rounds.map((x) => ({ round: x.round, ...x.curves }))]));
  writeFilesAtomically(outDir, [
    { name: 'results.md', contents: markdown },
    { name: 'results.json', contents: JSON.stringify(json, null, 2) + '\n' },
    { name: 'curves.json', contents: JSON.stringify(curves) + '\n' },
  ]);
  console.error(`wrote ${path.join(outDir, 'results.md')}, results.json and curves.json`);
}

if (require.main === module) runMain(() => runConvDiskDemo(process.argv.slice(2)));
