import {
  BatchNorm1d, CrossEntropyLoss, Dropout, Linear, Loss, MSELoss, Module, Parameter, ReLU, Rng, Sequential, Sigmoid, Tanh,
  Tensor, defaultRng, gradcheck, manualSeed,
} from '../lib';
import { bits, expectMinidlError } from './helpers';

// ---------------------------------------------------------------------------------------------
// Modules written for these tests: one correct, several deliberately broken.
// ---------------------------------------------------------------------------------------------

/** y = x² element-wise; `factor` is what backward multiplies by (2 is right, 1 forgets the 2). */
class Square extends Module {
  private input: Tensor | null = null;

  constructor(private readonly factor = 2) {
    super();
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    this.input = input;
    const out = new Tensor(input.shape);
    for (let i = 0; i < out.size; i++) out.data[i] = input.data[i] ** 2;
    return this.rememberOutput(out);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const x = (this.input as Tensor).data;
    const gradIn = new Tensor(gradOut.shape);
    for (let i = 0; i < gradIn.size; i++) gradIn.data[i] = this.factor * x[i] * gradOut.data[i];
    return gradIn;
  }

  toString(): string {
    return `Square(factor=${this.factor})`;
  }
}

type Fault = 'none' | 'overwrite' | 'wrongWeight';

/**
 * y = x·W + b with W [in, out] and b [1, out], written by hand with plain loops.
 * - 'overwrite': backward assigns (=) the parameter gradients instead of adding (+=).
 * - 'wrongWeight': ∂L/∂W uses Σ x·g over the wrong row (an off-by-one), the rest is right.
 */
class Affine extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter;
  private input: Tensor | null = null;

  constructor(readonly nIn: number, readonly nOut: number, rng: Rng, readonly fault: Fault = 'none') {
    super();
    this.weight = new Parameter(new Tensor([nIn, nOut], rng.fillNormal(new Float64Array(nIn * nOut))), 'weight');
    this.bias = new Parameter(new Tensor([1, nOut], rng.fillNormal(new Float64Array(nOut))), 'bias');
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    this.input = input;
    const n = input.shape[0];
    const out = new Tensor([n, this.nOut]);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < this.nOut; j++) {
        let s = this.bias.value.data[j];
        for (let i = 0; i < this.nIn; i++) s += input.data[r * this.nIn + i] * this.weight.value.data[i * this.nOut + j];
        out.data[r * this.nOut + j] = s;
      }
    }
    return this.rememberOutput(out);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const x = this.input as Tensor;
    const n = x.shape[0];
    const W = this.weight.value.data, dW = this.weight.grad.data, db = this.bias.grad.data;
    const gradW = new Float64Array(dW.length), gradB = new Float64Array(db.length);
    for (let r = 0; r < n; r++) {
      const xr = this.fault === 'wrongWeight' ? (r + 1) % n : r;
      for (let j = 0; j < this.nOut; j++) {
        const g = gradOut.data[r * this.nOut + j];
        gradB[j] += g;
        for (let i = 0; i < this.nIn; i++) gradW[i * this.nOut + j] += x.data[xr * this.nIn + i] * g;
      }
    }
    for (let k = 0; k < dW.length; k++) dW[k] = this.fault === 'overwrite' ? gradW[k] : dW[k] + gradW[k];
    for (let k = 0; k < db.length; k++) db[k] = this.fault === 'overwrite' ? gradB[k] : db[k] + gradB[k];
    const gradIn = new Tensor(x.shape);
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < this.nIn; i++) {
        let s = 0;
        for (let j = 0; j < this.nOut; j++) s += gradOut.data[r * this.nOut + j] * W[i * this.nOut + j];
        gradIn.data[r * this.nIn + i] = s;
      }
    }
    return gradIn;
  }

  override params(): Parameter[] {
    return [this.weight, this.bias];
  }

  toString(): string {
    return `Affine(${this.nIn}→${this.nOut}${this.fault === 'none' ? '' : `, ${this.fault}`})`;
  }
}

