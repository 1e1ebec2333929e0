/**
 * Speed benchmark: one training round of the course's disk network.
 *
 *   npm run bench                                   median of 5 timed rounds after a warm-up
 *   npm run bench -- --runs 9
 *   npm run bench -- --reference ../shared/reference/speed_reference.py
 *
 * A round is the course configuration: 2-25-25-25-2 ReLU, MSE, SGD lr 0.1, batch 100,
 * 300 epochs of 10 batches = 3000 optimizer steps. Reports milliseconds per round,
 * microseconds per step and the GFLOP/s sustained (multiply-adds counted as 2 FLOP; forward
 * X·W plus backward G·Wᵀ and Xᵀ·G, i.e. 6·N·in·out per Linear layer and step), then the same
 * as one JSON line. With --reference, also runs the given reference script (PyTorch and NumPy
 * timing the same round on this machine) and prints the ratios.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { Linear, Module, NeuralNet, Rng, generateDisk, oneHot, standardize } from '../lib';
import { DISK_CONFIGS } from './disk/configs';
import { FlagSpec, UsageError, intFlag, parseFlags, runMain } from './common/cli';

const FLAGS: Record<string, FlagSpec> = {
  runs: { type: 'string', default: '5', value: 'N', help: 'timed rounds (the median is reported)' },
  reference: { type: 'string', value: 'FILE', help: 'speed_reference.py to run for PyTorch/NumPy figures on this machine' },
  python: { type: 'string', default: '/usr/bin/python3', value: 'EXE', help: 'python interpreter for --reference' },
};

const EPOCHS = 300;
const BATCH = 100;

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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
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
  net.fit(x, y, { epochs: EPOCHS, batchSize: BATCH, labels: train.labels });
  const seconds = (performance.now() - start) / 1000;
  const steps = EPOCHS * Math.ceil(1000 / BATCH);
  return { seconds, steps, flop: steps * flopPerStep(model, BATCH) };
}

function main(): void {
  const flags = parseFlags(process.argv.slice(2), 'Usage: npm run bench -- [flags]', FLAGS);
  if (flags === null) return;
  const runs = intFlag('runs', flags.runs);
  const reference = String(flags.reference);
  if (reference && !fs.existsSync(reference)) throw new UsageError(`--reference: no such file '${reference}'`);

  console.error('warm-up round…');
  timeCourseRound(0);
  const times: number[] = [];
  let steps = 0;
  let flop = 0;
  for (let r = 1; r <= runs; r++) {
    const t = timeCourseRound(r);
    times.push(t.seconds);
    steps = t.steps;
    flop = t.flop;
    console.error(`  run ${r}/${runs}: ${(t.seconds * 1000).toFixed(0)} ms`);
  }
  const seconds = median(times);
  const result: Record<string, number | string> = {
    workload: 'course round: 2-25-25-25-2 ReLU, MSE, SGD, batch 100, 3000 steps',
    minidl_course_s: Number(seconds.toFixed(4)),
    ms_per_round: Number((seconds * 1000).toFixed(1)),
    us_per_step: Number(((seconds * 1e6) / steps).toFixed(1)),
    gflop_per_round: Number((flop / 1e9).toFixed(3)),
    gflop_per_s: Number((flop / seconds / 1e9).toFixed(2)),
    runs,
    node: process.version,
  };
  console.log(`course round: ${result.ms_per_round} ms per round, ${result.us_per_step} µs per step, ${result.gflop_per_s} GFLOP/s (median of ${runs})`);

  if (reference) {
    console.error(`running ${reference} course …`);
    const out = execFileSync(String(flags.python), [reference, 'course'], { encoding: 'utf8' });
    const last = out.trim().split('\n').pop() ?? '{}';
    const ref = JSON.parse(last) as Record<string, number>;
    for (const [key, value] of Object.entries(ref)) {
      result[key] = value;
      const ratio = seconds / value;
      result[`ratio_to_${key.replace(/_course_s$/, '')}`] = Number(ratio.toFixed(3));
      console.log(`  ${key.replace(/_course_s$/, '').padEnd(8)} ${value.toFixed(3)} s  → minidl / ${key.replace(/_course_s$/, '')} = ${ratio.toFixed(2)}`);
    }
  }
  console.log(JSON.stringify(result));
}

runMain(main);
