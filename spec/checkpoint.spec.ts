import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  Adagrad, Adam, AdamW, BatchNorm1d, BatchNorm2d, Dropout, FitOptions, Linear, MSELoss, NeuralNet, Optimizer, RMSprop, Rng, SGD, Sequential, Tensor,
  TrainingState, defaultRng, modelFromJSON, modelToJSON, loadStateInto,
} from '../lib/index';
import { loadCheckpoint, saveCheckpoint } from '../lib/node';
import { getBackend } from '../lib/tensor/backend/select';
import { RunKind, makeRun, modelBits, numberBits } from './checkpoint-run';

const root = path.resolve(__dirname, '..');
let dir: string;
beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-checkpoint-')); });
afterAll(() => { fs.rmSync(dir, { recursive: true, force: true }); });

/**
 * The script the new process runs: the same run built afresh (other initial weights, a fresh
 * generator), the checkpoint loaded into it, the remaining epochs trained; it prints the bits.
 */
function resumeScript(kind: RunKind, file: string, total: number): string {
  return [
    `const { setBackend } = require(${JSON.stringify(path.join(root, 'lib/tensor/backend/select.ts'))});`,
    `const { loadCheckpoint } = require(${JSON.stringify(path.join(root, 'lib/node.ts'))});`,
    `const { makeRun, modelBits, numberBits } = require(${JSON.stringify(path.join(root, 'spec/checkpoint-run.ts'))});`,
    `setBackend(${JSON.stringify(getBackend())});`,
    `const run = makeRun(${JSON.stringify(kind)});`,
    `const { epoch } = loadCheckpoint(${JSON.stringify(file)}, { model: run.model, optimizer: run.optimizer, scheduler: run.scheduler, rng: run.rng });`,
    `const losses = run.train(${total} - epoch);`,
    'process.stdout.write(JSON.stringify({ epoch, model: modelBits(run.model), losses: numberBits(losses), lr: run.optimizer.lr }));',
  ].join('\n');
}

