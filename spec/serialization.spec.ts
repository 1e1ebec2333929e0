import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  AvgPool2d, BatchNorm1d, BatchNorm2d, ColumnSplit, Conv2d, Dropout, ELU, Flatten, GELU, MaxPool2d, Softmax, LeakyReLU, applyStandardization, Linear, MinidlError, Module, Rng, SavedModel, Sequential, Sigmoid, Tanh, ReLU, Tensor,
  defaultRng, loadModel, loadStateInto, manualSeed, modelFromJSON, modelToJSON, readModelFile, saveModel,
} from '../lib';
import { findConfig } from '../demos/disk/configs';
import { runConfig } from '../demos/disk/experiment';
import { decide, loadDiskModel, saveDiskModel } from '../demos/disk/model-file';
import { parsePointList, parsePointsCsv } from '../demos/predict';
import { expectMinidlError, randn } from './helpers';

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

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-save-'));
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
    expectMinidlError(() => modelFromJSON(saved), /has state \[runningMean, runningVar\] but the file gives \[runningMean\]/);
  });

  test('metadata travels with the model, and the format and version are written', () => {
    const saved = modelToJSON(new Linear(2, 3, { rng: new Rng(1) }), { note: 'hello', mean: [1, 2] });
    expect(saved.format).toBe('minidl-model');
    expect(saved.version).toBe(1);
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
    expectMinidlError(() => modelToJSON(new Sequential(new Linear(2, 2), new Square())), /cannot save model\.children\[1\] Square \(class Square\)/, /known types: .*Linear/);
  });

  describe('a damaged saved model is refused with a clear error', () => {
    const good = (): SavedModel => JSON.parse(JSON.stringify(modelToJSON(everyKindOfModel(new Rng('damaged')))));
    const cases: Array<[string, (s: any) => void, RegExp]> = [
      ['another format', (s) => { s.format = 'keras'; }, /format is "keras", expected "minidl-model"/],
      ['another version', (s) => { s.version = 2; }, /format version 2 is not supported \(this minidl reads version 1\)/],
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
    expectMinidlError(() => loadStateInto(other, modelToJSON(source)), /loadStateInto: the saved model is Sequential\(Linear\(2→6\), LeakyReLU/);
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
    expectMinidlError(() => loadModel(file), /loadModel: .*net\.json is not valid JSON \(truncated or not a model file\?\)/);
    expectMinidlError(() => loadModel(path.join(dir, 'missing.json')), /loadModel: cannot read .*missing\.json/);
    fs.writeFileSync(file, text.replace('"version":1', '"version":7'));
    expectMinidlError(() => loadModel(file), /net\.json: .*format version 7 is not supported/);
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
