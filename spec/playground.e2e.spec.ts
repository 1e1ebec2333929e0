import * as fs from 'node:fs';
import * as path from 'node:path';
import { Page } from 'playwright-core';
import { Linear } from '../lib/modules/linear';
import { ReLU } from '../lib/modules/activations/relu';
import { Tanh } from '../lib/modules/activations/tanh';
import { Sequential } from '../lib/modules/containers/sequential';
import { MSELoss } from '../lib/losses/mse';
import { CrossEntropyLoss } from '../lib/losses/cross-entropy';
import { SGD } from '../lib/optim/sgd';
import { Adam } from '../lib/optim/adam';
import { NeuralNet } from '../lib/training/neural-net';
import { Rng } from '../lib/random/rng';
import { TrainingMonitor, MonitorHistory } from '../lib/tools/monitor';
import { generateDisk } from '../lib/data/disk';
import { standardize } from '../lib/data/standardize';
import { oneHot } from '../lib/data/one-hot';
import { PlaygroundSession, openPlayground } from './browser/playground-session';

/**
 * End-to-end test of the browser playground (demos/playground): `serve.ts` builds the page
 * and serves it on a free port; headless Chromium, driven by playwright-core, loads it, trains,
 * resets, trains again, and opens the layer inspector and its training monitor. The browser is MINIDL_CHROMIUM if set,
 * else the system's Chromium or Chrome, else the one packaged in the dev dependency
 * @sparticuz/chromium (spec/browser/find-chromium.ts).
 * The numbers the page shows are compared with the same run computed here in Node with lib.
 * The page computes with the WebAssembly kernels (it shows which backend runs), this spec's
 * Node run with the backend of its Jest project: the results are the same to the last bit.
 *
 * Screenshots (git-ignored): the trained page, artifacts/playground/trained.png, and the inspector
 * with the training monitor after 31 epochs, artifacts/playground/monitor.png (the one in
 * docs/figures/playground-monitor.png).
 */
const ROOT = path.join(__dirname, '..');
const SCREENSHOT = path.join(ROOT, 'artifacts', 'playground', 'trained.png');
const MONITOR_SCREENSHOT = path.join(ROOT, 'artifacts', 'playground', 'monitor.png');
/** The monitor's four charts (demos/playground/index.html). */
const MONITOR_CHARTS = ['activations', 'units', 'gradients', 'ratios'];
/** 30 epochs of 10 mini-batches: 300 steps. */
const EPOCHS = 30;

/**
 * The page's default network (demos/playground/page/settings.ts) trained here with lib's NeuralNet,
 * watched by a TrainingMonitor closing each epoch as the page does.
 */
function nodeRun(options: { seed: string; hidden: number[]; activation: () => ReLU | Tanh; adam: boolean; lr: number; batchSize: number; crossEntropy: boolean; epochs: number }) {
  const rng = new Rng(options.seed);
  const train = generateDisk(1000, rng);
  const test = generateDisk(1000, rng);
  const { train: xTrain, test: xTest } = standardize(train.inputs, test.inputs);
  const layers = [];
  let width = 2;
  for (const h of options.hidden) {
    layers.push(new Linear(width, h, { rng }), options.activation());
    width = h;
  }
  layers.push(new Linear(width, 2, { rng }));
  const model = new Sequential(...layers);
  const optimizer = options.adam ? new Adam(model.params(), { lr: options.lr }) : new SGD(model.params(), { lr: options.lr, momentum: 0.9 });
  const net = new NeuralNet(model, { loss: options.crossEntropy ? new CrossEntropyLoss() : new MSELoss(), optimizer, rng });
  const yTrain = oneHot(train.labels, 2);
  const yTest = oneHot(test.labels, 2);
  const monitor = new TrainingMonitor(model);
  net.fit(xTrain, yTrain, { epochs: options.epochs, batchSize: options.batchSize, labels: train.labels, onEpoch: () => { monitor.endEpoch(); } });
  const monitored: MonitorHistory = monitor.history();
  return { train: net.evaluate(xTrain, yTrain), test: net.evaluate(xTest, yTest), monitor: monitored };
}

