/**
 * Classifies points of the unit square with a disk network saved by `npm run disk -- --save`.
 *
 *   npm run predict -- --model out/disk/course/course-model.json --points "0.5,0.5 0.05,0.9"
 *   npm run predict -- --model out/disk/course/course-model.json --csv points.csv
 *
 * A CSV has two numbers per line (x₁,x₂); a first line none of whose cells is a number (such
 * as `x1,x2`) is taken as a header.
 * Prints one CSV line per point: x1,x2, the network's outputs, and the class (1 = inside the
 * disk, 0 = outside), followed by the true label from the disk's formula for comparison.
 *
 * The network learned the unit square [0,1]² only: a point outside it is refused rather than
 * given a class the network never learned. Every flag, the files and every point are checked
 * before anything is printed.
 */
import * as fs from 'node:fs';
import { MinidlError, Tensor, applyStandardization, diskLabel } from '../lib';
import { FlagSpec, UsageError, existingFileFlag, parseFlags, runMain } from './common/cli';
import { describeFsError } from './common/file-errors';
import { decide, loadDiskModel } from './disk/model-file';

const FLAGS: Record<string, FlagSpec> = {
  model: { type: 'string', value: 'FILE', help: 'a model saved by npm run disk -- --save' },
  points: { type: 'string', value: '"X,Y X,Y …"', help: 'points to classify, separated by spaces or semicolons' },
  csv: { type: 'string', value: 'FILE', help: 'a CSV file of points, one x1,x2 per line' },
};

/** A point written `x,y`; `where` names it in errors. */
function parsePoint(text: string, where: string): [number, number] {
  const parts = text.split(',').map((s) => s.trim());
  const values = parts.map(Number);
  if (parts.length !== 2 || parts.some((p) => p === '') || !values.every(Number.isFinite)) {
    throw new UsageError(`${where}: expected two numbers x1,x2, got '${text}'`);
  }
  if (!values.every((v) => v >= 0 && v <= 1)) {
    throw new UsageError(`${where}: (${values[0]}, ${values[1]}) lies outside the unit square [0,1]², the only region the network learned`);
  }
  return [values[0], values[1]];
}

/** The points of `--points`. */
export function parsePointList(text: string): Array<[number, number]> {
  const items = text.split(/[\s;]+/).filter((s) => s !== '');
  if (items.length === 0) throw new UsageError('--points: no points given');
  return items.map((item, i) => parsePoint(item, `--points, point ${i + 1}`));
}

/** The points of a CSV file: x1,x2 per line, an optional header, blank lines ignored. */
export function parsePointsCsv(text: string, file: string): Array<[number, number]> {
  const lines = text.split(/\r?\n/);
  const points: Array<[number, number]> = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    // A header names the columns: no cell of it is a number ('x1,x2'); '0.5,NaN' is a bad point.
    const isHeader = points.length === 0 && i === 0 && line.split(',').every((cell) => cell.trim() !== '' && Number.isNaN(Number(cell)) && cell.trim() !== 'NaN');
    if (isHeader) return;
    points.push(parsePoint(line, `${file}, line ${i + 1}`));
  });
  if (points.length === 0) throw new UsageError(`${file}: no points found`);
  return points;
}

/** What the flags of `npm run predict` ask for. */
export interface PredictRun {
  /** The model file (it exists and is readable). */
  modelFile: string;
  /** The points to classify, each in the unit square. */
  points: Array<[number, number]>;
}

/**
 * Reads and checks every flag of `npm run predict`, the CSV file and every point; null after
 * printing the help for --help. Throws a UsageError.
 */
export function readPredictFlags(argv: readonly string[]): PredictRun | null {
  const flags = parseFlags(argv, 'Usage: npm run predict -- --model FILE (--points "X,Y …" | --csv FILE)', FLAGS);
  if (flags === null) return null;
  if (!flags.model) throw new UsageError('--model FILE is required (a model saved by npm run disk -- --save)');
  if (!flags.points === !flags.csv) {
    throw new UsageError(flags.points ? 'give either --points or --csv, not both' : 'give the points to classify with --points "X,Y …" or --csv FILE');
  }
  const modelFile = existingFileFlag('model', flags.model);
  let points: Array<[number, number]>;
  if (flags.points) {
    points = parsePointList(String(flags.points));
  } else {
    const csv = existingFileFlag('csv', flags.csv);
    let text: string;
    try {
      text = fs.readFileSync(csv, 'utf8');
    } catch (err) {
      throw new UsageError(`--csv '${csv}' cannot be read: ${describeFsError(err)}`);
    }
    points = parsePointsCsv(text, csv);
  }
  return { modelFile, points };
}

/** `npm run predict` with the arguments `argv`: prints the CSV described in the file's comment. */
export function runPredictDemo(argv: readonly string[]): void {
  const run = readPredictFlags(argv);
  if (run === null) return;
  const { points } = run;
  const { model, metadata, stats } = loadDiskModel(run.modelFile);
  console.error(`model: ${metadata.config} (${metadata.description}), seed ${metadata.seed}, ${metadata.epochs} epochs, test error ${(100 * metadata.testError).toFixed(2)}%`);
  const raw = Tensor.from(points);
  const output = model.forward(applyStandardization(raw, stats));
  const bad = Array.from(output.data).findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const point = points[Math.floor(bad / (output.size / points.length))];
    throw new MinidlError(`predict: the network of ${run.modelFile} gives ${output.data[bad]} for the point (${point[0]}, ${point[1]}); its weights cannot be used`);
  }
  const classes = decide(output, metadata.decision);
  const outputs = output.shape[1];
  const outputNames = outputs === 1 ? ['output'] : Array.from({ length: outputs }, (_, j) => `output${j}`);
  console.log(['x1', 'x2', ...outputNames, 'class', 'true_label'].join(','));
  points.forEach(([x1, x2], i) => {
    const row = Array.from(output.data.subarray(i * outputs, (i + 1) * outputs), (v) => v.toPrecision(6));
    console.log([x1, x2, ...row, classes[i], diskLabel(x1, x2)].join(','));
  });
}

if (require.main === module) runMain(() => runPredictDemo(process.argv.slice(2)));
