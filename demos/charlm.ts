/**
 * A character-level language model: an LSTM and a tiny Transformer learn to continue a text one
 * character at a time.
 *
 *   npm run charlm                                  both models, 20 epochs, on Genesis 1–20 (KJV)
 *   npm run charlm -- --model transformer --epochs 5 --seed 3
 *   npm run charlm -- --text my-text.txt            any UTF-8 text of a few thousand characters or more
 *   npm run charlm -- --quick                       a run of seconds: 3000 characters, small models, 2 epochs
 *   npm run charlm -- --export DIR                  also the initial weights and batch order, for PyTorch
 *   npm run charlm -- --help                        all flags
 *
 * Data (demos/charlm/data.ts): the text's distinct characters are the classes; windows of T = 64
 * characters, each with the 64 characters that follow as targets; the first 90 % of the text
 * trains, the last 10 % validates. The text that ships with the demo is Genesis 1–20 in the King
 * James Version, public domain (demos/charlm/README.md), 63,829 characters: no download.
 *
 * Models (demos/charlm/models.ts): Embedding → LSTM → Linear, and token + position Embedding →
 * two pre-norm blocks of causal self-attention and MLP → LayerNorm → Linear. Training
 * (demos/charlm/train.ts) is written out step by step: zeroGrad → forward → CrossEntropyLoss →
 * backward → clipGradNorm → AdamW step, on mini-batches of 32 windows; one seeded generator per
 * model draws its weights, the order of every epoch and its sample.
 *
 * Prints the loss of every epoch in bits per character (training and validation) with its time
 * (on the clock, and the CPU time of the process: less when other programs share the cores),
 * a sample of generated text per model, and a Markdown table. Writes into the output folder:
 * results.md (the table and the samples), results.json (the same numbers), loss-curve.svg/.png
 * and, when the Transformer is trained, attention.svg/.png (each head of its first block on the
 * text's first sentence). Every file is identical for identical flags: times are printed, never
 * written. The flags and the folders are checked before any training, and the files are written
 * at the end all or nothing (demos/common/).
 */
import * as path from 'node:path';
import { getBackend } from '../lib';
import { FlagSpec, UsageError, choiceFlag, existingFileFlag, intFlag, parseFlags, runMain, textFlag } from './common/cli';
import { prepareOutDir } from './common/out-dir';
import { OutputFile, writeFilesAtomically } from './common/write-files';
import { svgToPng } from './figures/png';
import { headWeights } from './charlm/attention-weights';
import { BUNDLED_TEXT, CharData, loadCharData } from './charlm/data';
import { exportRun } from './charlm/export';
import { attentionFigure, lossCurveFigure } from './charlm/figures';
import { sampleText } from './charlm/sample';
import { CHARLM_MODEL_NAMES, CHARLM_SETTINGS, CharLMModelName, CharLMSettings, QUICK_SETTINGS } from './charlm/settings';
import { CharLMRun, EpochResult, trainCharLM } from './charlm/train';

const MODEL_CHOICES = [...CHARLM_MODEL_NAMES, 'both'] as const;

const FLAGS: Record<string, FlagSpec> = {
  model: { type: 'string', default: 'both', value: 'NAME', help: `model: ${MODEL_CHOICES.join(', ')}` },
  epochs: { type: 'string', value: 'N', help: `epochs (default: ${CHARLM_SETTINGS.epochs}, or ${QUICK_SETTINGS.epochs} with --quick)` },
  seed: { type: 'string', default: '0', value: 'S', help: 'seed of the initial weights, the batch order and the samples' },
  text: { type: 'string', value: 'FILE', help: 'a UTF-8 text to learn (default: Genesis 1–20, King James Version, shipped in demos/charlm/)' },
  out: { type: 'string', value: 'DIR', help: 'output folder (default: out/charlm/<model>)' },
  quick: { type: 'boolean', help: `a run of seconds: the first ${QUICK_SETTINGS.maxChars} characters, small models, ${QUICK_SETTINGS.epochs} epochs` },
  export: { type: 'string', value: 'DIR', help: 'also write <model>-run.json there: initial weights, batch order and data, for demos/charlm/charlm_torch.py' },
};

/** Which block's attention the figure shows (counted from 0). */
const ATTENTION_BLOCK = 0;

/** What the flags of `npm run charlm` ask for. */
export interface CharLMFlags {
  models: CharLMModelName[];
  /** The --model value, `both` included. */
  modelFlag: string;
  epochs: number;
  seed: string;
  textFile: string;
  outDir: string;
  exportDir: string | null;
  quick: boolean;
  settings: CharLMSettings;
}

