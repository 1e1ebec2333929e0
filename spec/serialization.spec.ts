import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';
import {
  AvgPool2d, BatchNorm1d, BatchNorm2d, ColumnSplit, Conv2d, Dropout, ELU, Flatten, GELU, MaxPool2d, Softmax, LeakyReLU, applyStandardization, Linear, MinidlError, Module, Parameter, Rng, SavedModel, Sequential, Sigmoid, Tanh, ReLU, Tensor,
  defaultRng, loadStateInto, manualSeed, modelFromJSON, modelToJSON, registerModule, registeredModules,
} from '../lib';
import { loadModel, readModelFile, saveModel } from '../lib/node';
import { findConfig } from '../demos/disk/configs';
import { runConfig } from '../demos/disk/experiment';
import { decide, loadDiskModel, saveDiskModel } from '../demos/disk/model-file';
import { parsePointList, parsePointsCsv } from '../demos/predict';
import { bits, expectMinidlError, randn } from './helpers';

/** Every kind of module that can be saved today, with weight sharing inside a ColumnSplit. */
function everyKindOfModel(rng: Rng): Sequential {
  const shared = new Linear(3, 4, { rng });
  return new Sequential(
    new Linear(2, 6, { rng }), new LeakyReLU(0.2),
    new ColumnSplit([3, 3], [shared, new Linear(3, 4, { share: shared })]), new Tanh(),
    new Linear(8, 5, { rng, bias: false }), new ReLU(),
    new Linear(5, 1, { rng }), new Sigmoid(),
  );
}

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A new empty folder, removed after the spec. */
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-save-'));
  tempDirs.push(dir);
  return dir;
}

