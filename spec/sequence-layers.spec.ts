import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GELU } from '../lib/modules/activations/gelu';
import { ReLU } from '../lib/modules/activations/relu';
import { Residual } from '../lib/modules/containers/residual';
import { Sequential } from '../lib/modules/containers/sequential';
import { Embedding } from '../lib/modules/embedding/embedding';
import { MSELoss } from '../lib/losses/mse';
import { Linear } from '../lib/modules/linear';
import { Module } from '../lib/modules/module';
import { LayerNorm } from '../lib/modules/normalization/layer-norm';
import { Parameter } from '../lib/modules/parameter';
import { SGD } from '../lib/optim/sgd';
import { Rng } from '../lib/random/rng';
import { loadModel, saveModel } from '../lib/serialization/model-file';
import { Tensor } from '../lib/tensor/tensor';
import { clipGradNorm, clipGradValue } from '../lib/tools/clip-grad';
import { gradcheck } from '../lib/tools/gradcheck';
import { isLibraryModel } from '../lib/training/library-code';
import { NeuralNet } from '../lib/training/neural-net';
import { expectMinidlError, randn } from './helpers';

/*
 * The layers of sequence models — Embedding, LayerNorm, Residual — and gradient clipping.
 * Backward passes are checked by gradcheck (the input and every parameter, batch 1 and larger
 * shapes); LayerNorm's values and the clipping norms against numbers computed by hand.
 */

/** Every parameter set to N(0, 1) draws, so that γ = 1, β = 0 or a zero padding row do not hide a wrong formula. */
function randomizeParams(module: Module, rng: Rng): void {
  for (const p of module.params()) rng.fillNormal(p.value.data);
}

function expectGradcheckOk(module: Module, input: Tensor): void {
  const report = gradcheck(module, input);
  if (!report.ok) throw new Error(report.summary);
  expect(report.entries.length).toBe(1 + module.params().length);
  if (module.params().length > 0) expect(report.accumulates).toBe(true);
}

