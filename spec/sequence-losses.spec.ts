import {
  CrossEntropyLoss,
  Linear,
  Loss,
  Module,
  NLLLoss,
  NeuralNet,
  Reduction,
  Rng,
  Sequential,
  Tensor,
  gradcheck,
  logSoftmaxRows,
} from '../lib';
import { bits, expectMinidlError, randn } from './helpers';

/*
 * CrossEntropyLoss's options (weight, ignoreIndex, labelSmoothing, probability targets) and
 * layouts ([N, C] and PyTorch's [N, C, d1, …]), and NLLLoss.
 *
 * The reference below is a float64 transcription of PyTorch's code (aten/src/ATen/native/
 * LossNLL.cpp): nll_loss_out_frame (the weighted sum over the positions that are not ignored,
 * divided for 'mean' by the sum of their weights, or by their count without weights),
 * cross_entropy_loss_label_smoothing ((1 − ε)·nll + (ε/C)·ret, where ret is the sum over the
 * positions not ignored of −Σ_c w_c·log p_c, divided for 'mean' by the same sum of weights or
 * count), cross_entropy_loss_prob_target (targets (1 − ε)·y + ε/C, −Σ w_c·y'·log p, divided for
 * 'mean' by numel/C, whatever the weights) and cross_entropy_loss (probability targets refuse an
 * ignore_index ≥ 0). It works on pred's flat data with the classes on axis 1, as PyTorch does,
 * and shares no code with lib/. Gradients are checked against central finite differences of it.
 */

interface TorchOptions {
  weight?: number[];
  reduction?: Reduction;
  /** PyTorch's default -100. */
  ignoreIndex?: number;
  labelSmoothing?: number;
}

/** log_softmax over axis 1 of x [N, C, S…] (S = the product of the sizes after C, 1 for [N, C]). */
function torchLogSoftmax(x: Float64Array, shape: number[]): Float64Array {
  const [n, c] = shape;
  const s = shape.slice(2).reduce((a, b) => a * b, 1);
  const out = new Float64Array(x.length);
  for (let b = 0; b < n; b++) {
    for (let k = 0; k < s; k++) {
      const at = (j: number): number => b * c * s + j * s + k;
      let max = -Infinity;
      for (let j = 0; j < c; j++) max = Math.max(max, x[at(j)]);
      let sum = 0;
      for (let j = 0; j < c; j++) sum += Math.exp(x[at(j)] - max);
      for (let j = 0; j < c; j++) out[at(j)] = x[at(j)] - max - Math.log(sum);
    }
  }
  return out;
}

/** nll_loss (nll_loss_nd): input log-probabilities [N, C, S…], target [N, S…] flat. */
function torchNll(input: Float64Array, shape: number[], target: number[], o: TorchOptions): number {
  const [n, c] = shape;
  const s = shape.slice(2).reduce((a, b) => a * b, 1);
  const ignore = o.ignoreIndex ?? -100;
  let loss = 0, weightSum = 0, ignored = 0;
  for (let b = 0; b < n; b++) {
    for (let k = 0; k < s; k++) {
      const t = target[b * s + k];
      if (t === ignore) {
        ignored++;
        continue;
      }
      if (!(t >= 0 && t < c)) throw new Error(`Target ${t} is out of bounds.`);
      const w = o.weight === undefined ? 1 : o.weight[t];
      loss -= input[b * c * s + t * s + k] * w;
      weightSum += w;
    }
  }
  const total = o.weight === undefined ? n * s - ignored : weightSum;
  return (o.reduction ?? 'mean') === 'mean' ? loss / total : loss;
}

