import * as fs from 'node:fs';
import * as path from 'node:path';
import { Page } from 'playwright-core';
import { AttentionSession } from '../demos/playground/attention/session';
import { DEFAULT_ATTENTION_SETTINGS } from '../demos/playground/attention/settings';
import { PlaygroundSession, openPlayground } from './browser/playground-session';

/**
 * End-to-end test of the playground's attention page (demos/playground/attention.html): `serve.ts`
 * builds the playground and serves it on a free port; headless Chromium (driven by
 * playwright-core, found as spec/browser/find-chromium.ts says) opens the page, takes single
 * steps, trains, and reads the attention maps back from the canvases (each canvas carries the
 * weights it drew in `data-weights`, to 4 decimals, and the step it drew in `data-step`).
 *
 * The page's losses are compared with the same run computed here in Node: the page computes
 * with the WebAssembly kernels, this spec with the TypeScript ones; exp and log run in two
 * JavaScript engines, so they agree up to rounding.
 *
 * Screenshot of the trained page: artifacts/playground/attention.png (git-ignored).
 */
const ROOT = path.join(__dirname, '..');
const SCREENSHOT = path.join(ROOT, 'artifacts', 'playground', 'attention.png');

async function stat(page: Page, id: string): Promise<number> {
  const value = await page.getAttribute(`#${id}`, 'data-value');
  if (value === null) throw new Error(`#${id} has no data-value`);
  return Number(value);
}

/** The weights a map's canvas drew, as rows [T][T], and the step it drew them at. */
async function mapOf(page: Page, testid: string): Promise<{ rows: number[][]; step: number }> {
  const [weights, step] = await page.$eval(`canvas[data-testid="${testid}"]`, (el) => [(el as HTMLElement).dataset.weights ?? '', (el as HTMLElement).dataset.step ?? '']);
  const flat = weights.split(',').map(Number);
  const T = Math.round(Math.sqrt(flat.length));
  return { rows: Array.from({ length: T }, (_, i) => flat.slice(i * T, (i + 1) * T)), step: Number(step) };
}

/** How many pixels of a canvas are neither transparent nor white: something was drawn. */
async function inkedPixels(page: Page, testid: string): Promise<number> {
  return page.$eval(`canvas[data-testid="${testid}"]`, (el) => {
    const canvas = el as HTMLCanvasElement;
    const data = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    for (let k = 0; k < data.length; k += 4) if (data[k + 3] > 0 && (data[k] < 240 || data[k + 1] < 240 || data[k + 2] < 240)) inked++;
    return inked;
  });
}

/** Sets “stop at step”, presses Start and waits for the page to pause there. */
async function trainTo(page: Page, steps: number): Promise<void> {
  await page.fill('[data-testid="stop-at"]', String(steps));
  await page.press('[data-testid="stop-at"]', 'Tab');
  await page.click('[data-testid="start-pause"]');
  await page.waitForFunction(
    (s) => document.getElementById('run-state')?.textContent === 'paused' && document.getElementById('steps')?.dataset.value === String(s),
    steps,
    { timeout: 30_000 },
  );
}

/** The column of the largest weight in each row. */
function argmaxes(rows: number[][]): number[] {
  return rows.map((row) => row.indexOf(Math.max(...row)));
}