describe('LayerNorm', () => {
  test('PyTorch defaults: eps 1e-5, γ = 1 and β = 0 of shape normalizedShape, a number becomes [n]', () => {
    const norm = new LayerNorm(4);
    expect(norm.normalizedShape).toEqual([4]);
    expect(norm.eps).toBe(1e-5);
    expect(norm.elementwiseAffine).toBe(true);
    expect(Array.from(norm.weight!.value.data)).toEqual([1, 1, 1, 1]);
    expect(Array.from(norm.bias!.value.data)).toEqual([0, 0, 0, 0]);
    expect(norm.params()).toEqual([norm.weight, norm.bias]);
    expect(String(norm)).toBe('LayerNorm([4])');
    const plain = new LayerNorm([2, 3], { eps: 1e-3, elementwiseAffine: false });
    expect(plain.weight).toBeNull();
    expect(plain.bias).toBeNull();
    expect(plain.params()).toEqual([]);
    expect(String(plain)).toBe('LayerNorm([2,3], eps=0.001, elementwiseAffine=false)');
    const noBias = new LayerNorm(3, { bias: false });
    expect(noBias.weight!.shape).toEqual([3]);
    expect(noBias.bias).toBeNull();
    expect(String(noBias)).toBe('LayerNorm([3], bias=false)');
  });

  test('values against hand-computed statistics (biased variance, eps inside the root)', () => {
    const norm = new LayerNorm(4);
    norm.weight!.value.data.set([1, 2, 0.5, -1]);
    norm.bias!.value.data.set([0.1, 0, 0, 0.2]);
    const x = Tensor.from([[1, 2, 3, 4], [2, 2, 2, 2], [-1, 0.5, 3, 0]]);
    const y = norm.forward(x);
    // row 0: μ = 2.5, var = (2.25 + 0.25 + 0.25 + 2.25)/4 = 1.25
    // row 1: μ = 2, var = 0, so x̂ = 0 and y = β
    // row 2: μ = 0.625, var = (2.640625 + 0.015625 + 5.640625 + 0.390625)/4 = 2.171875
    const xHat = [
      [-1.5, -0.5, 0.5, 1.5].map((d) => d / Math.sqrt(1.25 + 1e-5)),
      [0, 0, 0, 0],
      [-1.625, -0.125, 2.375, -0.625].map((d) => d / Math.sqrt(2.171875 + 1e-5)),
    ];
    const gamma = [1, 2, 0.5, -1], beta = [0.1, 0, 0, 0.2];
    const expected = xHat.map((row) => row.map((v, k) => gamma[k] * v + beta[k]));
    const got = y.toArray() as number[][];
    for (let r = 0; r < 3; r++) for (let k = 0; k < 4; k++) expect(got[r][k]).toBeCloseTo(expected[r][k], 12);
    // the same numbers written out (numpy, float64)
    expect(got[0][0]).toBeCloseTo(-1.24163542, 8);
    expect(got[2][2]).toBeCloseTo(0.80577763, 8);
    expect(got[1]).toEqual([0.1, 0, 0, 0.2]);
  });

  test('normalises over the last len(normalizedShape) axes: [2,3] on [2,2,3] takes one mean per sample', () => {
    const norm = new LayerNorm([2, 3], { elementwiseAffine: false });
    const x = Tensor.fromArray([1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 12], [2, 2, 3]);
    const y = norm.forward(x).data;
    const mean = 3.5, v = 17.5 / 6;
    for (let i = 0; i < 6; i++) expect(y[i]).toBeCloseTo((i + 1 - mean) / Math.sqrt(v + 1e-5), 12);
    // the second sample: μ = 2, var = (5·4 + 100)/6 = 20
    expect(y[11]).toBeCloseTo(10 / Math.sqrt(20 + 1e-5), 12);
    let sum = 0;
    for (let i = 6; i < 12; i++) sum += y[i];
    expect(sum).toBeCloseTo(0, 12);
  });

  test('gradcheck: input, γ and β, on several shapes (batch 1 included)', () => {
    const rng = new Rng('layer-norm');
    const cases: [number | number[], number[], object][] = [
      [4, [1, 4], {}],
      [5, [3, 5], {}],
      [4, [2, 3, 4], {}],
      [[3, 4], [2, 3, 4], {}],
      [[2, 3], [1, 2, 3], { eps: 1e-3 }],
      [6, [2, 6], { bias: false }],
      [3, [4, 3], { elementwiseAffine: false }],
    ];
    for (const [shape, inputShape, options] of cases) {
      const norm = new LayerNorm(shape, options);
      randomizeParams(norm, rng);
      expectGradcheckOk(norm, randn(rng, inputShape));
    }
  });

  test('β gets Σ g over the rows; the same in training and evaluation mode', () => {
    const norm = new LayerNorm(2);
    const x = Tensor.from([[1, 3], [0, -2], [5, 5]]);
    const y = norm.forward(x);
    norm.backward(Tensor.from([[1, 2], [3, 4], [5, 6]]));
    expect(Array.from(norm.bias!.grad.data)).toEqual([9, 12]);
    norm.eval();
    expect(Array.from(norm.forward(x).data)).toEqual(Array.from(y.data));
  });
});

/** Adds a float input X [*, embeddingDim] to the rows an Embedding looks up for fixed indices: lets gradcheck nudge X and W. */
class LookupPlusInput extends Module {
  constructor(private readonly embedding: Embedding, private readonly indices: Tensor) {
    super();
  }
  forward(input: Tensor): Tensor {
    const rows = this.embedding.forward(this.indices);
    const out = new Tensor(rows.shape);
    for (let i = 0; i < out.size; i++) out.data[i] = rows.data[i] + input.data[i];
    return this.rememberOutput(out);
  }
  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const gIndices = this.embedding.backward(gradOut);
    expect(Array.from(gIndices.data).every((v) => v === 0)).toBe(true);
    return gradOut.clone();
  }
  override children(): Module[] {
    return [this.embedding];
  }
  toString(): string {
    return `LookupPlusInput(${this.embedding})`;
  }
}