describe('modelToJSON / modelFromJSON', () => {
  test('a round trip through JSON text rebuilds the same architecture, bit-identical parameters and outputs', () => {
    const rng = new Rng('save-1');
    const model = everyKindOfModel(rng);
    const saved = JSON.parse(JSON.stringify(modelToJSON(model)));
    const loaded = modelFromJSON(saved);
    expect(loaded.toString()).toBe(model.toString());
    const a = model.params(), b = loaded.params();
    expect(b).toHaveLength(a.length);
    a.forEach((p, i) => {
      expect(b[i].value.shape).toEqual(p.value.shape);
      expect(Array.from(b[i].value.data)).toEqual(Array.from(p.value.data));
    });
    const x = randn(rng, [7, 2]);
    expect(Array.from(loaded.forward(x).data)).toEqual(Array.from(model.forward(x).data));
  });

  test('shared parameters are written once and come back shared (one Parameter object in both layers)', () => {
    const model = everyKindOfModel(new Rng('save-2'));
    const saved = modelToJSON(model);
    // 2→6 (w, b), shared 3→4 (w, b), 8→5 (w), 5→1 (w, b): 7 tensors, not 9.
    expect(saved.parameters).toHaveLength(7);
    const loaded = modelFromJSON(saved) as Sequential;
    const split = loaded.modules[2] as ColumnSplit;
    const [first, second] = split.modules as Linear[];
    expect(second.weight).toBe(first.weight);
    expect(second.bias).toBe(first.bias);
  });

  test('batch normalisation: options, parameters and running statistics come back, so evaluation outputs are identical', () => {
    const rng = new Rng('bn');
    const model = new Sequential(new Linear(3, 4, { rng }), new BatchNorm1d(4, { momentum: 0.3, eps: 1e-3 }), new ReLU(), new Dropout(0.25), new Linear(4, 2, { rng }));
    for (let step = 0; step < 3; step++) model.forward(randn(rng, [5, 3])); // moves the running statistics
    const image = new BatchNorm2d(2, { affine: false });
    image.forward(randn(rng, [2, 2, 3, 3]));
    const saved = JSON.parse(JSON.stringify(modelToJSON(new Sequential(model, image))));
    const loaded = modelFromJSON(saved) as Sequential;
    const [mlp, bn2d] = loaded.modules as [Sequential, BatchNorm2d];
    expect(String(mlp)).toBe(String(model));
    const bn = mlp.modules[1] as BatchNorm1d;
    expect([bn.momentum, bn.eps, bn.affine]).toEqual([0.3, 1e-3, true]);
    expect(Array.from(bn.runningMean.data)).toEqual(Array.from((model.modules[1] as BatchNorm1d).runningMean.data));
    expect(Array.from(bn.runningVar.data)).toEqual(Array.from((model.modules[1] as BatchNorm1d).runningVar.data));
    expect(Array.from(bn2d.runningVar.data)).toEqual(Array.from(image.runningVar.data));
    expect(bn2d.affine).toBe(false);
    expect((mlp.modules[3] as Dropout).p).toBe(0.25);
    const x = randn(rng, [6, 3]);
    expect(Array.from(mlp.eval().forward(x).data)).toEqual(Array.from(model.eval().forward(x).data));
  });

  test('a convolutional network with pooling and the other activations comes back with identical outputs', () => {
    const rng = new Rng('cnn');
    const model = new Sequential(
      new Conv2d(2, 3, [3, 2], { stride: [1, 2], padding: [1, 0], rng }), new BatchNorm2d(3), new ELU(0.7),
      new MaxPool2d(2, 1), new Conv2d(3, 4, 2, { bias: false, rng }), new GELU('tanh'),
      new AvgPool2d([2, 1], [1, 1], [1, 0]), new Flatten(), new Linear(4 * 4 * 1, 3, { rng }), new GELU(), new Softmax(),
    );
    const x = randn(rng, [2, 2, 5, 6]);
    model.forward(x);
    const loaded = modelFromJSON(JSON.parse(JSON.stringify(modelToJSON(model))));
    expect(String(loaded)).toBe(String(model));
    const conv = (loaded as Sequential).modules[0] as Conv2d;
    expect([conv.kernelSize, conv.stride, conv.padding]).toEqual([[3, 2], [1, 2], [1, 0]]);
    expect(Array.from(loaded.eval().forward(x).data)).toEqual(Array.from(model.eval().forward(x).data));
  });

  test('a running statistic of the wrong shape or a missing one is refused', () => {
    const saved: any = JSON.parse(JSON.stringify(modelToJSON(new Sequential(new BatchNorm1d(3)))));
    saved.architecture.children[0].buffers.runningVar = { shape: [4], values: [1, 1, 1, 1] };
    expectMinidlError(() => modelFromJSON(saved), /BatchNorm1d\(3\)\) state 'runningVar' has shape \[3\] but the file gives \[4\]/);
    delete saved.architecture.children[0].buffers.runningVar;
    expectMinidlError(() => modelFromJSON(saved), /has state \[numBatchesTracked, runningMean, runningVar\] but the file gives \[numBatchesTracked, runningMean\]/);
  });

  test('metadata travels with the model, and the format and version are written', () => {
    const saved = modelToJSON(new Linear(2, 3, { rng: new Rng(1) }), { note: 'hello', mean: [1, 2] });
    expect(saved.format).toBe('minidl-model');
    expect(saved.version).toBe(2);
    expect(saved.summary).toBe('Linear(2→3)');
    expect(saved.metadata).toEqual({ note: 'hello', mean: [1, 2] });
  });

  test('rebuilding a model does not consume the seeded default generator', () => {
    const saved = modelToJSON(everyKindOfModel(new Rng(3)));
    manualSeed(42);
    const expected = defaultRng().uniform();
    manualSeed(42);
    modelFromJSON(saved);
    expect(defaultRng().uniform()).toBe(expected);
  });

  test('a module class minidl does not know (a user subclass) cannot be saved, and the error names it', () => {
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
    expectMinidlError(() => modelToJSON(new Sequential(new Linear(2, 2), new Square())), /modelToJSON: model\.children\[1\] Square \(class Square\) cannot be saved or loaded/, /known types: .*Linear/);
  });

  describe('a damaged saved model is refused with a clear error', () => {
    const good = (): SavedModel => JSON.parse(JSON.stringify(modelToJSON(everyKindOfModel(new Rng('damaged')))));
    const cases: Array<[string, (s: any) => void, RegExp]> = [
      ['another format', (s) => { s.format = 'keras'; }, /format is "keras", expected "minidl-model"/],
      ['a newer version', (s) => { s.version = 3; }, /format version 3 is newer than this minidl reads \(versions 1 to 2\): .*update minidl/],
      ['version 0', (s) => { s.version = 0; }, /format version 0 is not a version of this format/],
      ['an unknown field', (s) => { s.architecture.children[0].buffer = {}; }, /architecture\.children\[0\] \(Linear\) has an unknown field "buffer"/],
      ['an unknown config key', (s) => { s.architecture.children[1].config.slope = 0.1; }, /model\.children\[1\] \(LeakyReLU\(0\.2\)\) config has unknown key 'slope' \(known: negativeSlope\)/],
      ['a "-0" in a version 1 file', (s) => { s.version = 1; s.parameters[0].values[0] = '-0'; }, /parameters\[0\] value 0 is "-0", not a finite number$/],
      ['an unused parameter', (s) => { s.parameters.push({ shape: [1], values: [1] }); }, /parameters\[7\] is not used by any module/],
      ['an unknown module type', (s) => { s.architecture.children[1].type = 'Swish'; }, /architecture\.children\[1\] has unknown module type "Swish"/],
      ['a truncated parameter', (s) => { s.parameters[0].values.pop(); }, /parameters\[0\] has shape \[2,6\] \(12 values\) but 11 values \(truncated file\?\)/],
      ['a non-finite value', (s) => { s.parameters[1].values[3] = null; }, /parameters\[1\] value 3 is null, not a finite number/],
      ['a parameter of the wrong shape', (s) => { s.parameters[0].shape = [3, 4]; }, /Linear\(2→6\)\) parameter 'weight' has shape \[2,6\] but the file gives \[3,4\]/],
      ['a reference to a missing parameter', (s) => { s.architecture.children[0].params.bias = 99; }, /parameter 'bias' refers to parameters\[99\], which does not exist/],
      ['a missing parameter', (s) => { delete s.architecture.children[6].params.bias; s.parameters.pop(); }, /has parameters \[bias, weight\] but the file gives \[weight\]/],
      ['an invalid config', (s) => { s.architecture.children[0].config.outFeatures = 0; }, /model\.children\[0\] \(Linear\): .*outFeatures must be an integer ≥ 1, got 0/],
      ['a config of the wrong type', (s) => { s.architecture.children[0].config.bias = 'yes'; }, /config\.bias must be true or false, got "yes"/],
      ['not an object', (s) => { s.architecture = 7; }, /architecture is not an object/],
    ];
    test.each(cases)('%s', (_name, damage, message) => {
      const saved = good();
      damage(saved);
      expectMinidlError(() => modelFromJSON(saved), message);
    });
  });

  test('loadStateInto copies values into a model of the same architecture, and changes nothing on a mismatch', () => {
    const source = everyKindOfModel(new Rng('a'));
    const target = everyKindOfModel(new Rng('b'));
    loadStateInto(target, modelToJSON(source));
    target.params().forEach((p, i) => expect(Array.from(p.value.data)).toEqual(Array.from(source.params()[i].value.data)));

    const other = new Sequential(new Linear(2, 6, { rng: new Rng('c') }), new ReLU(), new Linear(6, 1, { rng: new Rng('c') }));
    const before = other.params().map((p) => Array.from(p.value.data));
    expectMinidlError(() => loadStateInto(other, modelToJSON(source)), /loadStateInto: the model does not match the saved one at model \(Sequential\(Linear\(2→6\), ReLU, Linear\(6→1\)\)\): the model has 3 modules inside but the saved model has 8; nothing was loaded/);
    other.params().forEach((p, i) => expect(Array.from(p.value.data)).toEqual(before[i]));
  });
});

