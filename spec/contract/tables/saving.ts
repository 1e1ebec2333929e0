import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BatchNorm1d, BatchNorm2d, ColumnSplit, Conv2d, Dropout, GELU, LeakyReLU, Linear, Module, ReLU, Rng, Sequential, Tensor,
  checkSavedModel, loadStateInto, modelFromJSON, modelToJSON, registerModule, registeredModules,
} from '../../../lib';
import { loadModel, readModelFile, saveModel } from '../../../lib/node';
import { ContractRow, ContractTable, Keeps, row } from '../harness';

/*
 * Saving and loading: saveModel, loadModel, readModelFile, modelToJSON, modelFromJSON,
 * checkSavedModel, loadStateInto, registerModule. Every row works in its own folder under one temporary folder
 * (removed after the run); a row that writes keeps a good model file there, mode 0600, and
 * checks that its bytes and mode, the model's parameters and buffers, and the folder's listing
 * (no temporary file left behind) are as they were. /dev/null is the only path outside the
 * temporary folder, and it is only looked at.
 */

const ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-contract-saving-'));
if (typeof afterAll === 'function') afterAll(() => fs.rmSync(ROOT, { recursive: true, force: true }));

/** A new empty folder for one row. */
function folder(): string {
  return fs.mkdtempSync(path.join(ROOT, 'row-'));
}

/** A model with every kind of saved thing: parameters, shared parameters, buffers, constructor arguments. */
function richNet(): Sequential {
  const rng = new Rng('contract-saving');
  const shared = new Linear(2, 2, { rng });
  return new Sequential(
    new Linear(3, 4, { rng }), new BatchNorm1d(4), new LeakyReLU(0.2),
    new ColumnSplit([2, 2], [shared, new Linear(2, 2, { share: shared })]),
    new Dropout(0.25), new Linear(4, 1, { rng, bias: false }), new GELU('tanh'),
  );
}

/** A small model, different from richNet. */
function smallNet(): Sequential {
  return new Sequential(new Linear(2, 3, { rng: new Rng('small') }), new ReLU(), new Linear(3, 1, { rng: new Rng('small2') }));
}

/** richNet as the parsed contents of a file (a fresh copy each time). */
function goodSaved(): any {
  return JSON.parse(JSON.stringify(modelToJSON(richNet())));
}

/** A good model file `net.json` (mode 0600) in a new folder. */
function goodFile(): { dir: string; file: string } {
  const dir = folder();
  const file = path.join(dir, 'net.json');
  saveModel(smallNet(), file, { epochs: 3 });
  fs.chmodSync(file, 0o600);
  return { dir, file };
}

/** Runs `fn`, and fails the row (with an error that is not a MinidlError) if the folder's listing changed. */
function listingKept(dir: string, fn: () => unknown): () => unknown {
  return () => {
    const before = fs.readdirSync(dir).sort().join(', ');
    try {
      return fn();
    } finally {
      const after = fs.readdirSync(dir).sort().join(', ');
      if (after !== before) throw new Error(`the folder's listing changed: [${before}] became [${after}]`);
    }
  };
}

/** A row that calls saveModel(model, file, metadata) over a good file, keeping the file, the folder and the model. */
function saveRow(name: string, args: (file: string, model: Module) => unknown[], ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const { dir, file } = goodFile();
    const model = richNet();
    const keeps: Keeps = { files: [file, dir], modules: [model] };
    const call = args(file, model);
    return { act: listingKept(dir, () => (saveModel as (...a: unknown[]) => void)(...call)), keeps };
  }, ...message);
}

/** A row that spoils `model` (richNet) and then saves it over a good file. */
function spoiledSaveRow(name: string, spoil: (model: Sequential) => Module, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const { dir, file } = goodFile();
    const model = spoil(richNet());
    return { act: listingKept(dir, () => saveModel(model, file)), keeps: { files: [file, dir], modules: [model] } };
  }, ...message);
}

/** A row that saves a good model to a path `make` prepares in a new folder (a device, a folder, a pipe, a link…). */
function targetRow(name: string, make: (dir: string) => { target: string; keep: string[] }, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const dir = folder();
    const { target, keep } = make(dir);
    const model = richNet();
    return { act: listingKept(dir, () => saveModel(model, target)), keeps: { files: [...keep, dir], modules: [model] } };
  }, ...message);
}

/** A row where the file system call `method` fails with `code` while saving over a good file. */
function failingFsRow(name: string, method: 'openSync' | 'writeFileSync' | 'fsyncSync' | 'renameSync' | 'fchmodSync' | 'accessSync', code: string, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const { dir, file } = goodFile();
    const model = richNet();
    const act = listingKept(dir, () => {
      // The real module object (a namespace import has read-only bindings); restored before the checks.
      const realFs: typeof fs = require('fs');
      const spy = jest.spyOn(realFs, method as 'openSync').mockImplementation(() => {
        throw Object.assign(new Error(`${code}: simulated`), { code });
      });
      try {
        return saveModel(model, file);
      } finally {
        spy.mockRestore();
      }
    });
    return { act, keeps: { files: [file, dir], modules: [model] } };
  }, ...message);
}

/** A row that reads a file holding `contents` with loadModel or readModelFile. */
function readRow(fn: 'loadModel' | 'readModelFile', name: string, contents: () => string | Buffer, ...message: RegExp[]): ContractRow {
  return row(`${fn}: ${name}`, () => {
    const dir = folder();
    const file = path.join(dir, 'net.json');
    fs.writeFileSync(file, contents());
    fs.chmodSync(file, 0o640);
    const read = fn === 'loadModel' ? loadModel : readModelFile;
    return { act: listingKept(dir, () => read(file)), keeps: { files: [file, dir] } };
  }, new RegExp(`^${fn}: `), ...message);
}

/** A row that reads a path `make` prepares (a folder, a pipe, a link…) with loadModel or readModelFile. */
function readTargetRow(fn: 'loadModel' | 'readModelFile', name: string, make: (dir: string) => { target: string; keep: string[] }, ...message: RegExp[]): ContractRow {
  return row(`${fn}: ${name}`, () => {
    const dir = folder();
    const { target, keep } = make(dir);
    const read = fn === 'loadModel' ? loadModel : readModelFile;
    return { act: listingKept(dir, () => read(target)), keeps: { files: [...keep, dir] } };
  }, new RegExp(`^${fn}: `), ...message);
}

/** A row that gives modelFromJSON (or checkSavedModel) a copy of richNet's saved object spoiled by `damage`. */
function damagedRow(fn: 'modelFromJSON' | 'checkSavedModel', name: string, damage: (saved: any) => unknown, ...message: RegExp[]): ContractRow {
  return row(`${fn}: ${name}`, () => {
    const saved = goodSaved();
    const given = damage(saved) ?? saved;
    return { act: () => (fn === 'modelFromJSON' ? modelFromJSON(given) : checkSavedModel(given)) };
  }, new RegExp(`^${fn}: `), ...message);
}

/** What a damage gives instead of the saved object (null and undefined included). */
class Instead {
  constructor(readonly value: unknown) {}
}