/** The number a line under a monitor chart gives for the chosen layer (its data-value). */
async function monitorValue(page: Page, chart: string): Promise<number> {
  return Number(await page.getAttribute(`[data-testid="monitor-now-${chart}"]`, 'data-value'));
}

/** Each monitor chart as a PNG data URL, to tell whether it was drawn again. */
function monitorImages(page: Page): Promise<string[]> {
  return page.evaluate((names) => names.map((n) => (document.getElementById(`monitor-${n}`) as HTMLCanvasElement).toDataURL()), MONITOR_CHARTS);
}

/** How many pixels of a monitor chart have the colour `hex` (a line or dot of that layer, drawn opaque). */
function pixelsOfColor(page: Page, chart: string, hex: string): Promise<number> {
  return page.evaluate(([name, color]) => {
    const canvas = document.getElementById(`monitor-${name}`) as HTMLCanvasElement;
    const data = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, canvas.width, canvas.height).data;
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
    let count = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] === r && data[i + 1] === g && data[i + 2] === b && data[i + 3] === 255) count++;
    return count;
  }, [chart, hex] as const);
}

async function stat(page: Page, id: string): Promise<number> {
  const value = await page.getAttribute(`#${id}`, 'data-value');
  if (value === null) throw new Error(`#${id} has no data-value`);
  return Number(value);
}

/** Clicks Start and returns a promise of training pausing by itself at the "stop at epoch" value. */
async function startTraining(page: Page, epochs: number): Promise<() => Promise<void>> {
  await page.click('[data-testid="start-pause"]');
  return () => untilStopped(page, epochs);
}

async function trainUntilStop(page: Page, epochs: number): Promise<void> {
  await (await startTraining(page, epochs))();
}

async function untilStopped(page: Page, epochs: number): Promise<void> {
  await page.waitForFunction(
    (e) => document.getElementById('run-state')?.textContent === 'paused' && document.getElementById('epoch')?.dataset.value === String(e),
    epochs,
    { timeout: 20_000 },
  );
}