describe('saveModel / loadModel', () => {
  test('a saved file loads back to the same model and metadata, with no temporary file left behind', () => {
    const dir = tempDir();
    const file = path.join(dir, 'net.json');
    const model = everyKindOfModel(new Rng('file'));
    saveModel(model, file, { epochs: 3 });
    expect(fs.readdirSync(dir)).toEqual(['net.json']);
    const loaded = loadModel(file);
    const x = randn(new Rng(5), [4, 2]);
    expect(Array.from(loaded.forward(x).data)).toEqual(Array.from(model.forward(x).data));
    expect(readModelFile(file).metadata).toEqual({ epochs: 3 });
  });

  test('a crash while writing leaves the previous file intact and no temporary file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'net.json');
    saveModel(new Linear(2, 2, { rng: new Rng(1) }), file);
    const before = fs.readFileSync(file, 'utf8');
    // The real fs module object (the `import * as fs` namespace above has read-only bindings).
    const realFs: typeof fs = require('fs');
    const spy = jest.spyOn(realFs, 'writeFileSync').mockImplementation(() => {
      throw new Error('disk full');
    });
    try {
      expectMinidlError(() => saveModel(new Linear(2, 2, { rng: new Rng(2) }), file), /saveModel: could not write .*net\.json: disk full/);
    } finally {
      spy.mockRestore();
    }
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(fs.readdirSync(dir)).toEqual(['net.json']);
  });

  test('a model that cannot be saved does not touch the existing file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'net.json');
    saveModel(new Linear(2, 2, { rng: new Rng(1) }), file);
    const before = fs.readFileSync(file, 'utf8');
    expect(() => saveModel({} as Module, file)).toThrow(MinidlError);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });

  test('a truncated file, a missing file and a file of another version get clear errors', () => {
    const dir = tempDir();
    const file = path.join(dir, 'net.json');
    saveModel(everyKindOfModel(new Rng('t')), file);
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
    expectMinidlError(() => loadModel(file), /loadModel: .*net\.json is not valid JSON: it ends too early \(truncated file\?\)/);
    expectMinidlError(() => loadModel(path.join(dir, 'missing.json')), /loadModel: cannot read .*missing\.json: no such file or folder \(ENOENT\)/);
    fs.writeFileSync(file, text.replace('"version":2', '"version":7'));
    expectMinidlError(() => loadModel(file), /loadModel: .*net\.json: not a valid saved model: format version 7 is newer than this minidl reads/);
  });
});

/** The bits of every parameter and buffer of `m`, to compare with toEqual (−0 ≠ +0). */
function stateBits(m: Module): bigint[][] {
  return [...m.params().map((p) => bits(p.value.data)), ...m.buffers().map((b) => bits(b.value.data))];
}

/** Kind, mode, owner, inode and bytes of a path (not following a final symbolic link). */
function fileState(file: string): string {
  const s = fs.lstatSync(file);
  const bytes = s.isFile() ? fs.readFileSync(file).toString('base64') : s.isSymbolicLink() ? `→ ${fs.readlinkSync(file)}` : '';
  return `${s.mode.toString(8)} ${s.uid}:${s.gid} ino ${s.ino} rdev ${s.rdev} ${bytes}`;
}

/** A model whose parameters and running statistics hold −0, +0, subnormals, the largest doubles and inexact decimals. */
function awkwardModel(): Sequential {
  const linear = new Linear(2, 3, { rng: new Rng('awkward') });
  linear.weight.value.data.set([-0, 0, 5e-324, -5e-324, 1.7976931348623157e308, 0.1 + 0.2]);
  (linear.bias as { value: Tensor }).value.data.set([-0, -1e-300, 2 ** -1074 * 3]);
  const bn = new BatchNorm1d(3);
  bn.runningMean.data.set([-0, 1 / 3, -2.5e-310]);
  return new Sequential(linear, new LeakyReLU(-0), bn);
}

describe('values come back to the bit', () => {
  test('−0, subnormals and the largest doubles survive saveModel / loadModel, in parameters, state and constructor arguments', () => {
    const file = path.join(tempDir(), 'awkward.json');
    const model = awkwardModel();
    saveModel(model, file, { offset: -0, note: '-0' });
    const loaded = loadModel(file);
    expect(stateBits(loaded)).toEqual(stateBits(model));
    expect(Object.is(((loaded as Sequential).modules[1] as LeakyReLU).negativeSlope, -0)).toBe(true);
    const metadata = readModelFile(file).metadata as { offset: number; note: string };
    expect(Object.is(metadata.offset, -0)).toBe(true);
    expect(metadata.note).toBe('-0'); // a string stays a string
    expect(fs.readFileSync(file, 'utf8')).toMatch(/"values":\["-0",0,5e-324,-5e-324,1\.7976931348623157e\+308,0\.30000000000000004\]/);
  });

  test('−0 also survives JSON.stringify / JSON.parse of modelToJSON\'s object (the browser\'s way)', () => {
    const model = awkwardModel();
    const loaded = modelFromJSON(JSON.parse(JSON.stringify(modelToJSON(model))));
    expect(stateBits(loaded)).toEqual(stateBits(model));
    expect(stateBits(loaded)[0][0]).toBe(0x8000000000000000n); // −0 itself, not +0
  });

  test('loadStateInto copies −0 as −0', () => {
    const model = awkwardModel();
    const target = new Sequential(new Linear(2, 3, { rng: new Rng(9) }), new LeakyReLU(-0), new BatchNorm1d(3));
    loadStateInto(target, JSON.parse(JSON.stringify(modelToJSON(model))));
    expect(stateBits(target)).toEqual(stateBits(model));
  });

  test('objects made in another realm (an iframe, a vm context) are plain data too', () => {
    const model = everyKindOfModel(new Rng('realm'));
    const text = JSON.stringify(modelToJSON(model));
    const foreign = vm.runInNewContext('JSON.parse(text)', { text });
    expect(Object.getPrototypeOf(foreign)).not.toBe(Object.prototype);
    expect(stateBits(modelFromJSON(foreign))).toEqual(stateBits(model));
    const metadata = vm.runInNewContext('({ mean: [0.5, -0], nested: { ok: true } })');
    const copy = modelToJSON(model, metadata).metadata as { mean: number[] };
    expect(JSON.stringify(copy)).toBe('{"mean":[0.5,0],"nested":{"ok":true}}');
    expect(Object.is(copy.mean[1], -0)).toBe(true);
    const subclass = vm.runInNewContext('class Points extends Array {}; ({ list: new Points() })');
    expectMinidlError(() => modelToJSON(model, subclass), /metadata\.list is a Points \(a subclass of Array\), not a plain array/);
  });

  test('a version 1 file (written before −0 was kept) still loads, a literal -0 in it included', () => {
    const file = path.join(tempDir(), 'old.json');
    const model = everyKindOfModel(new Rng('v1'));
    const saved: any = JSON.parse(JSON.stringify(modelToJSON(model)));
    saved.version = 1;
    fs.writeFileSync(file, JSON.stringify(saved).replace('"values":[', '"values":[-0,').replace(/("values":\[-0,)[^,\]]+,?/, '$1'));
    const loaded = loadModel(file);
    const expected = stateBits(model);
    expected[0][0] = 0x8000000000000000n;
    expect(stateBits(loaded)).toEqual(expected);
  });
});

