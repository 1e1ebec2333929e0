/**
 * The course's seeded disk experiment.
 *
 *   npm run disk                         the course protocol, 10 rounds
 *   npm run disk -- --config all         every variant the course reports compare
 *   npm run disk -- --config all --jobs 1   the same, on one core (same numbers, same files)
 *   npm run disk -- --monitor            also watch round 1 with TrainingMonitor, and draw it
 *   npm run disk -- --help               all flags
 *
 * Each round draws 1000 training and 1000 test points uniformly in [0,1]², labelled 1 inside
 * the disk of radius 1/√(2π) centred at (0.5, 0.5), standardizes them with the training
 * statistics, trains a fresh network and measures train and test error. Round r of a run
 * with seed s is seeded by `disk-s-round-r`, so the same flags give the same numbers.
 *
 * Writes into the output folder: results.md (the tables printed here), results.json (the
 * same numbers; identical for identical flags except its "timings" entry), curves.json
 * (per-epoch loss, train error and test error of every round), and figures as SVG and PNG:
 * dataset (the first round's training points and the circle), and per configuration
 * <config>-curves (loss and test error per epoch, mean and min–max band over the rounds) and
 * <config>-decision-map (the first round's trained network over the unit square).
 * With --save, also <config>-model.json: the first round's trained network with the input
 * standardization and decision rule, which `npm run predict` loads to classify new points.
 * With --monitor, the first round of each configuration is watched by a TrainingMonitor
 * (lib/tools/monitor.ts; the numbers are the same bits, the training slower), and the run also
 * writes monitor.json (its history per configuration, identical for identical flags) and the
 * figure <config>-monitor (figures/monitor-figures.ts: per layer and epoch the activations'
 * mean ± std, dead and saturated units, gradient norms and the update-to-weight ratio).
 *
 * Rounds run in parallel on worker threads, every core by default (`--jobs N` to choose;
 * demos/common/parallel-rounds.ts): each (configuration, round) is one task with its own seed,
 * and the results are gathered in round order, so the numbers and every file are the same
 * bytes whatever --jobs is (only the timings differ).
 *
 * Nothing is left to chance before the work starts: every flag is checked (common/cli.ts), and
 * the output folder is created and written to once (common/out-dir.ts), so that a wrong flag or
 * an unusable folder is reported at once, not after the training. The files are written at the
 * end all or nothing (common/write-files.ts): a full disk leaves the folder as it was.
 */
import * as path from 'node:path';
import { DISK_CONFIGS, DiskConfig } from './disk/configs';
import { ConfigResult, RoundResult, TEST_SIZE, TRAIN_SIZE, TrainedRound, roundSeed, summarizeConfig } from './disk/experiment';
import { DiskRoundOutcome, DiskRoundTask, runDiskRoundTask, trainedRoundFromOutcome } from './disk/round-task';
import { curvesFigure, datasetFigure, decisionMapFigure } from './figures/disk-figures';
import { monitorFigure } from './figures/monitor-figures';
import { svgToPng } from './figures/png';
import { diskModelText } from './disk/model-file';
import { FlagSpec, RoundsRun, intFlag, parseFlags, readRoundsFlags, roundsFlags, runMain } from './common/cli';
import { defaultJobs, runTasks, whereTasksRun } from './common/parallel-rounds';
import { prepareOutDir } from './common/out-dir';
import { OutputFile, writeFilesAtomically } from './common/write-files';

const USAGE = 'Usage: npm run disk -- [flags]';
/** The most worker threads --jobs accepts. */
export const MAX_JOBS = 256;

const FLAGS: Record<string, FlagSpec> = {
  ...roundsFlags(DISK_CONFIGS.map((c) => c.name), 'course', 'disk'),
  'no-figures': { type: 'boolean', help: 'skip the SVG/PNG figures' },
  save: { type: 'boolean', help: "save each config's round-1 network as <config>-model.json (see npm run predict)" },
  jobs: { type: 'string', value: 'N', help: `worker threads running the rounds, from 1 to ${MAX_JOBS} (default: every core, here ${defaultJobs()})` },
  monitor: { type: 'boolean', help: "watch each config's round 1 with TrainingMonitor: monitor.json and <config>-monitor figures" },
};

/** What the flags of `npm run disk` ask for. */
export interface DiskRun extends RoundsRun<DiskConfig> {
  /** Write the figures (no --no-figures). */
  figures: boolean;
  /** --save: write each configuration's round-1 network. */
  save: boolean;
  /** --jobs: worker threads for the rounds (1: no thread). */
  jobs: number;
  /** --monitor: watch each configuration's first round with a TrainingMonitor. */
  monitor: boolean;
}