describe('Embedding', () => {
  test('weight [numEmbeddings, embeddingDim] ~ N(0, 1), as PyTorch; the padding row zeroed; seeded', () => {
    const embed = new Embedding(200, 50, { rng: new Rng(3) });
    const w = embed.weight.value.data;
    expect(embed.weight.shape).toEqual([200, 50]);
    let mean = 0;
    for (const v of w) mean += v / w.length;
    let variance = 0;
    for (const v of w) variance += (v - mean) ** 2 / w.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    expect(Array.from(new Embedding(200, 50, { rng: new Rng(3) }).weight.value.data)).toEqual(Array.from(w));
    expect(String(embed)).toBe('Embedding(200, 50)');
    const padded = new Embedding(5, 3, { paddingIdx: 2, rng: new Rng(3) });
    expect(Array.from(padded.weight.value.data.subarray(6, 9))).toEqual([0, 0, 0]);
    expect(padded.weight.value.data.subarray(0, 6).every((v) => v !== 0)).toBe(true);
    expect(String(padded)).toBe('Embedding(5, 3, paddingIdx=2)');
    expect(new Embedding(5, 3, { paddingIdx: -1 }).paddingIdx).toBe(4);
    expect(new Embedding(5, 3, { paddingIdx: -5 }).paddingIdx).toBe(0);
    const scaled = new Embedding(4, 2, { init: { kind: 'normal', std: 0.01 }, rng: new Rng(1) });
    expect(scaled.weight.value.data.every((v) => Math.abs(v) < 0.1)).toBe(true);
  });

  test('forward looks rows up for indices of any shape: [N, T] → [N, T, embeddingDim]', () => {
    const embed = new Embedding(4, 2);
    embed.weight.value.data.set([0, 1, 10, 11, 20, 21, 30, 31]);
    const y = embed.forward(Tensor.from([[3, 1, 1], [0, 2, 3]]));
    expect(y.shape).toEqual([2, 3, 2]);
    expect(y.toArray()).toEqual([[[30, 31], [10, 11], [10, 11]], [[0, 1], [20, 21], [30, 31]]]);
    expect(embed.forward(Tensor.from([2])).toArray()).toEqual([[20, 21]]);
  });

  test('backward adds the rows of repeated indices, leaves the padding row alone, returns zeros of the indices\' shape', () => {
    const embed = new Embedding(5, 2, { paddingIdx: 0 });
    const indices = Tensor.from([[1, 1, 0], [3, 1, 0]]);
    embed.forward(indices);
    const g = Tensor.fromArray([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 3, 2]);
    const gIndices = embed.backward(g);
    expect(gIndices.shape).toEqual([2, 3]);
    expect(Array.from(gIndices.data)).toEqual([0, 0, 0, 0, 0, 0]);
    // row 1 is used at (0,0), (0,1) and (1,1): [1+3+9, 2+4+10]; row 3 at (1,0); row 0 is the padding row
    expect(embed.weight.grad.toArray()).toEqual([[0, 0], [13, 16], [0, 0], [7, 8], [0, 0]]);
    embed.backward(g); // accumulates
    expect(embed.weight.grad.toArray()).toEqual([[0, 0], [26, 32], [0, 0], [14, 16], [0, 0]]);
  });

  test('gradcheck of the weight (through a module that adds a float input), batch 1 and larger', () => {
    const rng = new Rng('embedding');
    const cases: [number[][] | number[], number, number | null][] = [
      [[2], 3, null],
      [[[1, 1, 0, 3]], 4, null],
      [[[1, 3, 3], [0, 2, 1]], 3, 4], // the padding row is read by no position: it gets no gradient by design, which differences would see
    ];
    for (const [indices, dim, paddingIdx] of cases) {
      const embed = new Embedding(5, dim, { paddingIdx, rng });
      const idx = Tensor.from(indices);
      expectGradcheckOk(new LookupPlusInput(embed, idx), randn(rng, [...idx.shape, dim]));
    }
  });

  test('refuses indices that are not whole numbers in range, naming the position', () => {
    const embed = new Embedding(5, 2);
    expectMinidlError(() => embed.forward(Tensor.from([[0, 1], [2.5, 3]])), /Embedding\(5, 2\)\.forward: input holds 2\.5 at \[1,0\] \(flat index 2\) of shape \[2,2\], not a whole number/);
    expectMinidlError(() => embed.forward(Tensor.from([[0, 5]])), /input holds 5 at \[0,1\].*out of range; expected row indices, whole numbers 0…4/);
    expectMinidlError(() => embed.forward(Tensor.from([-1])), /input holds -1 at \[0\]/);
  });
});

