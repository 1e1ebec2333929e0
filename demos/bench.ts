/**
 * Speed benchmark.
 *
 *   npm run bench                                   everything below
 *   npm run bench -- --only course,matmul           some of it
 *   npm run bench -- --runs 9 --epochs 5 --backend js
 *   npm run bench -- --reference demos/bench/speed_reference.py
 *   npm run bench -- --threads both --only cnn --reference demos/bench/speed_reference.py
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
 * (TypeScript kernels), unless --backend picks one (setBackend, lib/tensor/backend/select.ts).
 * --threads says how many threads the 'wasm' kernels use (setThreads: 1, the default; 2, the
 * calling thread and one worker; or both, one after the other); the 'js' kernels use one. Each
 * configuration is measured in a fresh Node process: code the JIT optimised for one backend's
 * path would otherwise slow the other one down.
 *
 * Times are wall-clock seconds; beside the course round and the MNIST epochs, the CPU seconds of
 * the process in the same run (process.cpuUsage, user + system, every thread of the process:
 * with two threads, the worker's too, its spinning included). On a shared machine other jobs
 * stretch the wall clock much more than the CPU time.
 *
 * Prints a Markdown table per configuration, a table of them side by side, then one JSON line with
 * every number. With --reference, also times PyTorch and NumPy on this machine in this sitting
 * (the given speed_reference.py, run through demos/bench/threads_reference.py for PyTorch's threads
 * and the CPU time; PyTorch on two threads too when --threads includes 2) and prints the ratios
 * minidl / reference, wall clock and CPU time, against the bars of the 'wasm' backend (`BARS`).
 * For lstm and attention it runs demos/bench/sequence_reference.py (PyTorch, float32 and float64,
 * one thread).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import {
  BackendName, Conv2d, Linear, Module, NeuralNet, Rng, Tensor, generateDisk, getBackend, getThreads, matmul, matmulTransA,
  matmulTransB, oneHot, setBackend, setThreads, standardize, threadsReason,
} from '../lib';
import { nodeWorkers } from '../lib/node';
import { DISK_CONFIGS } from './disk/configs';
import { FlagSpec, UsageError, intFlag, parseFlags, runMain } from './common/cli';
import { MnistModelName } from './mnist/models';
import { loadOfflineDigits } from './mnist/offline-digits';
import { trainMnist } from './mnist/train';
import { attentionStep, lstmStep } from './bench/sequence-steps';

/** PyTorch's times of the lstm and attention steps (run with --reference). */
const SEQUENCE_REFERENCE = `${__dirname}/bench/sequence_reference.py`;
/** Runs speed_reference.py with PyTorch on N threads and reports CPU time too (run with --reference). */
const THREADS_REFERENCE = `${__dirname}/bench/threads_reference.py`;

const WORKLOADS = ['course', 'mlp', 'cnn', 'conv', 'matmul', 'lstm', 'attention'] as const;
type Workload = (typeof WORKLOADS)[number];

const FLAGS: Record<string, FlagSpec> = {
  only: { type: 'string', default: WORKLOADS.join(','), value: 'LIST', help: `comma-separated measurements among ${WORKLOADS.join(', ')}` },
  runs: { type: 'string', default: '5', value: 'N', help: 'timed course rounds (the median is reported)' },
  epochs: { type: 'string', default: '3', value: 'N', help: 'timed MNIST epochs per model, after one warm-up epoch (the median is reported)' },
  backend: { type: 'string', default: 'both', value: 'NAME', help: "kernels to time: 'js' (TypeScript), 'wasm' (WebAssembly SIMD) or 'both'" },
  threads: { type: 'string', default: '1', value: 'N', help: "threads of the 'wasm' kernels (setThreads): 1, 2 or both ('js' always uses 1)" },
  reference: { type: 'string', value: 'FILE', help: 'speed_reference.py to run for PyTorch/NumPy figures on this machine' },
  python: { type: 'string', default: '/usr/bin/python3', value: 'EXE', help: 'python interpreter for --reference' },
  'measure-only': { type: 'boolean', help: 'measure on the one --backend and print the results as one JSON line (used for --backend both)' },
};

