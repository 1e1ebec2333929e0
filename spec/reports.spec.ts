import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readReportsFlags, reportTasks, reportsOutputNames, exportText } from '../demos/reports';
import { buildNetwork } from '../demos/reports/build';
import { REPORT_ROWS, findRow } from '../demos/reports/rows';
import { verdict } from '../demos/reports/table';
import { roundSeed } from '../demos/disk/experiment';
import { Rng, generateDisk } from '../lib';
import { encodeIdx } from '../lib/data/idx';
import { MNIST_FILES } from '../lib/data/mnist';

/** Runs `demos/reports.ts` as `npm run reports` does and returns its status and output. */
function runReports(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const root = path.join(__dirname, '..');
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(root, 'demos', 'reports.ts'), ...args], { encoding: 'utf8', cwd: root, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const readJson = (dir: string, file: string): Record<string, unknown> => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));

describe('npm run reports: a smoke run of every report\'s protocol (1 round of 1 epoch per row)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-reports-'));
  const one = path.join(tmp, 'jobs1');
  const two = path.join(tmp, 'jobs2');
  const pytorch = path.join(tmp, 'pytorch.json');
  // every row but the MNIST CNN variants (the slowest epochs; their protocol is the 004 rows' with a conv net)
  const smokeRows = REPORT_ROWS.filter((r) => !(r.data.task === 'mnist' && r.data.images));
  const parallelRows = smokeRows.filter((r) => r.data.task !== 'mnist');
  const smoke = (rows: readonly { id: string }[]): string[] => ['--row', rows.map((r) => r.id).join(','), '--rounds', '1', '--epochs', '1', '--quiet', '--no-figures', '--pytorch', pytorch];

  beforeAll(() => {
    const figures = { trainError: { mean: 0.1, std: 0.01, min: 0.09, max: 0.11 }, testError: { mean: 0.2, std: 0.02, min: 0.18, max: 0.22 } };
    fs.writeFileSync(pytorch, JSON.stringify({
      date: '2000-01-01', torch: '9.9', python: '3', rows: {
        '002-course': { rounds: 1, epochs: 1, seed: '0', ...figures },
        '003-mixed': { rounds: 10, epochs: 300, seed: '0', ...figures },
      },
    }));
    // the run on two threads leaves out the MNIST rows (the slowest of the smoke run): each row is
    // one task whatever the others are, so its rows are compared with the same rows of the first
    for (const [dir, jobs, rows] of [[one, '1', smokeRows], [two, '2', parallelRows]] as const) {
      const r = runReports([...smoke(rows), '--jobs', jobs, '--out', dir]);
      if (r.status !== 0) throw new Error(`reports failed: ${r.stderr}`);
    }
  }, 120_000);

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('every row of every report ran, with one table per report', () => {
    const json = readJson(one, 'results.json') as { rows: Array<{ id: string; rounds: unknown[] }>; reports: Array<{ id: string }> };
    expect(json.rows.map((r) => r.id)).toEqual(smokeRows.map((r) => r.id));
    expect(json.reports.map((r) => r.id)).toEqual(['000', '001', '002', '003', '004']);
    for (const row of json.rows) expect(row.rounds).toHaveLength(1);
    const md = fs.readFileSync(path.join(one, 'results.md'), 'utf8');
    for (const id of ['000', '001', '002', '003', '004']) expect(md).toContain(`### Report ${id}: `);
    // the report's figure beside minidl's, and a verdict
    expect(md).toMatch(/\| 001-mse-sgd \| MSE_SGD \| test error \| 3\.52 ± 1\.14 % \(train 3\.17 ± 1\.37\), mean ± std over runs \| \d+\.\d\d ± 0\.00 % \(train \d+\.\d\d ± 0\.00\), 1 rounds \| not run \| (beaten|reproduced|below)/);
    expect(md).toMatch(/\| 001-ws-mse-adam-cosine \| .* \| \(variant of 001-ws-mse-adam\) \| .* \| (beats|does not beat) 001-ws-mse-adam's 0\.99 % \|/);
  });

  test('PyTorch\'s figures are shown when they ran the same rounds, epochs and seed', () => {
    const md = fs.readFileSync(path.join(one, 'results.md'), 'utf8');
    expect(md).toMatch(/\| 002-course \| .* \| 20\.00 ± 2\.00 % \(train 10\.00 ± 1\.00\) \|/);
    expect(md).toMatch(/\| 003-mixed \| .* \| ran 10 rounds of 300 epochs, seed 0 \|/); // an accuracy row, but another protocol
    expect(md).toContain('PyTorch 9.9, 2000-01-01');
  });

  test('--jobs 1 and --jobs 2 give every row the same bytes: its results (timings aside), curves and table line', () => {
    const ids = parallelRows.map((r) => r.id);
    expect(ids.length).toBeGreaterThanOrEqual(10);
    const rowsOf = (dir: string): Map<string, string> => {
      const json = readJson(dir, 'results.json') as { rows: Array<{ id: string }>; timings: unknown };
      expect(json.timings).toBeDefined();
      return new Map(json.rows.map((r) => [r.id, JSON.stringify(r)]));
    };
    const curvesOf = (dir: string): Record<string, unknown> => readJson(dir, 'curves.json');
    const lineOf = (dir: string, id: string): string[] => fs.readFileSync(path.join(dir, 'results.md'), 'utf8').split('\n').filter((l) => l.startsWith(`| ${id} |`));
    const [oneRows, twoRows] = [rowsOf(one), rowsOf(two)];
    expect([...twoRows.keys()]).toEqual(ids);
    for (const id of ids) {
      expect({ id, row: twoRows.get(id) }).toEqual({ id, row: oneRows.get(id) });
      expect({ id, curves: JSON.stringify(curvesOf(two)[id]) }).toEqual({ id, curves: JSON.stringify(curvesOf(one)[id]) });
      expect(lineOf(one, id)).toHaveLength(1);
      expect({ id, line: lineOf(two, id) }).toEqual({ id, line: lineOf(one, id) });
    }
  });

  test('--retable rewrites the tables of a run from its results.json: the same bytes, or a new PyTorch column', () => {
    const copy = path.join(tmp, 'retabled');
    fs.mkdirSync(copy);
    for (const f of ['results.md', 'results.json']) fs.copyFileSync(path.join(one, f), path.join(copy, f));
    expect(runReports(['--retable', copy, '--pytorch', pytorch]).status).toBe(0);
    for (const f of ['results.md', 'results.json']) expect(fs.readFileSync(path.join(copy, f), 'utf8')).toBe(fs.readFileSync(path.join(one, f), 'utf8'));
    const other = path.join(tmp, 'pytorch-other.json');
    const figures = { trainError: { mean: 0.3, std: 0.03, min: 0, max: 1 }, testError: { mean: 0.4, std: 0.04, min: 0, max: 1 } };
    fs.writeFileSync(other, JSON.stringify({ date: '2000-01-02', torch: '9.8', python: '3', rows: { '002-course': { rounds: 1, epochs: 1, seed: '0', ...figures } } }));
    expect(runReports(['--retable', copy, '--pytorch', other]).status).toBe(0);
    expect(fs.readFileSync(path.join(copy, 'results.md'), 'utf8')).toMatch(/\| 002-course \| .* \| 40\.00 ± 4\.00 % \(train 30\.00 ± 3\.00\) \|/);
  }, 30_000);

  test('figures: the curves of every row and the decision map of every disk row, identical on one thread or two', () => {
    const args = ['--row', '001-ws-mse-adam,000-conv', '--rounds', '1', '--epochs', '1', '--quiet'];
    const a = path.join(tmp, 'fig1');
    const b = path.join(tmp, 'fig2');
    expect(runReports([...args, '--jobs', '1', '--out', a]).status).toBe(0);
    expect(runReports([...args, '--jobs', '2', '--out', b]).status).toBe(0);
    const names = fs.readdirSync(a).sort();
    expect(names).toEqual(reportsOutputNames(readReportsFlags([...args, '--out', a])!).sort());
    expect(names).toContain('001-ws-mse-adam-decision-map.png');
    expect(names).toContain('000-conv-curves.svg');
    expect(names).not.toContain('000-conv-decision-map.svg');
    for (const f of names.filter((n) => /\.(svg|png)$/.test(n))) expect(fs.readFileSync(path.join(b, f)).equals(fs.readFileSync(path.join(a, f)))).toBe(true);
  }, 60_000);
});