/** Reads and checks every flag of `npm run charlm`; null after printing the help for --help. Throws a UsageError. */
export function readCharLMFlags(argv: readonly string[]): CharLMFlags | null {
  const flags = parseFlags(argv, 'Usage: npm run charlm -- [flags]', FLAGS);
  if (flags === null) return null;
  const modelFlag = choiceFlag('model', flags.model, MODEL_CHOICES);
  const models = modelFlag === 'both' ? [...CHARLM_MODEL_NAMES] : [modelFlag as CharLMModelName];
  const quick = flags.quick === true;
  const settings = quick ? QUICK_SETTINGS : CHARLM_SETTINGS;
  const epochs = flags.epochs === '' ? settings.epochs : intFlag('epochs', flags.epochs, 1, 10_000);
  const seed = textFlag('seed', flags.seed);
  const textFile = flags.text === '' ? BUNDLED_TEXT : existingFileFlag('text', flags.text);
  const outDir = flags.out === '' ? path.join('out', 'charlm', modelFlag) : textFlag('out', flags.out);
  const exportDir = flags.export === '' ? null : textFlag('export', flags.export);
  return { models, modelFlag, epochs, seed, textFile, outDir, exportDir, quick, settings };
}

/** The names of the files a run writes into its output folder. */
export function charlmOutputNames(run: CharLMFlags): string[] {
  const names = ['results.md', 'results.json', 'loss-curve.svg', 'loss-curve.png'];
  if (run.models.includes('transformer')) names.push('attention.svg', 'attention.png');
  return names;
}

const LABELS: Record<CharLMModelName, string> = { lstm: 'LSTM', transformer: 'Transformer' };

/**
 * The first words of the text's first line, at most `maxChars` characters (the sample's prompt and
 * the attention figure's sentence); its first `maxChars` characters when the first line has no
 * space early enough.
 */
export function openingWords(text: string, maxChars: number): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  const chars = Array.from(line.trim());
  if (chars.length <= maxChars) return chars.join('');
  const cut = chars.slice(0, maxChars + 1).join('').lastIndexOf(' ');
  return cut > 0 ? chars.slice(0, cut).join('') : chars.slice(0, maxChars).join('');
}

/**
 * `npm run charlm` with the arguments `argv`: checks the flags, the text and the folders, trains,
 * then writes every file at once. Throws a UsageError for a wrong flag or a text too short, and a
 * FileError for an unusable folder, before any training.
 */
export function runCharLMDemo(argv: readonly string[]): void {
  const run = readCharLMFlags(argv);
  if (run === null) return;
  let data: CharData;
  try {
    data = loadCharData(run.textFile, run.settings.sequenceLength, run.settings.maxChars);
  } catch (err) {
    if (run.textFile === BUNDLED_TEXT) throw err;
    throw new UsageError(`--text '${run.textFile}': ${err instanceof Error ? err.message : String(err)}`);
  }
  const out = prepareOutDir('--out', run.outDir, charlmOutputNames(run));
  const exported = run.exportDir === null ? null : prepareOutDir('--export', run.exportDir, run.models.map((m) => `${m}-run.json`));
  try {
    trainAndWrite(run, data);
  } catch (err) {
    out.discardIfEmpty();
    exported?.discardIfEmpty();
    throw err;
  }
}

function epochLine(name: CharLMModelName, e: EpochResult, epochs: number): string {
  return `${name} epoch ${e.epoch}/${epochs}: train ${e.trainBits.toFixed(4)} bits/char, validation ${e.validationBits.toFixed(4)} bits/char (${e.seconds.toFixed(2)} s, CPU ${e.cpuSeconds.toFixed(2)} s)`;
}

/** The trained models with their samples. */
interface Trained {
  run: CharLMRun;
  sample: string;
}