/**
 * A layer of a student's own, written as docs/write-a-layer.md teaches, plus the two methods that
 * make it saveable: y = x·w + shift, one learned scale per feature (a parameter, `weight`) and a
 * fixed shift (a constructor option).
 */
class ScaleShift extends Module {
  readonly numFeatures: number;
  readonly shift: number;
  readonly weight: Parameter;
  private input: Tensor | null = null;

  constructor(numFeatures: number, options: { shift?: number } = {}) {
    super();
    this.numFeatures = numFeatures;
    this.shift = options.shift ?? 0;
    this.weight = new Parameter(Tensor.full([1, numFeatures], 1), 'weight');
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    this.input = input;
    const f = this.numFeatures, w = this.weight.value.data;
    const output = new Tensor(input.shape);
    input.data.forEach((x, i) => { output.data[i] = x * w[i % f] + this.shift; });
    return this.rememberOutput(output);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const f = this.numFeatures, x = (this.input as Tensor).data, w = this.weight.value.data;
    const gradIn = new Tensor(gradOut.shape);
    gradOut.data.forEach((g, i) => {
      this.weight.grad.data[i % f] += g * x[i]; // ∂L/∂w += Σₙ g·x
      gradIn.data[i] = g * w[i % f]; //            ∂L/∂x = g·w
    });
    return gradIn;
  }

  override params(): Parameter[] {
    return [this.weight];
  }

  toString(): string {
    return `ScaleShift(${this.numFeatures}, shift=${this.shift})`;
  }

  override config(): Record<string, unknown> {
    return { numFeatures: this.numFeatures, shift: this.shift };
  }

  static fromConfig(config: Record<string, unknown>): ScaleShift {
    return new ScaleShift(config.numFeatures as number, { shift: config.shift as number });
  }
}
registerModule(ScaleShift, 'ScaleShift');

/** A layer with no parameter and no argument, for the error cases (each test adds what it needs). */
class IdentityBase extends Module {
  forward(input: Tensor): Tensor {
    return this.rememberOutput(input);
  }
  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    return gradOut;
  }
  toString(): string {
    return this.constructor.name;
  }
  override config(): Record<string, unknown> {
    return {};
  }
}