/** Mean squared error whose backward forgets the 2 of (2/n)·(ŷ − y). */
class HalfGradMSE extends Loss {
  readonly reduction = 'mean' as const;
  private diff: Tensor | null = null;

  forward(pred: Tensor, target: Tensor): number {
    this.checkPred(pred);
    this.checkSameShapeTarget(pred, target);
    const diff = new Tensor(pred.shape);
    let sum = 0;
    for (let i = 0; i < diff.size; i++) {
      diff.data[i] = pred.data[i] - target.data[i];
      sum += diff.data[i] ** 2;
    }
    this.diff = diff;
    return this.reduce(sum, diff.size); // the mean, and marks the forward as done
  }

  backward(): Tensor {
    this.checkBackward();
    const diff = this.diff as Tensor;
    const grad = new Tensor(diff.shape);
    for (let i = 0; i < grad.size; i++) grad.data[i] = diff.data[i] / diff.size;
    return grad;
  }

  toString(): string {
    return 'HalfGradMSE';
  }
}

function randomTensor(shape: number[], rng: Rng): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return new Tensor(shape, rng.fillNormal(new Float64Array(size)));
}


// ---------------------------------------------------------------------------------------------

describe('gradcheck passes correct modules', () => {
  test('a hand-written affine layer: every tensor is checked and passes', () => {
    const rng = new Rng(1);
    const report = gradcheck(new Affine(3, 4, rng), randomTensor([5, 3], rng));
    expect(report.ok).toBe(true);
    expect(report.accumulates).toBe(true);
    expect(report.entries.map((e) => [e.name, e.shape])).toEqual([
      ['input', [5, 3]], ['params[0] weight', [3, 4]], ['params[1] bias', [1, 4]],
    ]);
    for (const e of report.entries) {
      expect(e.ok).toBe(true);
      expect(e.maxRelError).toBeLessThan(1e-7);
    }
    expect(report.worstRelError).toBe(Math.max(...report.entries.map((e) => e.maxRelError)));
  });

  test('the library\'s Linear, Tanh and ReLU in a Sequential', () => {
    const rng = new Rng(2);
    const model = new Sequential(new Linear(3, 6, { rng }), new Tanh(), new Linear(6, 4, { rng }), new ReLU(), new Linear(4, 2, { rng }));
    const report = gradcheck(model, randomTensor([4, 3], rng));
    expect(report.ok).toBe(true);
    expect(report.entries).toHaveLength(1 + 6);
    expect(report.worstRelError).toBeLessThan(1e-6);
  });

  test('a module without parameters: accumulates is null, only the input is checked', () => {
    const report = gradcheck(new Square(), randomTensor([3, 2], new Rng(3)));
    expect(report.ok).toBe(true);
    expect(report.accumulates).toBeNull();
    expect(report.entries.map((e) => e.name)).toEqual(['input']);
  });
});