/** A row that loads richNet's saved state (spoiled by `damage`, or replaced by an `Instead`) into `target()`, which must be left as it was. */
function loadStateRow(name: string, target: () => Module, damage: (saved: any) => Instead | void, ...message: RegExp[]): ContractRow {
  return row(`loadStateInto: ${name}`, () => {
    const model = target();
    model.params().forEach((p, i) => p.grad.data.fill(i + 0.5)); // gradients must be left alone too
    const saved = goodSaved();
    const replaced = damage(saved);
    const given = replaced instanceof Instead ? replaced.value : saved;
    return { act: () => loadStateInto(model, given), keeps: { modules: [model] } };
  }, /^loadStateInto: /, ...message);
}

function mkfifo(file: string): string {
  execFileSync('mkfifo', [file]);
  return file;
}

const NOT_A_MODULE: Array<[string, unknown, RegExp]> = [
  ['null', null, /got null/],
  ['undefined', undefined, /got undefined/],
  ['a string', 'net.json', /got string 'net\.json'/],
  ['a number', 42, /got number 42/],
  ['NaN', NaN, /got number NaN/],
  ['a plain object', {}, /got an Object/],
  ['an array of modules', [new Linear(2, 2, { rng: new Rng(0) })], /got an array/],
  ['a Tensor', Tensor.zeros([2, 2]), /got a Tensor/],
  ['a function', () => new Linear(2, 2, { rng: new Rng(0) }), /got a function/],
  ['a module class instead of an instance', Linear, /got a function/],
  ['a generator', new Rng(1), /got a Rng/],
];

const NOT_A_PATH: Array<[string, unknown, RegExp]> = [
  ['undefined', undefined, /got undefined/],
  ['null', null, /got null/],
  ['an empty string', '', /got an empty string/],
  ['a number', 42, /got number 42/],
  ['an object', { path: 'net.json' }, /got an Object/],
  ['an array', ['net.json'], /got an array/],
  ['a Buffer', Buffer.from('net.json'), /got a Buffer/],
  ['a URL', new URL('file:///tmp/net.json'), /got an URL/],
  ['true', true, /got boolean true/],
];

class Square extends Module {
  forward(input: Tensor): Tensor {
    return input;
  }
  backward(gradOut: Tensor): Tensor {
    return gradOut;
  }
  toString(): string {
    return 'Square';
  }
}

class MyLinear extends Linear {}

/** A reference object that contains itself. */
function cyclic(): Record<string, unknown> {
  const o: Record<string, unknown> = { name: 'loop' };
  o.self = o;
  return o;
}

function deeplyNested(levels: number): Record<string, unknown> {
  let v: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < levels; i++) v = { v };
  return v;
}

const BAD_METADATA: Array<[string, unknown, RegExp]> = [
  ['a string', 'epochs=3', /metadata must be an object of plain JSON data such as \{ epochs: 3 \}, got string 'epochs=3'/],
  ['a number', 3, /metadata must be an object .*got number 3/],
  ['an array', [1, 2], /metadata must be an object .*got an array/],
  ['null', null, /metadata must be an object .*got null/],
  ['true', true, /metadata must be an object .*got boolean true/],
  ['a function', () => ({}), /metadata must be an object .*got a function/],
  ['a function inside', { callback: () => 1 }, /metadata\.callback is a function, which JSON cannot hold/],
  ['a BigInt inside', { steps: 10n }, /metadata\.steps is the bigint 10n, which JSON cannot hold/],
  ['a cycle', cyclic(), /metadata\.self refers back to an object that contains it \(a cycle\)/],
  ['an array that contains itself', (() => { const a: unknown[] = [1]; a.push(a); return { a }; })(), /metadata\.a\[1\] refers back to an object that contains it/],
  ['NaN inside an array', { stats: { mean: [0.5, NaN] } }, /metadata\.stats\.mean\[1\] is NaN, which JSON cannot hold \(JSON\.stringify would write null\)/],
  ['+Infinity', { best: Infinity }, /metadata\.best is Infinity, which JSON cannot hold/],
  ['−Infinity', { worst: -Infinity }, /metadata\.worst is -Infinity, which JSON cannot hold/],
  ['a Date', { when: new Date(0) }, /metadata\.when is a Date, not plain data \(JSON\.stringify would call its toJSON\)/],
  ['a Map', { table: new Map([['a', 1]]) }, /metadata\.table is a Map, not plain data/],
  ['a Set', { names: new Set(['a']) }, /metadata\.names is a Set, not plain data/],
  ['a Float64Array', { mean: new Float64Array([1, 2]) }, /metadata\.mean is a Float64Array, not plain data/],
  ['a Tensor', { mean: Tensor.zeros([1, 2]) }, /metadata\.mean is a Tensor, not plain data/],
  ['a class instance', { rng: new Rng(1) }, /metadata\.rng is a Rng, not plain data \(JSON\.stringify would keep only its own enumerable fields\)/],
  ['a RegExp', { pattern: /x/ }, /metadata\.pattern is a RegExp, not plain data/],
  ['an Error', { failure: new Error('x') }, /metadata\.failure is an Error, not plain data/],
  ['a boxed number', { n: Object(3) }, /metadata\.n is a Number, not plain data/],
  ['a Buffer', { bytes: Buffer.from('ab') }, /metadata\.bytes is a Buffer, not plain data \(JSON\.stringify would call its toJSON\)/],
  ['a symbol value', { tag: Symbol('t') }, /metadata\.tag is the symbol Symbol\(t\), which JSON cannot hold/],
  ['a symbol key', { [Symbol('k')]: 1, fine: 2 }, /metadata has symbol keys, which JSON cannot hold/],
  ['undefined inside an array', { list: [1, undefined, 3] }, /metadata\.list\[1\] is undefined, which JSON cannot hold in an array/],
  ['a hole in an array', { list: [1, , 3] }, /metadata\.list has a hole at index 1/],
  ['an array subclass', { list: new (class Points extends Array {})() }, /metadata\.list is a Points \(a subclass of Array\), not a plain array/],
  ['a key that is not an identifier', { 'learning rate': NaN }, /metadata\["learning rate"\] is NaN/],
  ['nesting 1001 levels deep', deeplyNested(1001), /nests more than 1000 levels deep/],
];

