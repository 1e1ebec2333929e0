/**
 * Speed benchmark.
 *
 *   npm run bench                                   everything below
 *   npm run bench -- --only course,matmul           some of it
 *   npm run bench -- --runs 9 --epochs 5 --backend js
 *   npm run bench -- --reference ../shared/reference/speed_reference.py
 *
 * Measurements (each the median of several timed repetitions after a warm-up):
 *
 *   course  one training round of the course's disk network: 2-25-25-25-2 ReLU, MSE, SGD lr 0.1,
 *           batch 100, 300 epochs of 10 batches = 3000 optimizer steps (--runs rounds).
 *           GFLOP/s counts 6·N·in·out per Linear layer and step (forward X·W, backward G·Wᵀ
 *           and Xᵀ·G; a multiply-add is 2 FLOP).
 *   mlp     one training epoch of the MNIST MLP 784-100-100-10 ReLU on the 7996 offline digits:
 *           cross-entropy, SGD momentum 0.9, 125 batches of 64 (--epochs timed epochs after
 *           one warm-up epoch, in one training run; no accuracy measurement inside the time).
 *   cnn     the same for the MNIST CNN (Conv 1→8 5×5, ReLU, MaxPool 2, Conv 8→16 5×5, ReLU,
 *           MaxPool 2, Flatten, Linear 256→10).
 *   conv    Conv2d forward + backward throughput of the CNN's two convolutions on batches of
 *           64 images, in images/s and GFLOP/s (6·N·F·OH·OW·C·kH·kW: forward, weight gradient
 *           and input gradient; im2col/col2im not counted).
 *   matmul  GFLOP/s of the three matrix products (A·B, A·Bᵀ, Aᵀ·B) in float64 for
 *           (64×784)·(784×100), the MLP's first layer, and (256×256)·(256×256).
 *   lstm    one training step of a character LSTM: Embedding(65, 32) → LSTM(32, 128) →
 *           Linear(128, 65) on 32 sequences of 64 characters, cross-entropy, Adam
 *           (demos/bench/sequence-steps.ts).
 *   attention  one training step of a two-block pre-norm Transformer (E 64, 4 heads, causal,
 *           feed-forward 256) on 32 sequences of 64 positions, cross-entropy, Adam.
 *
 * Every measurement runs on both backends, 'wasm' (WebAssembly SIMD kernels) then 'js'
 * (TypeScript kernels), unless --backend picks one (setBackend, lib/tensor/backend/select.ts). With
 * both, each backend is measured in a fresh Node process: code the JIT optimised for one
 * backend's path would otherwise slow the other one down.
 *
 * Prints a Markdown table per backend, a table of the two side by side with the speed-up, then
 * one JSON line with every number. With --reference, also runs the given reference script
 * (PyTorch and NumPy timing the course round and the MNIST epochs on this machine, in this
 * sitting) and prints the ratios minidl / reference for each backend, against the bars:
 * course round ≤ 0.4 × NumPy, MNIST MLP and CNN epochs ≤ 3 × PyTorch (wasm backend). For lstm and
 * attention it runs demos/bench/sequence_reference.py (PyTorch, float32 and float64, one thread).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import {
  BackendName, Conv2d, Linear, Module, NeuralNet, Rng, Tensor, generateDisk, getBackend, matmul, matmulTransA, matmulTransB,
  oneHot, setBackend, standardize,
} from '../lib';
import { DISK_CONFIGS } from './disk/configs';
import { FlagSpec, UsageError, intFlag, parseFlags, runMain } from './common/cli';
import { MnistModelName } from './mnist/models';
import { loadOfflineDigits } from './mnist/offline-digits';
import { trainMnist } from './mnist/train';
import { attentionStep, lstmStep } from './bench/sequence-steps';

/** PyTorch's times of the lstm and attention steps (run with --reference). */
const SEQUENCE_REFERENCE = `${__dirname}/bench/sequence_reference.py`;

const WORKLOADS = ['course', 'mlp', 'cnn', 'conv', 'matmul', 'lstm', 'attention'] as const;
type Workload = (typeof WORKLOADS)[number];