describe('gradcheck catches broken modules', () => {
  test('a backward that forgets a factor of 2', () => {
    const x = randomTensor([3, 2], new Rng(4));
    const report = gradcheck(new Square(1), x);
    expect(report.ok).toBe(false);
    const [input] = report.entries;
    expect(input.ok).toBe(false);
    // Analytic x·R against numeric 2x·R: the error is half of the largest gradient.
    expect(input.maxRelError).toBeCloseTo(0.5, 6);
    expect(input.analyticAtWorst).toBeCloseTo(input.numericAtWorst / 2, 6);
    expect(report.summary).toMatch(/FAILED/);
    expect(report.summary).toMatch(/FAIL input/);
  });

  test('a backward that overwrites the parameter gradients: accumulates === false, ok === false', () => {
    const rng = new Rng(5);
    const report = gradcheck(new Affine(3, 2, rng, 'overwrite'), randomTensor([4, 3], rng));
    expect(report.accumulates).toBe(false);
    expect(report.ok).toBe(false);
    // A single backward is right, so each tensor on its own passes.
    expect(report.entries.every((e) => e.ok)).toBe(true);
    expect(report.summary).toMatch(/overwrites the parameter gradients/);
  });

  test('a wrong weight gradient only: the report names params[0] weight', () => {
    const rng = new Rng(6);
    const report = gradcheck(new Affine(3, 2, rng, 'wrongWeight'), randomTensor([4, 3], rng));
    expect(report.ok).toBe(false);
    expect(report.accumulates).toBe(true);
    const byName = Object.fromEntries(report.entries.map((e) => [e.name, e.ok]));
    expect(byName).toEqual({ input: true, 'params[0] weight': false, 'params[1] bias': true });
    const failing = report.summary.split('\n').filter((line) => /FAIL\b/.test(line));
    expect(failing).toHaveLength(1);
    expect(failing[0]).toMatch(/params\[0\] weight/);
    expect(failing[0]).toMatch(/worst at flat index \d+: analytic -?\d/);
  });

  test('the tolerance decides: a loose one lets the factor-of-2 bug through', () => {
    const x = randomTensor([3, 2], new Rng(4));
    expect(gradcheck(new Square(1), x, { tolerance: 0.6 }).ok).toBe(true);
    expect(gradcheck(new Square(1), x, { tolerance: 0.4 }).ok).toBe(false);
  });
});