const saveModelRows: ContractRow[] = [
  row('saveModel: no argument at all', () => ({ act: () => (saveModel as (...a: unknown[]) => void)() }), /^saveModel: file must be a path \(a non-empty string\), got undefined/),
  ...NOT_A_MODULE.map(([name, value, got]) =>
    saveRow(`saveModel: model is ${name}`, (file) => [value, file], /^saveModel: .*net\.json: model must be a Module \(a layer or a container such as Sequential\), /, got)),
  ...NOT_A_PATH.map(([name, value, got]) =>
    saveRow(`saveModel: file is ${name}`, (_file, model) => [model, value], /^saveModel: file must be a path \(a non-empty string\), /, got)),
  saveRow('saveModel: file and model swapped', (file, model) => [file, model], /^saveModel: file must be a path \(a non-empty string\), got a Sequential \(the call is saveModel\(model, file, metadata\?\)\)/),
  saveRow('saveModel: a fourth argument (options it does not take)', (file, model) => [model, file, {}, { compress: true }],
    /^saveModel: takes at most 3 arguments \(model, file, metadata\), got 4; an extra argument would be ignored/),
  saveRow('saveModel: a file name with a NUL character', (file, model) => [model, `${file}\0.bak`], /^saveModel: file must be a path, got ".*net\.json\\u0000\.bak", which holds a NUL character/),
  ...BAD_METADATA.map(([name, value, message]) =>
    saveRow(`saveModel: metadata is ${name}`, (file, model) => [model, file, value], /^saveModel: .*net\.json: /, message)),
  spoiledSaveRow('saveModel: NaN in a weight', (m) => { (m.modules[0] as Linear).weight.value.data[5] = NaN; return m; },
    /^saveModel: .*net\.json: model\.children\[0\] \(Linear\(3→4\)\) parameter 'weight' holds NaN at flat index 5 \(shape \[3,4\]\); a model with NaN or ±Infinity cannot be saved/),
  spoiledSaveRow('saveModel: +Infinity in a bias', (m) => { (m.modules[0] as Linear).bias!.value.data[3] = Infinity; return m; },
    /model\.children\[0\] \(Linear\(3→4\)\) parameter 'bias' holds Infinity at flat index 3 \(shape \[1,4\]\)/),
  spoiledSaveRow('saveModel: −Infinity in the last layer', (m) => { (m.modules[5] as Linear).weight.value.data[2] = -Infinity; return m; },
    /model\.children\[5\] \(Linear\(4→1, bias=false\)\) parameter 'weight' holds -Infinity at flat index 2 \(shape \[4,1\]\)/),
  spoiledSaveRow('saveModel: NaN in a running mean', (m) => { (m.modules[1] as BatchNorm1d).runningMean.data[1] = NaN; return m; },
    /model\.children\[1\] \(BatchNorm1d\(4\)\) state 'runningMean' holds NaN at flat index 1 \(shape \[4\]\)/),
  spoiledSaveRow('saveModel: Infinity in a running variance', (m) => { (m.modules[1] as BatchNorm1d).runningVar.data[3] = Infinity; return m; },
    /model\.children\[1\] \(BatchNorm1d\(4\)\) state 'runningVar' holds Infinity at flat index 3/),
  spoiledSaveRow('saveModel: NaN in a batch-norm weight', (m) => { (m.modules[1] as BatchNorm1d).params()[0].value.data[0] = NaN; return m; },
    /model\.children\[1\] \(BatchNorm1d\(4\)\) parameter 'weight' holds NaN at flat index 0/),
  spoiledSaveRow('saveModel: NaN in a weight shared inside a ColumnSplit', (m) => { ((m.modules[3] as ColumnSplit).modules[1] as Linear).weight.value.data[2] = NaN; return m; },
    /model\.children\[3\]\.children\[0\] \(Linear\(2→2\)\) parameter 'weight' holds NaN at flat index 2 \(shape \[2,2\]\)/),
  spoiledSaveRow('saveModel: NaN inside a nested Sequential', (m) => {
    const inner = new Sequential(new Linear(1, 3, { rng: new Rng(4) }));
    (inner.modules[0] as Linear).bias!.value.data[1] = NaN;
    return new Sequential(inner, m);
  }, /model\.children\[0\]\.children\[0\] \(Linear\(1→3\)\) parameter 'bias' holds NaN at flat index 1/),
  spoiledSaveRow('saveModel: NaN in a convolution kernel', () => {
    const conv = new Conv2d(1, 2, 3, { rng: new Rng(5) });
    conv.params()[0].value.data[7] = NaN;
    return new Sequential(conv, new BatchNorm2d(2));
  }, /model\.children\[0\] \(Conv2d\(.*\)\) parameter 'weight' holds NaN at flat index 7/),
  spoiledSaveRow('saveModel: NaN in a BatchNorm2d running variance', () => {
    const bn = new BatchNorm2d(2);
    bn.runningVar.data[1] = NaN;
    return bn;
  }, /model \(BatchNorm2d\(2\)\) state 'runningVar' holds NaN at flat index 1/),
  spoiledSaveRow('saveModel: a constructor argument made NaN afterwards', (m) => { (m.modules[4] as unknown as { p: number }).p = NaN; return m; },
    /model\.children\[4\] \(Dropout\(p=NaN\)\) config\.p is NaN, which cannot be saved/),
  spoiledSaveRow('saveModel: a layer the user wrote', (m) => new Sequential(m, new Square()),
    /^saveModel: .*net\.json: model\.children\[1\] Square \(class Square\) cannot be saved or loaded: its class is not registered; known types: .*Linear/,
    /register it once: registerModule\(Square, 'Square'\)/),
  spoiledSaveRow('saveModel: a subclass of Linear', () => new MyLinear(2, 2, { rng: new Rng(6) }),
    /model Linear\(2→2\) \(class MyLinear\) cannot be saved or loaded: its class is not registered \(a subclass of Linear is not saved as a Linear/),
  targetRow('saveModel: /dev/null (a character device, even as root)', () => ({ target: '/dev/null', keep: ['/dev/null'] }),
    /^saveModel: cannot write \/dev\/null: it is a character device, not a regular file, and saving would replace it; give the path of a file/),
  targetRow('saveModel: a symbolic link to /dev/null', (dir) => {
    const link = path.join(dir, 'null.json');
    fs.symlinkSync('/dev/null', link);
    return { target: link, keep: [link, '/dev/null'] };
  }, /^saveModel: cannot write .*null\.json \(a symbolic link to \/dev\/null\): it is a character device/),
  targetRow('saveModel: a folder', (dir) => {
    fs.mkdirSync(path.join(dir, 'net.json'));
    return { target: path.join(dir, 'net.json'), keep: [path.join(dir, 'net.json')] };
  }, /^saveModel: cannot write .*net\.json: it is a folder, not a regular file/),
  targetRow('saveModel: a symbolic link to a folder', (dir) => {
    fs.mkdirSync(path.join(dir, 'models'));
    fs.symlinkSync('models', path.join(dir, 'net.json'));
    return { target: path.join(dir, 'net.json'), keep: [path.join(dir, 'net.json'), path.join(dir, 'models')] };
  }, /^saveModel: cannot write .*net\.json \(a symbolic link to .*models\): it is a folder, not a regular file/),
  targetRow('saveModel: a named pipe', (dir) => {
    const fifo = mkfifo(path.join(dir, 'net.json'));
    return { target: fifo, keep: [fifo] };
  }, /^saveModel: cannot write .*net\.json: it is a named pipe \(FIFO\), not a regular file/),
  targetRow('saveModel: a symbolic link to a named pipe', (dir) => {
    const fifo = mkfifo(path.join(dir, 'pipe'));
    fs.symlinkSync(fifo, path.join(dir, 'net.json'));
    return { target: path.join(dir, 'net.json'), keep: [path.join(dir, 'net.json'), fifo] };
  }, /a symbolic link to .*pipe\): it is a named pipe \(FIFO\)/),
  targetRow('saveModel: a loop of symbolic links', (dir) => {
    fs.symlinkSync('b.json', path.join(dir, 'a.json'));
    fs.symlinkSync('a.json', path.join(dir, 'b.json'));
    return { target: path.join(dir, 'a.json'), keep: [] };
  }, /^saveModel: cannot write .*a\.json: more than 40 symbolic links in a row \(a loop\?\)/),
  targetRow('saveModel: a symbolic link to itself', (dir) => {
    fs.symlinkSync('self.json', path.join(dir, 'self.json'));
    return { target: path.join(dir, 'self.json'), keep: [] };
  }, /^saveModel: cannot write .*self\.json: more than 40 symbolic links/),
  targetRow('saveModel: a folder that does not exist', (dir) => ({ target: path.join(dir, 'missing', 'net.json'), keep: [path.join(dir, 'missing')] }),
    /^saveModel: cannot write .*missing\/net\.json: the folder .*missing does not exist \(create it first\)/),
  targetRow('saveModel: a path through a regular file', (dir) => {
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'hello');
    return { target: path.join(dir, 'notes.txt', 'net.json'), keep: [path.join(dir, 'notes.txt')] };
  }, /^saveModel: cannot write .*notes\.txt\/net\.json: a part of the path is not a folder \(ENOTDIR\)/),
  targetRow('saveModel: a path ending with a slash', (dir) => ({ target: path.join(dir, 'net.json') + '/', keep: [path.join(dir, 'net.json')] }),
    /^saveModel: cannot write .*net\.json\/: the path ends with a slash, so it names a folder/),
  targetRow('saveModel: an existing folder written with a slash', (dir) => ({ target: dir + '/', keep: [dir] }),
    /the path ends with a slash, so it names a folder/),
  failingFsRow('saveModel: a read-only folder (creating the temporary file fails)', 'openSync', 'EACCES',
    /^saveModel: could not write .*net\.json: cannot create a file in the folder .*: permission denied \(EACCES\)/),
  failingFsRow('saveModel: a read-only file system', 'openSync', 'EROFS', /cannot create a file in the folder .*: the file system is read-only \(EROFS\)/),
  failingFsRow('saveModel: a disk quota reached when creating', 'openSync', 'EDQUOT', /disk quota exceeded \(EDQUOT\)/),
  failingFsRow('saveModel: too many open files', 'openSync', 'EMFILE', /too many open files \(EMFILE\)/),
  failingFsRow('saveModel: a read-only file (mode 0444 for a user that is not root)', 'accessSync', 'EACCES',
    /^saveModel: cannot write .*net\.json: the file is read-only for this user \(mode 0600, permission denied \(EACCES\)\); the file is unchanged/),
  failingFsRow('saveModel: a full disk while writing', 'writeFileSync', 'ENOSPC', /^saveModel: could not write .*net\.json: no space left on the device \(ENOSPC\); the previous file is unchanged/),
  failingFsRow('saveModel: an input/output error while writing', 'writeFileSync', 'EIO', /input\/output error \(EIO\); the previous file is unchanged/),
  failingFsRow('saveModel: the flush to disk fails', 'fsyncSync', 'EIO', /^saveModel: could not write .*net\.json: input\/output error \(EIO\); the previous file is unchanged/),
  failingFsRow('saveModel: keeping the mode is not permitted', 'fchmodSync', 'EPERM', /operation not permitted \(EPERM\); the previous file is unchanged/),
  failingFsRow('saveModel: the rename fails (file busy)', 'renameSync', 'EBUSY', /the file is busy \(EBUSY\); the previous file is unchanged/),
  failingFsRow('saveModel: the rename is refused', 'renameSync', 'EACCES', /permission denied \(EACCES\); the previous file is unchanged/),
  failingFsRow('saveModel: an error without a code', 'writeFileSync', '', /could not write .*net\.json: : simulated; the previous file is unchanged/),
];