/** Reads and checks every flag of `npm run disk`; null after printing the help for --help. Throws a UsageError. */
export function readDiskFlags(argv: readonly string[]): DiskRun | null {
  const flags = parseFlags(argv, USAGE, FLAGS);
  if (flags === null) return null;
  const jobs = flags.jobs === '' ? defaultJobs() : intFlag('jobs', flags.jobs, 1, MAX_JOBS);
  return { ...readRoundsFlags(flags, DISK_CONFIGS, 'disk'), figures: !flags['no-figures'], save: flags.save === true, jobs, monitor: flags.monitor === true };
}

/** The names of the files a run writes into its output folder. */
export function diskOutputNames(run: DiskRun): string[] {
  const names = ['results.md', 'results.json', 'curves.json'];
  if (run.save) names.push(...run.configs.map((c) => `${c.name}-model.json`));
  if (run.monitor) names.push('monitor.json');
  if (run.figures) {
    for (const figure of ['dataset', ...run.configs.flatMap((c) => [`${c.name}-curves`, `${c.name}-decision-map`])]) {
      names.push(`${figure}.svg`, `${figure}.png`);
    }
    if (run.monitor) for (const c of run.configs) names.push(`${c.name}-monitor.svg`, `${c.name}-monitor.png`);
  }
  return names;
}

const percent = (x: number): string => (100 * x).toFixed(2);
const pm = (s: { mean: number; std: number }): string => `${percent(s.mean)} ± ${percent(s.std)}`;

function summaryTable(results: ConfigResult[]): string {
  const lines = [
    '| config | setup | train error (%) | test error (%) | training time / round (s) |',
    '|---|---|---:|---:|---:|',
  ];
  for (const r of results) {
    lines.push(`| ${r.config.name} | ${r.config.description} | ${pm(r.trainError)} | ${pm(r.testError)} | ${r.trainSeconds.mean.toFixed(2)} |`);
  }
  return lines.join('\n');
}

function roundsTable(result: ConfigResult): string {
  const lines = [
    `### ${result.config.name}: ${result.config.description}`,
    '',
    '| round | seed | train error (%) | test error (%) | final train loss | time (s) |',
    '|---:|---|---:|---:|---:|---:|',
  ];
  for (const r of result.rounds) {
    lines.push(`| ${r.round} | ${r.seed} | ${percent(r.trainError)} | ${percent(r.testError)} | ${r.finalLoss.toPrecision(4)} | ${r.trainSeconds.toFixed(2)} |`);
  }
  lines.push(`| mean ± std | | ${pm(result.trainError)} | ${pm(result.testError)} | | ${result.trainSeconds.mean.toFixed(2)} |`);
  return lines.join('\n');
}

/**
 * `npm run disk` with the arguments `argv`: checks the flags and the output folder, then
 * returns the promise of the work — the rounds (on `--jobs` threads), then every file written
 * at once (see the file's comment). Throws a UsageError for a wrong flag and a FileError for an
 * unusable output folder at once, before any training; the promise rejects for what fails later.
 */
export function runDiskDemo(argv: readonly string[]): Promise<void> {
  const run = readDiskFlags(argv);
  if (run === null) return Promise.resolve();
  const out = prepareOutDir('--out', run.outDir, diskOutputNames(run));
  return train(run).then((results) => writeResults(run, results)).catch((err: unknown) => {
    out.discardIfEmpty();
    throw err;
  });
}

/** Every (configuration, round) as one task, in the order the tables list them. */
export function diskTasks(run: Pick<DiskRun, 'configs' | 'rounds' | 'epochs' | 'seed'> & { monitor?: boolean }): DiskRoundTask[] {
  return run.configs.flatMap((config) => Array.from({ length: run.rounds }, (_, i) => ({
    config: config.name, seed: roundSeed(run.seed, i + 1), round: i + 1, epochs: run.epochs, trackTestError: true, keepNetwork: i === 0,
    monitor: i === 0 && run.monitor === true,
  })));
}

async function train(run: DiskRun): Promise<ConfigResult[]> {
  const { configs, rounds, epochs, seed, jobs } = run;
  const tasks = diskTasks(run);
  console.error(`disk experiment: ${configs.map((c) => c.name).join(', ')}; ${rounds} round(s) of ${epochs} epochs; seed ${seed}; ${whereTasksRun(jobs, tasks.length)}`);
  const outcomes = await runTasks<DiskRoundTask, DiskRoundOutcome>({
    tasks,
    jobs,
    workerFile: path.join(__dirname, 'disk', 'round-worker.ts'),
    runHere: runDiskRoundTask,
    label: (t) => `${t.config} round ${t.round}`,
    onResult: ({ result: r }, i) => {
      if (!run.quiet) {
        console.error(`  ${tasks[i].config} round ${r.round}/${rounds}: train error ${percent(r.trainError)}%, test error ${percent(r.testError)}% (${r.trainSeconds.toFixed(2)} s)`);
      }
    },
  });
  return configs.map((config, c) => {
    const mine = outcomes.slice(c * rounds, (c + 1) * rounds);
    const roundResults: RoundResult[] = mine.map((o) => o.result);
    const first: TrainedRound = trainedRoundFromOutcome(config.name, mine[0].network!, roundResults[0].seed);
    return summarizeConfig(config, roundResults, first);
  });
}