/** cross_entropy: logits x [N, C, S…]; target class indices [N, S…] (flat) or probabilities of x's shape. */
function torchCrossEntropy(x: Float64Array, shape: number[], target: number[] | Float64Array, o: TorchOptions): number {
  const [n, c] = shape;
  const s = shape.slice(2).reduce((a, b) => a * b, 1);
  const eps = o.labelSmoothing ?? 0;
  const reduction = o.reduction ?? 'mean';
  const input = torchLogSoftmax(x, shape);
  const w = (j: number): number => (o.weight === undefined ? 1 : o.weight[j]);
  if (target instanceof Float64Array) {
    if ((o.ignoreIndex ?? -100) >= 0) throw new Error('ignore_index is not supported for floating point target');
    let sum = 0;
    for (let b = 0; b < n; b++) {
      for (let j = 0; j < c; j++) {
        for (let k = 0; k < s; k++) {
          const i = b * c * s + j * s + k;
          const y = eps > 0 ? target[i] * (1 - eps) + eps / c : target[i];
          sum += input[i] * y * w(j);
        }
      }
    }
    return reduction === 'mean' ? -sum / (x.length / c) : -sum;
  }
  if (!(eps > 0)) return torchNll(input, shape, target, o);
  const nll = torchNll(input, shape, target, o);
  const ignore = o.ignoreIndex ?? -100;
  let smooth = 0, divisor = 0;
  for (let b = 0; b < n; b++) {
    for (let k = 0; k < s; k++) {
      const t = target[b * s + k];
      if (t === ignore) continue; //                       smooth_loss.masked_fill_(ignore_mask, 0)
      let row = 0;
      for (let j = 0; j < c; j++) row += input[b * c * s + j * s + k] * w(j);
      smooth -= row;
      divisor += o.weight === undefined ? 1 : o.weight[t]; // weight.gather(0, target[~ignore]).sum(), or true_mask.sum()
    }
  }
  const ret = reduction === 'mean' ? smooth / divisor : smooth;
  return (1 - eps) * nll + ret * (eps / c);
}

/** Central finite differences of f at x (float64, step h). */
function numericGradient(f: (x: Float64Array) => number, x: Float64Array, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const plus = Float64Array.from(x), minus = Float64Array.from(x);
    plus[i] += h;
    minus[i] -= h;
    g[i] = (f(plus) - f(minus)) / (2 * h);
  }
  return g;
}

/** |a − b| ≤ rel·(|b| + scale) entry by entry, scale = the largest |b|. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number): void {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= rel * (Math.abs(expected[i]) + scale))) throw new Error(`entry ${i}: got ${actual[i]}, expected ${expected[i]} (error ${err})`);
  }
}

function forwardBackward(loss: Loss, pred: Tensor, target: Tensor | ArrayLike<number>): { value: number; grad: Tensor } {
  const value = (loss.forward as (p: Tensor, t: Tensor | ArrayLike<number>) => number)(pred, target);
  return { value, grad: loss.backward() };
}

function expectGradcheck(loss: Loss, pred: Tensor, target: Tensor | ArrayLike<number>): void {
  const report = gradcheck(loss, pred, target);
  if (!report.ok) throw new Error(report.summary);
  expect(report.worstRelError).toBeLessThan(1e-6);
}

const LN2 = Math.log(2), LN43 = Math.log(4 / 3);
/** softmax of row 0 is [1/4, 3/4], of row 1 [1/2, 1/2]. */
const HAND = (): Tensor => Tensor.from([[0, Math.log(3)], [0, 0]]);

describe('CrossEntropyLoss options, by hand', () => {
  test('class weights: the mean divides by the weights of the targets', () => {
    const { value, grad } = forwardBackward(new CrossEntropyLoss({ weight: [2, 3] }), HAND(), [1, 0]);
    expect(value).toBeCloseTo((3 * LN43 + 2 * LN2) / 5, 15);
    expectClose(grad.data, [0.15, -0.15, -0.2, 0.2], 1e-15);
    const sum = forwardBackward(new CrossEntropyLoss({ weight: Tensor.from([2, 3]), reduction: 'sum' }), HAND(), [1, 0]);
    expect(sum.value).toBeCloseTo(3 * LN43 + 2 * LN2, 15);
    expectClose(sum.grad.data, [0.75, -0.75, -1, 1], 1e-15);
  });

  test('ignoreIndex: an ignored target counts nowhere (loss, divisor, gradient)', () => {
    const { value, grad } = forwardBackward(new CrossEntropyLoss({ ignoreIndex: 0 }), HAND(), [1, 0]);
    expect(value).toBeCloseTo(LN43, 15);
    expect(Array.from(grad.data)).toEqual([0.25, -0.25, 0, 0]);
    const padded = forwardBackward(new CrossEntropyLoss({ ignoreIndex: -100 }), HAND(), [1, -100]);
    expect(padded.value).toBe(value);
    expect(Array.from(padded.grad.data)).toEqual(Array.from(grad.data));
  });

  test('label smoothing ε = 0.5 on 2 classes: the targets become (1 − ε)·onehot + ε/2', () => {
    const { value, grad } = forwardBackward(new CrossEntropyLoss({ labelSmoothing: 0.5 }), HAND(), [1, 0]);
    expect(value).toBeCloseTo((0.25 * Math.log(4) + 0.75 * LN43 + LN2) / 2, 15);
    expectClose(grad.data, [0, 0, -0.125, 0.125], 1e-15);
  });

  test('probability targets with weights: the mean divides by N, not by the weights (PyTorch)', () => {
    const { value } = forwardBackward(new CrossEntropyLoss({ weight: [2, 3] }), HAND(), Tensor.from([[0, 1], [1, 0]]));
    expect(value).toBeCloseTo((3 * LN43 + 2 * LN2) / 2, 15);
  });

  test('toString shows the options given', () => {
    expect(String(new CrossEntropyLoss())).toBe('CrossEntropyLoss');
    expect(String(new CrossEntropyLoss({ reduction: 'sum', weight: [1, 0.5], ignoreIndex: -100, labelSmoothing: 0.1 })))
      .toBe("CrossEntropyLoss(reduction='sum', weight=[1,0.5], ignoreIndex=-100, labelSmoothing=0.1)");
    expect(String(new NLLLoss({ ignoreIndex: 0 }))).toBe('NLLLoss(ignoreIndex=0)');
  });
});