describe('a layer of your own: registerModule, config() and fromConfig', () => {
  test('saveModel / loadModel give back a registered layer of a student inside a Sequential, bit for bit', () => {
    const rng = new Rng('own-layer');
    const scale = new ScaleShift(3, { shift: -0.25 });
    scale.weight.value.data.set([-0, 5e-324, 1 / 3]);
    const model = new Sequential(new Linear(2, 3, { rng }), scale, new ReLU(), new Linear(3, 1, { rng }));
    const file = path.join(tempDir(), 'own.json');
    saveModel(model, file, { note: 'a layer of my own' });
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('{"type":"ScaleShift","config":{"numFeatures":3,"shift":-0.25},"params":{"weight":2}}');

    const loaded = loadModel(file) as Sequential;
    const again = loaded.modules[1];
    expect(again).toBeInstanceOf(ScaleShift);
    expect(Object.getPrototypeOf(again)).toBe(ScaleShift.prototype);
    expect([(again as ScaleShift).numFeatures, (again as ScaleShift).shift]).toEqual([3, -0.25]);
    expect(String(loaded)).toBe(String(model));
    expect(stateBits(loaded)).toEqual(stateBits(model));
    expect(stateBits(loaded)[2][0]).toBe(0x8000000000000000n); // the −0 of the layer's weight
    const x = randn(rng, [5, 2]);
    expect(bits(loaded.forward(x).data)).toEqual(bits(model.forward(x).data));
    const g = randn(rng, [5, 1]);
    expect(bits(loaded.backward(g).data)).toEqual(bits(model.backward(g).data));

    saveModel(loaded, file, { note: 'a layer of my own' });
    expect(fs.readFileSync(file, 'utf8')).toBe(text); // saved again: the same bytes
    const target = new Sequential(new Linear(2, 3, { rng }), new ScaleShift(3, { shift: -0.25 }), new ReLU(), new Linear(3, 1, { rng }));
    loadStateInto(target, readModelFile(file));
    expect(stateBits(target)).toEqual(stateBits(model));
    expect(registeredModules().get('ScaleShift')).toBe(ScaleShift);
  });

  test('registering minidl\'s own classes again, or a student\'s class again under its name, changes nothing', () => {
    const before = [...registeredModules()];
    registerModule(ScaleShift, 'ScaleShift');
    registerModule(Linear, 'Linear'); // the class minidl exports (through requireNew) is Linear itself
    registerModule(Sequential, 'Sequential');
    expect([...registeredModules()]).toEqual(before);
    expect(before.map(([name]) => name)).toEqual(expect.arrayContaining(['Linear', 'Conv2d', 'BatchNorm1d', 'Sequential', 'ColumnSplit', 'GELU']));
  });

  test('a class that is not registered cannot be saved: the error names it and says how to register it', () => {
    class Unsaved extends IdentityBase {}
    expectMinidlError(() => modelToJSON(new Sequential(new Linear(2, 2), new Unsaved())),
      /^modelToJSON: model\.children\[1\] Unsaved \(class Unsaved\) cannot be saved or loaded: its class is not registered; known types: .*ScaleShift/,
      /give it config\(\) and a static fromConfig\(config\), then register it once: registerModule\(Unsaved, 'Unsaved'\)/);
  });

  test('a subclass of a registered class is not saved as its parent', () => {
    class ShiftOnly extends ScaleShift {
      override toString(): string {
        return 'ShiftOnly';
      }
    }
    class MyLinear extends Linear {}
    expectMinidlError(() => modelToJSON(new Sequential(new ShiftOnly(2))),
      /model\.children\[0\] ShiftOnly \(class ShiftOnly\) cannot be saved or loaded: its class is not registered \(a subclass of ScaleShift is not saved as a ScaleShift, which would lose what ShiftOnly changes\)/,
      /registerModule\(ShiftOnly, 'ShiftOnly'\)/);
    expectMinidlError(() => modelToJSON(new MyLinear(2, 2)), /\(class MyLinear\) cannot be saved or loaded: its class is not registered \(a subclass of Linear is not saved as a Linear/);
  });

  test('loading a file with a type this program has not registered names the type and says how to register it', () => {
    const file = path.join(tempDir(), 'unknown.json');
    saveModel(new Sequential(new ScaleShift(2)), file);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"ScaleShift"', '"Swish"'));
    expectMinidlError(() => loadModel(file),
      /^loadModel: .*unknown\.json: not a valid saved model: architecture\.children\[0\] has unknown module type "Swish" \(known: .*Linear.*\); if it is a layer of your own, register its class before loading: registerModule\(Swish, "Swish"\)/);
  });

  test('registerModule refuses, and registers nothing, what could not be saved and loaded back', () => {
    class NoRebuild extends IdentityBase {}
    class Rebuilds extends IdentityBase {
      static fromConfig(): Rebuilds {
        return new Rebuilds();
      }
    }
    class NoConfig extends Module {
      forward(input: Tensor): Tensor {
        return input;
      }
      backward(gradOut: Tensor): Tensor {
        return gradOut;
      }
      toString(): string {
        return 'NoConfig';
      }
      static fromConfig(): NoConfig {
        return new NoConfig();
      }
    }
    class InheritsRebuild extends Rebuilds {}
    class NotAModule {
      static fromConfig(): NotAModule {
        return new NotAModule();
      }
    }
    const before = [...registeredModules()];
    const refused: Array<[() => void, RegExp]> = [
      [() => registerModule(Rebuilds, 'Linear'), /^registerModule: the name 'Linear' is already taken by another class, Linear; choose another name for Rebuilds/],
      [() => registerModule(Linear, 'Dense'), /^registerModule: Linear is already registered as 'Linear'; a class is saved under one name only/],
      [() => registerModule(NoRebuild as never, 'NoRebuild'), /^registerModule: NoRebuild has no static fromConfig\(config\), which rebuilds it when a model is loaded/],
      [() => registerModule(InheritsRebuild, 'InheritsRebuild'), /^registerModule: InheritsRebuild has no static fromConfig of its own: the one it inherits from Rebuilds would build a Rebuilds, not an InheritsRebuild/],
      [() => registerModule(NoConfig, 'NoConfig'), /^registerModule: NoConfig has no config\(\) method, which gives its constructor's arguments to save \(return \{\} if it takes none\)/],
      [() => registerModule(NotAModule as never, 'NotAModule'), /^registerModule: cls must be a subclass of Module, got NotAModule, which does not extend Module/],
      [() => registerModule(new ScaleShift(2) as never, 'ScaleShift'), /^registerModule: cls must be a class \(a subclass of Module\), got a ScaleShift \(an instance: give the class itself, such as registerModule\(ScaleShift, 'ScaleShift'\)\)/],
      [() => (registerModule as (cls: unknown) => void)(Rebuilds), /^registerModule: name must be the type name written into saved files, a non-empty string such as 'Rebuilds', got undefined \(spell it out, as registerModule\(Rebuilds, 'Rebuilds'\): a minifying bundler renames classes/],
    ];
    for (const [act, message] of refused) {
      expectMinidlError(act, message);
      expect([...registeredModules()]).toEqual(before);
    }
  });

  test('a config() that is not plain data, and a fromConfig that builds another class, are refused with the module\'s place', () => {
    class Nested extends IdentityBase {
      override config(): Record<string, unknown> {
        return { options: { shift: 1 } };
      }
      static fromConfig(): Nested {
        return new Nested();
      }
    }
    registerModule(Nested, 'Nested');
    expectMinidlError(() => modelToJSON(new Sequential(new Nested())),
      /^modelToJSON: model\.children\[0\] \(Nested\) config\.options is an Object, which cannot be saved \(a config holds finite numbers, strings, true\/false, null, or lists of them\)/);
    class WrongRebuild extends IdentityBase {
      static fromConfig(): Module {
        return new ReLU();
      }
    }
    registerModule(WrongRebuild, 'WrongRebuild');
    const saved = modelToJSON(new Sequential(new WrongRebuild()));
    expectMinidlError(() => modelFromJSON(saved), /^modelFromJSON: model\.children\[0\] \(WrongRebuild\): WrongRebuild\.fromConfig returned a ReLU, not a WrongRebuild/);
  });
});

describe('saving refuses, before writing anything, what could not be loaded back', () => {
  const nonFinite: Array<[string, (m: Sequential) => void, RegExp]> = [
    ['NaN in a weight', (m) => { (m.modules[0] as Linear).weight.value.data[4] = NaN; },
      /saveModel: .*net\.json: model\.children\[0\] \(Linear\(2→6\)\) parameter 'weight' holds NaN at flat index 4 \(shape \[2,6\]\)/],
    ['+Infinity in a shared weight inside a ColumnSplit', (m) => { ((m.modules[2] as ColumnSplit).modules[1] as Linear).bias!.value.data[3] = Infinity; },
      /model\.children\[2\]\.children\[0\] \(Linear\(3→4\)\) parameter 'bias' holds Infinity at flat index 3 \(shape \[1,4\]\)/],
    ['−Infinity in a running statistic', (m) => { (m.modules[8] as BatchNorm1d).runningVar.data[0] = -Infinity; },
      /model\.children\[8\] \(BatchNorm1d\(1\)\) state 'runningVar' holds -Infinity at flat index 0 \(shape \[1\]\)/],
  ];
  test.each(nonFinite)('%s: the error names the tensor, and the previous file is untouched', (_name, spoil, message) => {
    const dir = tempDir();
    const file = path.join(dir, 'net.json');
    const model = new Sequential(...everyKindOfModel(new Rng('nan')).modules, new BatchNorm1d(1));
    saveModel(model, file);
    fs.chmodSync(file, 0o640);
    const before = fileState(file);
    spoil(model);
    expectMinidlError(() => saveModel(model, file), message, /cannot be saved/);
    expect(fileState(file)).toBe(before);
    expect(fs.readdirSync(dir)).toEqual(['net.json']);
    expectMinidlError(() => modelToJSON(model), /^modelToJSON: model\.children/);
  });

  const badMetadata: Array<[string, unknown, RegExp]> = [
    ['a function', { fn: () => 1 }, /metadata\.fn is a function/],
    ['a BigInt', { big: 10n }, /metadata\.big is the bigint 10n/],
    ['a cycle', (() => { const o: any = { a: [1] }; o.a.push(o); return o; })(), /metadata\.a\[1\] refers back to an object that contains it \(a cycle\)/],
    ['NaN', { stats: { mean: [0.5, NaN] } }, /metadata\.stats\.mean\[1\] is NaN, which JSON cannot hold/],
    ['a Date', { when: new Date(0) }, /metadata\.when is a Date, not plain data \(JSON\.stringify would call its toJSON\)/],
    ['a Map', { m: new Map([[1, 2]]) }, /metadata\.m is a Map, not plain data/],
    ['a hole in an array', { list: [1, , 3] }, /metadata\.list has a hole at index 1/],
    ['undefined in an array', { list: [1, undefined] }, /metadata\.list\[1\] is undefined/],
    ['a string instead of an object', 'epochs=3', /saveModel: .*net\.json: metadata must be an object of plain JSON data such as \{ epochs: 3 \}, got string 'epochs=3'/],
  ];
  test.each(badMetadata)('metadata holding %s is refused, naming its place; the file is untouched', (_name, metadata, message) => {
    const dir = tempDir();
    const file = path.join(dir, 'net.json');
    saveModel(new Linear(2, 2, { rng: new Rng(1) }), file, { fine: true });
    const before = fileState(file);
    expectMinidlError(() => saveModel(new Linear(2, 2, { rng: new Rng(2) }), file, metadata as Record<string, unknown>), /^saveModel: /, message);
    expect(fileState(file)).toBe(before);
    expect(fs.readdirSync(dir)).toEqual(['net.json']);
  });

  test('a key of the metadata whose value is undefined is left out, as JSON.stringify and options do; the metadata is copied', () => {
    const metadata: Record<string, unknown> = { a: 1, b: undefined, nested: { c: [1, 2] } };
    const saved = modelToJSON(new Linear(1, 1, { rng: new Rng(1) }), metadata);
    (metadata.nested as { c: number[] }).c.push(3);
    expect(saved.metadata).toEqual({ a: 1, nested: { c: [1, 2] } });
    expect(Object.keys(saved.metadata as object)).toEqual(['a', 'nested']);
  });

  test('arguments in the wrong order are named', () => {
    const model = new Linear(2, 2);
    expectMinidlError(() => saveModel('net.json' as never, model as never), /saveModel: file must be a path \(a non-empty string\), got a Linear \(the call is saveModel\(model, file, metadata\?\)\)/);
  });
});

describe('saving and the file system', () => {
  const model = () => new Sequential(new Linear(2, 3, { rng: new Rng('fs') }), new ReLU());

  test('a symbolic link is followed: the link stays a link and its target gets the model', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'models'));
    fs.mkdirSync(path.join(dir, 'links'));
    const real = path.join(dir, 'models', 'real.json');
    saveModel(new Linear(1, 1, { rng: new Rng(1) }), real);
    const link = path.join(dir, 'links', 'latest.json');
    fs.symlinkSync('../models/real.json', link); // relative to the link's folder
    const chain = path.join(dir, 'chain.json');
    fs.symlinkSync(link, chain); // a link to a link
    const m = model();
    saveModel(m, chain);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(link)).toBe('../models/real.json');
    expect(fs.readlinkSync(chain)).toBe(link);
    expect(stateBits(loadModel(real))).toEqual(stateBits(m));
    expect(fs.readdirSync(path.join(dir, 'models'))).toEqual(['real.json']); // the temporary file went next to the target, and is gone
    expect(fs.readdirSync(path.join(dir, 'links'))).toEqual(['latest.json']);
  });

  test('a dangling symbolic link gets its target created, as a shell\'s > would', () => {
    const dir = tempDir();
    const link = path.join(dir, 'net.json');
    fs.symlinkSync('target.json', link);
    saveModel(model(), link);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.lstatSync(path.join(dir, 'target.json')).isFile()).toBe(true);
  });

  test('an existing file keeps its mode (0600 stays 0600); a new file gets the default mode', () => {
    const dir = tempDir();
    const file = path.join(dir, 'secret.json');
    saveModel(model(), file);
    const plain = path.join(dir, 'plain.txt');
    fs.writeFileSync(plain, 'x');
    expect(fs.statSync(file).mode & 0o777).toBe(fs.statSync(plain).mode & 0o777);
    for (const mode of [0o600, 0o640, 0o444]) {
      fs.chmodSync(file, mode);
      saveModel(model(), file);
      expect((fs.statSync(file).mode & 0o7777).toString(8)).toBe(mode.toString(8));
    }
  });

  (process.getuid?.() === 0 ? test : test.skip)('as root, an existing file keeps its owner and group', () => {
    const file = path.join(tempDir(), 'theirs.json');
    saveModel(model(), file);
    fs.chownSync(file, 4321, 4322);
    saveModel(model(), file);
    expect([fs.statSync(file).uid, fs.statSync(file).gid]).toEqual([4321, 4322]);
  });

  test('/dev/null is refused without being written to or replaced (even as root)', () => {
    const before = fileState('/dev/null');
    expectMinidlError(() => saveModel(model(), '/dev/null'), /saveModel: cannot write \/dev\/null: it is a character device, not a regular file, and saving would replace it/);
    expect(fileState('/dev/null')).toBe(before);
    const link = path.join(tempDir(), 'null.json');
    fs.symlinkSync('/dev/null', link);
    expectMinidlError(() => saveModel(model(), link), /cannot write .*null\.json \(a symbolic link to \/dev\/null\): it is a character device/);
    expect(fileState('/dev/null')).toBe(before);
    expectMinidlError(() => loadModel('/dev/null'), /loadModel: cannot read \/dev\/null: it is a character device, not a model file/);
  });

  test('a named pipe is refused by saveModel and by loadModel, at once (reading it would block)', () => {
    const dir = tempDir();
    const fifo = path.join(dir, 'pipe.json');
    execFileSync('mkfifo', [fifo]);
    expectMinidlError(() => saveModel(model(), fifo), /saveModel: cannot write .*pipe\.json: it is a named pipe \(FIFO\), not a regular file/);
    expectMinidlError(() => loadModel(fifo), /loadModel: cannot read .*pipe\.json: it is a named pipe \(FIFO\), not a model file/);
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['pipe.json']);
  });

  test('a socket is refused by saveModel and by loadModel', async () => {
    const dir = tempDir();
    const socket = path.join(dir, 'net.sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      expectMinidlError(() => saveModel(model(), socket), /saveModel: cannot write .*net\.sock: it is a socket, not a regular file/);
      expectMinidlError(() => loadModel(socket), /loadModel: cannot read .*net\.sock: it is a socket/);
      expect(fs.lstatSync(socket).isSocket()).toBe(true);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('a folder, a folder that does not exist, a path through a file and a trailing slash are refused, naming the path', () => {
    const dir = tempDir();
    expectMinidlError(() => saveModel(model(), dir), /saveModel: cannot write .*minidl-save-\w+: it is a folder, not a regular file/);
    expectMinidlError(() => loadModel(dir), /loadModel: cannot read .*minidl-save-\w+: it is a folder, not a model file/);
    expectMinidlError(() => saveModel(model(), path.join(dir, 'no', 'net.json')), /saveModel: cannot write .*no\/net\.json: the folder .*no does not exist/);
    fs.writeFileSync(path.join(dir, 'plain.txt'), 'x');
    expectMinidlError(() => saveModel(model(), path.join(dir, 'plain.txt', 'net.json')), /saveModel: cannot write .*plain\.txt\/net\.json: a part of the path is not a folder \(ENOTDIR\)/);
    expectMinidlError(() => saveModel(model(), path.join(dir, 'new') + '/'), /the path ends with a slash, so it names a folder/);
    expect(fs.readdirSync(dir)).toEqual(['plain.txt']);
  });

  (process.getuid?.() === 0 ? test.skip : test)('a read-only folder is refused and left empty (not as root, who may write anyway)', () => {
    const dir = tempDir();
    fs.chmodSync(dir, 0o555);
    try {
      expectMinidlError(() => saveModel(model(), path.join(dir, 'net.json')), /saveModel: could not write .*net\.json: cannot create a file in the folder .*: permission denied \(EACCES\)/);
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.chmodSync(dir, 0o755);
    }
  });

  const failures: Array<[string, keyof typeof fs, string, RegExp]> = [
    ['a read-only folder', 'openSync', 'EACCES', /cannot create a file in the folder .*: permission denied \(EACCES\)/],
    ['a read-only file system', 'openSync', 'EROFS', /the file system is read-only \(EROFS\)/],
    ['a full disk', 'writeFileSync', 'ENOSPC', /could not write .*net\.json: no space left on the device \(ENOSPC\); the previous file is unchanged/],
    ['a failing flush', 'fsyncSync', 'EIO', /input\/output error \(EIO\); the previous file is unchanged/],
    ['a failing rename', 'renameSync', 'EBUSY', /the file is busy \(EBUSY\); the previous file is unchanged/],
  ];
  test.each(failures)('%s: the previous file (bytes, mode) is unchanged and no temporary file is left', (_name, method, code, message) => {
    const dir = tempDir();
    const file = path.join(dir, 'net.json');
    saveModel(model(), file);
    fs.chmodSync(file, 0o600);
    const before = fileState(file);
    const realFs: typeof fs = require('fs');
    const spy = jest.spyOn(realFs, method as 'openSync').mockImplementation(() => {
      throw Object.assign(new Error(`${code}: simulated`), { code });
    });
    try {
      expectMinidlError(() => saveModel(new Linear(2, 3, { rng: new Rng('other') }), file), /^saveModel: /, message);
    } finally {
      spy.mockRestore();
    }
    expect(fileState(file)).toBe(before);
    expect(fs.readdirSync(dir)).toEqual(['net.json']);
  });
});

describe('reading refuses what is not a model file, saying what it is', () => {
  const good = () => JSON.stringify(modelToJSON(new Linear(2, 2, { rng: new Rng(1) })));
  const cases: Array<[string, () => string | Buffer, RegExp]> = [
    ['an empty file', () => '', /net\.json is empty \(0 bytes\)/],
    ['a UTF-8 byte-order mark before valid JSON', () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(good())]),
      /net\.json starts with a UTF-8 byte-order mark \(bytes EF BB BF\), which minidl never writes.*save it again as UTF-8 without a byte-order mark/],
    ['UTF-16 text', () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(good(), 'utf16le')]), /net\.json is UTF-16 text \(byte-order mark FF FE\)/],
    ['a ZIP archive', () => Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0]), /net\.json is a ZIP archive \(a PyTorch \.pt file\?\)/],
    ['gzip-compressed data', () => Buffer.from([0x1f, 0x8b, 8, 0]), /net\.json is gzip-compressed/],
    ['bytes that are not UTF-8', () => Buffer.from([0x7b, 0xff, 0x7d]), /net\.json is not UTF-8 text/],
    ['text that is not JSON', () => 'hello', /net\.json is not valid JSON \(not a model file\?\)/],
    ['JSON of another format', () => JSON.stringify({ name: 'minidl', version: '0.1.0' }), /net\.json: not a valid saved model: it has no "format" field, so it is not a minidl model.*its fields are "name", "version"/],
    ['a JSON array', () => '[1,2]', /net\.json: not a valid saved model: expected an object \(the contents of a model file\), got an array/],
    ['a newer version', () => good().replace('"version":2', '"version":3'), /format version 3 is newer than this minidl reads \(versions 1 to 2\)/],
    ['an Infinity spelled as a huge number', () => good().replace(/"values":\[[^,\]]+/, '"values":[1e999'), /parameters\[0\] value 0 is Infinity, not a finite number/],
    ['an invalid constructor argument', () => good().replace('"outFeatures":2', '"outFeatures":0'), /net\.json: model \(Linear\): .*outFeatures must be an integer ≥ 1, got 0/],
  ];
  test.each(cases)('%s', (_name, contents, message) => {
    const dir = tempDir();
    const file = path.join(dir, 'net.json');
    fs.writeFileSync(file, contents());
    const before = fileState(file);
    expectMinidlError(() => loadModel(file), /^loadModel: /, message);
    expectMinidlError(() => readModelFile(file), /^readModelFile: /, message);
    expect(fileState(file)).toBe(before);
  });
});

