import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MNIST_MODELS } from '../demos/mnist/models';
import { loadOfflineDigits } from '../demos/mnist/offline-digits';
import { MNIST_SETTINGS, trainMnist } from '../demos/mnist/train';
import { encodeIdx } from '../lib/data/idx';
import { MNIST_FILES } from '../lib/data/mnist';
import { CrossEntropyLoss } from '../lib/losses/cross-entropy';
import { SGD } from '../lib/optim/sgd';
import { Rng } from '../lib/random/rng';
import { Tensor } from '../lib/tensor/tensor';
import { NeuralNet } from '../lib/training/neural-net';

/**
 * Runs `demos/mnist.ts` as `npm run mnist` does (node with tsx's require hook), output piped
 * (not a terminal). Asynchronous, so that several runs can share the cores.
 */
function runMnist(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const root = path.join(__dirname, '..');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(root, 'demos', 'mnist.ts'), ...args], { cwd: root });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** What the demo writes into results.json. */
interface ResultsJson {
  model: string;
  architecture: string;
  data: { source: string; train: number; test: number };
  settings: Record<string, unknown>;
  epochs: Array<{ epoch: number; trainLoss: number; trainAccuracy: number; testAccuracy: number }>;
  final: { trainAccuracy: number; testAccuracy: number };
  timings: { secondsPerEpoch: number[] };
}

function readResults(dir: string): ResultsJson {
  return JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8'));
}