/** The targets the MNIST epochs should meet on the course's 2-core machine. */
const EPOCH_TARGETS: Record<'mlp' | 'cnn', number> = { mlp: 3, cnn: 12 };

const COURSE_EPOCHS = 300;
const COURSE_BATCH = 100;

/**
 * The bars of the 'wasm' backend (issue "Convolution at PyTorch's speed"): minidl's time divided by
 * the reference's, measured in the same sitting, at most `ratio`. `threads` is minidl's,
 * `referenceThreads` PyTorch's (NumPy always uses one BLAS thread).
 */
const BARS: readonly { what: 'course' | 'mlp_epoch' | 'cnn_epoch'; threads: 1 | 2; reference: 'numpy' | 'pytorch'; referenceThreads: 1 | 2; ratio: number }[] = [
  { what: 'course', threads: 1, reference: 'numpy', referenceThreads: 1, ratio: 0.35 },
  { what: 'mlp_epoch', threads: 1, reference: 'pytorch', referenceThreads: 1, ratio: 0.35 },
  { what: 'cnn_epoch', threads: 1, reference: 'pytorch', referenceThreads: 1, ratio: 1.3 },
  { what: 'cnn_epoch', threads: 2, reference: 'pytorch', referenceThreads: 1, ratio: 1.0 },
  { what: 'cnn_epoch', threads: 2, reference: 'pytorch', referenceThreads: 2, ratio: 1.6 },
];

/** One configuration of minidl measured in its own process. */
interface Config {
  backend: BackendName;
  threads: 1 | 2;
}

function configName(c: Config): string {
  return c.threads === 1 ? c.backend : `${c.backend}, ${c.threads} threads`;
}

/** One row of the printed table. */
interface Row {
  what: string;
  value: string;
  note: string;
  /** Seconds (times) or a rate (GFLOP/s, images/s): for the speed-up between backends. */
  amount: number;
  higherIsBetter: boolean;
  /** CPU seconds of the process in the same run, or null when not measured. */
  cpu?: number | null;
}