describe('loadStateInto changes nothing unless the whole architecture matches', () => {
  const saved = () => modelToJSON(new Sequential(new Linear(2, 3, { rng: new Rng('s') }), new ReLU(), new Linear(3, 2, { rng: new Rng('t') }), new BatchNorm1d(2)));
  const targets: Array<[string, () => Module, RegExp]> = [
    ['a difference in the last layer only', () => new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 2), new BatchNorm1d(2, { momentum: 0.2 })),
      /at model\.children\[3\]: the model has BatchNorm1d\(2, momentum=0\.2\) but the saved model's BatchNorm1d has momentum: 0\.1 \(not 0\.2\)/],
    ['a layer without bias', () => new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 2, { bias: false }), new BatchNorm1d(2)),
      /at model\.children\[2\]: the model has Linear\(3→2, bias=false\) but the saved model's Linear has bias: true \(not false\)/],
    ['one module fewer', () => new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 2)),
      /at model \(Sequential\(.*\)\): the model has 3 modules inside but the saved model has 4/],
  ];
  test.each(targets)('%s', (_name, make, message) => {
    const target = make();
    target.params()[0].grad.data.fill(0.5);
    const before = stateBits(target);
    const grads = target.params().map((p) => bits(p.grad.data));
    expectMinidlError(() => loadStateInto(target, saved()), /^loadStateInto: the model does not match the saved one/, message, /nothing was loaded$/);
    expect(stateBits(target)).toEqual(before);
    expect(target.params().map((p) => bits(p.grad.data))).toEqual(grads);
  });

  test('weight sharing must match too', () => {
    const shared = new Linear(3, 4, { rng: new Rng('sh') });
    const source = new ColumnSplit([3, 3], [shared, new Linear(3, 4, { share: shared })]);
    const unshared = new ColumnSplit([3, 3], [new Linear(3, 4), new Linear(3, 4)]);
    const before = stateBits(unshared);
    const sharing = /at model\.children\[1\] \(Linear\(3→4\)\): parameter 'weight' is shared differently in the model and in the saved one \(weight sharing\)/;
    expectMinidlError(() => loadStateInto(unshared, modelToJSON(source)), sharing);
    expect(stateBits(unshared)).toEqual(before);
    const sourceBefore = stateBits(source);
    expectMinidlError(() => loadStateInto(source, modelToJSON(unshared)), sharing);
    expect(stateBits(source)).toEqual(sourceBefore);
  });

  test('a path instead of a saved model gets a hint', () => {
    expectMinidlError(() => loadStateInto(new Linear(2, 2), 'net.json'), /loadStateInto: saved must be a saved model .*got string 'net\.json' \(to load from a file: loadStateInto\(model, readModelFile\(file\)\)\)/);
  });
});