describe('NLLLoss, by hand', () => {
  test('weighted mean of −x[target]; gradient −w_t/W at the target', () => {
    const x = Tensor.from([[-1, -2, -3], [-0.5, -0.25, -4]]);
    const { value, grad } = forwardBackward(new NLLLoss({ weight: [1, 2, 4] }), x, [2, 0]);
    expect(value).toBe(2.5); // (4·3 + 1·0.5) / (4 + 1)
    expect(Array.from(grad.data)).toEqual([0, 0, -0.8, -0.2, 0, 0]);
    const sum = forwardBackward(new NLLLoss({ reduction: 'sum' }), x, Int32Array.of(2, 0));
    expect(sum.value).toBe(3.5);
    expect(Array.from(sum.grad.data)).toEqual([0, 0, -1, -1, 0, 0]);
  });
});

describe('against the transcription of PyTorch', () => {
  const shapes: number[][] = [[5, 4], [3, 4, 6], [2, 3, 2, 5]];
  const optionSets: Array<{ name: string; weight: boolean; ignore: 'none' | 'class' | 'pad'; eps: number }> = [
    { name: 'plain', weight: false, ignore: 'none', eps: 0 },
    { name: 'weights', weight: true, ignore: 'none', eps: 0 },
    { name: 'ignoreIndex -100 (padding)', weight: false, ignore: 'pad', eps: 0 },
    { name: 'ignoreIndex = class 1, weights', weight: true, ignore: 'class', eps: 0 },
    { name: 'smoothing 0.1', weight: false, ignore: 'none', eps: 0.1 },
    { name: 'smoothing 0.2, weights, padding', weight: true, ignore: 'pad', eps: 0.2 },
    { name: 'smoothing 1, weights, ignore class 1', weight: true, ignore: 'class', eps: 1 },
  ];

  describe.each(['mean', 'sum'] as Reduction[])('reduction %s', (reduction) => {
    test.each(shapes.map((s) => [s.join('x'), s] as [string, number[]]))('class indices, pred %s', (_name, shape) => {
      for (const set of optionSets) {
        const rng = new Rng(`seq-ce-${shape}-${set.name}-${reduction}`);
        const [n, c] = shape;
        const positions = n * shape.slice(2).reduce((a, b) => a * b, 1);
        const x = randn(rng, shape);
        const targets = Array.from({ length: positions }, () => rng.int(c));
        const ignoreIndex = set.ignore === 'pad' ? -100 : set.ignore === 'class' ? 1 : undefined;
        if (set.ignore === 'pad') targets[0] = targets[positions - 1] = -100;
        if (set.ignore === 'class') targets[0] = 1;
        const weight = set.weight ? Array.from({ length: c }, () => 0.25 + rng.uniform() * 2) : undefined;
        const torch: TorchOptions = { weight, reduction, ignoreIndex, labelSmoothing: set.eps };
        const loss = new CrossEntropyLoss({ reduction, weight, ignoreIndex, labelSmoothing: set.eps });
        const target = shape.length === 2 ? targets : Tensor.fromArray(targets, [n, ...shape.slice(2)]);
        const { value, grad } = forwardBackward(loss, x, target);
        expectClose([value], [torchCrossEntropy(x.data, shape, targets, torch)], 1e-13);
        expect(grad.shape).toEqual(shape);
        expectClose(grad.data, numericGradient((d) => torchCrossEntropy(d, shape, targets, torch), Float64Array.from(x.data)), 1e-7);
        expectGradcheck(loss, x, target);
        if (set.eps === 0) {
          // NLLLoss on the log-probabilities (computed by the transcription) against nll_loss
          const lp = new Tensor(shape, torchLogSoftmax(x.data, shape));
          const nll = new NLLLoss({ reduction, weight, ignoreIndex });
          const r = forwardBackward(nll, lp, target);
          expectClose([r.value], [torchNll(lp.data, shape, targets, torch)], 1e-13);
          expectClose(r.grad.data, numericGradient((d) => torchNll(d, shape, targets, torch), Float64Array.from(lp.data)), 1e-7);
          expectGradcheck(nll, lp, target);
        }
      }
    });

    test('probability targets [N,C], with weights and smoothing', () => {
      for (const [weighted, eps] of [[false, 0], [true, 0], [false, 0.3], [true, 0.3], [true, 1]] as [boolean, number][]) {
        const rng = new Rng(`seq-ce-probs-${weighted}-${eps}-${reduction}`);
        const shape = [6, 5];
        const x = randn(rng, shape);
        const y = new Tensor(shape, rng.fillUniform(new Float64Array(30)));
        const weight = weighted ? Array.from({ length: 5 }, () => rng.uniform() * 3) : undefined;
        const torch: TorchOptions = { weight, reduction, labelSmoothing: eps };
        const loss = new CrossEntropyLoss({ reduction, weight, labelSmoothing: eps });
        const { value, grad } = forwardBackward(loss, x, y);
        expectClose([value], [torchCrossEntropy(x.data, shape, y.data, torch)], 1e-13);
        expectClose(grad.data, numericGradient((d) => torchCrossEntropy(d, shape, y.data, torch), Float64Array.from(x.data)), 1e-7);
        expectGradcheck(loss, x, y);
      }
    });
  });

  test('[N,C,T] is the same loss as its rows [N·T,C], gradient included', () => {
    const rng = new Rng('seq-ce-rows');
    const [n, c, t] = [2, 3, 4];
    const x = randn(rng, [n, c, t]);
    const targets = Array.from({ length: n * t }, () => rng.int(c));
    const rows = new Tensor([n * t, c]);
    for (let b = 0; b < n; b++) for (let k = 0; k < t; k++) for (let j = 0; j < c; j++) rows.data[(b * t + k) * c + j] = x.get(b, j, k);
    const options = { weight: [0.5, 2, 1], labelSmoothing: 0.1 };
    const a = forwardBackward(new CrossEntropyLoss(options), x, Tensor.fromArray(targets, [n, t]));
    const b = forwardBackward(new CrossEntropyLoss(options), rows, targets);
    expect(a.value).toBe(b.value);
    for (let bb = 0; bb < n; bb++) for (let k = 0; k < t; k++) for (let j = 0; j < c; j++) expect(a.grad.get(bb, j, k)).toBe(b.grad.get(bb * t + k, j));
  });
});