const FLAGS: Record<string, FlagSpec> = {
  only: { type: 'string', default: WORKLOADS.join(','), value: 'LIST', help: `comma-separated measurements among ${WORKLOADS.join(', ')}` },
  runs: { type: 'string', default: '5', value: 'N', help: 'timed course rounds (the median is reported)' },
  epochs: { type: 'string', default: '3', value: 'N', help: 'timed MNIST epochs per model, after one warm-up epoch (the median is reported)' },
  backend: { type: 'string', default: 'both', value: 'NAME', help: "kernels to time: 'js' (TypeScript), 'wasm' (WebAssembly SIMD) or 'both'" },
  reference: { type: 'string', value: 'FILE', help: 'speed_reference.py to run for PyTorch/NumPy figures on this machine' },
  python: { type: 'string', default: '/usr/bin/python3', value: 'EXE', help: 'python interpreter for --reference' },
  'measure-only': { type: 'boolean', help: 'measure on the one --backend and print the results as one JSON line (used for --backend both)' },
};

/** The targets the MNIST epochs should meet on the course's 2-core machine. */
const EPOCH_TARGETS: Record<'mlp' | 'cnn', number> = { mlp: 3, cnn: 12 };

const COURSE_EPOCHS = 300;
const COURSE_BATCH = 100;

/** The bars of the wasm backend against the reference: minidl / reference at most this. */
const REFERENCE_BARS: Record<string, number> = { numpy_course_s: 0.4, pytorch_mlp_epoch_s: 3, pytorch_cnn_epoch_s: 3 };

/** One row of the printed table. */
interface Row {
  what: string;
  value: string;
  note: string;
  /** Seconds (times) or a rate (GFLOP/s, images/s): for the speed-up between backends. */
  amount: number;
  higherIsBetter: boolean;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** FLOP of one training step: 6·N·in·out per Linear layer (forward, input gradient, weight gradient). */
function flopPerStep(model: Module, batch: number): number {
  const linears: Linear[] = [];
  const visit = (m: Module): void => {
    if (m instanceof Linear) linears.push(m);
    m.children().forEach(visit);
  };
  visit(model);
  return linears.reduce((total, l) => total + 6 * batch * l.inFeatures * l.outFeatures, 0);
}

/** Times net.fit for one course round; data and model are built outside the timed part. */
function timeCourseRound(seed: number): { seconds: number; steps: number; flop: number } {
  const config = DISK_CONFIGS[0];
  const rng = new Rng(`bench-${seed}`);
  const train = generateDisk(1000, rng);
  const { train: x } = standardize(train.inputs);
  const y = oneHot(train.labels, 2);
  const model = config.model(rng);
  const net = new NeuralNet(model, { loss: config.loss(), optimizer: config.optimizer(model), rng });
  const start = performance.now();
  net.fit(x, y, { epochs: COURSE_EPOCHS, batchSize: COURSE_BATCH, labels: train.labels });
  const seconds = (performance.now() - start) / 1000;
  const steps = COURSE_EPOCHS * Math.ceil(1000 / COURSE_BATCH);
  return { seconds, steps, flop: steps * flopPerStep(model, COURSE_BATCH) };
}

/** Calls `fn` until at least `minSeconds` have passed; returns the seconds per call. */
function secondsPerCall(fn: () => void, minSeconds: number): number {
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    fn();
    calls++;
    elapsed = (performance.now() - start) / 1000;
  } while (elapsed < minSeconds);
  return elapsed / calls;
}

/** The median over `repeats` of `secondsPerCall`, after an untimed warm-up (for the JIT compiler). */
function timeCalls(fn: () => void, repeats = 5, minSeconds = 0.2): number {
  secondsPerCall(fn, 0.5);
  return median(Array.from({ length: repeats }, () => secondsPerCall(fn, minSeconds)));
}

function randomArray(size: number, rng: Rng): Float64Array {
  return rng.fillUniform(new Float64Array(size), -1, 1);
}