describe('the disk demo saves its network and predict classifies with it', () => {
  const config = findConfig('course')!;
  const result = runConfig(config, { seed: 'save', rounds: 1, epochs: 20, trackTestError: false });

  test('the loaded network classifies the test points exactly as the trained one', () => {
    const dir = tempDir();
    const file = path.join(dir, 'course-model.json');
    saveDiskModel(file, result, { seed: 'save', epochs: 20 });
    const { model, metadata, stats } = loadDiskModel(file);
    expect(metadata).toMatchObject({ experiment: 'disk', config: 'course', seed: 'save', epochs: 20, decision: { kind: 'argmax' } });
    expect(Array.from(stats.mean.data)).toEqual(Array.from(result.firstRound.stats.mean.data));
    const { net, test } = result.firstRound;
    const x = applyStandardization(test.inputs, stats);
    expect(decide(model.forward(x), metadata.decision)).toEqual(Array.from(net.classify(x)));
  });

  test('a model file without the disk metadata is refused', () => {
    const dir = tempDir();
    const file = path.join(dir, 'plain.json');
    saveModel(new Linear(2, 2, { rng: new Rng(1) }), file);
    expect(() => loadDiskModel(file)).toThrow(/not one saved by the disk demo/);
  });

  test('decision rules: argmax takes the first of equal outputs, a threshold is strict', () => {
    expect(decide(Tensor.from([[1, 2], [3, 3], [0.5, -1]]), { kind: 'argmax' })).toEqual([1, 0, 0]);
    expect(decide(Tensor.from([[0.5], [0.51], [-3]]), { kind: 'threshold', threshold: 0.5 })).toEqual([0, 1, 0]);
  });

  test('points from the command line and from a CSV, with errors naming the bad entry', () => {
    expect(parsePointList('0.5,0.5 0.1,0.9;0.2,0.3')).toEqual([[0.5, 0.5], [0.1, 0.9], [0.2, 0.3]]);
    expect(() => parsePointList('0.5,0.5 0.1')).toThrow(/--points, point 2: expected two numbers x1,x2, got '0.1'/);
    expect(parsePointsCsv('x1,x2\n0.5,0.5\n\n0.25,1\n', 'p.csv')).toEqual([[0.5, 0.5], [0.25, 1]]);
    expect(() => parsePointsCsv('0.5,0.5\n0.1,abc\n', 'p.csv')).toThrow(/p\.csv, line 2: expected two numbers x1,x2, got '0.1,abc'/);
    expect(() => parsePointsCsv('0.5,0.5,0.7\n', 'p.csv')).toThrow(/p\.csv, line 1: expected two numbers/);
    expect(() => parsePointsCsv('x1,x2\n', 'p.csv')).toThrow(/p\.csv: no points found/);
  });
});
