import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { diskOutputNames, readDiskFlags } from '../demos/disk';
import { findConfig } from '../demos/disk/configs';
import { runRound } from '../demos/disk/experiment';
import { curvesFigure } from '../demos/figures/disk-figures';
import { Rng, applyStandardization } from '../lib';

/** Runs `demos/disk.ts` as `npm run disk` does (node with tsx's require hook) and returns its status and output. */
function runDisk(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const root = path.join(__dirname, '..');
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(root, 'demos', 'disk.ts'), ...args], { encoding: 'utf8', cwd: root, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function readJson(dir: string, file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
}

describe('the disk experiment (demos/disk.ts)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-disk-'));
  const args = ['--config', 'all', '--rounds', '2', '--epochs', '4', '--quiet'];
  const first = path.join(tmp, 'first');
  const second = path.join(tmp, 'second');
  const otherSeed = path.join(tmp, 'seed7');

  beforeAll(() => {
    // first on one thread, second on two worker threads: the same bytes (timings aside); the
    // figures are drawn on the main thread from the gathered results, so the second run leaves
    // them out (spec/reports.spec.ts compares the same figure code's bytes on one thread and two)
    // another seed: the course configuration alone, no figures, is enough to see other data and weights
    const seven = ['--config', 'course', '--rounds', '1', '--epochs', '4', '--quiet', '--no-figures', '--seed', '7'];
    for (const [dir, run] of [[first, [...args, '--jobs', '1']], [second, [...args, '--jobs', '2', '--no-figures']], [otherSeed, seven]] as const) {
      const r = runDisk([...run, '--out', dir]);
      if (r.status !== 0) throw new Error(`disk demo failed: ${r.stderr}`);
    }
  }, 120_000);

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('the same flags give byte-identical results apart from timings, on one thread or two (--jobs 1, --jobs 2)', () => {
    const strip = (dir: string): string => {
      const json = readJson(dir, 'results.json');
      expect(json.timings).toBeDefined();
      delete json.timings;
      return JSON.stringify(json);
    };
    expect(strip(second)).toBe(strip(first));
    expect(fs.readFileSync(path.join(second, 'curves.json'), 'utf8')).toBe(fs.readFileSync(path.join(first, 'curves.json'), 'utf8'));
    // results.md: every table's last column is a time
    const untimed = (dir: string): string => fs.readFileSync(path.join(dir, 'results.md'), 'utf8').replace(/ \d+\.\d\d \|$/gm, '');
    expect(untimed(second)).toBe(untimed(first));
  });

  test('the figures are written as SVG and PNG', () => {
    const figures = fs.readdirSync(first).filter((f) => /\.(svg|png)$/.test(f)).sort();
    const expected = ['dataset', ...['course', 'mixed', 'bce', 'adam', 'mae', 'weight-decay', 'weight-sharing', 'bn', 'bn-batch100'].flatMap((c) => [`${c}-curves`, `${c}-decision-map`])]
      .flatMap((name) => [`${name}.png`, `${name}.svg`]).sort();
    expect(figures).toEqual(expected);
    for (const f of figures) {
      const a = fs.readFileSync(path.join(first, f));
      expect(a.length).toBeGreaterThan(1000);
    }
    expect(fs.readdirSync(second).filter((f) => /\.(svg|png)$/.test(f))).toEqual([]); // --no-figures
    // A PNG file starts with its 8-byte signature; an SVG is an <svg> document.
    expect(fs.readFileSync(path.join(first, 'course-curves.png')).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(fs.readFileSync(path.join(first, 'course-decision-map.svg'), 'utf8')).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    // The decision map marks the misclassified test points and says how many there are.
    expect(fs.readFileSync(path.join(first, 'course-decision-map.svg'), 'utf8')).toMatch(/misclassified \(\d+\)/);
    // The true circle is dashed on the map, and its legend mark is dashed the same way.
    expect(fs.readFileSync(path.join(first, 'course-decision-map.svg'), 'utf8').match(/<circle [^>]*stroke-dasharray="6 4"\/>/g)).toHaveLength(2);
  });

  test('a caption keeps a percentage whole when it wraps: no line starts with "%"', () => {
    const curves = [{ loss: [0.5, 0.25], testError: [0.1, 0.0055] }];
    for (let n = 40; n <= 60; n++) {
      // when every space could break a line, the titles of 47 and 48 x's left "%" alone on line 2
      const svg = curvesFigure(`${'x'.repeat(n)} title`, curves);
      const lines = [...svg.matchAll(/font-size="13">([^<]*)<\/text>/g)].map((m) => m[1]);
      expect(lines.join(' ')).toMatch(/final test error 0\.55 %$/);
      for (const line of lines) expect(line).not.toMatch(/^%/);
    }
  });

  test('the files written are exactly those the output folder was checked for before training', () => {
    const run = readDiskFlags([...args, '--out', first]);
    expect(fs.readdirSync(first).sort()).toEqual(diskOutputNames(run!).sort());
    expect(diskOutputNames(readDiskFlags(['--config', 'bn', '--save', '--no-figures'])!)).toEqual(['results.md', 'results.json', 'curves.json', 'bn-model.json']);
  });

  test('an unusable --out is reported before any training, in one line, and its file is kept', () => {
    const file = path.join(tmp, 'a-file');
    fs.writeFileSync(file, 'mine');
    const r = runDisk(['--config', 'all', '--out', path.join(file, 'run')]); // 9 configs × 10 rounds × 300 epochs, were it to train
    expect(r.stderr).toBe(`error: --out '${path.join(file, 'run')}': cannot create the folder: '${file}' is a file, not a folder\n`);
    expect(r.status).toBe(1);
    expect(fs.readFileSync(file, 'utf8')).toBe('mine');
  }, 20_000);

  test('results.json holds every config, every round and its summary', () => {
    const json = readJson(first, 'results.json') as {
      configs: Array<{ name: string; rounds: Array<{ seed: string; testError: number }>; testError: { mean: number } }>;
    };
    expect(json.configs.map((c) => c.name)).toEqual(['course', 'mixed', 'bce', 'adam', 'mae', 'weight-decay', 'weight-sharing', 'bn', 'bn-batch100']);
    for (const c of json.configs) {
      expect(c.rounds).toHaveLength(2);
      expect(c.rounds.map((r) => r.seed)).toEqual(['disk-0-round-1', 'disk-0-round-2']);
      const mean = (c.rounds[0].testError + c.rounds[1].testError) / 2;
      expect(c.testError.mean).toBeCloseTo(mean, 12);
    }
    const curves = readJson(first, 'curves.json') as Record<string, Array<{ loss: number[]; testError: number[] }>>;
    expect(curves.course[0].loss).toHaveLength(4);
    expect(curves.course[0].testError).toHaveLength(4);
  });

  test('a different seed gives different data and weights', () => {
    const a = readJson(first, 'curves.json') as Record<string, Array<{ loss: number[] }>>;
    const b = readJson(otherSeed, 'curves.json') as Record<string, Array<{ loss: number[] }>>;
    expect(b.course[0].loss[0]).not.toBe(a.course[0].loss[0]);
    expect((readJson(otherSeed, 'results.json') as { configs: Array<{ rounds: Array<{ seed: string }> }> }).configs[0].rounds[0].seed).toBe('disk-7-round-1');
  });

  test('the Markdown table a report can paste', () => {
    const md = fs.readFileSync(path.join(first, 'results.md'), 'utf8');
    expect(md).toMatch(/\| config \| setup \| train error \(%\) \| test error \(%\) \|/);
    expect(md).toMatch(/\| course \| 2-25-25-25-2 ReLU, MSE, SGD lr 0\.1 \| \d+\.\d\d ± \d+\.\d\d \|/);
  });

  test('a wrong flag or value is refused with a clear message and status 2', () => {
    const unknown = runDisk(['--bogus']); //                     one process: the status and the one line on stderr
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown flag --bogus; the flags are --config, --rounds, --epochs, --seed, --out, --quiet, --no-figures, --save, --jobs, --monitor, --help\n$/);
    // the others through the same reader, in this process
    expect(() => readDiskFlags(['--rounds', 'zero'])).toThrow(/--rounds must be an integer ≥ 1, got 'zero'/);
    for (const jobs of ['0', '257', 'all', '1.5']) {
      expect(() => readDiskFlags(['--jobs', jobs])).toThrow(new RegExp(`^--jobs must be an integer from 1 to 256, got '${jobs.replace('.', '\\.')}'$`));
    }
    expect(() => readDiskFlags(['--config', 'nope'])).toThrow(/unknown --config 'nope'; choose one of course, mixed/);
  }, 60_000);

  test('--help explains the flags', () => {
    const help = runDisk(['--help']);
    expect(help.status).toBe(0);
    for (const flag of ['--config', '--rounds', '--epochs', '--seed', '--out']) expect(help.stdout).toContain(flag);
  });
});


