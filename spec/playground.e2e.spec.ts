import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Browser, Page } from 'playwright-core';
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
import { generateDisk } from '../lib/data/disk';
import { standardize } from '../lib/data/standardize';
import { oneHot } from '../lib/data/one-hot';
import { launchChromium } from './browser/launch-chromium';

/**
 * End-to-end test of the browser playground (demos/playground): `serve.ts` builds the page
 * and serves it on a free port; headless Chromium, driven by playwright-core, loads it, trains,
 * resets, trains again, and opens the layer inspector. The browser is MINIDL_CHROMIUM if set,
 * else the system's Chromium or Chrome, else the one packaged in the dev dependency
 * @sparticuz/chromium (spec/browser/find-chromium.ts).
 * The numbers the page shows are compared with the same run computed here in Node with lib.
 * The page computes with the WebAssembly kernels (it shows which backend runs), this spec's
 * Node run with the backend of its Jest project: the results are the same to the last bit.
 *
 * Screenshot of the trained page: artifacts/playground/trained.png (git-ignored).
 */
const ROOT = path.join(__dirname, '..');
const SCREENSHOT = path.join(ROOT, 'artifacts', 'playground', 'trained.png');
/** 30 epochs of 10 mini-batches: 300 steps. */
const EPOCHS = 30;

/** The page's default network (demos/playground/page/settings.ts) trained here with lib's NeuralNet. */
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
  net.fit(xTrain, yTrain, { epochs: options.epochs, batchSize: options.batchSize, labels: train.labels });
  return { train: net.evaluate(xTrain, yTrain), test: net.evaluate(xTest, yTest) };
}

/** Starts `npm run playground -- --port 0 --out DIR` and resolves with the URL it prints. */
function startServer(outDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(ROOT, 'demos', 'playground', 'serve.ts'), '--port', '0', '--out', outDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stdout = '', stderr = '';
    const timer = setTimeout(() => reject(new Error(`the playground server printed no URL within 20 s; stderr: ${stderr}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the playground server exited with status ${code}: ${stderr}`));
    });
  });
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
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-playground-'));
  const pageErrors: string[] = [];
  let server: ChildProcess | null = null;
  let browser: Browser | null = null;
  let page: Page;
  let url = '';

  beforeAll(async () => {
    // Both are awaited before either failure is thrown, so that afterAll ends whichever started.
    const [started, launched] = await Promise.allSettled([startServer(outDir), launchChromium()]);
    if (started.status === 'fulfilled') server = started.value.child;
    if (launched.status === 'fulfilled') browser = launched.value;
    if (launched.status === 'rejected') throw launched.reason;
    if (started.status === 'rejected') throw started.reason;
    url = started.value.url;
    page = await launched.value.newPage({ viewport: { width: 1400, height: 1300 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => { if (msg.type() === 'error') pageErrors.push(msg.text()); });
    await page.goto(url);
  }, 40_000);

  afterAll(async () => {
    if (browser) await browser.close();
    if (server && server.exitCode === null) server.kill();
    fs.rmSync(outDir, { recursive: true, force: true });
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
  }, 30_000);

  test('the Step button takes one mini-batch', async () => {
    await page.click('[data-testid="step"]');
    expect(await stat(page, 'steps')).toBe(EPOCHS * 10 + 1);
    expect(await page.textContent('#run-detail')).toContain(`epoch ${EPOCHS + 1}, batch 1 of 10`);
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

  test('the URL hash carries every setting; a link replays the same run', async () => {
    const link = `${url}#hidden=8,8&activation=tanh&loss=cross-entropy&optimizer=adam&lr=0.01&batch=50&decay=0&seed=abc&stop=3`;
    const other = await (browser as Browser).newPage();
    other.on('pageerror', (err) => pageErrors.push(err.message));
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