const modelToJSONRows: ContractRow[] = [
  row('modelToJSON: a third argument', () => {
    const model = smallNet();
    return { act: () => (modelToJSON as (...a: unknown[]) => unknown)(model, {}, 'net.json'), keeps: { modules: [model] } };
  }, /^modelToJSON: takes at most 2 arguments \(model, metadata\), got 3/),
  ...NOT_A_MODULE.map(([name, value, got]) =>
    row(`modelToJSON: model is ${name}`, () => ({ act: () => modelToJSON(value as Module) }), /^modelToJSON: model must be a Module/, got)),
  ...BAD_METADATA.filter((_, i) => i % 3 === 0).map(([name, value, message]) =>
    row(`modelToJSON: metadata is ${name}`, () => {
      const model = smallNet();
      return { act: () => modelToJSON(model, value as Record<string, unknown>), keeps: { modules: [model] } };
    }, /^modelToJSON: /, message)),
  row('modelToJSON: NaN in a running mean', () => {
    const model = richNet();
    (model.modules[1] as BatchNorm1d).runningMean.data[2] = NaN;
    return { act: () => modelToJSON(model), keeps: { modules: [model] } };
  }, /^modelToJSON: model\.children\[1\] \(BatchNorm1d\(4\)\) state 'runningMean' holds NaN at flat index 2 \(shape \[4\]\)/),
  row('modelToJSON: −Infinity in a weight', () => {
    const model = smallNet();
    (model.modules[2] as Linear).weight.value.data[0] = -Infinity;
    return { act: () => modelToJSON(model, { fine: 1 }), keeps: { modules: [model] } };
  }, /^modelToJSON: model\.children\[2\] \(Linear\(3→1\)\) parameter 'weight' holds -Infinity at flat index 0/),
  row('modelToJSON: a layer the user wrote', () => {
    const model = new Sequential(new Linear(2, 2, { rng: new Rng(1) }), new Square());
    return { act: () => modelToJSON(model), keeps: { modules: [model] } };
  }, /^modelToJSON: model\.children\[1\] Square \(class Square\) cannot be saved or loaded/),
];

const NOT_A_SAVED_MODEL: Array<[string, unknown, RegExp]> = [
  ['null', null, /expected an object \(the contents of a model file\), got null/],
  ['undefined', undefined, /got undefined/],
  ['a string (a path)', 'net.json', /got string 'net\.json'/],
  ['a number', 7, /got number 7/],
  ['an array', [goodSaved()], /got an array/],
  ['a Module', new Linear(2, 2, { rng: new Rng(0) }), /got a Linear/],
  ['an empty object', {}, /it has no "format" field, so it is not a minidl model .*its fields are none/],
];

