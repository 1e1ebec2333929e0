import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { MSELoss } from '../lib/losses/mse';
import { ReLU } from '../lib/modules/activations/relu';
import { Sequential } from '../lib/modules/containers/sequential';
import { Linear } from '../lib/modules/linear';
import { SGD } from '../lib/optim/sgd';
import { Rng } from '../lib/random/rng';
import { BackendName, setBackend } from '../lib/tensor/backend/select';
import { DEFAULT_MEMORY_BUDGET, memoryBudget, memoryInUse, setMemoryBudget } from '../lib/tensor/memory';
import { Tensor } from '../lib/tensor/tensor';
import { NeuralNet } from '../lib/training/neural-net';
import { activeWasm, bits, expectMinidlError, randn } from './helpers';

/*
 * The kernels' memory has a budget (lib/tensor/memory.ts): past it new tensors are ordinary
 * arrays — correct, slower, never a crash — and the bound holds in synchronous loops that never
 * let the garbage collector's finalizers run.
 */

const MiB = 1024 * 1024;
afterEach(() => setMemoryBudget(DEFAULT_MEMORY_BUDGET));
afterAll(() => setBackend('js'));

/** Runs a script in a fresh Node process on the default ('wasm') backend; resolves to its last line of output, parsed. */
function runScript(script: string): Promise<{ peakMiB: number; wasmMiB: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: path.join(__dirname, '..') });
    let out = '', err = '';
    child.stdout.on('data', (chunk) => { out += chunk; });
    child.stderr.on('data', (chunk) => { err += chunk; });
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`exit ${code}: ${err}`));
      else resolve(JSON.parse(out.trim().split('\n').pop() as string));
    });
  });
}

/** A synchronous loop body, sampled for resident memory every `every` iterations. */
function loopScript(setup: string, body: string, count: number, every: number): string {
  return `
    const { Adam, Linear, Rng, Tensor, getBackend, memoryInUse, withTemporaryTensors } = require('./lib');
    if (getBackend() !== 'wasm') throw new Error('expected the wasm backend');
    ${setup}
    let peak = 0;
    const start = Date.now();
    for (let i = 0; i < ${count}; i++) {
      ${body}
      if (i % ${every} === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    console.log(JSON.stringify({ peakMiB: peak / ${MiB}, wasmMiB: memoryInUse() / ${MiB}, ms: Date.now() - start }));
  `;
}

describe('bounded memory', () => {
  test('three synchronous loops stay under 512 MiB resident: 100,000 Linear layers (520 MB of weights if kept), 25,000 Adam optimizers (4 GB of moments), 100,000 Tensors returned from withTemporaryTensors (8 GB)', async () => {
    const [linear, adam, returned] = await Promise.all([
      runScript(loopScript('const rng = new Rng(0);', 'new Linear(25, 25, { rng });', 100_000, 2000)),
      runScript(loopScript('const model = new Linear(100, 100, { rng: new Rng(0) });', 'new Adam(model.params(), { lr: 1e-9 }).step();', 25_000, 500)),
      runScript(loopScript('', 'withTemporaryTensors(() => Tensor.full([100, 100], 1));', 100_000, 2000)),
    ]);
    for (const run of [linear, adam, returned]) {
      expect(run.peakMiB).toBeLessThan(512);
      expect(run.wasmMiB).toBeLessThanOrEqual(DEFAULT_MEMORY_BUDGET / MiB + 1); // the scratch area may sit just past it
    }
  }, 120_000);

  test('past the budget new tensors are ordinary arrays, and training gives the same bits', () => {
    const train = (backend: BackendName): bigint[][] => {
      setBackend(backend);
      const rng = new Rng(1);
      const model = new Sequential(new Linear(2, 64, { rng }), new ReLU(), new Linear(64, 64, { rng }), new ReLU(), new Linear(64, 2, { rng }));
      const x = randn(rng, [200, 2]);
      const y = randn(rng, [200, 2]);
      new NeuralNet(model, { loss: new MSELoss(), optimizer: new SGD(model.params(), { lr: 0.01, momentum: 0.9 }), rng }).fit(x, y, { epochs: 3, batchSize: 50 });
      return model.params().map((p) => bits(p.value.data));
    };
    const reference = train('js');
    setBackend('wasm');
    const wasm = activeWasm();
    if (wasm === null || wasm.store === null) throw new Error('no shared-memory wasm backend');
    setMemoryBudget(Math.max(memoryInUse(), wasm.store.memory.base) + 40_000); // room for a few parameters, no arena
    expect(memoryBudget()).toBeLessThan(memoryInUse() + 40_001);
    const kept = new Linear(100, 100); // 80 kB of weights: past the budget, an ordinary array
    expect(wasm.store.holds(kept.weight.value.data)).toBe(false);
    expect(train('wasm')).toEqual(reference);
    expect(memoryInUse()).toBeLessThanOrEqual(memoryBudget() + 1 * MiB); // at most the scratch area past it
    setMemoryBudget(DEFAULT_MEMORY_BUDGET);
    expect(wasm.store.holds(new Linear(100, 100).weight.value.data)).toBe(true);
    expect(train('wasm')).toEqual(reference);
  });

  test('setMemoryBudget takes a whole number of bytes ≥ 0', () => {
    for (const bad of [-1, 1.5, NaN, Infinity, '64' as unknown as number, null as unknown as number]) {
      expectMinidlError(() => setMemoryBudget(bad), /setMemoryBudget: the budget must be a whole number of bytes ≥ 0, got/);
    }
    expect(memoryBudget()).toBe(DEFAULT_MEMORY_BUDGET);
    setMemoryBudget(0);
    setBackend('wasm');
    expect(Tensor.zeros([3]).toArray()).toEqual([0, 0, 0]);
  });
});