describe('gradcheck on losses', () => {
  test('MSELoss and CrossEntropyLoss pass; a loss with a wrong backward fails', () => {
    const rng = new Rng(7);
    const pred = randomTensor([4, 3], rng);
    const target = randomTensor([4, 3], rng);
    const mse = gradcheck(new MSELoss(), pred, target);
    expect(mse.ok).toBe(true);
    expect(mse.accumulates).toBeNull();
    expect(mse.entries.map((e) => [e.name, e.shape])).toEqual([['pred', [4, 3]]]);
    expect(mse.worstRelError).toBeLessThan(1e-7);

    expect(gradcheck(new CrossEntropyLoss(), pred, [2, 0, 1, 1]).ok).toBe(true);

    const broken = gradcheck(new HalfGradMSE(), pred, target);
    expect(broken.ok).toBe(false);
    expect(broken.entries[0].maxRelError).toBeCloseTo(0.5, 6);
    expect(broken.summary).toMatch(/HalfGradMSE: FAILED/);
  });

  test('the prediction passed in is not changed', () => {
    const pred = Tensor.from([[0.5, -1], [2, 0.25]]);
    gradcheck(new MSELoss(), pred, Tensor.from([[0, 0], [1, 1]]));
    expect(Array.from(pred.data)).toEqual([0.5, -1, 2, 0.25]);
  });

  test('a loss needs its target', () => {
    expectMinidlError(() => (gradcheck as (...args: unknown[]) => unknown)(new MSELoss(), Tensor.from([[1]])), /needs the loss's target/);
  });
});

describe('gradcheck leaves things as they were', () => {
  test('parameters unchanged, gradients as they were (stale ones too), input unchanged', () => {
    const rng = new Rng(8);
    const layer = new Affine(2, 3, rng);
    const x = randomTensor([3, 2], rng);
    const xBefore = bits(x.data);
    const before = layer.params().map((p) => bits(p.value.data));
    for (const p of layer.params()) p.grad.data.fill(7); // stale gradients: gradcheck must not use them, nor clear them
    const report = gradcheck(layer, x);
    expect(report.ok).toBe(true);
    expect(layer.params().map((p) => bits(p.value.data))).toEqual(before);
    for (const p of layer.params()) expect(Array.from(p.grad.data).every((g) => g === 7)).toBe(true);
    expect(bits(x.data)).toEqual(xBefore);
  });
});

describe('gradcheck report and options', () => {
  test('the summary has a header and one line per tensor', () => {
    const rng = new Rng(9);
    const report = gradcheck(new Affine(2, 3, rng), randomTensor([2, 2], rng), { tolerance: 1e-5 });
    const lines = report.summary.split('\n');
    expect(lines[0]).toMatch(/^gradcheck Affine\(2→3\): ok \(tolerance 0\.00001\)$/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/ok\s+input\s+\[2,2\]\s+max rel error \d\.\d\de[-+]\d+/);
    expect(lines[2]).toMatch(/ok\s+params\[0\] weight\s+\[2,3\]/);
    expect(lines[3]).toMatch(/ok\s+params\[1\] bias\s+\[1,3\]/);
    expect(report.tolerance).toBe(1e-5);
  });

  test('the seed picks the upstream gradient: results differ but both pass', () => {
    const rng = new Rng(10);
    const layer = new Affine(2, 2, rng);
    const x = randomTensor([3, 2], rng);
    const a = gradcheck(layer, x, { seed: 1 }), b = gradcheck(layer, x, { seed: 2 });
    expect(a.ok && b.ok).toBe(true);
    expect(a.entries[0].analyticAtWorst).not.toBe(b.entries[0].analyticAtWorst);
  });

  test.each([0, -1e-6, NaN, Infinity])('h = %p is refused', (h) => {
    expectMinidlError(() => gradcheck(new Square(), Tensor.from([[1, 2]]), { h }), /^gradcheck: h must be a finite number > 0/, new RegExp(`got ${h}`));
  });

  test.each([0, -1, NaN, Infinity])('tolerance = %p is refused (a tolerance of Infinity would pass anything)', (tolerance) => {
    expectMinidlError(() => gradcheck(new Square(), Tensor.from([[1, 2]]), { tolerance }), /^gradcheck: tolerance must be a finite number > 0, got/, new RegExp(`got ${tolerance}`));
  });

  test('the target must be a Module or a Loss, the input a Tensor', () => {
    expectMinidlError(() => gradcheck({} as unknown as Module, Tensor.from([[1]])), /expected a Module or a Loss/);
    expectMinidlError(() => gradcheck(new Square(), [[1]] as unknown as Tensor), /input must be a Tensor, got an array/);
  });
});

// ---------------------------------------------------------------------------------------------
// Side effects: gradcheck gives back everything it changes, and holds randomness fixed.
// ---------------------------------------------------------------------------------------------

/** Everything gradcheck could change in a model, as bits: params, grads, buffers, training modes. */
function modelBits(model: Module): unknown {
  return {
    params: model.params().map((p) => [bits(p.value.data), bits(p.grad.data)]),
    buffers: model.buffers().map((b) => [b.name, bits(b.value.data)]),
    modes: [model, ...model.children()].map((m) => m.training),
  };
}

/** A module that draws from a generator of its own module-level closure, which gradcheck cannot see. */
function hiddenNoise(): Module {
  const hidden = new Rng('hidden');
  class HiddenNoise extends Module {
    forward(input: Tensor): Tensor {
      const out = input.clone();
      for (let i = 0; i < out.size; i++) out.data[i] += hidden.uniform();
      return this.rememberOutput(out);
    }
    backward(gradOut: Tensor): Tensor {
      this.checkGradOut(gradOut);
      return gradOut.clone();
    }
    toString(): string {
      return 'HiddenNoise';
    }
  }
  return new HiddenNoise();
}

/** Square that throws from its `calls`-th forward on (a failure midway through the differences). */
class FailsLater extends Square {
  private calls = 0;
  constructor(private readonly failAt: number) {
    super();
  }
  override forward(input: Tensor): Tensor {
    if (++this.calls >= this.failAt) this.fail('forward', `failing on call ${this.calls}, as this test asks`);
    return super.forward(input);
  }
  override toString(): string {
    return 'FailsLater';
  }
}

describe('gradcheck leaves every state as it was', () => {
  test('BatchNorm1d in training mode: running statistics, parameters and gradients bit-identical; the check passes', () => {
    const rng = new Rng(20);
    // No bias before BatchNorm: its true gradient is 0, which relative errors cannot judge.
    const model = new Sequential(new Linear(3, 4, { rng, bias: false }), new BatchNorm1d(4), new Tanh(), new Linear(4, 2, { rng }));
    const x = randomTensor([5, 3], rng);
    model.forward(randomTensor([5, 3], rng)); // running statistics away from their initial values
    for (const p of model.params()) p.grad.data.fill(0.25);
    const before = modelBits(model);
    const report = gradcheck(model, x);
    expect(report.ok).toBe(true);
    expect(report.heldRandomness).toBe(false);
    expect(modelBits(model)).toEqual(before);
  });

  test('Dropout in training mode with its own rng: passes with one fixed mask and leaves the generators where they were', () => {
    const rng = new Rng(21);
    const dropRng = new Rng('masks');
    dropRng.uniform(); // mid-sequence, with a spare normal too
    dropRng.normal();
    const model = new Sequential(new Linear(3, 6, { rng }), new Tanh(), new Dropout(0.5, { rng: dropRng }), new Linear(6, 2, { rng }));
    const x = randomTensor([4, 3], rng);
    const dropBefore = dropRng.state();
    const globalBefore = defaultRng().state();
    const before = modelBits(model);
    const report = gradcheck(model, x);
    if (!report.ok) throw new Error(report.summary);
    expect(report.heldRandomness).toBe(true);
    expect(report.summary).toMatch(/note: forward draws random numbers; every evaluation started the generators from the same state/);
    expect(dropRng.state()).toEqual(dropBefore);
    expect(defaultRng().state()).toEqual(globalBefore);
    expect(modelBits(model)).toEqual(before);
  });

  test('Dropout in training mode on the global generator (manualSeed): passes, the global generator is left where it was', () => {
    const global = manualSeed(22);
    global.uniform();
    const rng = new Rng(22);
    const model = new Sequential(new Linear(2, 5, { rng }), new Dropout(0.3), new Sigmoid());
    const before = global.state();
    const report = gradcheck(model, randomTensor([3, 2], rng));
    if (!report.ok) throw new Error(report.summary);
    expect(report.heldRandomness).toBe(true);
    expect(defaultRng()).toBe(global);
    expect(global.state()).toEqual(before);
    // The next mask is the one the program would have drawn without gradcheck.
    const twin = new Rng(22);
    twin.setState(before);
    expect(global.uniform()).toBe(twin.uniform());
  });

  test('without the fix this could not pass: two evaluations of Dropout with moving generators differ', () => {
    const drop = new Dropout(0.5, { rng: new Rng(23) });
    const x = Tensor.ones([4, 4]);
    expect(Array.from(drop.forward(x).data)).not.toEqual(Array.from(drop.forward(x).data));
  });

  test('a gradcheck that throws midway (during the differences) gives everything back', () => {
    const rng = new Rng(24);
    const dropRng = new Rng('midway');
    const model = new Sequential(new Linear(2, 4, { rng }), new BatchNorm1d(4), new Dropout(0.5, { rng: dropRng }), new FailsLater(6));
    for (const p of model.params()) p.grad.data.fill(-3);
    const before = modelBits(model);
    const dropBefore = dropRng.state();
    const globalBefore = defaultRng().state();
    expectMinidlError(() => gradcheck(model, randomTensor([3, 2], rng)), /^Sequential\[3\] FailsLater\.forward: failing on call 6/);
    expect(modelBits(model)).toEqual(before);
    expect(dropRng.state()).toEqual(dropBefore);
    expect(defaultRng().state()).toEqual(globalBefore);
  });

  test('a module that switches its own mode during forward gets its training mode back', () => {
    class SwitchesToEval extends Square {
      override forward(input: Tensor): Tensor {
        this.training = false;
        return super.forward(input);
      }
    }
    const inner = new SwitchesToEval();
    const model = new Sequential(inner);
    expect(gradcheck(model, Tensor.from([[0.5, -1.5]])).ok).toBe(true);
    expect(inner.training).toBe(true);
  });

  test('a forward drawing from a generator gradcheck cannot see: a clear error, not a wrong report', () => {
    const model = new Sequential(new Linear(2, 2, { rng: new Rng(25) }), hiddenNoise());
    const before = modelBits(model);
    expectMinidlError(() => gradcheck(model, Tensor.from([[0.5, 1]])),
      /^gradcheck: Sequential\(Linear\(2→2\), HiddenNoise\)\.forward gave .+, then .+, for the same input and parameters/,
      /cannot hold fixed/, /eval\(\)/);
    expect(modelBits(model)).toEqual(before);
  });

  test('losses: the global generator is left alone, and the target is not changed', () => {
    manualSeed(26);
    const before = defaultRng().state();
    const target = Tensor.from([[0, 1], [1, 0]]);
    const report = gradcheck(new MSELoss(), Tensor.from([[0.5, -1], [2, 0.25]]), target);
    expect(report.ok).toBe(true);
    expect(report.heldRandomness).toBe(false);
    expect(defaultRng().state()).toEqual(before);
    expect(target.toArray()).toEqual([[0, 1], [1, 0]]);
  });
});

describe('gradcheck refuses bad arguments before touching anything', () => {
  const x = Tensor.from([[1, 2]]);
  test.each([
    ['an unknown option', { step: 1e-4 }, /^gradcheck: unknown option 'step'; known options: h, tolerance, seed/],
    ['a snake_case option', { Tolerance: 1e-4 }, /unknown option 'Tolerance' \(did you mean 'tolerance'\?\)/],
    ['a positional number', 1e-5, /^gradcheck: expected an options object such as \{ h: …, tolerance: … \}, got number 0\.00001/],
    ['null options', null, /^gradcheck: expected an options object .*got null/],
    ['h as a string', { h: '1e-6' }, /^gradcheck: option 'h' must be a number, got string '1e-6'/],
    ['tolerance null', { tolerance: null }, /^gradcheck: option 'tolerance' is null/],
    ['seed NaN', { seed: NaN }, /^gradcheck: seed must be a finite number or a string, got NaN/],
    ['seed an object', { seed: {} }, /^gradcheck: option 'seed' must be a number or a string, got an Object/],
  ])('%s', (_name, options, message) => {
    expectMinidlError(() => gradcheck(new Square(), x, options as never), message);
  });

  test('a target for a module, a seed or a missing target for a loss, extra arguments', () => {
    const call = gradcheck as (...args: unknown[]) => unknown;
    expectMinidlError(() => call(new Square(), x, Tensor.from([[0, 0]])), /third argument of gradcheck\(module, input, options\?\) is the options object, got a Tensor/, /a target is only for a Loss/);
    expectMinidlError(() => call(new Square(), x, {}, {}), /^gradcheck: expected \(module, input, options\?\) for a Module, got a fourth argument/);
    expectMinidlError(() => call(new MSELoss(), x, { tolerance: 1e-5 }), /needs the loss's target as third argument, got an options object/);
    expectMinidlError(() => call(new MSELoss(), x, x, { seed: 1 }), /option 'seed' picks the random upstream gradient of a module; a loss has none/);
    expectMinidlError(() => call(new MSELoss(), x, x, {}, {}), /^gradcheck: expected \(loss, pred, target, options\?\), got 5 arguments/);
  });

  test('the first argument: a class instead of an instance, swapped arguments', () => {
    const call = gradcheck as (...args: unknown[]) => unknown;
    expectMinidlError(() => call(Tanh, x), /expected a Module or a Loss as first argument, got the class Tanh, not an instance \(did you mean new Tanh\(…\)\?\)/);
    expectMinidlError(() => call(x, new Tanh()), /got a Tensor of shape \[1,2\] \(the module comes first: gradcheck\(module, input\)\)/);
  });

  test('an input with NaN or Infinity is refused by gradcheck itself', () => {
    expectMinidlError(() => gradcheck(new Square(), Tensor.from([[1, NaN]])), /^gradcheck: input holds a non-finite value \(NaN\) at flat index 1 of shape \[1,2\]/);
    expectMinidlError(() => gradcheck(new MSELoss(), Tensor.from([[Infinity]]), Tensor.from([[0]])), /^gradcheck: pred holds a non-finite value \(Infinity\)/);
  });
});
