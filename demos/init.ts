/**
 * Why initialisation matters: the same deep network with its weights drawn too small, too
 * large, by Xavier's rule and by Kaiming's, and what the TrainingMonitor sees layer by layer.
 *
 *   npm run init                          tanh and ReLU networks, seed 0
 *   npm run init -- --activation relu     only the ReLU network
 *   npm run init -- --help                all flags
 *
 * The network (init/experiment.ts): 10 blocks of Linear(100→100) then tanh or ReLU, biases 0,
 * on 500 random inputs x ~ N(0, 1), with the mean squared error against random targets
 * y ~ N(0, 1); one forward and one backward pass per initialisation, watched by a
 * TrainingMonitor (lib/tools/monitor.ts). The four initialisations hold the same standard
 * normal draws, scaled. For each activation and initialisation the table gives, per layer, the
 * mean and standard deviation of the activations, the dead ReLU units or saturated tanh values,
 * ‖∂L/∂h‖ (the gradient entering the activation's backward) and ‖∂L/∂W‖.
 *
 * Writes into the output folder (default out/init): results.md (the tables printed here),
 * results.json (the same numbers) and, per activation, init-<activation>.svg/.png (activation
 * std, dead or saturated units and ‖∂L/∂W‖ per layer, one line per initialisation). Everything
 * is seeded (--seed) and no file holds a time: the same flags give the same bytes. The flags and
 * the output folder are checked before any work, and the files are written at the end all or
 * nothing (common/).
 */
import * as path from 'node:path';
import { FlagSpec, choiceFlag, parseFlags, runMain, textFlag } from './common/cli';
import { prepareOutDir } from './common/out-dir';
import { OutputFile, writeFilesAtomically } from './common/write-files';
import { svgToPng } from './figures/png';
import { ACTIVATIONS, ActivationName, INIT_SCHEMES, InitRun, LAYERS, SAMPLES, WIDTH, initData, runInit } from './init/experiment';
import { initFigure } from './init/figures';

const USAGE = 'Usage: npm run init -- [flags]';

const FLAGS: Record<string, FlagSpec> = {
  activation: { type: 'string', default: 'both', value: 'NAME', help: `the network's activation: ${ACTIVATIONS.join(', ')}, or both` },
  seed: { type: 'string', default: '0', value: 'S', help: 'seed of the inputs, the targets and the weights' },
  out: { type: 'string', default: path.join('out', 'init'), value: 'DIR', help: 'output folder' },
};

/** What the flags of `npm run init` ask for. */
export interface InitDemoRun {
  activations: ActivationName[];
  seed: string;
  outDir: string;
}

/** Reads and checks every flag of `npm run init`; null after printing the help for --help. Throws a UsageError. */
export function readInitFlags(argv: readonly string[]): InitDemoRun | null {
  const flags = parseFlags(argv, USAGE, FLAGS);
  if (flags === null) return null;
  const activation = choiceFlag('activation', flags.activation, [...ACTIVATIONS, 'both']);
  return {
    activations: activation === 'both' ? [...ACTIVATIONS] : [activation],
    seed: textFlag('seed', flags.seed),
    outDir: textFlag('out', flags.out),
  };
}

/** The names of the files a run writes into its output folder. */
export function initOutputNames(run: InitDemoRun): string[] {
  return ['results.md', 'results.json', ...run.activations.flatMap((a) => [`init-${a}.svg`, `init-${a}.png`])];
}

/** 0.01234 → `1.23e-2`: three significant digits. */
const sci = (x: number): string => x.toExponential(2).replace('e+', 'e');

/** The table of one run, in Markdown. */
export function initTable(run: InitRun): string {
  const units = run.activation === 'relu' ? 'dead units (%)' : 'saturated (%)';
  const lines = [
    `### ${run.activation}, ${run.scheme.name}: W ~ ${run.scheme.description} (loss ${sci(run.loss)})`,
    '',
    `| layer | mean | std | ${units} | ‖∂L/∂h‖ | ‖∂L/∂W‖ |`,
    '|---:|---:|---:|---:|---:|---:|',
  ];
  for (const b of run.blocks) {
    lines.push(`| ${b.layer} | ${sci(b.mean)} | ${sci(b.std)} | ${(100 * b.deadOrSaturated).toFixed(1)} | ${sci(b.gradOutputNorm)} | ${sci(b.weightGradNorm)} |`);
  }
  return lines.join('\n');
}

/**
 * `npm run init` with the arguments `argv`: checks the flags and the output folder, runs every
 * (activation, initialisation), prints the tables and writes every file at once (see the file's
 * comment). Throws a UsageError for a wrong flag and a FileError for an unusable output folder,
 * before any work.
 */
export function runInitDemo(argv: readonly string[]): void {
  const run = readInitFlags(argv);
  if (run === null) return;
  const out = prepareOutDir('--out', run.outDir, initOutputNames(run));
  try {
    const data = initData(run.seed);
    const runs = run.activations.flatMap((activation) => INIT_SCHEMES.map((scheme) => runInit(activation, scheme, run.seed, data)));
    writeResults(run, runs);
  } catch (err) {
    out.discardIfEmpty();
    throw err;
  }
}

function writeResults(run: InitDemoRun, runs: InitRun[]): void {
  const header = [
    `## Initialisation: ${LAYERS} layers of Linear(${WIDTH}→${WIDTH}) + activation, ${SAMPLES} random inputs N(0, 1), MSE against random targets (seed ${run.seed})`,
    '',
    'Per layer, over one forward and one backward pass: the mean and standard deviation of the activation h, the dead ReLU units (0 for every sample) or saturated tanh values (|h| > 0.99), the norm of the gradient entering the activation\'s backward, and the norm of the gradient of the layer\'s weights.',
    '',
  ].join('\n');
  const markdown = [header, ...runs.map(initTable).flatMap((t) => [t, ''])].join('\n');
  console.log(markdown);
  const json = {
    experiment: 'init',
    protocol: { layers: LAYERS, width: WIDTH, samples: SAMPLES, seed: run.seed, inputs: 'N(0, 1)', targets: 'N(0, 1)', loss: 'MSELoss', biases: 0 },
    runs: runs.map((r) => ({ activation: r.activation, init: r.scheme.name, description: r.scheme.description, loss: r.loss, layers: r.blocks })),
  };
  const files: OutputFile[] = [
    { name: 'results.md', contents: markdown },
    { name: 'results.json', contents: JSON.stringify(json, null, 2) + '\n' },
  ];
  for (const activation of run.activations) {
    const svg = initFigure(activation, runs.filter((r) => r.activation === activation), run.seed);
    files.push({ name: `init-${activation}.svg`, contents: svg }, { name: `init-${activation}.png`, contents: svgToPng(svg) });
  }
  writeFilesAtomically(run.outDir, files);
  console.error(`wrote ${path.join(run.outDir, 'results.md')}, results.json and ${run.activations.map((a) => `init-${a}`).join(', ')} as SVG and PNG`);
}

if (require.main === module) runMain(() => runInitDemo(process.argv.slice(2)));