describe('the browser playground in headless Chromium', () => {
  const pageErrors: string[] = [];
  let session: PlaygroundSession | null = null;
  let page: Page;
  let url = '';

  beforeAll(async () => {
    session = await openPlayground('', { width: 1400, height: 1300 }, pageErrors);
    ({ page, url } = session);
  }, 40_000);

  afterAll(async () => {
    if (session) await session.close();
  });

  test('the page opens on the untrained default network', async () => {
    expect(await page.textContent('[data-testid="epoch"]')).toBe('0');
    expect(await stat(page, 'steps')).toBe(0);
    expect(await page.textContent('[data-testid="run-state"]')).toBe('ready');
    expect(await page.inputValue('[data-testid="seed"]')).toBe('1');
    const chips = await page.$$eval('[data-testid^="layer-"]', (els) => els.map((e) => e.textContent));
    expect(chips).toEqual(['Linear(2→25)', 'ReLU', 'Linear(25→25)', 'ReLU', 'Linear(25→25)', 'ReLU', 'Linear(25→2)']);
    // The untrained network is no better than a coin.
    expect(await stat(page, 'test-error')).toBeGreaterThan(0.3);
    // The training monitor: a key per layer, four charts, no epoch yet.
    expect(await page.getAttribute('[data-testid="monitor"]', 'data-epochs')).toBe('0');
    expect(await page.$$eval('[data-testid^="monitor-key-"]', (els) => els.map((e) => e.textContent)))
      .toEqual(['0 Linear', '1 ReLU', '2 Linear', '3 ReLU', '4 Linear', '5 ReLU', '6 Linear']);
    expect(await page.textContent('[data-testid="monitor-now-gradients"]')).toBe('[2] Linear(25→25): after the first epoch');
  });

  test('the kernels run in WebAssembly: compiled asynchronously as the page opens, and the page says so', async () => {
    await page.waitForFunction(() => document.querySelector('[data-testid="backend"]')?.textContent === 'wasm', undefined, { timeout: 10_000 });
    expect(await page.getAttribute('[data-testid="backend"]', 'title')).toContain('WebAssembly');
    // served cross-origin isolated, so the kernels' memory can be shared (tensors live in it)
    expect(await page.evaluate(() => (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated)).toBe(true);
  });

  let firstLoss = NaN;
  let firstTestError = NaN;

  test(`${EPOCHS} epochs (${EPOCHS * 10} steps) bring the shown test error below 10 %`, async () => {
    await page.fill('[data-testid="stop-at"]', String(EPOCHS));
    await page.press('[data-testid="stop-at"]', 'Tab');
    expect(page.url()).toContain(`stop=${EPOCHS}`);
    await trainUntilStop(page, EPOCHS);
    expect(await stat(page, 'steps')).toBe(EPOCHS * 10);
    firstLoss = await stat(page, 'train-loss');
    firstTestError = await stat(page, 'test-error');
    expect(firstTestError).toBeLessThan(0.1);
    expect(await page.textContent('[data-testid="test-error"]')).toBe(`${(100 * firstTestError).toFixed(1)} %`);
    expect(Number(await page.textContent('[data-testid="misclassified"]'))).toBe(Math.round(firstTestError * 1000));
    expect(await page.getAttribute('[data-testid="monitor"]', 'data-epochs')).toBe(String(EPOCHS));
  }, 30_000);

  test('same seed ⇒ same run: Reset and the same steps show the same loss, which is the loss of the same run in Node', async () => {
    await page.click('[data-testid="reset"]');
    expect(await stat(page, 'epoch')).toBe(0);
    expect(await stat(page, 'steps')).toBe(0);
    const stopped = await startTraining(page, EPOCHS);
    // The same run in Node, computed while the browser trains.
    const node = nodeRun({ seed: '1', hidden: [25, 25, 25], activation: () => new ReLU(), adam: false, lr: 0.05, batchSize: 100, crossEntropy: false, epochs: EPOCHS });
    await stopped();
    expect(await stat(page, 'train-loss')).toBe(firstLoss);
    expect(await stat(page, 'test-error')).toBe(firstTestError);

    // Only +, −, ×, / and √ in this run (ReLU, MSE, SGD): the browser and Node agree to the last bit.
    expect(firstLoss).toBe(node.train.loss);
    expect(firstTestError).toBe(node.test.errorRate);
    // The page's monitor (hooks on the page's model) measured what a TrainingMonitor measures in Node:
    // the chosen layer, Sequential[2] Linear(25→25), in the last epoch.
    const last = node.monitor.epochs[EPOCHS - 1];
    expect(node.monitor.layers[2]).toBe('Sequential[2] Linear(25→25)');
    expect(await page.textContent('[data-testid="monitor-now-gradients"]')).toMatch(/^\[2\] Linear\(25→25\), epoch 30: ‖∂L\/∂output‖ = /);
    expect(await monitorValue(page, 'activations')).toBe(last.layers[2].mean);
    expect(await monitorValue(page, 'gradients')).toBe(last.layers[2].gradOutputNorm);
    expect(node.monitor.params[2]).toBe('Sequential[2] Linear(25→25) weight');
    expect(await monitorValue(page, 'ratios')).toBe(last.params[2].updateRatio);
  }, 30_000);

  test('the Step button takes one mini-batch', async () => {
    await page.click('[data-testid="step"]');
    expect(await stat(page, 'steps')).toBe(EPOCHS * 10 + 1);
    expect(await page.textContent('#run-detail')).toContain(`epoch ${EPOCHS + 1}, batch 1 of 10`);
    // The monitor has a point per completed epoch: none more yet.
    expect(await page.getAttribute('[data-testid="monitor"]', 'data-epochs')).toBe(String(EPOCHS));
  });

  test('the layer inspector shows the chosen layer: weights, their gradient, and the gradient flowing back', async () => {
    await page.click('[data-testid="layer-0"]');
    expect(await page.textContent('[data-testid="inspector-title"]')).toContain('Linear(2→25)');
    let shapes = await page.$$eval('#heatmaps figure', (els) => els.map((e) => (e as HTMLElement).dataset.shape));
    expect(shapes).toEqual(['2x25', '2x25', '100x25']); // W, ∂L/∂W, gradOut of the last batch
    await page.click('[data-testid="layer-5"]');
    expect(await page.textContent('[data-testid="inspector-title"]')).toContain('Sequential[5]  ReLU');
    shapes = await page.$$eval('#heatmaps figure', (els) => els.map((e) => (e as HTMLElement).dataset.shape));
    expect(shapes).toEqual(['100x25', '100x25', '100x25']); // output, gradOut, gradInput
    await page.click('[data-testid="layer-2"]');
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(50_000);
  });

  test('the training monitor is drawn, gets a point at the end of the next epoch, and follows the chosen layer', async () => {
    const chosen = '#2ca02c'; // layer 2's colour (Tableau's third)
    for (const chart of ['activations', 'gradients', 'ratios']) expect(await pixelsOfColor(page, chart, chosen)).toBeGreaterThan(100);
    const before = await monitorImages(page);
    const gradientBefore = await monitorValue(page, 'gradients');
    await page.fill('[data-testid="stop-at"]', String(EPOCHS + 1));
    await page.press('[data-testid="stop-at"]', 'Tab');
    await trainUntilStop(page, EPOCHS + 1);
    expect(await page.getAttribute('[data-testid="monitor"]', 'data-epochs')).toBe(String(EPOCHS + 1));
    const after = await monitorImages(page);
    after.forEach((image, i) => expect([MONITOR_CHARTS[i], image === before[i]]).toEqual([MONITOR_CHARTS[i], false]));
    expect(await page.textContent('[data-testid="monitor-now-gradients"]')).toContain(`epoch ${EPOCHS + 1}:`);
    expect(await monitorValue(page, 'gradients')).not.toBe(gradientBefore);

    // A key chooses a layer, as a chip does: Sequential[5] ReLU, whose dead units are counted.
    await page.click('[data-testid="monitor-key-5"]');
    expect(await page.textContent('[data-testid="inspector-title"]')).toContain('Sequential[5]  ReLU');
    expect(await page.textContent('[data-testid="monitor-now-units"]')).toMatch(/^\[5\] ReLU, epoch 31: [\d.]+ % of its units dead$/);
    const dead = await monitorValue(page, 'units');
    expect(dead).toBeGreaterThanOrEqual(0);
    expect(dead).toBeLessThanOrEqual(1);
    expect(Math.round(dead * 25)).toBeCloseTo(dead * 25, 9); // a count of its 25 units
    expect(await page.textContent('[data-testid="monitor-now-ratios"]')).toBe('[5] ReLU, epoch 31: no parameters');
    expect(await pixelsOfColor(page, 'units', '#8c564b')).toBeGreaterThan(50); // layer 5's line, now thick
    const inspector = await page.$('.inspector');
    fs.mkdirSync(path.dirname(MONITOR_SCREENSHOT), { recursive: true });
    await (inspector as NonNullable<typeof inspector>).screenshot({ path: MONITOR_SCREENSHOT });
    expect(fs.statSync(MONITOR_SCREENSHOT).size).toBeGreaterThan(50_000);
  }, 30_000);

  test('the URL hash carries every setting; a link replays the same run', async () => {
    const link = `${url}#hidden=8,8&activation=tanh&loss=cross-entropy&optimizer=adam&lr=0.01&batch=50&decay=0&seed=abc&stop=3`;
    const other = await (session as PlaygroundSession).newPage({ width: 1280, height: 720 });
    await other.goto(link);
    expect(await other.inputValue('[data-testid="seed"]')).toBe('abc');
    expect(await other.inputValue('[data-testid="batch-size"]')).toBe('50');
    expect(await other.inputValue('[data-testid="activation"]')).toBe('tanh');
    const chips = await other.$$eval('[data-testid^="layer-"]', (els) => els.map((e) => e.textContent));
    expect(chips).toEqual(['Linear(2→8)', 'Tanh', 'Linear(8→8)', 'Tanh', 'Linear(8→2)']);
    const stopped = await startTraining(other, 3);
    const node = nodeRun({ seed: 'abc', hidden: [8, 8], activation: () => new Tanh(), adam: true, lr: 0.01, batchSize: 50, crossEntropy: true, epochs: 3 });
    await stopped();
    expect(await stat(other, 'steps')).toBe(3 * 20);
    // tanh, exp, log and powers run in two JavaScript engines here: equal up to rounding.
    expect(await stat(other, 'train-loss')).toBeCloseTo(node.train.loss, 12);
    expect(await stat(other, 'test-error')).toBe(node.test.errorRate);
    await other.close();
  }, 30_000);

  test('the page logged no errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