describe('NLLLoss after logSoftmaxRows is CrossEntropyLoss', () => {
  test.each([
    ['no options', {}],
    ['sum', { reduction: 'sum' as Reduction }],
    ['weights', { weight: [0.3, 1, 2.5, 0.7] }],
    ['weights, ignoreIndex 2, sum', { weight: [0.3, 1, 2.5, 0.7], ignoreIndex: 2, reduction: 'sum' as Reduction }],
  ])('the same loss to the bit (%s; PyTorch computes cross_entropy as nll_loss(log_softmax(x)))', (_name, options) => {
    const rng = new Rng(`nll-ce-${_name}`);
    const x = randn(rng, [7, 4]);
    const targets = Array.from({ length: 7 }, () => rng.int(4));
    targets[3] = 2;
    const ce = new CrossEntropyLoss(options).forward(x, targets);
    const nll = new NLLLoss(options).forward(logSoftmaxRows(x), targets);
    expect(bits(Float64Array.of(nll))).toEqual(bits(Float64Array.of(ce)));
  });
});

describe('every target ignored', () => {
  test.each([
    ['CrossEntropyLoss', (o: object): Loss => new CrossEntropyLoss(o)],
    ['NLLLoss', (o: object): Loss => new NLLLoss(o)],
  ])('%s: a mean over no target is refused (PyTorch returns NaN); a sum is 0 with a zero gradient', (name, make) => {
    const x = Tensor.from([[-1, -2], [-0.5, -0.7]]);
    const loss = make({ ignoreIndex: -100 });
    expectMinidlError(() => loss.forward(x, [-100, -100] as never),
      new RegExp(`^${name}\\(ignoreIndex=-100\\)\\.forward: every target equals the ignoreIndex -100: a mean over no targets is undefined \\(PyTorch returns NaN\\)`));
    expectMinidlError(() => loss.backward(), /backward: called before forward/);
    const sum = make({ ignoreIndex: -100, reduction: 'sum' });
    expect(sum.forward(x, [-100, -100] as never)).toBe(0);
    expect(Array.from(sum.backward().data)).toEqual([0, 0, 0, 0]);
    const zero = make({ weight: [0, 1] });
    expectMinidlError(() => zero.forward(x, [0, 0] as never), /the class weights of the counted targets sum to 0: their weighted mean is undefined/);
  });
});