describe('the playground\'s attention page in headless Chromium', () => {
  const pageErrors: string[] = [];
  let session: PlaygroundSession | null = null;
  let page: Page;
  let url = '';

  beforeAll(async () => {
    session = await openPlayground('attention.html', { width: 1400, height: 1000 }, pageErrors);
    ({ page, url } = session);
  }, 40_000);

  afterAll(async () => {
    if (session) await session.close();
  });

  test('it opens on the untrained default run, with one map per head and their mean drawn', async () => {
    expect(await stat(page, 'steps')).toBe(0);
    expect(await page.textContent('[data-testid="run-state"]')).toBe('ready');
    expect(page.url()).toContain('#task=reverse&heads=2&lr=0.001&seed=1&stop=600');
    expect(await page.textContent('[data-testid="row-input"]')).toBe('cafhb_____');
    expect(await page.textContent('[data-testid="row-target"]')).toBe('·····bhfac');
    const maps = await page.$$eval('#maps canvas', (els) => els.map((e) => (e as HTMLElement).dataset.testid));
    expect(maps).toEqual(['map-head-1', 'map-head-2', 'map-mean']);
    for (const testid of maps) expect(await inkedPixels(page, testid as string)).toBeGreaterThan(2000);
    const mean = await mapOf(page, 'map-mean');
    expect(mean.step).toBe(0);
    // causal: nothing above the diagonal, and every row sums to 1
    mean.rows.forEach((row, i) => {
      expect(row.slice(i + 1).every((p) => p === 0)).toBe(true);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
    });
    expect(await page.textContent('[data-testid="architecture"]')).toContain('MultiheadAttention(16, heads=2, batchFirst=true, causal=true)');
    // Every page error so far is in pageErrors; the kernels are WebAssembly, as on the disk page.
    await page.waitForFunction(() => document.querySelector('[data-testid="backend"]')?.textContent === 'wasm', undefined, { timeout: 10_000 });
  }, 15_000);

  test('Step trains one batch and redraws the maps; the losses are those of the same run in Node', async () => {
    const before = await mapOf(page, 'map-head-1');
    for (let k = 0; k < 3; k++) await page.click('[data-testid="step"]');
    expect(await stat(page, 'steps')).toBe(3);
    const after = await mapOf(page, 'map-head-1');
    expect(after.step).toBe(3);
    expect(after.rows).not.toEqual(before.rows);

    const node = new AttentionSession(DEFAULT_ATTENTION_SETTINGS);
    for (let k = 0; k < 3; k++) node.step();
    expect(await stat(page, 'batch-loss')).toBeCloseTo(node.history.batchLoss[2], 10);
  }, 15_000);

  test('Start trains one step per frame until Pause; the example shown can be typed', async () => {
    await page.click('[data-testid="start-pause"]');
    await page.waitForFunction(() => Number(document.getElementById('steps')?.dataset.value) >= 13, undefined, { timeout: 10_000 });
    await page.click('[data-testid="start-pause"]');
    expect(await page.textContent('[data-testid="run-state"]')).toBe('paused');
    const paused = await stat(page, 'steps');
    expect((await mapOf(page, 'map-mean')).step).toBe(paused);
    await page.waitForTimeout(200);
    expect(await stat(page, 'steps')).toBe(paused);

    await page.fill('[data-testid="example"]', 'abc');
    expect(await page.getAttribute('[data-testid="example"]', 'class')).toContain('invalid'); // 3 letters: the default is shown
    expect(await page.textContent('[data-testid="row-input"]')).toBe('cafhb_____');
    await page.fill('[data-testid="example"]', 'hgfed');
    expect(await page.textContent('[data-testid="row-input"]')).toBe('hgfed_____');
    expect(await page.textContent('[data-testid="row-target"]')).toBe('·····defgh');
    await page.fill('[data-testid="example"]', 'cafhb');
    expect(await stat(page, 'steps')).toBe(paused); // the example changes what is drawn, not the run
  }, 15_000);

  test('300 steps learn to reverse: the anti-diagonal appears, and the mean map is the mean of the heads', async () => {
    await page.selectOption('[data-testid="speed"]', 'fast');
    await trainTo(page, 300);
    expect(await stat(page, 'accuracy')).toBeGreaterThan(0.95);
    expect(await page.textContent('[data-testid="row-model"]')).toBe('·····bhfac');
    const [head1, head2, mean] = await Promise.all(['map-head-1', 'map-head-2', 'map-mean'].map((id) => mapOf(page, id)));
    expect(mean.step).toBe(300);
    // Blank i (position 5 + i) looks at letter 4 − i: positions 4, 3, 2, 1, 0.
    expect(argmaxes(mean.rows).slice(5)).toEqual([4, 3, 2, 1, 0]);
    mean.rows.forEach((row, i) => row.forEach((p, j) => expect(Math.abs(p - (head1.rows[i][j] + head2.rows[i][j]) / 2)).toBeLessThanOrEqual(1e-4)));

    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(50_000);
  }, 40_000);

  test('a link with settings in its hash runs that task: previous letter, one head, a band under the diagonal', async () => {
    const other = await (session as PlaygroundSession).newPage({ width: 1400, height: 1000 });
    await other.goto(`${url}attention.html#task=previous&heads=1&lr=0.003&seed=abc&stop=200`);
    expect(await other.inputValue('[data-testid="task"]')).toBe('previous');
    expect(await other.inputValue('[data-testid="seed"]')).toBe('abc');
    expect(await other.$$eval('#maps canvas', (els) => els.length)).toBe(2); // one head and the mean
    await other.selectOption('[data-testid="speed"]', 'fast');
    await trainTo(other, 200);
    expect(await stat(other, 'accuracy')).toBeGreaterThan(0.95);
    const head = await mapOf(other, 'map-head-1');
    expect(argmaxes(head.rows).slice(1)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]); // position t looks at t − 1
    await other.close();
  }, 40_000);

  test('the page logged no errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