/** CPU seconds of this process (every thread) since `since` (a process.cpuUsage() reading). */
function cpuSecondsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
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
function timeCourseRound(seed: number): { seconds: number; cpu: number; steps: number; flop: number } {
  const config = DISK_CONFIGS[0];
  const rng = new Rng(`bench-${seed}`);
  const train = generateDisk(1000, rng);
  const { train: x } = standardize(train.inputs);
  const y = oneHot(train.labels, 2);
  const model = config.model(rng);
  const net = new NeuralNet(model, { loss: config.loss(), optimizer: config.optimizer(model), rng });
  const cpu = process.cpuUsage();
  const start = performance.now();
  net.fit(x, y, { epochs: COURSE_EPOCHS, batchSize: COURSE_BATCH, labels: train.labels });
  const seconds = (performance.now() - start) / 1000;
  const steps = COURSE_EPOCHS * Math.ceil(1000 / COURSE_BATCH);
  return { seconds, cpu: cpuSecondsSince(cpu), steps, flop: steps * flopPerStep(model, COURSE_BATCH) };
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

async function main(): Promise<void> {
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
  const threadsFlag = String(flags.threads);
  if (threadsFlag !== '1' && threadsFlag !== '2' && threadsFlag !== 'both') {
    throw new UsageError(`--threads must be 1, 2 or both, got '${threadsFlag}'`);
  }
  const backends: BackendName[] = backendFlag === 'both' ? ['wasm', 'js'] : [backendFlag];
  const wasmThreads: Array<1 | 2> = threadsFlag === 'both' ? [1, 2] : [Number(threadsFlag) as 1 | 2];
  const configs: Config[] = backends.flatMap((backend): Config[] => (backend === 'wasm' ? wasmThreads.map((threads) => ({ backend, threads })) : [{ backend, threads: 1 }]));

  if (flags['measure-only']) {
    if (backends.length !== 1 || wasmThreads.length !== 1) throw new UsageError('--measure-only needs --backend js or wasm and --threads 1 or 2');
    setBackend(backends[0]);
    if (backends[0] === 'wasm' && wasmThreads[0] === 2 && (await setThreads(2, nodeWorkers)) !== 2) {
      throw new Error(`--threads 2: the second thread did not start (${threadsReason()}); the timings would be one thread's`);
    }
    const measured = measure(selected, runs, timedEpochs);
    await setThreads(1);
    console.log(JSON.stringify(measured));
    return;
  }
  const results: Record<string, Record<string, number | string>> = {};
  const tables: Record<string, Row[]> = {};
  for (const config of configs) {
    const name = configName(config);
    console.error(`kernels: ${name} (fresh process)`);
    const measured = measureInChild(config, only, runs, timedEpochs);
    results[name] = measured.result;
    tables[name] = measured.rows;
    console.log(`| measurement | minidl (${name}) | CPU time | notes |`);
    console.log('|---|---:|---:|---|');
    for (const r of measured.rows) console.log(`| ${r.what} | ${r.value} | ${r.cpu == null ? '' : `${r.cpu.toFixed(3)} s`} | ${r.note} |`);
    console.log('');
  }
  const names = configs.map(configName);
  if (names.length > 1) {
    const hasJs = names.includes('js');
    console.log(`| measurement | ${names.join(' | ')} |${hasJs ? ' wasm speed-up over js |' : ''}`);
    console.log(`|---|${names.map(() => '---:|').join('')}${hasJs ? '---:|' : ''}`);
    tables[names[0]].forEach((first, i) => {
      const cells = names.map((n) => tables[n][i].value);
      let speedUp = '';
      if (hasJs) {
        const w = tables.wasm?.[i] ?? first, j = tables.js[i];
        speedUp = ` ${(w.higherIsBetter ? w.amount / j.amount : j.amount / w.amount).toFixed(2)}× |`;
      }
      console.log(`| ${first.what} | ${cells.join(' | ')} |${speedUp}`);
    });
    console.log('');
  }

  const all: Record<string, unknown> = { node: process.version, ...results };
  if (reference) {
    const workloads = (['course', 'mlp', 'cnn'] as const).filter(selected);
    const references: Record<string, Record<string, number>> = {};
    for (const threads of wasmThreads) {
      // PyTorch on two threads is a reference for minidl's CNN epoch on two threads only
      const these = threads === 1 ? workloads : workloads.filter((w) => w === 'cnn');
      if (these.length === 0) continue;
      console.error(`running ${reference} through ${THREADS_REFERENCE} --threads ${threads} ${these.join(' ')} …`);
      const out = execFileSync(String(flags.python), [THREADS_REFERENCE, reference, '--threads', String(threads), ...these], { encoding: 'utf8' });
      references[threads] = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, number>;
    }
    all.reference = references;
    printRatios(configs, results, references);
  }
  const sequenceWorkloads = (['lstm', 'attention'] as const).filter(selected);
  if (reference && sequenceWorkloads.length > 0) {
    console.error(`running demos/bench/sequence_reference.py ${sequenceWorkloads.join(' ')} …`);
    const out = execFileSync(String(flags.python), [SEQUENCE_REFERENCE, ...sequenceWorkloads], { encoding: 'utf8' });
    const ref = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, number | string>;
    all.sequenceReference = ref;
    console.log(`| PyTorch on this machine, 1 thread | time per step | ${names.map((n) => `${n} / PyTorch`).join(' | ')} |`);
    console.log(`|---|---:|${names.map(() => '---:|').join('')}`);
    for (const what of sequenceWorkloads) {
      for (const dtype of ['float32', 'float64']) {
        const theirs = ref[`pytorch_${what}_step_${dtype}_s`];
        if (typeof theirs !== 'number') continue;
        const ratios = names.map((n) => {
          const ours = results[n]?.[`minidl_${what}_step_s`];
          if (typeof ours !== 'number') return 'n/a';
          const ratio = ours / theirs;
          results[n][`ratio_${what}_step_to_pytorch_${dtype}`] = Number(ratio.toFixed(3));
          return ratio.toFixed(2);
        });
        console.log(`| ${what} step, PyTorch ${dtype} | ${(theirs * 1000).toFixed(1)} ms | ${ratios.join(' | ')} |`);
      }
    }
  }
  console.log(JSON.stringify(all));
}

/**
 * Prints minidl / reference for every configuration and reference measured, wall clock and CPU
 * time, with the bars that apply: met or not met on the wall clock (the bars' measure), and on
 * CPU time in parentheses.
 */
function printRatios(configs: Config[], results: Record<string, Record<string, number | string>>, references: Record<string, Record<string, number>>): void {
  console.log('| measurement | minidl | wall | CPU | reference | wall | CPU | minidl / reference: wall (CPU) | bar | verdict: wall (CPU) |');
  console.log('|---|---|---:|---:|---|---:|---:|---:|---|---|');
  const labels = { course: 'course round', mlp_epoch: 'MNIST MLP epoch', cnn_epoch: 'MNIST CNN epoch' } as const;
  for (const what of ['course', 'mlp_epoch', 'cnn_epoch'] as const) {
    for (const config of configs) {
      const name = configName(config);
      const ours = results[name]?.[`minidl_${what}_s`], oursCpu = results[name]?.[`minidl_${what}_cpu_s`];
      if (typeof ours !== 'number' || typeof oursCpu !== 'number') continue;
      for (const [threadsKey, ref] of Object.entries(references)) {
        const referenceThreads = Number(threadsKey) as 1 | 2;
        for (const who of ['numpy', 'pytorch'] as const) {
          const theirs = ref[`${who}_${what}_s`], theirsCpu = ref[`${who}_${what}_cpu_s`];
          // PyTorch on two threads is compared with minidl on two threads only
          if (typeof theirs !== 'number' || (referenceThreads === 2 && (who === 'numpy' || config.threads !== 2))) continue;
          const ratio = ours / theirs, cpuRatio = oursCpu / theirsCpu;
          const key = `ratio_${what}_to_${who}${who === 'pytorch' ? `_${referenceThreads}t` : ''}`;
          results[name][key] = Number(ratio.toFixed(3));
          results[name][`${key}_cpu`] = Number(cpuRatio.toFixed(3));
          const bar = config.backend === 'wasm'
            ? BARS.find((b) => b.what === what && b.threads === config.threads && b.reference === who && b.referenceThreads === referenceThreads)
            : undefined;
          const whoName = who === 'numpy' ? 'NumPy' : `PyTorch, ${referenceThreads} thread${referenceThreads === 1 ? '' : 's'}`;
          const verdict = bar === undefined ? ''
            : `${ratio <= bar.ratio ? 'met' : 'not met'} (${cpuRatio <= bar.ratio ? 'met' : 'not met'})`;
          console.log(`| ${labels[what]} | ${name} | ${ours.toFixed(3)} s | ${oursCpu.toFixed(3)} s | ${whoName} | ${theirs.toFixed(3)} s | `
            + `${theirsCpu.toFixed(3)} s | ${ratio.toFixed(2)} (${cpuRatio.toFixed(2)}) | ${bar === undefined ? '' : `≤ ${bar.ratio}`} | ${verdict} |`);
        }
      }
    }
  }
  console.log('');
}

/** Runs the selected measurements on one configuration in a new Node process (same loader flags); progress goes to stderr. */
function measureInChild(config: Config, only: string[], runs: number, timedEpochs: number): { result: Record<string, number | string>; rows: Row[] } {
  const args = [...process.execArgv, process.argv[1], '--measure-only', '--backend', config.backend, '--threads', String(config.threads),
    '--only', only.join(','), '--runs', String(runs), '--epochs', String(timedEpochs)];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 << 20 });
  return JSON.parse(out.trim().split('\n').pop() ?? '{}');
}