function trainAndWrite(run: CharLMFlags, data: CharData): void {
  const { settings, epochs, seed } = run;
  const C = data.vocabulary.size;
  console.log(`text: ${data.source}, ${Array.from(data.text).length} characters, ${C} distinct; ${data.train.inputs.shape[0]} training and ${data.validation.inputs.shape[0]} validation windows of ${settings.sequenceLength}`);
  console.log(`training: ${epochs} epoch(s), batches of ${settings.batchSize}, AdamW lr ${settings.lr} weight decay ${settings.weightDecay}, gradient norm clipped at ${settings.maxGradNorm}; seed ${seed}; kernels: ${getBackend()}`);
  const prompt = openingWords(data.text, 20);
  const trained: Trained[] = [];
  for (const name of run.models) {
    const result = trainCharLM(name, data, settings, { seed, epochs, onEpoch: (e) => console.log(epochLine(name, e, epochs)) });
    console.log(`${name}: ${result.model} — ${result.model.numParams()} parameters; mean time per epoch ${mean(result.epochs.map((e) => e.seconds)).toFixed(2)} s (CPU ${mean(result.epochs.map((e) => e.cpuSeconds)).toFixed(2)} s)`);
    const sample = sampleText(result.model, data.vocabulary, prompt, {
      length: settings.sampleLength, contextLength: settings.sequenceLength, temperature: settings.temperature, rng: result.rng,
    });
    console.log(`\n${name} sample (temperature ${settings.temperature}), after the prompt "${prompt}":\n${prompt}${sample}\n`);
    trained.push({ run: result, sample });
  }

  const markdown = resultsMarkdown(run, data, trained, prompt);
  console.log(markdown);
  const json = {
    experiment: 'charlm',
    text: { source: data.source, characters: Array.from(data.text).length, vocabulary: data.vocabulary.chars.join(''), trainWindows: data.train.inputs.shape[0], validationWindows: data.validation.inputs.shape[0] },
    settings: { ...settings, maxChars: Number.isFinite(settings.maxChars) ? settings.maxChars : null, epochs, seed, quick: run.quick },
    models: trained.map(({ run: r, sample }) => ({
      name: r.name,
      architecture: String(r.model),
      parameters: r.model.numParams(),
      epochs: r.epochs.map((e) => ({ epoch: e.epoch, trainBits: e.trainBits, validationBits: e.validationBits })),
      sample: { prompt, temperature: settings.temperature, text: sample },
    })),
  };
  const files: OutputFile[] = [
    { name: 'results.md', contents: markdown },
    { name: 'results.json', contents: JSON.stringify(json, null, 2) + '\n' },
  ];
  const add = (name: string, svg: string): void => {
    files.push({ name: `${name}.svg`, contents: svg }, { name: `${name}.png`, contents: svgToPng(svg) });
  };
  add('loss-curve', lossCurveFigure(
    `Character-level language model: ${data.source}`,
    trained.map(({ run: r }) => ({ label: LABELS[r.name], trainBits: r.epochs.map((e) => e.trainBits), validationBits: r.epochs.map((e) => e.validationBits) })),
    `Mean cross-entropy in bits per character (nats / ln 2), seed ${seed}. Training: the mean over the epoch's batches, each before its step; validation: the last ${Math.round(100 * (data.validationIds.length / (data.trainIds.length + data.validationIds.length)))} % of the text, after the epoch. A uniform guess among the ${C} characters costs log₂ ${C} = ${Math.log2(C).toFixed(2)} bits.`,
  ));
  const transformer = trained.find((t) => t.run.name === 'transformer');
  if (transformer !== undefined) {
    const sentence = openingWords(data.text, settings.sequenceLength);
    const heads = headWeights(transformer.run.model, data.vocabulary, sentence, ATTENTION_BLOCK);
    add('attention', attentionFigure(
      `Causal self-attention of block ${ATTENTION_BLOCK + 1}, each head, after ${epochs} epoch${epochs === 1 ? '' : 's'}`,
      heads,
      `Row i: the character at position i, from which the model predicts character i + 1; column j: how much of position j's value it takes (each row sums to 1). Positions after i are masked: a causal model never looks ahead.`,
    ));
  }
  writeFilesAtomically(run.outDir, files);
  console.error(`wrote ${path.join(run.outDir, 'results.md')}, results.json and ${files.length - 2} figure files`);
  if (run.exportDir !== null) {
    const exportDir = run.exportDir;
    writeFilesAtomically(exportDir, trained.map(({ run: r }) => ({ name: `${r.name}-run.json`, contents: exportRun(r, data, settings, seed) })));
    console.error(`wrote ${trained.map(({ run: r }) => path.join(exportDir, `${r.name}-run.json`)).join(' and ')}`);
  }
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** The Markdown of results.md: the settings, a table of the losses per epoch, the samples. */
function resultsMarkdown(run: CharLMFlags, data: CharData, trained: Trained[], prompt: string): string {
  const { settings, epochs, seed } = run;
  const header = ['| epoch |', ...trained.map(({ run: r }) => ` ${LABELS[r.name]} train | ${LABELS[r.name]} validation |`)].join('');
  const align = ['|---:|', ...trained.map(() => '---:|---:|')].join('');
  const rows: string[] = [];
  for (let e = 0; e < epochs; e++) {
    rows.push([`| ${e + 1} |`, ...trained.map(({ run: r }) => ` ${r.epochs[e].trainBits.toFixed(4)} | ${r.epochs[e].validationBits.toFixed(4)} |`)].join(''));
  }
  const lines = [
    `## Character-level language model (${data.source}, seed ${seed}${run.quick ? ', --quick' : ''})`,
    '',
    `${Array.from(data.text).length} characters, ${data.vocabulary.size} distinct; windows of ${settings.sequenceLength}, ` +
      `${data.train.inputs.shape[0]} for training and ${data.validation.inputs.shape[0]} for validation (the last 10 % of the text). ` +
      `AdamW lr ${settings.lr}, weight decay ${settings.weightDecay}, batches of ${settings.batchSize}, gradient norm clipped at ${settings.maxGradNorm}, ${epochs} epoch(s).`,
    '',
    ...trained.map(({ run: r }) => `- ${LABELS[r.name]}: \`${r.model}\`, ${r.model.numParams()} parameters`),
    '',
    'Loss in bits per character (training: mean over the epoch; validation: after the epoch):',
    '',
    header,
    align,
    ...rows,
    '',
  ];
  for (const { run: r, sample } of trained) {
    lines.push(`${LABELS[r.name]} sample, temperature ${settings.temperature}, after the prompt "${prompt}":`, '', '```text', `${prompt}${sample}`, '```', '');
  }
  return lines.join('\n');
}

if (require.main === module) runMain(() => runCharLMDemo(process.argv.slice(2)));