describe('the MNIST demo (demos/mnist.ts)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-mnist-demo-'));
  const softmaxRuns: Array<{ dir: string; stdout: string; stderr: string }> = [];
  // The MLP runs twice, the second time watched by --monitor: hooks only observe, so the two
  // runs must agree to the bit (reproducibility and an unchanged run at once).
  const mlpDirs = ['mlp-a', 'mlp-monitor'].map((name) => path.join(tmp, name));
  const monitorDir = mlpDirs[1];
  let mlpStderr = '';
  let monitorStderr = '';

  let offline: ReturnType<typeof loadOfflineDigits>;

  beforeAll(async () => {
    const softmaxDirs = ['softmax-a', 'softmax-b'].map((name) => path.join(tmp, name));
    const runs = await Promise.all([
      ...softmaxDirs.map((dir) => runMnist(['--model', 'softmax', '--epochs', '2', '--seed', '0', '--out', dir])),
      runMnist(['--model', 'mlp', '--epochs', '1', '--seed', '0', '--out', mlpDirs[0]]),
      runMnist(['--model', 'mlp', '--epochs', '1', '--seed', '0', '--out', monitorDir, '--monitor']),
    ]);
    for (const r of runs) if (r.status !== 0) throw new Error(`mnist demo failed: ${r.stderr}`);
    softmaxDirs.forEach((dir, i) => softmaxRuns.push({ dir, stdout: runs[i].stdout, stderr: runs[i].stderr }));
    mlpStderr = runs[2].stderr;
    monitorStderr = runs[3].stderr;
    offline = loadOfflineDigits();
  }, 60_000);

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('the same seed gives identical numbers (results.json apart from timings, and results.md)', () => {
    const [a, b] = softmaxRuns.map((r) => readResults(r.dir));
    expect(a.timings.secondsPerEpoch).toHaveLength(2);
    const strip = (json: ResultsJson): string => JSON.stringify({ ...json, timings: undefined });
    expect(strip(b)).toBe(strip(a));
    const table = (run: { stdout: string }): string => run.stdout.replace(/\| [\d.]+ \|\n/g, '|\n'); // drop the time column
    expect(table(softmaxRuns[1])).toBe(table(softmaxRuns[0]));
  });

  test('softmax regression, 2 epochs on the offline digits: test accuracy ≥ 86% (seed 0 reaches 87.57%)', () => {
    const json = readResults(softmaxRuns[0].dir);
    expect(json.model).toBe('softmax');
    expect(json.data).toEqual({ source: expect.stringMatching(/offline digits of the npm package mnist/), train: 7996, test: 2004 });
    expect(json.settings).toMatchObject({ batchSize: 64, lr: 0.01, momentum: 0.9, epochs: 2, seed: '0', loss: 'CrossEntropyLoss' });
    expect(json.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(json.final.testAccuracy).toBeGreaterThanOrEqual(0.86);
    expect(json.epochs[1].trainLoss).toBeLessThan(json.epochs[0].trainLoss);
    // Accuracies are counts over 7996 and 2004 images.
    expect(json.final.testAccuracy * 2004).toBeCloseTo(Math.round(json.final.testAccuracy * 2004), 9);
    expect(json.final.trainAccuracy * 7996).toBeCloseTo(Math.round(json.final.trainAccuracy * 7996), 9);
  });

  test('the MLP, 1 epoch: reproducible, test accuracy ≥ 80% (seed 0 reaches 82.29%)', () => {
    const [a, b] = mlpDirs.map(readResults); // b: the same flags and --monitor
    expect(a.model).toBe('mlp');
    expect(a.architecture).toBe('Sequential(Linear(784→100), ReLU, Linear(100→100), ReLU, Linear(100→10))');
    expect(a.final.testAccuracy).toBeGreaterThanOrEqual(0.8);
    expect(b.epochs).toEqual(a.epochs);
  });

  test('--monitor: the same numbers, and what a TrainingMonitor saw as monitor.json and the figure monitor.svg/.png', () => {
    const strip = (json: ResultsJson): string => JSON.stringify({ ...json, timings: undefined });
    expect(strip(readResults(monitorDir))).toBe(strip(readResults(mlpDirs[0]))); // hooks only observe: the same bits
    const table = (dir: string): string => fs.readFileSync(path.join(dir, 'results.md'), 'utf8').replace(/\| [\d.]+ \|\n/g, '|\n');
    expect(table(monitorDir)).toBe(table(mlpDirs[0]));
    expect(monitorStderr).toMatch(/, results\.json, monitor\.json and the figure monitor\.svg\/\.png$/m);

    const monitor = JSON.parse(fs.readFileSync(path.join(monitorDir, 'monitor.json'), 'utf8'));
    expect(monitor).toMatchObject({ model: 'mlp', seed: '0' });
    expect(monitor.layers).toEqual([
      'Sequential[0] Linear(784→100)', 'Sequential[1] ReLU', 'Sequential[2] Linear(100→100)', 'Sequential[3] ReLU', 'Sequential[4] Linear(100→10)',
    ]);
    expect(monitor.params).toHaveLength(6);
    expect(monitor.epochs).toHaveLength(1);
    const [epoch] = monitor.epochs;
    const batches = Math.ceil(7996 / 64); // 125: the evaluations after the epoch (evaluation mode) are not counted
    for (const layer of epoch.layers) expect([layer.name, layer.forwardCalls, layer.backwardCalls]).toEqual([layer.name, batches, batches]);
    for (const relu of [epoch.layers[1], epoch.layers[3]]) {
      expect(relu.deadFraction * 100).toBeCloseTo(Math.round(relu.deadFraction * 100), 9); // a count of its 100 units
    }
    for (const param of epoch.params) {
      expect(param.updates).toBe(batches);
      expect(param.updateRatio).toBeGreaterThan(0);
    }
    expect(fs.readFileSync(path.join(monitorDir, 'monitor.svg'), 'utf8')).toMatch(/^<svg [^>]*>[\s\S]*what the TrainingMonitor saw/);
    expect(fs.readFileSync(path.join(monitorDir, 'monitor.png')).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(fs.existsSync(path.join(mlpDirs[0], 'monitor.json'))).toBe(false); // only with --monitor
  });

  test('the epoch loop is NeuralNet.fit\'s: same order, same steps, same loss and weights', () => {
    const ours = trainMnist(offline, { model: 'softmax', epochs: 1, seed: '3', skipEvaluation: true });
    const rng = new Rng('3');
    const model = MNIST_MODELS.softmax.build(rng);
    const net = new NeuralNet(model, {
      loss: new CrossEntropyLoss(),
      optimizer: new SGD(model.params(), { lr: MNIST_SETTINGS.lr, momentum: MNIST_SETTINGS.momentum }),
      rng,
    });
    const labels = offline.train.labels;
    const history = net.fit(offline.train.images, Tensor.fromArray(labels, [labels.length]), { epochs: 1, batchSize: MNIST_SETTINGS.batchSize });
    expect(ours.epochs[0].trainLoss).toBe(history.loss[0]);
    const weights = (m: typeof model): number[] => m.params().flatMap((p) => Array.from(p.value.data));
    expect(weights(ours.model)).toEqual(weights(model));
    // Another seed gives other weights and another order, hence another loss.
    expect(ours.epochs[0].trainLoss).not.toBe(readResults(softmaxRuns[0].dir).epochs[0].trainLoss);
    expect(Number.isNaN(ours.epochs[0].testAccuracy)).toBe(true); // evaluation skipped
  });

  test('the output names its data and model, prints a line per epoch when not on a terminal, and a Markdown table', () => {
    const { stdout, stderr } = softmaxRuns[0];
    expect(stderr).toMatch(/^data: the offline digits of the npm package mnist .*: 7996 training and 2004 test images$/m);
    expect(stderr).toMatch(/^model: softmax regression: Linear\(784→10\); 2 epoch\(s\), seed 0; cross-entropy, SGD lr 0\.01 momentum 0\.9, batch 64$/m);
    expect(stderr).toMatch(/^epoch 1\/2: loss \d\.\d{4}, train accuracy \d+\.\d\d%, test accuracy \d+\.\d\d% \(\d+\.\d\d s\)$/m);
    expect(stderr).toMatch(/^epoch 2\/2: /m);
    expect(stderr).not.toMatch(/\x1b|\r/); // no terminal control codes: no progress-bar animation in a pipe
    expect(mlpStderr).toMatch(/^model: MLP 784-100-100-10, ReLU; 1 epoch\(s\)/m);
    expect(stdout).toMatch(/\| epoch \| train loss \| train accuracy \(%\) \| test accuracy \(%\) \| time \(s\) \|/);
    expect(stdout).toMatch(/^\| 2 \| \d\.\d{4} \| \d+\.\d\d \| \d+\.\d\d \| \d+\.\d\d \|$/m);
    expect(fs.readFileSync(path.join(softmaxRuns[0].dir, 'results.md'), 'utf8')).toBe(stdout.replace(/\n$/, ''));
  });

  test('--data reads MNIST files from a folder and says so; a missing file is named', async () => {
    const write = (dir: string, withTestImages: boolean): void => {
      fs.mkdirSync(dir);
      const pixels = (n: number) => Array.from({ length: n * 784 }, (_, i) => (i * 7919) % 256);
      fs.writeFileSync(path.join(dir, MNIST_FILES.trainImages), encodeIdx([70, 28, 28], 'ubyte', pixels(70)));
      fs.writeFileSync(path.join(dir, MNIST_FILES.trainLabels), encodeIdx([70], 'ubyte', Array.from({ length: 70 }, (_, i) => i % 10)));
      if (withTestImages) fs.writeFileSync(path.join(dir, MNIST_FILES.testImages), encodeIdx([30, 28, 28], 'ubyte', pixels(30)));
      fs.writeFileSync(path.join(dir, MNIST_FILES.testLabels), encodeIdx([30], 'ubyte', Array.from({ length: 30 }, (_, i) => i % 10)));
    };
    const dir = path.join(tmp, 'files');
    const incomplete = path.join(tmp, 'files-incomplete');
    write(dir, true);
    write(incomplete, false);
    const out = path.join(tmp, 'files-out');
    const [r, missing] = await Promise.all([
      runMnist(['--model', 'softmax', '--epochs', '1', '--data', dir, '--out', out]),
      runMnist(['--model', 'softmax', '--epochs', '1', '--data', incomplete, '--out', path.join(tmp, 'unused')]),
    ]);
    expect(r.stderr).toMatch(new RegExp(`^data: MNIST files in ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: 70 training and 30 test images$`, 'm'));
    expect(r.status).toBe(0);
    expect(readResults(out).data).toMatchObject({ train: 70, test: 30 });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^error: --data '.*files-incomplete': cannot find the test images: looked for t10k-images-idx3-ubyte and t10k-images-idx3-ubyte\.gz \(--help lists the flags\)\n$/);
    expect(fs.existsSync(path.join(tmp, 'unused'))).toBe(false); // refused before the output folder is made
  }, 30_000);

  test('a wrong flag or value is refused with a clear message and status 2; --help lists the flags', async () => {
    const [badModel, badEpochs, help] = await Promise.all([['--model', 'resnet'], ['--epochs', '0'], ['--help']].map(runMnist));
    expect(badModel.status).toBe(2);
    expect(badModel.stderr).toMatch(/unknown --model 'resnet'; choose one of softmax, mlp, cnn/);
    expect(badEpochs.status).toBe(2);
    expect(badEpochs.stderr).toMatch(/--epochs must be an integer ≥ 1, got '0'/);
    expect(help.status).toBe(0);
    for (const flag of ['--model', '--epochs', '--seed', '--data', '--out', '--monitor']) expect(help.stdout).toContain(flag);
  }, 30_000);
});
