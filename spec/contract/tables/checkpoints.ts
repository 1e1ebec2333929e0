import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  Adam, BatchNorm1d, Dropout, ExponentialLR, Linear, Module, Optimizer, ReLU, Rng, SGD, Sequential, StepLR, Tensor, MSELoss,
} from '../../../lib';
import { loadCheckpoint, saveCheckpoint, saveModel } from '../../../lib/node';
import { ContractRow, ContractTable, Keeps, row } from '../harness';

/*
 * Checkpoints and optimizer state: optimizer.loadStateDict, optimizer.stateDict, saveCheckpoint,
 * loadCheckpoint. Each row builds a small run (a model with BatchNorm1d and Dropout, trained two
 * steps so that every state has values) and keeps the model, the optimizer (state and
 * hyper-parameters), the generator and the files as they were. Files live in one temporary
 * folder, removed after the run.
 */

const ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-contract-checkpoints-'));
if (typeof afterAll === 'function') afterAll(() => fs.rmSync(ROOT, { recursive: true, force: true }));

/** A model, its optimizer (SGD with momentum, or Adam), a StepLR and a generator, after two steps. */
function run(kind: 'sgd' | 'adam' = 'sgd', seed = 'contract-checkpoints'): { model: Sequential; optimizer: Optimizer; scheduler: StepLR; rng: Rng } {
  const rng = new Rng(seed);
  const model = new Sequential(new Linear(3, 4, { rng }), new BatchNorm1d(4), new ReLU(), new Dropout(0.25, { rng }), new Linear(4, 1, { rng }));
  const optimizer = kind === 'sgd' ? new SGD(model.params(), { lr: 0.1, momentum: 0.9 }) : new Adam(model.params(), { lr: 0.01 });
  const scheduler = new StepLR(optimizer, { stepSize: 2 });
  const x = new Tensor([5, 3]);
  rng.fillNormal(x.data);
  const y = new Tensor([5, 1]);
  rng.fillNormal(y.data);
  const loss = new MSELoss();
  for (let i = 0; i < 2; i++) {
    optimizer.zeroGrad();
    loss.forward(model.forward(x), y);
    model.backward(loss.backward());
    optimizer.step();
    scheduler.step();
  }
  return { model, optimizer, scheduler, rng };
}

/** What a row keeps of a run. */
function kept(r: { model: Module; optimizer: Optimizer; rng: Rng }, files: string[] = []): Keeps {
  return { modules: [r.model], optimizers: [r.optimizer], rngs: [r.rng], files };
}

/** A file name in a new folder of its own. */
function newFile(name = 'run.ckpt.json'): string {
  return path.join(fs.mkdtempSync(path.join(ROOT, 'row-')), name);
}

/** A good checkpoint file of `run(kind)` (with scheduler, generator and epoch 2), and its path. */
function goodCheckpoint(kind: 'sgd' | 'adam' = 'sgd'): string {
  const file = newFile();
  const r = run(kind, 'saved');
  saveCheckpoint(file, { model: r.model, optimizer: r.optimizer, scheduler: r.scheduler, rng: r.rng, epoch: 2 });
  return file;
}

/** A checkpoint file changed by `edit` (its parsed JSON), written back. */
function editedCheckpoint(edit: (c: any) => void, kind: 'sgd' | 'adam' = 'sgd'): string {
  const file = goodCheckpoint(kind);
  const c = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(c);
  fs.writeFileSync(file, JSON.stringify(c));
  return file;
}

// optimizer.loadStateDict: the state is checked whole before anything is set.

/** A row that loads `optimizer.stateDict()` of another run, changed by `edit`, into an SGD (or Adam) run. */
function loadRow(name: string, kind: 'sgd' | 'adam', edit: (state: any) => unknown, ...message: RegExp[]): ContractRow {
  return row(`${kind === 'sgd' ? 'SGD' : 'Adam'}.loadStateDict: ${name}`, () => {
    const r = run(kind);
    const state = JSON.parse(JSON.stringify(run(kind, 'other').optimizer.stateDict()));
    const given = edit(state) ?? state;
    return { act: () => r.optimizer.loadStateDict(given as never), keeps: kept(r) };
  }, ...message);
}