test('--data: the MNIST rows on files in the standard format (70 training and 30 test images here)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-reports-mnist-'));
  try {
    const pixels = (n: number): number[] => Array.from({ length: n * 784 }, (_, i) => (i * 37) % 256);
    fs.writeFileSync(path.join(dir, MNIST_FILES.trainImages), encodeIdx([70, 28, 28], 'ubyte', pixels(70)));
    fs.writeFileSync(path.join(dir, MNIST_FILES.trainLabels), encodeIdx([70], 'ubyte', Array.from({ length: 70 }, (_, i) => i % 10)));
    fs.writeFileSync(path.join(dir, MNIST_FILES.testImages), encodeIdx([30, 28, 28], 'ubyte', pixels(30)));
    fs.writeFileSync(path.join(dir, MNIST_FILES.testLabels), encodeIdx([30], 'ubyte', Array.from({ length: 30 }, (_, i) => i % 10)));
    const out = path.join(dir, 'out');
    const r = runReports(['--row', '004-softmax', '--report', '004', '--rounds', '1', '--epochs', '1', '--no-figures', '--quiet', '--data', dir, '--out', out]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    const json = readJson(out, 'results.json') as { mnistData: string; rows: Array<{ rounds: Array<{ testError: number }> }> };
    expect(json.mnistData).toBe(`the MNIST files in ${dir}`);
    expect(json.rows[0].rounds[0].testError).toBeGreaterThanOrEqual(0);
    expect(fs.readFileSync(path.join(out, 'results.md'), 'utf8')).toContain('| ran on the offline digits |'); // PyTorch's figure is for the other data
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);

describe('npm run reports: flags', () => {
  const refused = (args: string[], message: RegExp): void => {
    expect(() => readReportsFlags(args)).toThrow(message);
  };

  test('wrong flags and values are refused before any work', () => {
    refused(['--report', '005'], /^unknown --report '005'; choose one of 000, 001, 002, 003, 004, all$/);
    refused(['--row', 'nope'], /^unknown --row 'nope'; the rows are 000-bn, /);
    refused(['--report', '002', '--row', '001-mse-sgd'], /^--row '001-mse-sgd' is not a row of --report 002$/);
    refused(['--row', '002-course,002-course'], /^--row names '002-course' twice$/);
    refused(['--jobs', '0'], /^--jobs must be an integer from 1 to 256, got '0'$/);
    refused(['--rounds', '1.5'], /^--rounds must be an integer ≥ 1, got '1\.5'$/);
    refused(['--epochs', 'zero'], /^--epochs must be an integer ≥ 1, got 'zero'$/);
    refused(['--export', 'x', '--out', 'y'], /^--export writes the protocols and data and trains nothing: leave out --out$/);
    refused(['--retable', __dirname, '--report', '001'], /^--retable reads the run's flags from DIR\/results\.json: leave out --report$/);
    refused(['--data', path.join(os.tmpdir(), 'no-such-minidl-folder')], /^--data '.*': no such folder$/);
    refused(['--data', __dirname], /^--data '.*': cannot find the train images: looked for train-images-idx3-ubyte and train-images-idx3-ubyte\.gz$/);
    refused(['--pytorch', path.join(os.tmpdir(), 'no-such-minidl-file.json')], /^--pytorch '.*': no such file$/);
    refused(['--bogus'], /^unknown flag --bogus; the flags are --report, --row, --rounds, --epochs, --seed, --jobs, --data, --pytorch, --out, --export, --retable, --quiet, --no-figures, --help$/);
  });

  test('a wrong flag ends the command with status 2 and one line', () => {
    const r = runReports(['--report', 'nope']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("error: unknown --report 'nope'; choose one of 000, 001, 002, 003, 004, all (--help lists the flags)\n");
  }, 30_000);

  test('defaults: every report, each row its own rounds and epochs, every core; --rounds and --epochs override them', () => {
    const run = readReportsFlags([])!;
    expect(run.rows.map((r) => r.id)).toEqual(REPORT_ROWS.map((r) => r.id));
    expect(run.rows.find((r) => r.id === '001-mse-sgd')).toMatchObject({ epochs: 250, rounds: 10, batchSize: 100 });
    expect(run.rows.find((r) => r.id === '000-bn')).toMatchObject({ epochs: 1000, batchSize: 64 });
    expect(run.jobs).toBe(os.availableParallelism());
    expect(run.outDir).toBe(path.join('out', 'reports', 'all'));
    const short = readReportsFlags(['--report', '001', '--rounds', '2', '--epochs', '3'])!;
    expect(short.rows.every((r) => r.report === '001' && r.rounds === 2 && r.epochs === 3)).toBe(true);
    expect(short.command).toBe('npm run reports -- --report 001 --rounds 2 --epochs 3');
    // one task per (row, round), seeded by the run's seed, in table order
    expect(reportTasks(short).map((t) => `${t.row}#${t.round}`).slice(0, 3)).toEqual(['001-mse-sgd#1', '001-mse-sgd#2', '001-bce-sgd#1']);
  });
});

describe('the reports\' protocols', () => {
  test('report 001\'s Net_1: two inputs, Tanh → ReLU → ReLU, one Sigmoid output; its weight-sharing net shares one branch', () => {
    expect(buildNetwork(findRow('001-mse-sgd')!.network, { kind: 'pytorch' }, new Rng(0)).toString())
      .toBe('Sequential(Linear(2→25), Tanh, Linear(25→25), ReLU, Linear(25→25), ReLU, Linear(25→1), Sigmoid)');
    const shared = buildNetwork(findRow('001-ws-mse-adam')!.network, { kind: 'pytorch' }, new Rng(0));
    // one branch's weights (1·25 + 25 + 25·25 + 25) counted once, then 50·25 + 25 + 25 + 1
    expect(shared.numParams()).toBe(700 + 1275 + 26);
    const sgd = REPORT_ROWS.filter((r) => r.report === '001' && r.optimizer.kind === 'sgd').map((r) => [r.id, r.optimizer]);
    expect(sgd).toEqual([
      ['001-mse-sgd', { kind: 'sgd', lr: 0.25, weightDecay: 2e-4 }], // lr 0.5, λ 1e-4 on the report's ½·MSE
      ['001-bce-sgd', { kind: 'sgd', lr: 0.3, weightDecay: 1e-4 }],
      ['001-ws-mse-sgd', { kind: 'sgd', lr: 0.25, weightDecay: 2e-4 }],
    ]);
    expect(REPORT_ROWS.filter((r) => r.report === '001').every((r) => r.epochs === 250)).toBe(true);
  });

  test('report 002\'s weights and biases start N(0, 0.1²)', () => {
    const model = buildNetwork(findRow('002-course')!.network, findRow('002-course')!.init, new Rng(1));
    const values = model.params().flatMap((p) => Array.from(p.value.data));
    const std = Math.sqrt(values.reduce((a, v) => a + v * v, 0) / values.length);
    expect(std).toBeGreaterThan(0.08);
    expect(std).toBeLessThan(0.12);
    expect(model.params().every((p) => p.value.data.some((v) => v !== 0))).toBe(true); // biases drawn too
  });

  test('every row states its choices, and every variant what it changed and which row it varies', () => {
    for (const row of REPORT_ROWS) {
      expect(row.choices.length).toBeGreaterThan(0);
      if (row.published === null) {
        expect(findRow(row.variantOf!)?.published).toBeTruthy();
        expect(row.changed!.length).toBeGreaterThan(40);
      }
    }
  });

  test('the verdict: beaten, reproduced within one std, or below with the reason; a variant beats its row\'s figure or not', () => {
    const figures = (mean: number, std: number) => ({ rounds: 10, epochs: 1, trainError: { mean, std, min: 0, max: 1 }, testError: { mean, std, min: 0, max: 1 } });
    const mse = findRow('001-mse-sgd')!; // published 3.52 % test error
    expect(verdict(mse, figures(0.03, 0.01)).kind).toBe('beaten');
    expect(verdict(mse, figures(0.04, 0.005)).kind).toBe('reproduced');
    expect(verdict(mse, figures(0.06, 0.005)).kind).toBe('below');
    const mixed = findRow('003-mixed')!; // published 98.0 % accuracy
    expect(verdict(mixed, figures(0.019, 0.005)).kind).toBe('beaten');
    expect(verdict(mixed, figures(0.0255, 0.006)).kind).toBe('reproduced');
    expect(verdict(mixed, figures(0.04, 0.005)).text).toBe(`below: ${mixed.belowReason}`);
    expect(verdict(findRow('003-mixed-adam')!, figures(0.015, 0.005)).text).toBe("beats 003-mixed's 98.00 %");
    expect(verdict(findRow('003-mixed-adam')!, figures(0.025, 0.005)).text).toBe("does not beat 003-mixed's 98.00 %");
  });

  test('--export writes the rounds\' data as minidl draws it, for the PyTorch script', () => {
    const run = readReportsFlags(['--report', '001', '--rounds', '2', '--export', 'unused'])!;
    const exported = JSON.parse(exportText(run)) as { rows: Array<{ id: string; rounds: number }>; data: { disk: Array<{ seed: string; train: { inputs: number[] } }>; conv: unknown[] } };
    expect(exported.rows.map((r) => r.id)).toEqual(run.rows.map((r) => r.id));
    expect(exported.data.disk.map((d) => d.seed)).toEqual([roundSeed('0', 1), roundSeed('0', 2)]);
    expect(exported.data.disk[1].train.inputs).toEqual(Array.from(generateDisk(1000, new Rng(roundSeed('0', 2))).inputs.data));
    expect(exported.data.conv).toEqual([]);
  });
});