describe('Residual', () => {
  test('y = x + f(x) around a Linear; ∂L/∂x = g + f.backward(g); params and toString are the inner module\'s', () => {
    const lin = new Linear(2, 2, { rng: new Rng(1) });
    const block = new Residual(lin);
    expect(block.params()).toEqual(lin.params());
    expect(block.children()).toEqual([lin]);
    expect(String(block)).toBe('Residual(Linear(2→2))');
    const x = Tensor.from([[1, -2], [0.5, 3]]);
    const fx = new Linear(2, 2, { share: lin }).forward(x);
    const y = block.forward(x);
    for (let i = 0; i < 4; i++) expect(y.data[i]).toBe(x.data[i] + fx.data[i]);
    const g = Tensor.from([[1, 0], [0, 1]]);
    const dx = block.backward(g);
    const w = lin.weight.value.toArray() as number[][];
    // ∂L/∂x = g + g·Wᵀ
    expect(dx.toArray()).toEqual([[1 + w[0][0], w[1][0]], [w[0][1], 1 + w[1][1]]]);
  });

  test('gradcheck around Linear and around Sequential(LayerNorm, Linear, GELU, Linear), several shapes', () => {
    const rng = new Rng('residual');
    expectGradcheckOk(new Residual(new Linear(3, 3, { rng })), randn(rng, [1, 3]));
    expectGradcheckOk(new Residual(new Linear(4, 4, { rng })), randn(rng, [5, 4]));
    for (const [width, hidden, n] of [[4, 8, 1], [3, 5, 4]]) {
      const block = new Residual(new Sequential(new LayerNorm(width), new Linear(width, hidden, { rng }), new GELU(), new Linear(hidden, width, { rng })));
      randomizeParams(block, rng);
      expectGradcheckOk(block, randn(rng, [n, width]));
    }
    expectGradcheckOk(new Residual(new LayerNorm([2, 3])), randn(rng, [2, 2, 3]));
  });

  test('refuses an f that changes the shape, a non-module, an instance held twice; errors inside name Residual[0]', () => {
    expectMinidlError(() => new Residual(new Linear(2, 3)).forward(Tensor.from([[1, 2]])),
      /Residual\(Linear\(2→3\)\)\.forward: Linear\(2→3\) returned shape \[1,3\] for an input of shape \[1,2\]; y = x \+ f\(x\) needs f to keep the shape/);
    expectMinidlError(() => new Residual(Linear as never), /Residual: expected a Module, got the class Linear/);
    const lin = new Linear(2, 2);
    expectMinidlError(() => new Sequential(new Residual(lin), lin), /is used twice, at \[0\]\[0\] and at \[1\]/);
    expectMinidlError(() => new Residual(new Linear(2, 2)).forward(Tensor.from([[1, 2, 3]])), /^Residual\[0\] Linear\(2→2\)\.forward: input has shape \[1,3\], expected \[N,2\]/);
    const nested = new Residual(new Sequential(new ReLU()));
    expect(String(nested)).toBe('Residual(Sequential(ReLU))');
  });
});

/** Parameters with gradients set by hand: [3, 4] and [[12]]. ‖g‖₂ = 13, ‖g‖₁ = 19, ‖g‖∞ = 12. */
function handGradients(): Parameter[] {
  const a = new Parameter(Tensor.zeros([2]), 'a');
  const b = new Parameter(Tensor.zeros([1, 1]), 'b');
  a.grad.data.set([3, -4]);
  b.grad.data.set([12]);
  return [a, b];
}

describe('gradient clipping', () => {
  test('clipGradNorm returns the total norm before clipping and scales by maxNorm / (total + 1e-6)', () => {
    for (const [normType, total] of [[2, 13], [1, 19], [Infinity, 12]]) {
      const params = handGradients();
      expect(clipGradNorm(params, 6.5, { normType })).toBeCloseTo(total, 12);
      const c = 6.5 / (total + 1e-6);
      expect(Array.from(params[0].grad.data)).toEqual([3 * c, -4 * c]);
      expect(Array.from(params[1].grad.data)).toEqual([12 * c]);
    }
    // p = 3: (27 + 64 + 1728)^(1/3)
    expect(clipGradNorm(handGradients(), 100, { normType: 3 })).toBeCloseTo(Math.cbrt(1819), 12);
  });

  test('no change when the norm is below maxNorm; the default norm is 2; one Parameter or a model\'s params()', () => {
    const params = handGradients();
    expect(clipGradNorm(params, 13.5)).toBe(13);
    expect(Array.from(params[0].grad.data)).toEqual([3, -4]);
    expect(Array.from(params[1].grad.data)).toEqual([12]);
    expect(clipGradNorm(params[0], 1)).toBe(5);
    expect(params[0].grad.data[0]).toBeCloseTo(0.6, 6);
    expect(clipGradNorm([], 1)).toBe(0);
    const model = new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 1));
    model.forward(Tensor.from([[1, 2], [3, 4]]));
    model.backward(Tensor.from([[100], [-100]]));
    const before = clipGradNorm(model.params(), 1);
    expect(before).toBeGreaterThan(1);
    expect(clipGradNorm(model.params(), 1)).toBeCloseTo(1, 5);
  });

  test('a Parameter listed twice counts once', () => {
    const [a] = handGradients();
    expect(clipGradNorm([a, a], 100)).toBe(5);
  });

  test('errorIfNonfinite: false (default) scales by the non-finite norm, as PyTorch; true refuses and changes nothing', () => {
    const params = handGradients();
    params[1].grad.data[0] = Infinity;
    expect(clipGradNorm(params, 1)).toBe(Infinity);
    expect(Array.from(params[0].grad.data)).toEqual([0, -0]);
    const kept = handGradients();
    kept[0].grad.data[0] = NaN;
    expectMinidlError(() => clipGradNorm(kept, 1, { errorIfNonfinite: true }), /clipGradNorm: the total norm of order 2 of the gradients is NaN, so it cannot be clipped/);
    expect(Array.from(kept[0].grad.data)).toEqual([NaN, -4]);
    expect(Array.from(kept[1].grad.data)).toEqual([12]);
  });

  test('clipGradValue clamps every entry into [−clipValue, clipValue]', () => {
    const params = handGradients();
    expect(clipGradValue(params, 3.5)).toBeUndefined();
    expect(Array.from(params[0].grad.data)).toEqual([3, -3.5]);
    expect(Array.from(params[1].grad.data)).toEqual([3.5]);
  });
});