const DAMAGES: Array<[string, (s: any) => unknown, RegExp]> = [
  ['another format', (s) => { s.format = 'keras'; }, /not a valid saved model: format is "keras", expected "minidl-model"/],
  ['no format (another program\'s JSON)', () => ({ name: 'minidl', version: '0.1.0', dependencies: {} }), /it has no "format" field.*its fields are "name", "version", "dependencies"/],
  ['a newer version', (s) => { s.version = 3; }, /format version 3 is newer than this minidl reads \(versions 1 to 2\): it was written by a newer minidl; update minidl/],
  ['version 0', (s) => { s.version = 0; }, /format version 0 is not a version of this format \(this minidl reads versions 1 to 2\)/],
  ['a version that is a string', (s) => { s.version = '2'; }, /format version "2" is not a version of this format/],
  ['a fractional version', (s) => { s.version = 1.5; }, /format version 1\.5 is not a version of this format/],
  ['no version', (s) => { delete s.version; }, /format version undefined is not a version of this format/],
  ['an unknown top-level field', (s) => { s.optimizer = {}; }, /the model has an unknown field "optimizer" \(known: format, version, summary, architecture, parameters, metadata\)/],
  ['no summary', (s) => { delete s.summary; }, /"summary" must be a string, got undefined/],
  ['metadata that is a list', (s) => { s.metadata = [1]; }, /"metadata" must be an object, got an array/],
  ['no parameters', (s) => { delete s.parameters; }, /"parameters" must be a list of tensors, got undefined/],
  ['parameters that are an object', (s) => { s.parameters = {}; }, /"parameters" must be a list of tensors, got an Object/],
  ['no architecture', (s) => { delete s.architecture; }, /"architecture" is missing/],
  ['an architecture that is a number', (s) => { s.architecture = 7; }, /architecture is not an object but number 7/],
  ['an unknown module type', (s) => { s.architecture.children[2].type = 'Swish'; }, /architecture\.children\[2\] has unknown module type "Swish" \(known: .*Linear/],
  ['a module without type', (s) => { delete s.architecture.children[2].type; }, /architecture\.children\[2\] has unknown module type undefined/],
  ['an unknown module field', (s) => { s.architecture.children[1].buffer = {}; }, /architecture\.children\[1\] \(BatchNorm1d\) has an unknown field "buffer" \(known: type, config, params, buffers, children\)/],
  ['no config', (s) => { delete s.architecture.children[0].config; }, /architecture\.children\[0\] \(Linear\) has no config object \(got undefined\)/],
  ['a config that is a list', (s) => { s.architecture.children[0].config = [3, 4]; }, /has no config object \(got an array \[3,4\]\)/],
  ['params that are a list', (s) => { s.architecture.children[0].params = [0, 1]; }, /architecture\.children\[0\] \(Linear\) "params" must be an object, got an array/],
  ['a reference to a missing parameter', (s) => { s.architecture.children[0].params.bias = 99; }, /parameter 'bias' refers to parameters\[99\], which does not exist \(there are 7\)/],
  ['a negative reference', (s) => { s.architecture.children[0].params.bias = -1; }, /parameter 'bias' refers to parameters\[-1\], which does not exist/],
  ['a fractional reference', (s) => { s.architecture.children[0].params.bias = 0.5; }, /parameter 'bias' refers to parameters\[0\.5\], which does not exist/],
  ['a reference that is a string', (s) => { s.architecture.children[0].params.bias = '1'; }, /parameter 'bias' refers to parameters\["1"\], which does not exist/],
  ['buffers that are a list', (s) => { s.architecture.children[1].buffers = []; }, /\(BatchNorm1d\) "buffers" must be an object, got an array/],
  ['children that are an object', (s) => { s.architecture.children = {}; }, /architecture \(Sequential\) children must be a list, got an Object/],
  ['a child that is null', (s) => { s.architecture.children[3].children[1] = null; }, /architecture\.children\[3\]\.children\[1\] is not an object but null/],
  ['a tensor that is a list', (s) => { s.parameters[2] = [1, 2, 3, 4]; }, /parameters\[2\] is not a tensor \(\{ shape, values \}\) but an array/],
  ['a tensor with an unknown field', (s) => { s.parameters[2].dtype = 'float64'; }, /parameters\[2\] has an unknown field "dtype" \(known: shape, values\)/],
  ['an empty shape', (s) => { s.parameters[2].shape = []; }, /parameters\[2\] has an invalid shape \[\] \(expected a list of whole numbers ≥ 1\)/],
  ['a zero in a shape', (s) => { s.parameters[2].shape = [0]; }, /parameters\[2\] has an invalid shape \[0\]/],
  ['a negative size', (s) => { s.parameters[2].shape = [-4]; }, /parameters\[2\] has an invalid shape \[-4\]/],
  ['a fractional size', (s) => { s.parameters[2].shape = [4.5]; }, /parameters\[2\] has an invalid shape \[4\.5\]/],
  ['a shape that is a number', (s) => { s.parameters[2].shape = 4; }, /parameters\[2\] has an invalid shape 4/],
  ['no values', (s) => { delete s.parameters[2].values; }, /parameters\[2\] has no list of values \(got undefined\)/],
  ['a truncated list of values', (s) => { s.parameters[0].values.pop(); }, /parameters\[0\] has shape \[3,4\] \(12 values\) but 11 values \(truncated file\?\)/],
  ['too many values', (s) => { s.parameters[0].values.push(1); }, /parameters\[0\] has shape \[3,4\] \(12 values\) but 13 values/],
  ['a null value (NaN written by JSON.stringify)', (s) => { s.parameters[1].values[2] = null; }, /parameters\[1\] value 2 is null, not a finite number \(or "-0"\)/],
  ['a NaN value', (s) => { s.parameters[1].values[0] = NaN; }, /parameters\[1\] value 0 is NaN, not a finite number/],
  ['an Infinity value', (s) => { s.parameters[6].values[3] = Infinity; }, /parameters\[6\] value 3 is Infinity, not a finite number/],
  ['a value that is a string', (s) => { s.parameters[1].values[1] = '0.5'; }, /parameters\[1\] value 1 is "0\.5", not a finite number/],
  ['"-0" in a version 1 model', (s) => { s.version = 1; s.parameters[1].values[1] = '-0'; }, /parameters\[1\] value 1 is "-0", not a finite number$/],
  ['a NaN in a running statistic', (s) => { s.architecture.children[1].buffers.runningVar.values[0] = null; }, /architecture\.children\[1\] \(BatchNorm1d\) state 'runningVar' value 0 is null/],
  ['an unused parameter', (s) => { s.parameters.push({ shape: [1], values: [0] }); }, /parameters\[7\] is not used by any module/],
  ['two unused parameters', (s) => { s.parameters.push({ shape: [1], values: [0] }, { shape: [1], values: [0] }); }, /parameters\[7\], parameters\[8\] are not used by any module/],
  ['a parameter of the wrong shape', (s) => { s.parameters[0].shape = [4, 3]; }, /model\.children\[0\] \(Linear\(3→4\)\) parameter 'weight' has shape \[3,4\] but the file gives \[4,3\]/],
  ['a missing parameter', (s) => { s.architecture.children[5].config.bias = true; }, /model\.children\[5\] \(Linear\(4→1\)\) has parameters \[bias, weight\] but the file gives \[weight\]/],
  ['an extra parameter', (s) => { s.architecture.children[0].config.bias = false; }, /model\.children\[0\] \(Linear\(3→4, bias=false\)\) has parameters \[weight\] but the file gives \[bias, weight\]/],
  ['a missing running statistic', (s) => { delete s.architecture.children[1].buffers.runningMean; }, /model\.children\[1\] \(BatchNorm1d\(4\)\) has state \[numBatchesTracked, runningMean, runningVar\] but the file gives \[numBatchesTracked, runningVar\]/],
  ['a running statistic of the wrong shape', (s) => { s.architecture.children[1].buffers.runningVar = { shape: [2, 2], values: [1, 1, 1, 1] }; }, /state 'runningVar' has shape \[4\] but the file gives \[2,2\]/],
  ['state for a layer that has none', (s) => { s.architecture.children[2].buffers = { running: { shape: [1], values: [0] } }; }, /model\.children\[2\] \(LeakyReLU\(0\.2\)\) has state \[\] but the file gives \[running\]/],
  ['an invalid constructor argument', (s) => { s.architecture.children[0].config.outFeatures = 0; }, /model\.children\[0\] \(Linear\): .*outFeatures must be an integer ≥ 1, got 0/],
  ['a constructor argument of the wrong type', (s) => { s.architecture.children[0].config.bias = 'yes'; }, /model\.children\[0\] \(Linear\): config\.bias must be true or false, got "yes"/],
  ['a missing constructor argument', (s) => { delete s.architecture.children[4].config.p; }, /model\.children\[4\] \(Dropout\): config\.p must be a number, got undefined/],
  ['an unknown constructor argument', (s) => { s.architecture.children[4].config.inplace = true; }, /model\.children\[4\] \(Dropout\(p=0\.25\)\) config has unknown key 'inplace' \(known: p\)/],
  ['a dropout probability of 1.5', (s) => { s.architecture.children[4].config.p = 1.5; }, /model\.children\[4\] \(Dropout\): .*p.*1\.5/],
  ['an unknown GELU approximation', (s) => { s.architecture.children[6].config.approximate = 'fast'; }, /model\.children\[6\] \(GELU\): config\.approximate must be "none" or "tanh", got "fast"/],
  ['a NaN constructor argument', (s) => { s.architecture.children[2].config.negativeSlope = NaN; }, /model\.children\[2\] \(LeakyReLU\): config\.negativeSlope is NaN, not a finite number/],
  ['column sizes that do not match', (s) => { s.architecture.children[3].config.sizes = [2, 2, 2]; }, /model\.children\[3\] \(ColumnSplit\): /],
  ['a kernel size that is not a pair', () => {
    const s: any = JSON.parse(JSON.stringify(modelToJSON(new Conv2d(1, 1, 2, { rng: new Rng(1) }))));
    s.architecture.config.kernelSize = [2];
    return s;
  }, /model \(Conv2d\): config\.kernelSize must be a pair of numbers, got \[2\]/],
  ['sharing between layers of different shapes', (s) => { s.architecture.children[5].params.weight = 4; s.parameters.pop(); }, /model\.children\[5\] \(Linear\): .*cannot share the parameters of Linear\(2→2\)/],
];

/** The damages checkSavedModel finds (the others show when the layers are built). */
const STRUCTURAL = [
  'another format', 'a newer version', 'a fractional version', 'an unknown top-level field', 'metadata that is a list', 'no architecture',
  'an unknown module type', 'an unknown module field', 'a negative reference', 'children that are an object', 'a tensor with an unknown field',
  'a zero in a shape', 'a truncated list of values', 'a NaN value', '"-0" in a version 1 model', 'an unused parameter',
];

const modelFromJSONRows: ContractRow[] = [
  row('modelFromJSON: a second argument', () => ({ act: () => (modelFromJSON as (...a: unknown[]) => unknown)(goodSaved(), { strict: false }) }),
    /^modelFromJSON: takes at most 1 argument \(saved\), got 2/),
  row('checkSavedModel: a second argument', () => ({ act: () => (checkSavedModel as (...a: unknown[]) => unknown)(goodSaved(), {}) }),
    /^checkSavedModel: takes at most 1 argument \(saved\), got 2/),
  ...NOT_A_SAVED_MODEL.map(([name, value, message]) =>
    row(`modelFromJSON: ${name}`, () => ({ act: () => modelFromJSON(value) }), /^modelFromJSON: not a valid saved model: /, message)),
  ...DAMAGES.map(([name, damage, message]) => damagedRow('modelFromJSON', name, damage, message)),
  ...DAMAGES.filter(([name]) => STRUCTURAL.includes(name)).map(([name, damage, message]) => damagedRow('checkSavedModel', name, damage, /^checkSavedModel: not a valid saved model: /, message)),
];

/** Contents of files that are not model files, with what the message must say. */
const BAD_FILES: Array<[string, () => string | Buffer, RegExp]> = [
  ['an empty file', () => '', /net\.json is empty \(0 bytes\), not a model file/],
  ['a UTF-8 byte-order mark before a good model', () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(goodSaved()))]),
    /net\.json starts with a UTF-8 byte-order mark \(bytes EF BB BF\), which minidl never writes and a JSON text must not begin with; .*save it again as UTF-8 without a byte-order mark/],
  ['UTF-16 little-endian text', () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(goodSaved()), 'utf16le')]), /net\.json is UTF-16 text \(byte-order mark FF FE\); a model file is UTF-8 JSON/],
  ['UTF-16 big-endian text', () => Buffer.from([0xfe, 0xff, 0, 0x7b, 0, 0x7d]), /net\.json is UTF-16 text \(byte-order mark FE FF\)/],
  ['a ZIP archive (a PyTorch .pt file)', () => Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]), /net\.json is a ZIP archive \(a PyTorch \.pt file\?\), not a minidl model file/],
  ['gzip-compressed JSON', () => Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0]), /net\.json is gzip-compressed; decompress it first/],
  ['bytes that are not UTF-8', () => Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]), /net\.json is not UTF-8 text \(a binary file\?\)/],
  ['plain text', () => 'weights: 1 2 3\n', /net\.json is not valid JSON \(not a model file\?\): /],
  ['a CSV file', () => 'x1,x2\n0.5,0.5\n', /net\.json is not valid JSON \(not a model file\?\)/],
  ['a truncated model', () => JSON.stringify(goodSaved()).slice(0, 200), /net\.json is not valid JSON: it ends too early \(truncated file\?\)/],
  ['a model cut inside a string', () => JSON.stringify(goodSaved()).slice(0, 15), /net\.json is not valid JSON: it ends too early \(truncated file\?\)/],
  ['only whitespace', () => '  \n', /net\.json is not valid JSON: it ends too early/],
  ['JSON null', () => 'null', /net\.json: not a valid saved model: expected an object .*got null/],
  ['a JSON list', () => '[]', /net\.json: not a valid saved model: expected an object .*got an array/],
  ['a JSON number', () => '42', /net\.json: not a valid saved model: expected an object .*got number 42/],
  ['a package.json', () => JSON.stringify({ name: 'minidl', version: '0.1.0' }), /net\.json: not a valid saved model: it has no "format" field, so it is not a minidl model/],
  ['a Keras model description', () => JSON.stringify({ format: 'keras', version: 2 }), /net\.json: not a valid saved model: format is "keras", expected "minidl-model"/],
  ['a file from a newer minidl', () => JSON.stringify({ ...goodSaved(), version: 3 }), /net\.json: not a valid saved model: format version 3 is newer than this minidl reads/],
  ['a huge number (Infinity once parsed)', () => JSON.stringify(goodSaved()).replace(/"values":\[[^,\]]+/, '"values":[1e999'), /net\.json: not a valid saved model: architecture\.children\[1\] \(BatchNorm1d\) state 'runningMean' value 0 is Infinity, not a finite number/],
  ['NaN written as null', () => JSON.stringify(goodSaved()).replace(/"values":\[[^,\]]+/, '"values":[null'), /state 'runningMean' value 0 is null, not a finite number/],
  ['a truncated tensor', () => { const s = goodSaved(); s.parameters[6].values.pop(); return JSON.stringify(s); }, /parameters\[6\] has shape \[4,1\] \(4 values\) but 3 values \(truncated file\?\)/],
  ['an invalid constructor argument', () => JSON.stringify(goodSaved()).replace('"outFeatures":4', '"outFeatures":-4'), /net\.json: model\.children\[0\] \(Linear\): /],
  ['a shape that does not fit its layer', () => { const s = goodSaved(); s.parameters[0].shape = [4, 3]; return JSON.stringify(s); }, /net\.json: model\.children\[0\] \(Linear\(3→4\)\) parameter 'weight' has shape \[3,4\] but the file gives \[4,3\]/],
];