function main(): void {
  const flags = parseFlags(process.argv.slice(2), 'Usage: npm run bench -- [flags]', FLAGS);
  if (flags === null) return;
  const only = String(flags.only).split(',').map((w) => w.trim()).filter((w) => w !== '');
  const unknown = only.filter((w) => !(WORKLOADS as readonly string[]).includes(w));
  if (unknown.length > 0 || only.length === 0) {
    throw new UsageError(`--only: unknown measurement(s) ${unknown.map((w) => `'${w}'`).join(', ') || '(none given)'}; choose among ${WORKLOADS.join(', ')}`);
  }
  const selected = (w: Workload): boolean => only.includes(w);
  const runs = intFlag('runs', flags.runs);
  const timedEpochs = intFlag('epochs', flags.epochs);
  const reference = String(flags.reference);
  if (reference && !fs.existsSync(reference)) throw new UsageError(`--reference: no such file '${reference}'`);
  const backendFlag = String(flags.backend);
  if (backendFlag !== 'js' && backendFlag !== 'wasm' && backendFlag !== 'both') {
    throw new UsageError(`--backend must be 'js', 'wasm' or 'both', got '${backendFlag}'`);
  }
  const backends: BackendName[] = backendFlag === 'both' ? ['wasm', 'js'] : [backendFlag];

  const results: Partial<Record<BackendName, Record<string, number | string>>> = {};
  const tables: Partial<Record<BackendName, Row[]>> = {};
  if (flags['measure-only']) {
    if (backends.length !== 1) throw new UsageError('--measure-only needs --backend js or --backend wasm');
    setBackend(backends[0]);
    console.log(JSON.stringify(measure(selected, runs, timedEpochs)));
    return;
  }
  for (const backend of backends) {
    console.error(`kernels: ${backend} backend (fresh process)`);
    const measured = measureInChild(backend, only, runs, timedEpochs);
    results[backend] = measured.result;
    tables[backend] = measured.rows;
    console.log(`| measurement | minidl (${backend} kernels) | notes |`);
    console.log('|---|---:|---|');
    for (const r of measured.rows) console.log(`| ${r.what} | ${r.value} | ${r.note} |`);
    console.log('');
  }
  if (tables.wasm && tables.js) {
    console.log('| measurement | wasm | js | wasm speed-up |');
    console.log('|---|---:|---:|---:|');
    tables.wasm.forEach((w, i) => {
      const j = (tables.js as Row[])[i];
      const speedUp = w.higherIsBetter ? w.amount / j.amount : j.amount / w.amount;
      console.log(`| ${w.what} | ${w.value} | ${j.value} | ${speedUp.toFixed(2)}× |`);
    });
    console.log('');
  }

  const all: Record<string, unknown> = { node: process.version, ...results };
  if (reference) {
    const workloads = (['course', 'mlp', 'cnn'] as const).filter(selected);
    if (workloads.length > 0) {
      console.error(`running ${reference} ${workloads.join(' ')} …`);
      const out = execFileSync(String(flags.python), [reference, ...workloads], { encoding: 'utf8' });
      const last = out.trim().split('\n').pop() ?? '{}';
      const ref = JSON.parse(last) as Record<string, number>;
      all.reference = ref;
      console.log(`| reference on this machine | time | ${backends.map((b) => `${b} / reference`).join(' | ')} | bar (wasm) |`);
      console.log(`|---|---:|${backends.map(() => '---:|').join('')}---|`);
      for (const [key, value] of Object.entries(ref)) {
        const match = /^(\w+?)_(course|mlp_epoch|cnn_epoch)_s$/.exec(key);
        if (!match) continue;
        const [, who, what] = match;
        const ratios = backends.map((b) => {
          const ours = results[b]?.[`minidl_${what}_s`];
          if (typeof ours !== 'number') return NaN;
          const ratio = ours / value;
          (results[b] as Record<string, number | string>)[`ratio_${what}_to_${who}`] = Number(ratio.toFixed(3));
          return ratio;
        });
        const bar = REFERENCE_BARS[key];
        const wasmRatio = results.wasm?.[`ratio_${what}_to_${who}`];
        const barText = bar === undefined ? '' : `≤ ${bar}${typeof wasmRatio === 'number' ? (wasmRatio <= bar ? ' met' : ' MISSED') : ''}`;
        console.log(`| ${who} ${what.replace('_', ' ')} | ${value.toFixed(3)} s | ${ratios.map((r) => r.toFixed(2)).join(' | ')} | ${barText} |`);
      }
    }
  }
  const sequenceWorkloads = (['lstm', 'attention'] as const).filter(selected);
  if (reference && sequenceWorkloads.length > 0) {
    console.error(`running demos/bench/sequence_reference.py ${sequenceWorkloads.join(' ')} …`);
    const out = execFileSync(String(flags.python), [SEQUENCE_REFERENCE, ...sequenceWorkloads], { encoding: 'utf8' });
    const ref = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, number | string>;
    all.sequenceReference = ref;
    console.log(`| PyTorch on this machine, 1 thread | time per step | ${backends.map((b) => `${b} / PyTorch`).join(' | ')} |`);
    console.log(`|---|---:|${backends.map(() => '---:|').join('')}`);
    for (const what of sequenceWorkloads) {
      for (const dtype of ['float32', 'float64']) {
        const theirs = ref[`pytorch_${what}_step_${dtype}_s`];
        if (typeof theirs !== 'number') continue;
        const ratios = backends.map((b) => {
          const ours = results[b]?.[`minidl_${what}_step_s`];
          if (typeof ours !== 'number') return 'n/a';
          const ratio = ours / theirs;
          (results[b] as Record<string, number | string>)[`ratio_${what}_step_to_pytorch_${dtype}`] = Number(ratio.toFixed(3));
          return ratio.toFixed(2);
        });
        console.log(`| ${what} step, PyTorch ${dtype} | ${(theirs * 1000).toFixed(1)} ms | ${ratios.join(' | ')} |`);
      }
    }
  }
  console.log(JSON.stringify(all));
}