describe('saving and loading', () => {
  test('a model with Embedding, Residual and LayerNorm: same structure, parameters and outputs', () => {
    const rng = new Rng('save');
    const model = new Sequential(
      new Embedding(10, 4, { paddingIdx: -1, rng }),
      new Residual(new Sequential(new LayerNorm(4), new Linear(4, 8, { rng }), new GELU(), new Linear(8, 4, { rng }))),
      new LayerNorm(4, { eps: 1e-3, bias: false }),
      new LayerNorm([4], { elementwiseAffine: false }),
    );
    randomizeParams(model, rng);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-sequence-layers-'));
    try {
      const file = path.join(dir, 'model.json');
      saveModel(model, file);
      const loaded = loadModel(file);
      expect(String(loaded)).toBe(String(model));
      expect(String(loaded)).toBe('Sequential(Embedding(10, 4, paddingIdx=9), Residual(Sequential(LayerNorm([4]), Linear(4→8), GELU, Linear(8→4))), LayerNorm([4], eps=0.001, bias=false), LayerNorm([4], elementwiseAffine=false))');
      const a = model.params(), b = loaded.params();
      expect(b.length).toBe(a.length);
      a.forEach((p, i) => expect(Array.from(b[i].value.data)).toEqual(Array.from(p.value.data)));
      const indices = Tensor.from([3, 9, 0, 3]);
      expect(Array.from(loaded.forward(indices).data)).toEqual(Array.from(model.forward(indices).data));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('training with NeuralNet', () => {
  /** Embedding → Residual(LayerNorm, Linear, GELU, Linear) → LayerNorm → Linear, on index inputs [N]. */
  function model(): Sequential {
    const rng = new Rng('train');
    return new Sequential(
      new Embedding(6, 4, { paddingIdx: 0, rng }),
      new Residual(new Sequential(new LayerNorm(4), new Linear(4, 8, { rng }), new GELU(), new Linear(8, 4, { rng }))),
      new LayerNorm(4),
      new Linear(4, 2, { rng }),
    );
  }

  test("the three classes are minidl's own (the step fast path): fit gives the same bits as the loop written out", () => {
    const x = Tensor.from([1, 2, 3, 0, 5, 4, 4, 1]);
    const y = Tensor.fromArray([1, 0, 0, 1, 1, 1, 0, 0, 0.5, 0.5, -1, 1, 2, 0, 1, 1], [8, 2]);
    const fast = model();
    expect(isLibraryModel(fast)).toBe(true);
    new NeuralNet(fast, { lr: 0.05 }).fit(x, y, { epochs: 3, batchSize: 8, shuffle: false });
    // the Embedding's saved indices were a temporary of the last step: released, so the fast path ran
    expect((fast.modules[0] as unknown as { indices: Tensor }).indices.readable).toBe(false);

    const slow = model();
    const loss = new MSELoss();
    const optimizer = new SGD(slow.params(), { lr: 0.05 });
    for (let epoch = 0; epoch < 3; epoch++) {
      optimizer.zeroGrad();
      loss.forward(slow.forward(x), y);
      slow.backward(loss.backward());
      optimizer.step();
    }
    const a = fast.params(), b = slow.params();
    a.forEach((p, i) => expect(Array.from(p.value.data)).toEqual(Array.from(b[i].value.data)));
    expect(Array.from((fast.modules[0] as Embedding).weight.value.data.subarray(0, 4))).toEqual([0, 0, 0, 0]);
  });
});