describe('layouts: what is refused, and what it says', () => {
  const ce = new CrossEntropyLoss();
  test('[N,T,C] logits with [N,T] targets: says to give rows', () => {
    expectMinidlError(() => ce.forward(Tensor.zeros([2, 5, 3]), Tensor.zeros([2, 5])),
      /^CrossEntropyLoss\.forward: target must be class indices, a Tensor of shape \[2,3\] for logits \[2,5,3\] read as \[N,C,d1,…\] \(PyTorch's layout: C = 5 classes on axis 1\), got \[2,5\]; these shapes look like \[N,T,C\] with the classes last: .*pred\.reshape\(\[N\*T, C\]\) with targets of shape \[N\*T\]$/);
  });
  test('T = C: the shapes read both ways, refused', () => {
    expectMinidlError(() => ce.forward(Tensor.zeros([2, 4, 4]), Tensor.zeros([2, 4])),
      /^CrossEntropyLoss\.forward: logits \[2,4,4\] with targets \[2,4\] can be read two ways: \[N,C,d1,…\] \(PyTorch's layout, classes on axis 1, which minidl reads\) or \[N,T,C\] \(classes last\)/);
    expectMinidlError(() => new NLLLoss().forward(Tensor.zeros([2, 3, 3, 3]), Tensor.zeros([2, 3, 3])), /can be read two ways/);
  });
  test('probabilities of rank 3 are refused; rank-3 targets as a plain array too', () => {
    expectMinidlError(() => ce.forward(Tensor.zeros([2, 3, 5]), Tensor.zeros([2, 3, 5])),
      /^CrossEntropyLoss\.forward: probability targets of pred's shape \[2,3,5\] cannot be read: the shapes do not tell whether the classes are on axis 1/);
    expectMinidlError(() => ce.forward(Tensor.zeros([2, 3, 5]), new Array(10).fill(0)), /target must be class indices, a Tensor of shape \[2,5\]/);
  });
  test('NLLLoss refuses probability targets, naming CrossEntropyLoss', () => {
    expectMinidlError(() => new NLLLoss().forward(Tensor.zeros([2, 3]), Tensor.zeros([2, 3])), /class indices only, as PyTorch's nll_loss/);
  });
  test('ignoreIndex with probability targets; -100 without ignoreIndex; weights of the wrong length', () => {
    expectMinidlError(() => new CrossEntropyLoss({ ignoreIndex: -100 }).forward(Tensor.zeros([2, 3]), Tensor.zeros([2, 3])),
      /ignoreIndex \(-100\) applies to class-index targets, not to probabilities/);
    expectMinidlError(() => ce.forward(Tensor.zeros([2, 3]), [0, -100]),
      /target\[1\] = -100 is not a class index in 0\.\.2 \(PyTorch ignores targets of -100 by default; minidl ignores none unless asked: \{ ignoreIndex: -100 \}\)$/);
    expectMinidlError(() => new NLLLoss({ weight: [1, 2] }).forward(Tensor.zeros([2, 3]), [0, 1]),
      /^NLLLoss\(weight=\[1,2\]\)\.forward: option 'weight' has 2 entries but pred has 3 classes \(one weight per class\)$/);
  });
});

describe('training with NLLLoss through NeuralNet.fit', () => {
  /** A log-softmax over the rows, as a Module (minidl has none): Y = logSoftmaxRows(X); ∂L/∂X = G − e^Y·Σ_c G. */
  class LogSoftmax extends Module {
    private output: Tensor | null = null;
    forward(input: Tensor): Tensor {
      this.checkInput(input);
      this.output = logSoftmaxRows(input);
      return this.rememberOutput(this.output);
    }
    backward(gradOut: Tensor): Tensor {
      this.checkGradOut(gradOut);
      const y = (this.output as Tensor).data, g = gradOut.data;
      const [n, c] = gradOut.shape;
      const dx = new Tensor(gradOut.shape);
      for (let i = 0; i < n; i++) {
        let total = 0;
        for (let j = 0; j < c; j++) total += g[i * c + j];
        for (let j = 0; j < c; j++) dx.data[i * c + j] = g[i * c + j] - Math.exp(y[i * c + j]) * total;
      }
      return dx;
    }
    toString(): string {
      return 'LogSoftmax';
    }
  }

  test('class-index targets; the losses follow CrossEntropyLoss on the logits', () => {
    const data = new Rng('nll-fit');
    const n = 60;
    const x = randn(data, [n, 2]);
    const labels = Array.from({ length: n }, (_, i) => i % 3);
    for (let i = 0; i < n; i++) x.data[2 * i] += 6 * labels[i]; // three separable clusters
    const errors: number[] = [];
    const train = (withNll: boolean): number[] => {
      const linear = new Linear(2, 3, { rng: new Rng(5) });
      const model = withNll ? new Sequential(linear, new LogSoftmax()) : new Sequential(linear);
      const net = new NeuralNet(model, { loss: withNll ? new NLLLoss() : new CrossEntropyLoss(), lr: 0.1, rng: new Rng(6) });
      const history = net.fit(x, labels, { epochs: 40, batchSize: 20 });
      errors.push(net.evaluate(x, labels).errorRate); // argmax of the log-probabilities = argmax of the logits
      return history.loss;
    };
    const nll = train(true), ce = train(false);
    expect(nll[nll.length - 1]).toBeLessThan(0.75 * nll[0]);
    expectClose(nll, ce, 1e-9);
    expect(errors[0]).toBeLessThan(0.1);
    expect(errors[0]).toBe(errors[1]);
  });
});

describe('NeuralNet.fit on its fast path (step temporaries) gives the bits of the ordinary path', () => {
  /** Subclasses are code of the user's: fit then runs without steps, every tensor ordinary. */
  class OwnNLL extends NLLLoss {}
  class OwnCrossEntropy extends CrossEntropyLoss {}

  test.each([
    ['NLLLoss with weights', (own: boolean): Loss => (own ? new OwnNLL({ weight: [1, 2, 0.5] }) : new NLLLoss({ weight: [1, 2, 0.5] }))],
    ['CrossEntropyLoss with weights, ignoreIndex and smoothing', (own: boolean): Loss => {
      const o = { weight: [1, 2, 0.5], ignoreIndex: -100, labelSmoothing: 0.1 };
      return own ? new OwnCrossEntropy(o) : new CrossEntropyLoss(o);
    }],
  ])('%s', (name, make) => {
    const data = new Rng('fit-paths');
    const x = randn(data, [30, 2]);
    const targets = Array.from({ length: 30 }, (_, i) => i % 3);
    if (name.startsWith('Cross')) targets[4] = targets[17] = -100; // padding: fit needs the labels then
    const labels = targets.map((t) => (t < 0 ? 0 : t));
    const run = (own: boolean): { loss: number[]; weight: Float64Array } => {
      const model = new Linear(2, 3, { rng: new Rng(8) });
      const net = new NeuralNet(model, { loss: make(own), lr: 0.05, rng: new Rng(9) });
      const history = net.fit(x, targets, { epochs: 3, batchSize: 8, labels });
      return { loss: history.loss, weight: Float64Array.from(model.weight.value.data) };
    };
    const fast = run(false), ordinary = run(true);
    expect(bits(Float64Array.from(fast.loss))).toEqual(bits(Float64Array.from(ordinary.loss)));
    expect(bits(fast.weight)).toEqual(bits(ordinary.weight));
  });
});

test('weights, ignoreIndex and labelSmoothing are read once: later changes to the weight array do not reach the loss', () => {
  const weight = [1, 2];
  const loss = new CrossEntropyLoss({ weight });
  weight[1] = 100;
  expect(loss.forward(HAND(), [1, 0])).toBeCloseTo((2 * LN43 + LN2) / 3, 15);
});