/** Runs the selected measurements on `backend` in a new Node process (same loader flags); progress goes to stderr. */
function measureInChild(backend: BackendName, only: string[], runs: number, timedEpochs: number): { result: Record<string, number | string>; rows: Row[] } {
  const args = [...process.execArgv, process.argv[1], '--measure-only', '--backend', backend, '--only', only.join(','), '--runs', String(runs), '--epochs', String(timedEpochs)];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 << 20 });
  return JSON.parse(out.trim().split('\n').pop() ?? '{}');
}

/** Runs the selected measurements on the current backend. */
function measure(selected: (w: Workload) => boolean, runs: number, timedEpochs: number): { result: Record<string, number | string>; rows: Row[] } {
  const result: Record<string, number | string> = { backend: getBackend() };
  const rows: Row[] = [];

  if (selected('course')) {
    console.error('course: warm-up round…');
    timeCourseRound(0);
    const times: number[] = [];
    let steps = 0, flop = 0;
    for (let r = 1; r <= runs; r++) {
      const t = timeCourseRound(r);
      times.push(t.seconds);
      steps = t.steps;
      flop = t.flop;
      console.error(`  run ${r}/${runs}: ${(t.seconds * 1000).toFixed(0)} ms`);
    }
    const seconds = median(times);
    Object.assign(result, {
      minidl_course_s: Number(seconds.toFixed(4)),
      course_us_per_step: Number(((seconds * 1e6) / steps).toFixed(1)),
      course_gflop_per_s: Number((flop / seconds / 1e9).toFixed(2)),
    });
    rows.push({
      what: 'course round: 2-25-25-25-2 ReLU, MSE, SGD, batch 100, 3000 steps',
      value: `${seconds.toFixed(3)} s`,
      note: `${result.course_us_per_step} µs/step, ${result.course_gflop_per_s} GFLOP/s, median of ${runs}`,
      amount: seconds,
      higherIsBetter: false,
    });
  }

  const mnistModels = (['mlp', 'cnn'] as const).filter(selected);
  if (mnistModels.length > 0) {
    const data = loadOfflineDigits();
    for (const model of mnistModels) {
      const seconds = timeMnistEpochs(data, model, timedEpochs);
      const target = EPOCH_TARGETS[model];
      result[`minidl_${model}_epoch_s`] = Number(seconds.median.toFixed(4));
      result[`${model}_first_epoch_s`] = Number(seconds.first.toFixed(4));
      rows.push({
        what: `MNIST ${model} epoch: ${model === 'mlp' ? '784-100-100-10 ReLU' : 'Conv(1→8,5)-Pool-Conv(8→16,5)-Pool-Linear(256→10)'}, 7996 digits, batch 64`,
        value: `${seconds.median.toFixed(3)} s`,
        note: `target ≤ ${target} s ${seconds.median <= target ? 'met' : 'MISSED'}; median of ${timedEpochs} after a warm-up epoch of ${seconds.first.toFixed(2)} s`,
        amount: seconds.median,
        higherIsBetter: false,
      });
    }
  }

  if (selected('conv')) {
    const rng = new Rng('bench-conv');
    const cases = [
      { name: 'conv1', inC: 1, outC: 8, size: 28 },
      { name: 'conv2', inC: 8, outC: 16, size: 12 },
    ];
    for (const c of cases) {
      const batch = 64;
      const conv = new Conv2d(c.inC, c.outC, 5, { rng });
      const input = new Tensor([batch, c.inC, c.size, c.size], randomArray(batch * c.inC * c.size * c.size, rng));
      const out = c.size - 4;
      const gradOut = new Tensor([batch, c.outC, out, out], randomArray(batch * c.outC * out * out, rng));
      console.error(`${c.name}: timing Conv2d(${c.inC}→${c.outC}, 5×5) forward + backward…`);
      const seconds = timeCalls(() => {
        conv.forward(input);
        conv.backward(gradOut);
      }, 5, 0.3);
      const flop = 6 * batch * c.outC * out * out * c.inC * 25;
      const imagesPerSecond = batch / seconds;
      result[`${c.name}_images_per_s`] = Math.round(imagesPerSecond);
      result[`${c.name}_gflop_per_s`] = Number((flop / seconds / 1e9).toFixed(2));
      rows.push({
        what: `Conv2d(${c.inC}→${c.outC}, 5×5) forward+backward, [64,${c.inC},${c.size},${c.size}]`,
        value: `${Math.round(imagesPerSecond)} images/s`,
        note: `${result[`${c.name}_gflop_per_s`]} GFLOP/s, ${(seconds * 1000).toFixed(2)} ms per batch of 64`,
        amount: imagesPerSecond,
        higherIsBetter: true,
      });
    }
  }

  if (selected('matmul')) {
    const rng = new Rng('bench-matmul');
    const shapes: Array<[number, number, number]> = [[64, 784, 100], [256, 256, 256]];
    for (const [M, K, N] of shapes) {
      // The products the layers call (lib/tensor/ops.ts), writing into a preallocated C:
      // A·B reads A [M,K] and B [K,N]; A·Bᵀ reads B stored [N,K]; Aᵀ·B reads A stored [K,M].
      const a = randomArray(M * K, rng), b = randomArray(K * N, rng);
      const aMK = new Tensor([M, K], a), aKM = new Tensor([K, M], a);
      const bKN = new Tensor([K, N], b), bNK = new Tensor([N, K], b);
      const into = new Tensor([M, N]);
      const forms: Array<[string, () => void]> = [
        ['A·B', () => matmul(aMK, bKN, { into })],
        ['A·Bᵀ', () => matmulTransB(aMK, bNK, { into })],
        ['Aᵀ·B', () => matmulTransA(aKM, bKN, { into })],
      ];
      for (const [form, fn] of forms) {
        const seconds = timeCalls(fn);
        const gflops = (2 * M * K * N) / seconds / 1e9;
        const key = `matmul_${M}x${K}x${N}_${form === 'A·B' ? 'nn' : form === 'A·Bᵀ' ? 'nt' : 'tn'}_gflop_per_s`;
        result[key] = Number(gflops.toFixed(2));
        rows.push({
          what: `matmul ${form}, (${M}×${K})·(${K}×${N}), float64`,
          value: `${gflops.toFixed(2)} GFLOP/s`,
          note: `${(seconds * 1e6).toFixed(0)} µs per product`,
          amount: gflops,
          higherIsBetter: true,
        });
      }
    }
  }

  for (const what of ['lstm', 'attention'] as const) {
    if (!selected(what)) continue;
    const step = what === 'lstm' ? lstmStep(new Rng('bench-lstm')) : attentionStep(new Rng('bench-attention'));
    console.error(`${what}: timing training steps…`);
    const seconds = timeCalls(step, 3, 0.5);
    result[`minidl_${what}_step_s`] = Number(seconds.toFixed(5));
    rows.push({
      what: what === 'lstm'
        ? 'LSTM step: Embedding(65,32)-LSTM(32→128)-Linear(128→65), [32 sequences, 64 steps], CE, Adam'
        : 'Transformer step: 2 pre-norm blocks E 64, 4 heads, causal, FFN 256, [32, 64], CE, Adam',
      value: `${(seconds * 1000).toFixed(1)} ms`,
      note: 'per training step (forward, loss, backward, Adam), median of 3',
      amount: seconds,
      higherIsBetter: false,
    });
  }

  return { result, rows };
}

/** Trains one model for 1 + `timed` epochs (no evaluation); the first epoch is the warm-up. */
function timeMnistEpochs(data: ReturnType<typeof loadOfflineDigits>, model: MnistModelName, timed: number): { median: number; first: number } {
  console.error(`${model}: 1 warm-up + ${timed} timed epoch(s) on ${data.train.labels.length} digits…`);
  const run = trainMnist(data, {
    model,
    epochs: 1 + timed,
    seed: `bench-${model}`,
    skipEvaluation: true,
    onEpoch: (e) => console.error(`  epoch ${e.epoch}${e.epoch === 1 ? ' (warm-up)' : ''}: ${e.seconds.toFixed(2)} s`),
  });
  const seconds = run.epochs.map((e) => e.seconds);
  return { median: median(seconds.slice(1)), first: seconds[0] };
}

runMain(main);
