/**
 * Classifies points of the unit square with a disk network saved by `npm run disk -- --save`.
 *
 *   npm run predict -- --model out/disk/course/course-model.json --points "0.5,0.5 0.05,0.9"
 *   npm run predict -- --model out/disk/course/course-model.json --csv points.csv
 *
 * A CSV has two numbers per line (x₁,x₂); a first line that is not numeric is taken as a header.
 * Prints one CSV line per point: x1,x2, the network's outputs, and the class (1 = inside the
 * disk, 0 = outside), followed by the true label from the disk's formula for comparison.
 */
import * as fs from 'node:fs';
import { Tensor, applyStandardization, diskLabel } from '../lib';
import { FlagSpec, UsageError, parseFlags, runMain } from './common/cli';
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
    const isHeader = points.length === 0 && i === 0 && line.split(',').some((cell) => cell.trim() !== '' && !Number.isFinite(Number(cell)));
    if (isHeader) return;
    points.push(parsePoint(line, `${file}, line ${i + 1}`));
  });
  if (points.length === 0) throw new UsageError(`${file}: no points found`);
  return points;
}

function main(): void {
  const flags = parseFlags(process.argv.slice(2), 'Usage: npm run predict -- --model FILE (--points "X,Y …" | --csv FILE)', FLAGS);
  if (flags === null) return;
  if (!flags.model) throw new UsageError('--model FILE is required (a model saved by npm run disk -- --save)');
  if (!flags.points === !flags.csv) throw new UsageError('give exactly one of --points and --csv');
  const points = flags.points
    ? parsePointList(String(flags.points))
    : parsePointsCsv(fs.readFileSync(String(flags.csv), 'utf8'), String(flags.csv));

  const { model, metadata, stats } = loadDiskModel(String(flags.model));
  console.error(`model: ${metadata.config} (${metadata.description}), seed ${metadata.seed}, ${metadata.epochs} epochs, test error ${(100 * metadata.testError).toFixed(2)}%`);
  const raw = Tensor.from(points);
  const output = model.forward(applyStandardization(raw, stats));
  const classes = decide(output, metadata.decision);
  const outputs = output.shape[1];
  const outputNames = outputs === 1 ? ['output'] : Array.from({ length: outputs }, (_, j) => `output${j}`);
  console.log(['x1', 'x2', ...outputNames, 'class', 'true_label'].join(','));
  points.forEach(([x1, x2], i) => {
    const row = Array.from(output.data.subarray(i * outputs, (i + 1) * outputs), (v) => v.toPrecision(6));
    console.log([x1, x2, ...row, classes[i], diskLabel(x1, x2)].join(','));
  });
}

if (require.main === module) runMain(main);