const readRows: ContractRow[] = (['loadModel', 'readModelFile'] as const).flatMap((fn) => [
  row(`${fn}: a second argument`, () => {
    const { dir, file } = goodFile();
    const read = (fn === 'loadModel' ? loadModel : readModelFile) as (...a: unknown[]) => unknown;
    return { act: () => read(file, { mapLocation: 'cpu' }), keeps: { files: [file, dir] } };
  }, new RegExp(`^${fn}: takes at most 1 argument \\(file\\), got 2`)),
  ...NOT_A_PATH.map(([name, value, got]) =>
    row(`${fn}: file is ${name}`, () => ({ act: () => (fn === 'loadModel' ? loadModel : readModelFile)(value as string) }), new RegExp(`^${fn}: file must be a path \\(a non-empty string\\), `), got)),
  row(`${fn}: a file name with a NUL character`, () => ({ act: () => (fn === 'loadModel' ? loadModel : readModelFile)('net\0.json') }), new RegExp(`^${fn}: file must be a path, got "net\\\\u0000\\.json", which holds a NUL character`)),
  ...BAD_FILES.map(([name, contents, message]) => readRow(fn, name, contents, message)),
  readTargetRow(fn, 'a file that does not exist', (dir) => ({ target: path.join(dir, 'missing.json'), keep: [path.join(dir, 'missing.json')] }),
    /cannot read .*missing\.json: no such file or folder \(ENOENT\)/),
  readTargetRow(fn, 'a folder', (dir) => ({ target: dir, keep: [dir] }), /cannot read .*row-\w+: it is a folder, not a model file/),
  readTargetRow(fn, 'a named pipe (reading it would wait for a writer)', (dir) => {
    const fifo = mkfifo(path.join(dir, 'net.json'));
    return { target: fifo, keep: [fifo] };
  }, /cannot read .*net\.json: it is a named pipe \(FIFO\), not a model file/),
  readTargetRow(fn, '/dev/null', () => ({ target: '/dev/null', keep: ['/dev/null'] }), /cannot read \/dev\/null: it is a character device, not a model file/),
  readTargetRow(fn, 'a dangling symbolic link', (dir) => {
    fs.symlinkSync('gone.json', path.join(dir, 'net.json'));
    return { target: path.join(dir, 'net.json'), keep: [] };
  }, /cannot read .*net\.json: no such file or folder \(ENOENT\)/),
  readTargetRow(fn, 'a loop of symbolic links', (dir) => {
    fs.symlinkSync('b.json', path.join(dir, 'a.json'));
    fs.symlinkSync('a.json', path.join(dir, 'b.json'));
    return { target: path.join(dir, 'a.json'), keep: [] };
  }, /cannot read .*a\.json: too many levels of symbolic links \(ELOOP\)/),
  readTargetRow(fn, 'a path through a regular file', (dir) => {
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'x');
    return { target: path.join(dir, 'notes.txt', 'net.json'), keep: [path.join(dir, 'notes.txt')] };
  }, /cannot read .*notes\.txt\/net\.json: a part of the path is not a folder \(ENOTDIR\)/),
  row(`${fn}: a file this user may not read`, () => {
    const { dir, file } = goodFile();
    const read = fn === 'loadModel' ? loadModel : readModelFile;
    const act = listingKept(dir, () => {
      const realFs: typeof fs = require('fs');
      const spy = jest.spyOn(realFs, 'openSync').mockImplementation(() => {
        throw Object.assign(new Error('EACCES: simulated'), { code: 'EACCES' });
      });
      try {
        return read(file);
      } finally {
        spy.mockRestore();
      }
    });
    return { act, keeps: { files: [file, dir] } };
  }, new RegExp(`^${fn}: cannot read .*net\\.json: permission denied \\(EACCES\\)`)),
]);