describe("the batch-normalised config 'bn'", () => {
  test('is the course report\'s 2-100-50-20-1 net with BatchNorm1d, MSE on a 0/1 column, SGD lr 2e-3 with weight decay 0.05', () => {
    const config = findConfig('bn');
    expect(config).toBeDefined();
    const cfg = config!;
    expect(cfg.targets).toBe('column');
    expect(cfg.batchSize).toBe(64); // the report's
    const variant = findConfig('bn-batch100')!;
    expect(variant.batchSize).toBe(100); // the only difference
    expect(variant.model(new Rng(0)).toString()).toBe(cfg.model(new Rng(0)).toString());
    expect(variant.optimizer(variant.model(new Rng(0))).toString()).toBe(cfg.optimizer(cfg.model(new Rng(0))).toString());
    const model = cfg.model(new Rng(0));
    expect(model.toString()).toBe(
      'Sequential(Linear(2→100), BatchNorm1d(100), ReLU, Linear(100→50), BatchNorm1d(50), ReLU, Linear(50→20), BatchNorm1d(20), ReLU, Linear(20→1))',
    );
    expect(model.buffers()).toHaveLength(9); // runningMean, runningVar, numBatchesTracked of each BatchNorm1d
    expect(cfg.loss().toString()).toMatch(/^MSELoss/);
    expect(cfg.optimizer(model).toString()).toMatch(/^SGD\(lr=0\.002.*weightDecay=0\.05/);
  });

  test('one linear output is classified inside when it exceeds 0.5, in evaluation mode', () => {
    const round = runRound(findConfig('bn')!, 'bn-threshold', 1, 3, false);
    const { net, test } = round;
    const output = net.predict(applyStandardization(test.inputs, round.stats));
    expect(output.shape).toEqual([test.labels.length, 1]);
    expect(Array.from(output.data).some((v) => v < 0 || v > 1)).toBe(true); // a linear output, not a probability
    let wrong = 0;
    for (let i = 0; i < output.size; i++) if ((output.data[i] > 0.5 ? 1 : 0) !== test.labels[i]) wrong++;
    expect(round.testError).toBeCloseTo(wrong / output.size, 12);
    expect(net.model.training).toBe(true); // evaluation restored the training mode
  });
});