const loadStateDictRows: ContractRow[] = [
  loadRow('a number', 'sgd', () => 3, /^SGD\.loadStateDict: expected a state object \{ state, paramGroups \} such as optimizer\.stateDict\(\) returns, got number 3$/),
  loadRow('an unknown key', 'sgd', (s) => { s.param_groups = s.paramGroups; }, /^SGD\.loadStateDict: unknown key 'param_groups'; an optimizer's state has state and paramGroups$/),
  loadRow('two parameter groups', 'sgd', (s) => { s.paramGroups.push(s.paramGroups[0]); }, /^SGD\.loadStateDict: paramGroups must be a list of one group \{ lr, …, params \} \(minidl's optimizers have one\)/),
  loadRow("an Adam's state", 'sgd', () => JSON.parse(JSON.stringify(run('adam').optimizer.stateDict())),
    /^SGD\.loadStateDict: paramGroups\[0\] has an unknown hyper-parameter 'betas'; SGD's are lr, momentum, dampening, nesterov, weightDecay, params$/),
  loadRow('a missing hyper-parameter', 'adam', (s) => { delete s.paramGroups[0].eps; }, /^Adam\.loadStateDict: paramGroups\[0\]\.eps is missing; Adam's are lr, betas, eps, weightDecay, amsgrad, params$/),
  loadRow('the state of fewer parameters', 'sgd', (s) => { s.paramGroups[0].params = [0, 1]; for (const k of ['2', '3', '4', '5']) delete s.state[k]; },
    /^SGD\.loadStateDict: paramGroups\[0\]\.params must be \[0, 1, …, 5\] for this optimizer's 6 parameters, got an array \[0,1\] \(2 parameters\)$/),
  loadRow('betas out of range', 'adam', (s) => { s.paramGroups[0].betas = [1.5, 0.999]; }, /^Adam\.loadStateDict: betas\[0\] must be in \[0, 1\), got 1\.5$/),
  loadRow('betas of three numbers', 'adam', (s) => { s.paramGroups[0].betas = [0.9, 0.99, 0.999]; }, /^Adam\.loadStateDict: paramGroups\[0\]\.betas must be a list of 2 numbers, got an array/),
  loadRow('a negative lr', 'sgd', (s) => { s.paramGroups[0].lr = -0.1; }, /^SGD\.loadStateDict: lr must be a finite number ≥ 0, got -0\.1$/),
  loadRow('lr null (NaN through JSON)', 'sgd', (s) => { s.paramGroups[0].lr = null; }, /^SGD\.loadStateDict: paramGroups\[0\]\.lr must be a finite number \(or "-0"\), got null$/),
  loadRow("amsgrad 'yes'", 'adam', (s) => { s.paramGroups[0].amsgrad = 'yes'; }, /^Adam\.loadStateDict: paramGroups\[0\]\.amsgrad must be true or false, got string 'yes'$/),
  loadRow('a state index past the parameters', 'sgd', (s) => { s.state['6'] = s.state['0']; }, /^SGD\.loadStateDict: state has an entry '6', which is not the index of a parameter \(0 to 5\)$/),
  loadRow("a state name SGD does not keep (PyTorch's spelling)", 'sgd', (s) => { s.state['0'].momentum_buffer = s.state['0'].momentumBuffer; delete s.state['0'].momentumBuffer; },
    /^SGD\.loadStateDict: state\[0\]\.momentum_buffer \(.*\): SGD keeps no state named 'momentum_buffer' \(it keeps momentumBuffer\)$/),
  loadRow('a state tensor of another shape', 'sgd', (s) => { s.state['0'].momentumBuffer.shape = [4, 3]; }, /^SGD\.loadStateDict: state\[0\]\.momentumBuffer \(.*\) has shape \[4,3\], but its parameter has shape \[3,4\]$/),
  loadRow('a truncated state tensor', 'adam', (s) => { s.state['1'].expAvg.values.pop(); }, /^Adam\.loadStateDict: state\[1\]\.expAvg \(.*\) has shape \[1,4\] \(4 values\) but 3 values$/),
  loadRow('a NaN in a state tensor (null through JSON)', 'adam', (s) => { s.state['2'].expAvgSq.values[1] = null; }, /^Adam\.loadStateDict: state\[2\]\.expAvgSq \(.*\) value 1 must be a finite number \(or "-0"\), got null$/),
  loadRow("a step count '2'", 'adam', (s) => { s.state['0'].step = '2'; }, /^Adam\.loadStateDict: state\[0\]\.step \(.*\) must be a finite number \(or "-0"\), got string '2'$/),
  loadRow('a tensor where a number belongs', 'adam', (s) => { s.state['0'].step = s.state['0'].expAvg; }, /^Adam\.loadStateDict: state\[0\]\.step \(.*\) must be a finite number \(or "-0"\), got/),
  row('SGD.stateDict: a NaN in the momentum buffer', () => {
    const r = run('sgd');
    (r.optimizer.state.get(r.optimizer.params[1])!.momentumBuffer as Tensor).data[2] = NaN;
    return { act: () => r.optimizer.stateDict(), keeps: kept(r) };
  }, /^SGD\.stateDict: state\[1\]\.momentumBuffer \(.*\) holds NaN at flat index 2 \(shape \[1,4\]\), which cannot be saved/),
];

// saveCheckpoint: nothing is written unless all of it can be saved.

/** A row that calls saveCheckpoint over a good checkpoint file, keeping the file, the run and its folder's listing. */
function saveRow(name: string, args: (file: string, r: ReturnType<typeof run>) => unknown[], ...message: RegExp[]): ContractRow {
  return row(`saveCheckpoint: ${name}`, () => {
    const file = goodCheckpoint();
    const r = run();
    const call = args(file, r);
    return { act: () => (saveCheckpoint as (...a: unknown[]) => void)(...call), keeps: kept(r, [file, path.dirname(file)]) };
  }, ...message);
}

const saveRows: ContractRow[] = [
  saveRow('no optimizer', (file, r) => [file, { model: r.model }], /^saveCheckpoint: .*run\.ckpt\.json: contents must hold the model and its optimizer: \{ model, optimizer, scheduler\?, rng\?, epoch\? \} \(to save a model alone, use saveModel\)$/),
  saveRow('the arguments swapped', (file, r) => [r.model, file], /^saveCheckpoint: file must be a path \(a non-empty string\), got .*\(the call is saveCheckpoint\(file, \{ model, optimizer, … \}\)\)$/),
  saveRow('a misspelt key', (file, r) => [file, { model: r.model, optimiser: r.optimizer }], /^saveCheckpoint: unknown option 'optimiser'/),
  saveRow('an optimizer of another model', (file, r) => [file, { model: r.model, optimizer: run().optimizer }], /run\.ckpt\.json: the optimizer SGD\(.*\) updates a parameter that is not the model's \(its params\[0\], .*\); make it with model\.params\(\) of this model$/),
  saveRow('a scheduler of another optimizer', (file, r) => [file, { model: r.model, optimizer: r.optimizer, scheduler: run().scheduler }], /run\.ckpt\.json: the scheduler StepLR\(.*\) sets the lr of another optimizer/),
  saveRow('epoch -1', (file, r) => [file, { model: r.model, optimizer: r.optimizer, epoch: -1 }], /run\.ckpt\.json: epoch must be a whole number ≥ 0, got -1$/),
  saveRow('epoch 2.5', (file, r) => [file, { model: r.model, optimizer: r.optimizer, epoch: 2.5 }], /^saveCheckpoint: option 'epoch' must be a whole number, got number 2\.5$/),
  saveRow('a NaN in a parameter', (file, r) => { r.model.params()[0].value.data[1] = NaN; return [file, { model: r.model, optimizer: r.optimizer }]; },
    /run\.ckpt\.json: model: model\.children\[0\] \(Linear\(3→4\)\) parameter 'weight' holds NaN at flat index 1/),
  saveRow('an Infinity in the optimizer state', (file, r) => { (r.optimizer.state.get(r.optimizer.params[0])!.momentumBuffer as Tensor).data[0] = Infinity; return [file, { model: r.model, optimizer: r.optimizer }]; },
    /run\.ckpt\.json: optimizer: SGD\.stateDict: state\[0\]\.momentumBuffer \(.*\) holds Infinity at flat index 0/),
  saveRow('metadata with a function', (file, r) => [file, { model: r.model, optimizer: r.optimizer, metadata: { f: () => 1 } }], /run\.ckpt\.json: metadata\.f is a function/),
  saveRow('a folder that does not exist', (file, r) => [path.join(path.dirname(file), 'no-such-folder', 'x.json'), { model: r.model, optimizer: r.optimizer }], /^saveCheckpoint: cannot write .*no-such-folder/),
];

// loadCheckpoint: everything is checked before any object passed in changes.

/** A row that loads `file()` into a fresh run (`into` picks what is passed), keeping the run and the file. */
function loadCheckpointRow(name: string, file: () => string, into: (r: ReturnType<typeof run>) => Record<string, unknown>, ...message: RegExp[]): ContractRow {
  return row(`loadCheckpoint: ${name}`, () => {
    const f = file();
    const r = run();
    const given = into(r);
    return { act: () => loadCheckpoint(f, given as never), keeps: kept(r, [f]) };
  }, ...message);
}

const all = (r: ReturnType<typeof run>): Record<string, unknown> => ({ model: r.model, optimizer: r.optimizer, scheduler: r.scheduler, rng: r.rng });

const loadRows: ContractRow[] = [
  loadCheckpointRow('a missing file', () => path.join(path.dirname(newFile()), 'none.json'), all, /^loadCheckpoint: cannot read .*none\.json: /),
  loadCheckpointRow('a model file', () => { const f = newFile(); saveModel(run().model, f); return f; }, all,
    /run\.ckpt\.json: not a valid checkpoint: this is a model file \(written by saveModel\); read it with loadModel$/),
  loadCheckpointRow('a truncated file', () => { const f = goodCheckpoint(); fs.writeFileSync(f, fs.readFileSync(f, 'utf8').slice(0, 200)); return f; }, all,
    /^loadCheckpoint: .*run\.ckpt\.json is not valid JSON: it ends too early \(truncated file\?\)/),
  loadCheckpointRow('a newer version', () => editedCheckpoint((c) => { c.version = 2; }), all,
    /not a valid checkpoint: format version 2 is newer than this minidl reads \(version 1\): it was written by a newer minidl; update minidl to load it$/),
  loadCheckpointRow('an unknown field', () => editedCheckpoint((c) => { c.optimiser = c.optimizer; }), all, /not a valid checkpoint: it has an unknown field "optimiser"/),
  loadCheckpointRow('an optimizer without its model', goodCheckpoint, (r) => ({ optimizer: r.optimizer }), /run\.ckpt\.json: an optimizer needs its model: pass \{ model, optimizer, … \}/),
  loadCheckpointRow('a scheduler without its optimizer', goodCheckpoint, (r) => ({ model: r.model, scheduler: r.scheduler }), /run\.ckpt\.json: a scheduler needs its optimizer/),
  loadCheckpointRow('a model of another architecture', goodCheckpoint, (r) => ({ ...all(r), model: new Sequential(...[...r.model.modules.slice(0, 4), new Linear(4, 2)]), optimizer: undefined, scheduler: undefined }),
    /run\.ckpt\.json: model: loadStateInto: the model does not match the saved one at model\.children\[4\]: the model has Linear\(4→2\) but the saved model's Linear has outFeatures: 1 \(not 2\)/),
  loadCheckpointRow("an SGD checkpoint into an Adam", goodCheckpoint, (r) => { const adam = new Adam(r.model.params()); return { model: r.model, optimizer: adam }; },
    /run\.ckpt\.json: the checkpoint's optimizer is SGD, not Adam like the one passed in$/),
  loadCheckpointRow('a StepLR checkpoint into an ExponentialLR', goodCheckpoint, (r) => ({ ...all(r), scheduler: new ExponentialLR(r.optimizer, { gamma: 0.9 }) }),
    /run\.ckpt\.json: the checkpoint's scheduler is StepLR, not ExponentialLR like the one passed in$/),
  loadCheckpointRow('an optimizer state of another class in the file', () => editedCheckpoint((c) => { c.optimizer.state.paramGroups[0].nesterov = 'no'; }), all,
    /run\.ckpt\.json: optimizer: SGD\.loadStateDict: paramGroups\[0\]\.nesterov must be true or false, got string 'no'$/),
  loadCheckpointRow('a scheduler state refused (the model, loaded first, is put back)', () => editedCheckpoint((c) => { c.scheduler.state.lastEpoch = -1; }), all,
    /run\.ckpt\.json: scheduler: StepLR\.loadStateDict: lastEpoch must be an integer ≥ 0, got -1$/),
  loadCheckpointRow('a generator state refused', () => editedCheckpoint((c) => { c.rng.alea.s0 = 2; }), all,
    /run\.ckpt\.json: rng: Rng\.setState: expected a state from Rng\.state\(\)/),
  loadCheckpointRow('epoch -1 in the file', () => editedCheckpoint((c) => { c.epoch = -1; }), all, /not a valid checkpoint: "epoch" must be a whole number ≥ 0, got -1$/),
  loadCheckpointRow('a NaN in the saved model', () => editedCheckpoint((c) => { c.model.parameters[0].values[0] = null; }), all,
    /run\.ckpt\.json: model: not a valid saved model: parameters\[0\] value 0 is null, not a finite number/),
  loadCheckpointRow('an optimizer over some of the parameters', goodCheckpoint, (r) => ({ model: r.model, optimizer: new SGD(r.model.params().slice(0, 2), { lr: 0.1, momentum: 0.9 }) }),
    /run\.ckpt\.json: optimizer: SGD\.loadStateDict: paramGroups\[0\]\.params must be \[0, 1\] for this optimizer's 2 parameters, got an array \[0,1,2,3,4,5\] \(6 parameters\)$/),
];

export const table: ContractTable = {
  title: 'checkpoints',
  rows: [...loadStateDictRows, ...saveRows, ...loadRows],
};