/** richNet's architecture, built with other values (the target of a successful load, spoiled per row). */
const sameArchitecture = (): Sequential => {
  const m = richNet();
  m.params().forEach((p) => p.value.data.fill(0.25));
  return m;
};

const loadStateRows: ContractRow[] = [
  ...NOT_A_MODULE.map(([name, value, got]) =>
    row(`loadStateInto: model is ${name}`, () => ({ act: () => loadStateInto(value as Module, goodSaved()) }), /^loadStateInto: model must be a Module, /, got)),
  row('loadStateInto: a third argument (strict: false)', () => {
    const model = sameArchitecture();
    return { act: () => (loadStateInto as (...a: unknown[]) => unknown)(model, goodSaved(), { strict: false }), keeps: { modules: [model] } };
  }, /^loadStateInto: takes at most 2 arguments \(model, saved\), got 3/),
  loadStateRow('saved is a path', sameArchitecture, () => new Instead('net.json'),
    /saved must be a saved model \(from modelToJSON or readModelFile\), got string 'net\.json' \(to load from a file: loadStateInto\(model, readModelFile\(file\)\)\)/),
  loadStateRow('saved is null', sameArchitecture, () => new Instead(null), /saved must be a saved model .*got null/),
  loadStateRow('saved is undefined', sameArchitecture, () => new Instead(undefined), /saved must be a saved model .*got undefined/),
  loadStateRow('saved is a number', sameArchitecture, () => new Instead(1), /saved must be a saved model .*got number 1/),
  loadStateRow('saved is a list', sameArchitecture, () => new Instead([]), /saved must be a saved model .*got an array/),
  loadStateRow('saved is a model', sameArchitecture, () => new Instead(richNet()), /saved must be a saved model .*got a Sequential/),
  loadStateRow('saved is of a newer version', sameArchitecture, (s) => { s.version = 3; }, /^loadStateInto: not a valid saved model: format version 3 is newer/),
  loadStateRow('saved has a null value in its last parameter', sameArchitecture, (s) => { s.parameters[6].values[3] = null; }, /not a valid saved model: parameters\[6\] value 3 is null/),
  loadStateRow('saved has a truncated running statistic', sameArchitecture, (s) => { s.architecture.children[1].buffers.runningVar.values.pop(); },
    /state 'runningVar' has shape \[4\] \(4 values\) but 3 values/),
  loadStateRow('a difference in the last layer only', () => new Sequential(...richNet().modules.slice(0, 6), new GELU()), () => undefined,
    /the model does not match the saved one at model\.children\[6\]: the model has GELU.* but the saved model's GELU has approximate: "tanh" \(not "none"\); nothing was loaded$/),
  loadStateRow('a last layer of another size', () => {
    const rng = new Rng(2);
    const shared = new Linear(2, 2, { rng });
    return new Sequential(new Linear(3, 4, { rng }), new BatchNorm1d(4), new LeakyReLU(0.2), new ColumnSplit([2, 2], [shared, new Linear(2, 2, { share: shared })]), new Dropout(0.25), new Linear(4, 2, { rng, bias: false }), new GELU('tanh'));
  }, () => undefined, /at model\.children\[5\]: the model has Linear\(4→2, bias=false\) but the saved model's Linear has outFeatures: 1 \(not 2\)/),
  loadStateRow('one module more', () => new Sequential(...richNet().modules, new ReLU()), () => undefined,
    /at model \(Sequential\(.*\)\): the model has 8 modules inside but the saved model has 7/),
  loadStateRow('another class at one place', () => { const m = richNet().modules.slice(); m[2] = new ReLU(); return new Sequential(...m); }, () => undefined,
    /at model\.children\[2\]: the model has ReLU but the saved model has a LeakyReLU there/),
  loadStateRow('another slope', () => { const m = richNet().modules.slice(); m[2] = new LeakyReLU(0.1); return new Sequential(...m); }, () => undefined,
    /at model\.children\[2\]: the model has LeakyReLU\(0\.1\) but the saved model's LeakyReLU has negativeSlope: 0\.2 \(not 0\.1\)/),
  loadStateRow('another dropout probability', () => { const m = richNet().modules.slice(); m[4] = new Dropout(0.5); return new Sequential(...m); }, () => undefined,
    /at model\.children\[4\]: .*p: 0\.25 \(not 0\.5\)/),
  loadStateRow('batch normalisation without affine parameters', () => { const m = richNet().modules.slice(); m[1] = new BatchNorm1d(4, { affine: false }); return new Sequential(...m); }, () => undefined,
    /at model\.children\[1\]: .*affine: true \(not false\)/),
  loadStateRow('another momentum', () => { const m = richNet().modules.slice(); m[1] = new BatchNorm1d(4, { momentum: 0.3 }); return new Sequential(...m); }, () => undefined,
    /at model\.children\[1\]: .*momentum: 0\.1 \(not 0\.3\)/),
  loadStateRow('a slope of −0 for one of 0', () => { const m = richNet().modules.slice(); m[2] = new LeakyReLU(0); return new Sequential(...m); }, (s) => { s.architecture.children[2].config.negativeSlope = '-0'; },
    /at model\.children\[2\]: .*negativeSlope: -0 \(not 0\)/),
  loadStateRow('weight sharing the saved model does not have', sameArchitecture, (s) => {
    s.architecture.children[3].children[1].params = { weight: 7, bias: 8 };
    s.parameters.push({ shape: [2, 2], values: [1, 2, 3, 4] }, { shape: [1, 2], values: [5, 6] });
  }, /at model\.children\[3\]\.children\[1\] \(Linear\(2→2\)\): parameter 'weight' is shared differently in the model and in the saved one \(weight sharing\)/),
  loadStateRow('no weight sharing where the saved model has it', () => {
    const rng = new Rng(3);
    return new Sequential(new Linear(3, 4, { rng }), new BatchNorm1d(4), new LeakyReLU(0.2), new ColumnSplit([2, 2], [new Linear(2, 2, { rng }), new Linear(2, 2, { rng })]), new Dropout(0.25), new Linear(4, 1, { rng, bias: false }), new GELU('tanh'));
  }, () => undefined, /at model\.children\[3\]\.children\[1\] \(Linear\(2→2\)\): parameter 'weight' is shared differently/),
  loadStateRow('a model with a layer the user wrote', () => new Sequential(...richNet().modules.slice(0, 6), new Square()), () => undefined,
    /model\.children\[6\] Square \(class Square\) cannot be saved or loaded/),
  loadStateRow('a single layer for a whole network', () => new Linear(3, 4, { rng: new Rng(1) }), () => undefined,
    /at model: the model has Linear\(3→4\) but the saved model has a Sequential there/),
];

/** Saveable in every way but its registration: config() and its own static fromConfig. */
class Cube extends Square {
  override config(): Record<string, unknown> {
    return {};
  }
  static fromConfig(): Cube {
    return new Cube();
  }
}

/** A subclass of Cube that inherits Cube's fromConfig (which would rebuild a Cube). */
class Tesseract extends Cube {}

/** Has its own fromConfig, but no config(): it inherits Module's. */
class Point extends Square {
  static fromConfig(): Point {
    return new Point();
  }
}

/** Not a Module, though it has the two methods. */
class Plain {
  config(): Record<string, unknown> {
    return {};
  }
  static fromConfig(): Plain {
    return new Plain();
  }
}

/** The registry as a text: name → class name, in order. */
function registryText(): string {
  return [...registeredModules()].map(([name, cls]) => `${name}=${cls.name}`).join(', ');
}

/** A row that calls registerModule(...args()), and fails (with an error that is not a MinidlError) if anything was registered. */
function registerRow(name: string, args: () => unknown[], ...message: RegExp[]): ContractRow {
  return row(`registerModule: ${name}`, () => {
    const call = args();
    return {
      act: () => {
        const before = registryText();
        try {
          (registerModule as (...a: unknown[]) => void)(...call);
        } finally {
          const after = registryText();
          if (after !== before) throw new Error(`the registry changed: [${before}] became [${after}]`);
        }
      },
    };
  }, /^registerModule: /, ...message);
}

const registerRows: ContractRow[] = [
  registerRow('no argument at all', () => [], /cls must be a class \(a subclass of Module\), got undefined/),
  registerRow('an instance instead of the class', () => [new Linear(2, 2, { rng: new Rng(1) }), 'Linear'],
    /cls must be a class \(a subclass of Module\), got a Linear \(an instance: give the class itself, such as registerModule\(Linear, 'Linear'\)\)/),
  registerRow('a string instead of the class', () => ['Cube', 'Cube'], /cls must be a class \(a subclass of Module\), got string 'Cube'/),
  registerRow('a plain object with a fromConfig', () => [{ fromConfig: () => new Cube() }, 'Cube'], /cls must be a class \(a subclass of Module\), got an Object/),
  registerRow('an arrow function', () => [() => new Cube(), 'Cube'], /cls must be a class \(a subclass of Module\), got a function/),
  registerRow('a class that does not extend Module', () => [Plain, 'Plain'], /cls must be a subclass of Module, got Plain, which does not extend Module/),
  registerRow('Module itself', () => [Module, 'Module'], /cls must be a subclass of Module, got Module itself, which is abstract/),
  registerRow('no name', () => [Cube], /name must be the type name written into saved files, a non-empty string such as 'Cube', got undefined \(spell it out, as registerModule\(Cube, 'Cube'\): a minifying bundler renames classes, so Cube\.name is not reliable\)/),
  registerRow('an empty name', () => [Cube, ''], /name must be .* got an empty string/),
  registerRow('a number as the name', () => [Cube, 3], /name must be .* got number 3/),
  registerRow('the name and the class swapped', () => ['Cube', Cube], /cls must be a class \(a subclass of Module\), got string 'Cube'/),
  registerRow('a class without fromConfig', () => [Square, 'Square'], /Square has no static fromConfig\(config\), which rebuilds it when a model is loaded; add one/),
  registerRow('a subclass that inherits its parent\'s fromConfig', () => [Tesseract, 'Tesseract'],
    /Tesseract has no static fromConfig of its own: the one it inherits from Cube would build a Cube, not a Tesseract/),
  registerRow('a subclass of Linear that inherits Linear\'s fromConfig', () => [MyLinear, 'MyLinear'],
    /MyLinear has no static fromConfig of its own: the one it inherits from Linear would build a Linear, not a MyLinear/),
  registerRow('a class without config()', () => [Point, 'Point'], /Point has no config\(\) method, which gives its constructor's arguments to save \(return \{\} if it takes none\)/),
  registerRow('a name another class has', () => [Cube, 'Linear'], /the name 'Linear' is already taken by another class, Linear; choose another name for Cube, such as 'my\.Linear'/),
  registerRow('minidl\'s Linear under a second name', () => [Linear, 'Dense'], /Linear is already registered as 'Linear'; a class is saved under one name only/),
  registerRow('a third argument', () => [Cube, 'Cube', { override: true }], /takes at most 2 arguments \(cls, name\), got 3/),
];

export const table: ContractTable = {
  title: 'saving and loading',
  rows: [...saveModelRows, ...modelToJSONRows, ...modelFromJSONRows, ...readRows, ...loadStateRows, ...registerRows],
};