function writeResults(run: DiskRun, results: ConfigResult[]): void {
  const { rounds, epochs, seed, outDir } = run;
  const header = [
    `## Disk experiment (seed ${seed}, ${rounds} rounds, ${epochs} epochs, ${TRAIN_SIZE} train / ${TEST_SIZE} test points)`,
    '',
    'Mean ± standard deviation over the rounds; training time excludes the per-epoch test evaluation.',
    '',
  ].join('\n');
  const markdown = [header, summaryTable(results), '', ...results.map(roundsTable).flatMap((t) => [t, ''])].join('\n');
  console.log(markdown);

  const json = {
    experiment: 'disk',
    protocol: { train: TRAIN_SIZE, test: TEST_SIZE, rounds, epochs, seed, standardized: 'train statistics, unbiased std' },
    configs: results.map((r) => ({
      name: r.config.name,
      description: r.config.description,
      model: r.model,
      loss: r.loss,
      optimizer: r.optimizer,
      batchSize: r.config.batchSize,
      trainError: r.trainError,
      testError: r.testError,
      rounds: r.rounds.map((x) => ({ round: x.round, seed: x.seed, trainError: x.trainError, testError: x.testError, finalLoss: x.finalLoss })),
    })),
    timings: Object.fromEntries(results.map((r) => [r.config.name, { trainSecondsPerRound: r.rounds.map((x) => x.trainSeconds), mean: r.trainSeconds.mean }])),
  };
  const curves = Object.fromEntries(results.map((r) => [r.config.name, r.rounds.map((x) => ({ round: x.round, ...x.curves }))]));
  const files: OutputFile[] = [
    { name: 'results.md', contents: markdown },
    { name: 'results.json', contents: JSON.stringify(json, null, 2) + '\n' },
    { name: 'curves.json', contents: JSON.stringify(curves) + '\n' },
  ];
  if (run.save) {
    for (const r of results) files.push({ name: `${r.config.name}-model.json`, contents: diskModelText(r, { seed, epochs }) });
  }
  if (run.monitor) {
    const watched = Object.fromEntries(results.map((r) => [r.config.name, { round: 1, seed: r.rounds[0].seed, ...r.rounds[0].monitor }]));
    files.push({ name: 'monitor.json', contents: JSON.stringify(watched) + '\n' });
  }
  if (run.figures) files.push(...figureFiles(results, run.monitor));
  writeFilesAtomically(outDir, files);
  const figures = files.filter((f) => f.name.endsWith('.svg')).length;
  console.error(`wrote ${path.join(outDir, 'results.md')}, results.json and curves.json` +
    (run.save ? `, the round-1 network of each configuration as <config>-model.json` : '') +
    (run.monitor ? ', the monitor of each round 1 as monitor.json' : '') +
    (run.figures ? `, and ${figures} figures as SVG and PNG` : ''));
}

/** Every figure as SVG and PNG (with `monitor`, also each configuration's monitor figure). */
function figureFiles(results: ConfigResult[], monitor: boolean): OutputFile[] {
  const files: OutputFile[] = [];
  const add = (name: string, svg: string): void => {
    files.push({ name: `${name}.svg`, contents: svg }, { name: `${name}.png`, contents: svgToPng(svg) });
  };
  const first = results[0].firstRound;
  add('dataset', datasetFigure(`Training set of round 1 (${first.train.labels.length} points)`, first.train.inputs, first.train.labels));
  for (const r of results) {
    const name = r.config.name;
    add(`${name}-curves`, curvesFigure(`${name}: ${r.config.description}`, r.rounds.map((x) => x.curves)));
    const logits = r.loss.startsWith('BCEWithLogitsLoss');
    add(`${name}-decision-map`, decisionMapFigure(`${name}, round 1: network output`, r.firstRound.net, r.firstRound.stats, r.firstRound.test, logits));
    const watched = r.rounds[0].monitor;
    if (monitor && watched !== null) add(`${name}-monitor`, monitorFigure(`${name}, round 1: what the TrainingMonitor saw (${r.config.description})`, watched));
  }
  return files;
}

if (require.main === module) runMain(() => runDiskDemo(process.argv.slice(2)));