/** Runs the selected measurements on the current backend. */
function measure(selected: (w: Workload) => boolean, runs: number, timedEpochs: number): { result: Record<string, number | string>; rows: Row[] } {
  const result: Record<string, number | string> = { backend: getBackend(), threads: getThreads() };
  const rows: Row[] = [];

  if (selected('course')) {
    console.error('course: warm-up round…');
    timeCourseRound(0);
    const times: number[] = [], cpus: number[] = [];
    let steps = 0, flop = 0;
    for (let r = 1; r <= runs; r++) {
      const t = timeCourseRound(r);
      times.push(t.seconds);
      cpus.push(t.cpu);
      steps = t.steps;
      flop = t.flop;
      console.error(`  run ${r}/${runs}: ${(t.seconds * 1000).toFixed(0)} ms`);
    }
    const seconds = median(times), cpu = median(cpus);
    Object.assign(result, {
      minidl_course_s: Number(seconds.toFixed(4)),
      minidl_course_cpu_s: Number(cpu.toFixed(4)),
      course_us_per_step: Number(((seconds * 1e6) / steps).toFixed(1)),
      course_gflop_per_s: Number((flop / seconds / 1e9).toFixed(2)),
    });
    rows.push({
      what: 'course round: 2-25-25-25-2 ReLU, MSE, SGD, batch 100, 3000 steps',
      value: `${seconds.toFixed(3)} s`,
      note: `${result.course_us_per_step} µs/step, ${result.course_gflop_per_s} GFLOP/s, median of ${runs}`,
      amount: seconds,
      higherIsBetter: false,
      cpu,
    });
  }

  const mnistModels = (['mlp', 'cnn'] as const).filter(selected);
  if (mnistModels.length > 0) {
    const data = loadOfflineDigits();
    for (const model of mnistModels) {
      const seconds = timeMnistEpochs(data, model, timedEpochs);
      const target = EPOCH_TARGETS[model];
      result[`minidl_${model}_epoch_s`] = Number(seconds.median.toFixed(4));
      result[`minidl_${model}_epoch_cpu_s`] = Number(seconds.cpu.toFixed(4));
      result[`${model}_first_epoch_s`] = Number(seconds.first.toFixed(4));
      rows.push({
        what: `MNIST ${model} epoch: ${model === 'mlp' ? '784-100-100-10 ReLU' : 'Conv(1→8,5)-Pool-Conv(8→16,5)-Pool-Linear(256→10)'}, 7996 digits, batch 64`,
        value: `${seconds.median.toFixed(3)} s`,
        note: `target ≤ ${target} s ${seconds.median <= target ? 'met' : 'MISSED'}; median of ${timedEpochs} after a warm-up epoch of ${seconds.first.toFixed(2)} s`,
        amount: seconds.median,
        higherIsBetter: false,
        cpu: seconds.cpu,
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

/**
 * Trains one model for 1 + `timed` epochs (no evaluation); the first epoch is the warm-up. `cpu` is
 * the median CPU time of the timed epochs (from one epoch's end to the next).
 */
function timeMnistEpochs(data: ReturnType<typeof loadOfflineDigits>, model: MnistModelName, timed: number): { median: number; first: number; cpu: number } {
  console.error(`${model}: 1 warm-up + ${timed} timed epoch(s) on ${data.train.labels.length} digits…`);
  const cpus: number[] = [];
  let since = process.cpuUsage();
  const run = trainMnist(data, {
    model,
    epochs: 1 + timed,
    seed: `bench-${model}`,
    skipEvaluation: true,
    onEpoch: (e) => {
      const cpu = cpuSecondsSince(since);
      since = process.cpuUsage();
      if (e.epoch > 1) cpus.push(cpu);
      console.error(`  epoch ${e.epoch}${e.epoch === 1 ? ' (warm-up)' : ''}: ${e.seconds.toFixed(2)} s, CPU ${cpu.toFixed(2)} s`);
    },
  });
  const seconds = run.epochs.map((e) => e.seconds);
  return { median: median(seconds.slice(1)), first: seconds[0], cpu: median(cpus) };
}

runMain(main);
