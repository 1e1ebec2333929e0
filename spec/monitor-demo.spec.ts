import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { diskOutputNames, readDiskFlags, runDiskDemo } from '../demos/disk';
import { findConfig } from '../demos/disk/configs';
import { roundSeed, runRound } from '../demos/disk/experiment';
import { monitorFigure } from '../demos/figures/monitor-figures';
import { svgToPng } from '../demos/figures/png';
import { initOutputNames, readInitFlags, runInitDemo } from '../demos/init';
import { INIT_SCHEMES, initData, runInit } from '../demos/init/experiment';
import { initFigure } from '../demos/init/figures';
import { MonitorHistory } from '../lib';
import { setBackend } from '../lib/tensor/backend/select';

/*
 * The demos built on the TrainingMonitor: `npm run disk -- --monitor` (monitor.json and the
 * <config>-monitor figures) and `npm run init` (four initialisations of one deep network). Both
 * run here in this process, briefly, on the backend `npm run` gives them ('wasm'); the same flags
 * must give the same bytes.
 */

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-monitor-demo-'));
beforeAll(() => setBackend('wasm'));
afterAll(() => {
  setBackend('js');
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs `fn` with the demo's console output swallowed. */
async function quietly<T>(fn: () => T | Promise<T>): Promise<T> {
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    return await fn();
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('npm run disk -- --monitor', () => {
  const out = path.join(tmp, 'disk');
  const args = ['--config', 'mixed', '--rounds', '1', '--epochs', '3', '--monitor', '--jobs', '1', '--quiet', '--out', out];

  beforeAll(() => quietly(() => runDiskDemo(args)), 60_000);

  test('writes monitor.json and the monitor figure as SVG and PNG, with the files the folder was checked for', () => {
    const names = diskOutputNames(readDiskFlags(args)!);
    expect(names).toEqual(expect.arrayContaining(['monitor.json', 'mixed-monitor.svg', 'mixed-monitor.png']));
    expect(fs.readdirSync(out).sort()).toEqual([...names].sort());
    expect(diskOutputNames(readDiskFlags(['--monitor', '--no-figures'])!)).toEqual(['results.md', 'results.json', 'curves.json', 'monitor.json']);
    expect(diskOutputNames(readDiskFlags([])!)).not.toContain('monitor.json');
    expect(fs.readFileSync(path.join(out, 'mixed-monitor.png')).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    const svg = fs.readFileSync(path.join(out, 'mixed-monitor.svg'), 'utf8');
    for (const title of ['Activations: mean ± std per layer', 'Gradient norm entering each layer (log)', 'Update / weight ratio per update (log)']) {
      expect(svg).toContain(title);
    }
  });

  test("monitor.json holds round 1's history: every layer, every epoch, over the epoch's 10 training batches", () => {
    const watched = JSON.parse(fs.readFileSync(path.join(out, 'monitor.json'), 'utf8')) as Record<string, MonitorHistory & { round: number; seed: string }>;
    const mixed = watched.mixed;
    expect(mixed.round).toBe(1);
    expect(mixed.seed).toBe('disk-0-round-1');
    expect(mixed.layers).toEqual([
      'Sequential[0] Linear(2→25)', 'Sequential[1] ReLU', 'Sequential[2] Linear(25→25)', 'Sequential[3] Tanh',
      'Sequential[4] Linear(25→25)', 'Sequential[5] Sigmoid', 'Sequential[6] Linear(25→2)',
    ]);
    expect(mixed.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    for (const epoch of mixed.epochs) {
      expect(epoch.layers.every((l) => l.forwardCalls === 10 && l.backwardCalls === 10)).toBe(true); // 1000 points in batches of 100
      expect(epoch.layers[1].deadFraction).not.toBeNull();
      expect(epoch.layers[3].saturatedFraction).not.toBeNull();
      expect(epoch.layers[5].saturatedFraction).not.toBeNull();
      expect(epoch.params.every((p) => p.updates === 10 && (p.updateRatio as number) > 0)).toBe(true);
    }
  });

  test('the same round watched again gives the same history and the same figure bytes; watching changes no number of the training', () => {
    const config = findConfig('mixed')!;
    const watched = runRound(config, roundSeed('0', 1), 1, 3, true, true);
    const plain = runRound(config, roundSeed('0', 1), 1, 3, true, false);
    const written = JSON.parse(fs.readFileSync(path.join(out, 'monitor.json'), 'utf8')).mixed;
    expect({ round: 1, seed: watched.seed, ...watched.monitor }).toEqual(written);
    const svg = monitorFigure(`mixed, round 1: what the TrainingMonitor saw (${config.description})`, watched.monitor!);
    expect(svg).toBe(fs.readFileSync(path.join(out, 'mixed-monitor.svg'), 'utf8'));
    expect(svgToPng(svg).equals(fs.readFileSync(path.join(out, 'mixed-monitor.png')))).toBe(true);
    // a title too long for one line is wrapped at spaces, and the figure grows by the lines it adds
    const longTitle = `weight-sharing, round 1: ${'a rather long description '.repeat(8)}end`;
    const wrapped = monitorFigure(longTitle, watched.monitor!);
    const headingLines = [...wrapped.matchAll(/<text x="640" y="\d+" text-anchor="middle" font-size="15" font-weight="bold">([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(headingLines.length).toBe(2);
    expect(headingLines.join(' ')).toBe(longTitle);
    for (const line of headingLines) expect(line.length).toBeLessThanOrEqual(130);
    expect(wrapped).toMatch(/<svg [^>]*height="678"/);
    expect(plain.monitor).toBeNull();
    expect(watched.curves).toEqual(plain.curves);
    expect(watched.net.model.params().map((p) => Array.from(p.value.data))).toEqual(plain.net.model.params().map((p) => Array.from(p.value.data)));
  }, 30_000);
});

describe('npm run init', () => {
  const first = path.join(tmp, 'init-1');
  const second = path.join(tmp, 'init-2');
  const args = ['--activation', 'tanh'];

  beforeAll(() => quietly(() => {
    runInitDemo([...args, '--out', first]);
    runInitDemo([...args, '--out', second]);
  }), 60_000);

  test('two runs with the same flags write the same bytes, in the files the folder was checked for', () => {
    const names = initOutputNames(readInitFlags([...args, '--out', first])!);
    expect(names).toEqual(['results.md', 'results.json', 'init-tanh.svg', 'init-tanh.png']);
    expect(fs.readdirSync(first).sort()).toEqual([...names].sort());
    for (const name of names) expect(fs.readFileSync(path.join(second, name)).equals(fs.readFileSync(path.join(first, name)))).toBe(true);
    expect(initOutputNames(readInitFlags([])!)).toEqual(['results.md', 'results.json', 'init-tanh.svg', 'init-tanh.png', 'init-relu.svg', 'init-relu.png']);
  });

  test('the classic picture: too small shrinks the activations tenfold per layer, too large saturates tanh, Xavier keeps the spread', () => {
    type Row = { layer: number; std: number; deadOrSaturated: number; weightGradNorm: number };
    const json = JSON.parse(fs.readFileSync(path.join(first, 'results.json'), 'utf8')) as { runs: { activation: string; init: string; layers: Row[] }[] };
    expect(json.runs.map((r) => `${r.activation} ${r.init}`)).toEqual(['tanh small', 'tanh large', 'tanh xavier', 'tanh kaiming']);
    const [small, large, xavier] = json.runs.map((r) => r.layers);
    for (let l = 1; l < 10; l++) expect(small[l].std / small[l - 1].std).toBeCloseTo(0.1, 1); //   σ·√100 = 0.1 per layer
    expect(small[9].weightGradNorm).toBeLessThan(1e-9);
    expect(large.every((row) => row.deadOrSaturated > 0.5)).toBe(true);
    expect(xavier[9].std).toBeGreaterThan(0.1);
    expect(xavier[9].std).toBeLessThan(1);
    const md = fs.readFileSync(path.join(first, 'results.md'), 'utf8');
    expect(md).toMatch(/### tanh, small: W ~ N\(0, 0\.01²\): too small/);
    expect(md).toMatch(/\| layer \| mean \| std \| saturated \(%\) \| ‖∂L\/∂h‖ \| ‖∂L\/∂W‖ \|/);
  });

  test('the figure: panels two by two; the std axis labels 1 and keeps tanh\'s line at 0.96 off its frame; the ReLU figure says why its four dead-unit lines are one', () => {
    const svg = fs.readFileSync(path.join(first, 'init-tanh.svg'), 'utf8');
    expect(svg).toMatch(/^<svg [^>]*width="790" height="652"/);
    expect(svg).toMatch(/text-anchor="end">1<\/text>/); //                                 10⁰ is labelled
    // N(0, 1)'s line (red) in the first panel, whose frame's top is at y = 70: at least 5 px below it
    const red = svg.match(/<polyline points="([^"]*)" fill="none" stroke="#d62728"/)![1];
    for (const point of red.split(' ')) expect(Number(point.split(',')[1])).toBeGreaterThan(75);
    expect(svg).not.toMatch(/The four lines coincide/);
    const data = initData('0');
    const relu = initFigure('relu', INIT_SCHEMES.map((scheme) => runInit('relu', scheme, '0', data)), '0');
    expect(relu).toMatch(/The four lines coincide \(Kaiming's,/); // (its note wraps over lines)
  });

  test('its flags are checked: an unknown activation lists the choices', () => {
    expect(() => readInitFlags(['--activation', 'sigmoid'])).toThrow(/unknown --activation 'sigmoid'; choose one of tanh, relu, both/);
    expect(() => readInitFlags(['--layers', '3'])).toThrow(/unknown flag --layers; the flags are --activation, --seed, --out, --help/);
  });
});