describe.each<RunKind>(['sgd', 'adam'])('a checkpoint resumes exactly (%s, BatchNorm1d, Dropout, StepLR)', (kind) => {
  test('training 10 epochs gives the same bits as training 5, saving, loading in a new process and training 5 more', () => {
    const reference = makeRun(kind);
    const referenceLosses = reference.train(10);

    const first = makeRun(kind);
    const firstLosses = first.train(5);
    const file = path.join(dir, `${kind}.ckpt.json`);
    saveCheckpoint(file, { model: first.model, optimizer: first.optimizer, scheduler: first.scheduler, rng: first.rng, epoch: 5 });

    const script = path.join(dir, `resume-${kind}.ts`);
    fs.writeFileSync(script, resumeScript(kind, file, 10));
    const child = spawnSync(process.execPath, ['--require', 'tsx/cjs', script], { cwd: root, encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const resumed = JSON.parse(child.stdout) as { epoch: number; model: Record<string, string[]>; losses: string[]; lr: number };

    expect(resumed.epoch).toBe(5);
    expect(resumed.model).toEqual(modelBits(reference.model));
    expect([...numberBits(firstLosses), ...resumed.losses]).toEqual(numberBits(referenceLosses));
    expect(resumed.lr).toBe(reference.optimizer.lr);
    // the batch count went on too: 10 epochs of 5 batches
    expect(Array.from((reference.model as Sequential).modules[1].buffers()[2].value.data)).toEqual([50]);
  });

  test('in one process too; without the generator the run differs (the shuffling and the dropout masks draw from it)', () => {
    const reference = makeRun(kind);
    reference.train(8);
    const first = makeRun(kind);
    first.train(5);
    const file = path.join(dir, `${kind}-here.ckpt.json`);
    saveCheckpoint(file, { model: first.model, optimizer: first.optimizer, scheduler: first.scheduler, rng: first.rng, epoch: 5 });
    first.train(2); // moves everything on, so that loading has work to do

    const resumed = makeRun(kind);
    loadCheckpoint(file, { model: resumed.model, optimizer: resumed.optimizer, scheduler: resumed.scheduler, rng: resumed.rng });
    resumed.train(3);
    expect(modelBits(resumed.model)).toEqual(modelBits(reference.model));

    const withoutRng = makeRun(kind);
    loadCheckpoint(file, { model: withoutRng.model, optimizer: withoutRng.optimizer, scheduler: withoutRng.scheduler });
    withoutRng.train(3);
    expect(modelBits(withoutRng.model)).not.toEqual(modelBits(reference.model));
  });
});

describe("fit's checkpoint option: { every, save, epochsDone }", () => {
  test('saves every 2 epochs without changing the run; resuming from epoch 4 with epochsDone 4 ends on the bits of 6 epochs in one go', () => {
    const reference = makeRun('adam');
    const referenceLosses = reference.train(6);

    const saved: number[] = [];
    const run = makeRun('adam');
    const losses = run.train(6, {
      checkpoint: {
        every: 2,
        save: (state) => {
          expect(state.model).toBe(run.model);
          expect(state.optimizer).toBe(run.optimizer);
          expect(state.scheduler).toBe(run.scheduler);
          expect(state.rng).toBe(run.rng);
          saved.push(state.epoch);
          saveCheckpoint(path.join(dir, `every-${state.epoch}.ckpt.json`), state);
        },
      },
    });
    expect(saved).toEqual([2, 4, 6]);
    expect(numberBits(losses)).toEqual(numberBits(referenceLosses));
    expect(modelBits(run.model)).toEqual(modelBits(reference.model));

    const resumed = makeRun('adam');
    const { epoch } = loadCheckpoint(path.join(dir, 'every-4.ckpt.json'), { model: resumed.model, optimizer: resumed.optimizer, scheduler: resumed.scheduler, rng: resumed.rng });
    expect(epoch).toBe(4);
    const later: number[] = [];
    const resumedLosses = resumed.train(2, { checkpoint: { every: 2, epochsDone: epoch as number, save: (state) => later.push(state.epoch) } });
    expect(later).toEqual([6]);
    expect(numberBits(resumedLosses)).toEqual(numberBits(referenceLosses.slice(4)));
    expect(modelBits(resumed.model)).toEqual(modelBits(reference.model));
  });

  test('the global generator is the state of a net without rng (what its shuffling and a Dropout without rng draw from)', () => {
    const run = makeRun('sgd');
    let state: TrainingState | null = null;
    run.train(1, { checkpoint: { every: 1, save: (s) => { state = s; } } });
    expect((state as TrainingState | null)?.rng).toBe(defaultRng());
  });

  test.each<[string, unknown, RegExp]>([
    ['every 0', { every: 0, save: () => {} }, /^NeuralNet\.fit: checkpoint\.every must be an integer ≥ 1, got 0$/],
    ['no save', { every: 2 }, /^NeuralNet\.fit: checkpoint needs \{ every, save \}/],
    ['save not a function', { every: 2, save: 'run.json' }, /NeuralNet\.fit \(checkpoint\).*save.*'run\.json'/],
    ['an unknown key', { every: 2, save: () => {}, everyEpochs: 2 }, /NeuralNet\.fit \(checkpoint\).*everyEpochs/],
    ['epochsDone −1', { every: 2, save: () => {}, epochsDone: -1 }, /^NeuralNet\.fit: checkpoint\.epochsDone must be a whole number ≥ 0, got -1$/],
    ['not an object', 5, /NeuralNet\.fit.*checkpoint/],
  ])('%s is refused before the first step, and nothing changes', (_name, checkpoint, message) => {
    const run = makeRun('adam');
    const before = modelBits(run.model);
    const rngState = JSON.stringify(run.rng.state());
    expect(() => run.train(2, { checkpoint } as FitOptions)).toThrow(message);
    expect(modelBits(run.model)).toEqual(before);
    expect(JSON.stringify(run.rng.state())).toBe(rngState);
    expect(run.optimizer.lr).toBe(0.01);
  });

  test('a Dropout drawing from another generator than fit shuffles with is refused before the first step (the run could not resume exactly)', () => {
    const rng = new Rng(5);
    const model = new Sequential(new Linear(3, 4, { rng }), new Dropout(0.5), new Linear(4, 1, { rng }));
    const net = new NeuralNet(model, { optimizer: new SGD(model.params(), { lr: 0.1 }), loss: new MSELoss(), rng });
    const x = Tensor.ones([8, 3]), y = Tensor.zeros([8, 1]);
    const before = modelBits(model);
    const states = JSON.stringify([rng.state(), defaultRng().state()]);
    expect(() => net.fit(x, y, { epochs: 2, batchSize: 4, checkpoint: { every: 1, save: () => {} } }))
      .toThrow(/^NeuralNet\.fit: checkpoint: Dropout\(p=0\.5\) draws from another generator than the one fit shuffles with \(the net's rng\); a checkpoint holds one generator/);
    expect(modelBits(model)).toEqual(before);
    expect(JSON.stringify([rng.state(), defaultRng().state()])).toBe(states);
    net.fit(x, y, { epochs: 1, batchSize: 4 }); // without checkpoints it trains
  });

  test('an error thrown by save stops fit after that epoch and is passed on as it is', () => {
    const run = makeRun('adam');
    const failure = new Error('disk full');
    let epochs = 0;
    expect(() => run.train(5, { checkpoint: { every: 2, save: () => { throw failure; } }, onEpoch: () => { epochs++; } })).toThrow(failure);
    expect(epochs).toBe(1); // epoch 2 saved (and threw) before its onEpoch
  });
});

describe('loadCheckpoint', () => {
  test('without a model, builds it from the file; returns the epoch and the metadata', () => {
    const run = makeRun('adam');
    run.train(1);
    const file = path.join(dir, 'model-only.ckpt.json');
    saveCheckpoint(file, { model: run.model, optimizer: run.optimizer, metadata: { note: 'hello', mean: [-0, 1.5] } });
    const loaded = loadCheckpoint(file);
    expect(modelBits(loaded.model)).toEqual(modelBits(run.model));
    expect(String(loaded.model)).toBe(String(run.model));
    expect(loaded.epoch).toBeNull();
    expect(loaded.metadata).toEqual({ note: 'hello', mean: [-0, 1.5] });
    expect(Object.is((loaded.metadata as { mean: number[] }).mean[0], -0)).toBe(true);
  });

  test('a scheduler or a generator the file does not hold is refused, and nothing changes', () => {
    const run = makeRun('sgd');
    run.train(1);
    const file = path.join(dir, 'no-scheduler.ckpt.json');
    saveCheckpoint(file, { model: run.model, optimizer: run.optimizer });
    const other = makeRun('sgd');
    const before = modelBits(other.model);
    expect(() => loadCheckpoint(file, { model: other.model, optimizer: other.optimizer, scheduler: other.scheduler })).toThrow(/holds no scheduler/);
    expect(() => loadCheckpoint(file, { model: other.model, optimizer: other.optimizer, rng: other.rng })).toThrow(/holds no generator state/);
    expect(modelBits(other.model)).toEqual(before);
    expect(other.optimizer.state.size).toBe(0);
  });
});

/** Three steps of `optimizer` on a small regression, from a fixed model. */
function trainSteps(model: Sequential, optimizer: Optimizer, steps: number): void {
  const rng = new Rng('steps');
  const x = new Tensor([6, 3]);
  rng.fillNormal(x.data);
  const y = new Tensor([6, 2]);
  rng.fillNormal(y.data);
  const loss = new MSELoss();
  for (let i = 0; i < steps; i++) {
    optimizer.zeroGrad();
    loss.forward(model.forward(x), y);
    model.backward(loss.backward());
    optimizer.step();
  }
}

describe('optimizer.stateDict() and loadStateDict()', () => {
  const makers: Array<[string, (m: Sequential) => Optimizer]> = [
    ['SGD, Nesterov', (m) => new SGD(m.params(), { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
    ['Adam, amsgrad', (m) => new Adam(m.params(), { lr: 0.01, betas: [0.8, 0.99], amsgrad: true })],
    ['AdamW', (m) => new AdamW(m.params(), { lr: 0.01 })],
    ['RMSprop, centered, momentum', (m) => new RMSprop(m.params(), { lr: 0.01, centered: true, momentum: 0.5 })],
    ['Adagrad', (m) => new Adagrad(m.params(), { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 })],
  ];
  const model = (): Sequential => new Sequential(new Linear(3, 4, { rng: new Rng(1) }), new Linear(4, 2, { rng: new Rng(2) }));

  test.each(makers)('%s: the state goes through JSON to the bit, and steps go on as if never stopped', (_, make) => {
    const a = model();
    const optA = make(a);
    trainSteps(a, optA, 3);
    const dict = optA.stateDict();
    expect(dict.paramGroups[0].params).toEqual([0, 1, 2, 3]);

    const b = model();
    loadStateInto(b, JSON.parse(JSON.stringify(modelToJSON(a))));
    const optB = make(b);
    optB.lr = 123;
    optB.loadStateDict(JSON.parse(JSON.stringify(dict)));
    expect(JSON.stringify(optB.stateDict())).toBe(JSON.stringify(dict));
    expect(optB.lr).toBe(optA.lr);

    trainSteps(a, optA, 2);
    trainSteps(b, optB, 2);
    expect(modelBits(b)).toEqual(modelBits(a));
  });

  test('the hyper-parameters are written as the constructor names them; −0 is written "-0"', () => {
    const m = model();
    const adam = new Adam(m.params(), { lr: 0.01, betas: [0.5, 0.75] });
    expect(adam.stateDict()).toEqual({ state: {}, paramGroups: [{ lr: 0.01, betas: [0.5, 0.75], eps: 1e-8, weightDecay: 0, amsgrad: false, params: [0, 1, 2, 3] }] });
    trainSteps(m, adam, 1);
    (adam.state.get(m.params()[1])!.expAvg as Tensor).data[0] = -0;
    const dict = JSON.parse(JSON.stringify(adam.stateDict()));
    expect(dict.state['1'].expAvg.values[0]).toBe('-0');
    const again = new Adam(m.params());
    again.loadStateDict(dict);
    expect(Object.is((again.state.get(m.params()[1])!.expAvg as Tensor).data[0], -0)).toBe(true);
    expect(again.beta2).toBe(0.75);
  });

  test('a parameter the state leaves out starts afresh (its momentum buffer is dropped)', () => {
    const m = model();
    const sgd = new SGD(m.params(), { lr: 0.1, momentum: 0.9 });
    const fresh = sgd.stateDict();
    trainSteps(m, sgd, 2);
    expect(sgd.state.size).toBe(4);
    sgd.loadStateDict(fresh);
    expect(sgd.state.size).toBe(0);
  });

  test('a NaN in the state is refused by stateDict, with its place', () => {
    const m = model();
    const sgd = new SGD(m.params(), { lr: 0.1, momentum: 0.9 });
    trainSteps(m, sgd, 1);
    (sgd.state.get(m.params()[2])!.momentumBuffer as Tensor).data[5] = NaN;
    expect(() => sgd.stateDict()).toThrow(/^SGD\.stateDict: state\[2\]\.momentumBuffer \(.*\) holds NaN at flat index 5/);
  });
});

describe('BatchNorm counts its batches (numBatchesTracked) and takes momentum null (the cumulative average)', () => {
  test('numBatchesTracked is a buffer, counted in training mode only', () => {
    const bn = new BatchNorm1d(2);
    expect(bn.buffers().map((b) => b.name)).toEqual(['runningMean', 'runningVar', 'numBatchesTracked']);
    expect(bn.numBatchesTracked.shape).toEqual([1]);
    bn.forward(Tensor.from([[1, 2], [3, 5]]));
    bn.forward(Tensor.from([[0, 2], [3, 1]]));
    expect(Array.from(bn.numBatchesTracked.data)).toEqual([2]);
    bn.eval();
    bn.forward(Tensor.from([[1, 2]]));
    expect(Array.from(bn.numBatchesTracked.data)).toEqual([2]);
  });

  test('momentum null: the running statistics are the plain mean of every batch\'s (PyTorch\'s momentum=None)', () => {
    const bn = new BatchNorm2d(1, { momentum: null });
    expect(bn.momentum).toBeNull();
    expect(String(bn)).toBe('BatchNorm2d(1, momentum=null)');
    const batches = [[1, 2, 4, 9], [0, -1, 3, 3], [5, 5, 6, 2]];
    const means: number[] = [], vars: number[] = [];
    for (const b of batches) {
      bn.forward(Tensor.fromArray(b, [1, 1, 2, 2]));
      const mu = b.reduce((s, v) => s + v, 0) / 4;
      means.push(mu);
      vars.push(b.reduce((s, v) => s + (v - mu) ** 2, 0) / 3);
    }
    // f = 1, 1/2, 1/3: the same operations as the mean written out step by step
    let mean = 0, variance = 1;
    means.forEach((mu, t) => {
      const f = 1 / (t + 1);
      mean = f * mu + (1 - f) * mean;
      variance = f * vars[t] + (1 - f) * variance;
    });
    expect(bn.runningMean.data[0]).toBe(mean);
    expect(bn.runningVar.data[0]).toBe(variance);
    expect(mean).toBeCloseTo((1 + 2 + 4 + 9 + 0 - 1 + 3 + 3 + 5 + 5 + 6 + 2) / 12, 14);
    expect(Array.from(bn.numBatchesTracked.data)).toEqual([3]);
  });

  test('momentum null and the count are saved and loaded; a file without numBatchesTracked (saved before it was counted) loads it as 0', () => {
    const model = new Sequential(new BatchNorm1d(2, { momentum: null }));
    model.forward(Tensor.from([[1, 2], [3, 5], [0, 1]]));
    const saved = JSON.parse(JSON.stringify(modelToJSON(model)));
    expect(saved.architecture.children[0].config.momentum).toBeNull();
    expect(saved.architecture.children[0].buffers.numBatchesTracked).toEqual({ shape: [1], values: [1] });
    const loaded = modelFromJSON(saved) as Sequential;
    expect((loaded.modules[0] as BatchNorm1d).momentum).toBeNull();
    expect(modelBits(loaded)).toEqual(modelBits(model));

    const old = JSON.parse(JSON.stringify(modelToJSON(new Sequential(new BatchNorm1d(2)))));
    delete old.architecture.children[0].buffers.numBatchesTracked;
    const fromOld = modelFromJSON(old) as Sequential;
    expect(Array.from((fromOld.modules[0] as BatchNorm1d).numBatchesTracked.data)).toEqual([0]);
    const into = new Sequential(new BatchNorm1d(2));
    into.forward(Tensor.from([[1, 2], [3, 5]]));
    loadStateInto(into, old);
    expect(Array.from((into.modules[0] as BatchNorm1d).numBatchesTracked.data)).toEqual([0]);
  });
});
