import {
  BCELoss,
  BCEWithLogitsLoss,
  CrossEntropyLoss,
  Loss,
  MAELoss,
  MSELoss,
  MinidlError,
  Reduction,
  Rng,
  Tensor,
  gradcheck,
  logSoftmaxRows,
} from '../lib';

/*
 * Reference numbers from PyTorch 1.13, in float64. Each block below was printed by a snippet of
 * this form (loss value, then the gradient with respect to pred by autograd), with
 * `import torch; import torch.nn.functional as F` and `D = torch.float64`:
 *
 *   x = torch.tensor(PRED, dtype=D, requires_grad=True)
 *   loss = F.<loss>(x, torch.tensor(TARGET, dtype=D), reduction=RED)   # targets of cross_entropy:
 *   loss.backward()                                                    #   torch.tensor(INDICES) or
 *   print(repr(loss.item()), [repr(v) for v in x.grad.flatten().tolist()])   #   a float64 [N,C] tensor
 *
 * with <loss> = mse_loss, l1_loss, binary_cross_entropy, binary_cross_entropy_with_logits,
 * cross_entropy, and PRED / TARGET the literals next to each block.
 */

interface Reference {
  loss: number;
  grad: number[];
}

/** |actual − expected| ≤ rel·|expected| + rel·1e-3·(largest |expected|), entry by entry. */
function expectClose(actual: ArrayLike<number>, expected: readonly number[], rel = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(...expected.map(Math.abs));
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= rel * Math.abs(expected[i]) + rel * 1e-3 * scale)) {
      throw new Error(`entry ${i}: got ${actual[i]}, expected ${expected[i]} (error ${err})`);
    }
  }
}

function expectNumberClose(actual: number, expected: number, rel = 1e-12): void {
  expectClose([actual], [expected], rel);
}

/** forward then backward; checks both against the reference. */
function checkAgainst(loss: Loss, pred: Tensor, target: Tensor | ArrayLike<number>, ref: Reference): void {
  const value = (loss.forward as (p: Tensor, t: Tensor | ArrayLike<number>) => number)(pred, target);
  expectNumberClose(value, ref.loss);
  const grad = loss.backward();
  expect(grad.shape).toEqual(pred.shape);
  expectClose(grad.data, ref.grad);
}

function expectGradcheckPasses(loss: Loss, pred: Tensor, target: Tensor | ArrayLike<number>, worst = 1e-7): void {
  const report = gradcheck(loss, pred, target);
  if (!report.ok) throw new Error(report.summary);
  expect(report.ok).toBe(true);
  expect(report.worstRelError).toBeLessThan(worst);
  expect(report.entries).toHaveLength(1);
}

const REDUCTIONS: Reduction[] = ['mean', 'sum'];

// ---------------------------------------------------------------------------------------------
// Regression losses
// PRED = [[0.5, -1.2, 3.0], [2.25, 0.0, -0.75]], TARGET = [[1.0, -1.0, 2.5], [2.0, 0.5, -1.5]]
const REG_PRED = [[0.5, -1.2, 3.0], [2.25, 0.0, -0.75]];
const REG_TARGET = [[1.0, -1.0, 2.5], [2.0, 0.5, -1.5]];
const TORCH_MSE: Record<Reduction, Reference> = {
  mean: {
    loss: 0.23583333333333334,
    grad: [-0.16666666666666666, -0.06666666666666665, 0.16666666666666666, 0.08333333333333333, -0.16666666666666666, 0.25],
  },
  sum: { loss: 1.415, grad: [-1.0, -0.3999999999999999, 1.0, 0.5, -1.0, 1.5] },
};
const TORCH_L1: Record<Reduction, Reference> = {
  mean: {
    loss: 0.45,
    grad: [-0.16666666666666666, -0.16666666666666666, 0.16666666666666666, 0.16666666666666666, -0.16666666666666666, 0.16666666666666666],
  },
  sum: { loss: 2.7, grad: [-1.0, -1.0, 1.0, 1.0, -1.0, 1.0] },
};

describe('MSELoss', () => {
  test.each(REDUCTIONS)('matches PyTorch mse_loss (reduction %s)', (reduction) => {
    checkAgainst(new MSELoss({ reduction }), Tensor.from(REG_PRED), Tensor.from(REG_TARGET), TORCH_MSE[reduction]);
  });

  test('by hand: mean over every entry, not only the batch', () => {
    const loss = new MSELoss();
    expect(loss.reduction).toBe('mean');
    // differences 1, -2, 0, 3 → squares 1, 4, 0, 9
    expect(loss.forward(Tensor.from([[2, 0], [5, 3]]), Tensor.from([[1, 2], [5, 0]]))).toBe(14 / 4);
    expect(Array.from(loss.backward().data)).toEqual([0.5, -1, 0, 1.5]);
    const sum = new MSELoss({ reduction: 'sum' });
    expect(sum.forward(Tensor.from([[2, 0], [5, 3]]), Tensor.from([[1, 2], [5, 0]]))).toBe(14);
    expect(Array.from(sum.backward().data)).toEqual([2, -4, 0, 6]);
  });

  test.each(REDUCTIONS)('gradcheck (reduction %s), including a single entry', (reduction) => {
    const rng = new Rng(`mse-${reduction}`);
    for (const shape of [[1, 1], [4, 3], [5]]) {
      const pred = new Tensor(shape, rng.fillNormal(new Float64Array(shape.reduce((a, b) => a * b))));
      const target = new Tensor(shape, rng.fillNormal(new Float64Array(pred.size)));
      expectGradcheckPasses(new MSELoss({ reduction }), pred, target);
    }
  });
});

describe('MAELoss', () => {
  test.each(REDUCTIONS)('matches PyTorch l1_loss (reduction %s)', (reduction) => {
    checkAgainst(new MAELoss({ reduction }), Tensor.from(REG_PRED), Tensor.from(REG_TARGET), TORCH_L1[reduction]);
  });

  test('by hand; the gradient is 0 where pred equals target (sign(0) = 0, as PyTorch)', () => {
    const loss = new MAELoss();
    expect(loss.forward(Tensor.from([2, 0, 5, 3]), Tensor.from([1, 2, 5, 0]))).toBe(6 / 4);
    expect(Array.from(loss.backward().data)).toEqual([0.25, -0.25, 0, 0.25]);
  });

  test.each(REDUCTIONS)('gradcheck (reduction %s), away from the kink', (reduction) => {
    const rng = new Rng(`mae-${reduction}`);
    for (const [n, d] of [[1, 1], [3, 4]]) {
      const target = new Tensor([n, d], rng.fillNormal(new Float64Array(n * d)));
      const pred = target.clone();
      for (let i = 0; i < pred.size; i++) pred.data[i] += (rng.uniform() < 0.5 ? -1 : 1) * rng.uniform(0.1, 1);
      expectGradcheckPasses(new MAELoss({ reduction }), pred, target);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// BCELoss
// PRED = [[0.1, 0.7, 0.45], [0.999, 0.02, 0.6]], TARGET = [[0.0, 1.0, 0.3], [1.0, 0.0, 0.8]]
const BCE_PRED = [[0.1, 0.7, 0.45], [0.999, 0.02, 0.6]];
const BCE_TARGET = [[0.0, 1.0, 0.3], [1.0, 0.0, 0.8]];
const TORCH_BCE: Record<Reduction, Reference> = {
  mean: {
    loss: 0.28886592033825853,
    grad: [0.18518518518518515, -0.2380952380952381, 0.10101010101010101, -0.1668335001668335, 0.17006802721088435, -0.13888888888888892],
  },
  sum: {
    loss: 1.7331955220295512,
    grad: [1.111111111111111, -1.4285714285714286, 0.6060606060606061, -1.0010010010010009, 1.0204081632653061, -0.8333333333333336],
  },
};
// Edge cases, p exactly 0 and 1: PRED = [0.0, 1.0, 0.0, 1.0, 0.5], TARGET = [1.0, 0.0, 0.0, 1.0, 0.25].
// Each log is clamped at −100, and the gradient divides by max(p(1−p), float32(1e-12)):
// PyTorch gives −1/float32(1e-12) = −1000000003995.8029, not −1/1e-12 = −1e12.
const BCE_EDGE_PRED = [0.0, 1.0, 0.0, 1.0, 0.5];
const BCE_EDGE_TARGET = [1.0, 0.0, 0.0, 1.0, 0.25];
const TORCH_BCE_EDGE: Record<Reduction, Reference> = {
  mean: { loss: 40.13862943611199, grad: [-200000000799.16058, 200000000799.16058, 0.0, 0.0, 0.2] },
  sum: { loss: 200.69314718055995, grad: [-1000000003995.8029, 1000000003995.8029, 0.0, 0.0, 1.0] },
};

describe('BCELoss', () => {
  test.each(REDUCTIONS)('matches PyTorch binary_cross_entropy (reduction %s)', (reduction) => {
    checkAgainst(new BCELoss({ reduction }), Tensor.from(BCE_PRED), Tensor.from(BCE_TARGET), TORCH_BCE[reduction]);
  });

  test.each(REDUCTIONS)('p exactly 0 and 1: finite loss (log clamped at −100) and PyTorch gradient (reduction %s)', (reduction) => {
    const loss = new BCELoss({ reduction });
    checkAgainst(loss, Tensor.from(BCE_EDGE_PRED), Tensor.from(BCE_EDGE_TARGET), TORCH_BCE_EDGE[reduction]);
    const value = loss.forward(Tensor.from([0, 1]), Tensor.from([1, 0]));
    expect(value).toBe(reduction === 'mean' ? 100 : 200);
    expect(Array.from(loss.backward().data).every(Number.isFinite)).toBe(true);
  });

  test('by hand: −[y·log p + (1−y)·log(1−p)]', () => {
    const loss = new BCELoss();
    const value = loss.forward(Tensor.from([[0.8, 0.3]]), Tensor.from([[1, 0]]));
    expectNumberClose(value, -(Math.log(0.8) + Math.log(0.7)) / 2);
    expectClose(loss.backward().data, [-1 / 0.8 / 2, 1 / 0.7 / 2]);
  });

  test.each(REDUCTIONS)('gradcheck (reduction %s), soft and hard targets', (reduction) => {
    const rng = new Rng(`bce-${reduction}`);
    for (const [n, d] of [[1, 1], [4, 3]]) {
      const p = new Tensor([n, d], rng.fillUniform(new Float64Array(n * d), 0.05, 0.95));
      const soft = new Tensor([n, d], rng.fillUniform(new Float64Array(n * d)));
      const hard = new Tensor([n, d], Float64Array.from({ length: n * d }, () => rng.int(2)));
      expectGradcheckPasses(new BCELoss({ reduction }), p, soft);
      expectGradcheckPasses(new BCELoss({ reduction }), p, hard);
    }
  });

  test('pred outside [0, 1] is refused', () => {
    const loss = new BCELoss();
    const y = Tensor.from([1, 0]);
    expect(() => loss.forward(Tensor.from([0.5, 1.5]), y)).toThrow(MinidlError);
    expect(() => loss.forward(Tensor.from([0.5, 1.5]), y)).toThrow(/^BCELoss\.forward: every entry of pred must be a probability in \[0, 1\], got 1.5 at flat index 1/);
    expect(() => loss.forward(Tensor.from([-0.1, 0.5]), y)).toThrow(/got -0.1 at flat index 0/);
    expect(() => loss.forward(Tensor.from([NaN, 0.5]), y)).toThrow(/got NaN/);
  });

  test('target outside [0, 1] is refused', () => {
    const loss = new BCELoss({ reduction: 'sum' });
    expect(() => loss.forward(Tensor.from([0.5, 0.5]), Tensor.from([1, 2]))).toThrow(MinidlError);
    expect(() => loss.forward(Tensor.from([0.5, 0.5]), Tensor.from([1, 2]))).toThrow(/^BCELoss\(reduction='sum'\)\.forward: every entry of target must be in \[0, 1\], got 2 at flat index 1/);
    expect(() => loss.forward(Tensor.from([0.5, 0.5]), Tensor.from([-1, 0]))).toThrow(/got -1 at flat index 0/);
  });
});

// ---------------------------------------------------------------------------------------------
// BCEWithLogitsLoss
// PRED = [[-2.0, 0.3, 4.1], [0.0, -0.7, 1.5]], TARGET = [[0.0, 1.0, 1.0], [0.5, 0.0, 0.25]]
const LOGIT_PRED = [[-2.0, 0.3, 4.1], [0.0, -0.7, 1.5]];
const LOGIT_TARGET = [[0.0, 1.0, 1.0], [0.5, 0.0, 0.25]];
const TORCH_BCE_LOGITS: Record<Reduction, Reference> = {
  mean: {
    loss: 0.5200777683654274,
    grad: [0.019867153670352924, -0.07092624719805683, -0.002717083228573484, 0.0, 0.05530203797197231, 0.09459574603227394],
  },
  sum: {
    loss: 3.1204666101925644,
    grad: [0.11920292202211755, -0.42555748318834097, -0.016302499371440904, 0.0, 0.3318122278318339, 0.5675744761936437],
  },
};
// Huge logits: PRED = [800.0, -800.0, 800.0, -800.0, 40.0], TARGET = [0.0, 1.0, 1.0, 0.0, 0.5]
const HUGE_LOGITS = [800.0, -800.0, 800.0, -800.0, 40.0];
const HUGE_LOGITS_TARGET = [0.0, 1.0, 1.0, 0.0, 0.5];
const TORCH_BCE_LOGITS_HUGE: Record<Reduction, Reference> = {
  mean: { loss: 324.0, grad: [0.2, -0.2, 0.0, 0.0, 0.1] },
  sum: { loss: 1620.0, grad: [1.0, -1.0, 0.0, 0.0, 0.5] },
};

describe('BCEWithLogitsLoss', () => {
  test.each(REDUCTIONS)('matches PyTorch binary_cross_entropy_with_logits (reduction %s)', (reduction) => {
    checkAgainst(new BCEWithLogitsLoss({ reduction }), Tensor.from(LOGIT_PRED), Tensor.from(LOGIT_TARGET), TORCH_BCE_LOGITS[reduction]);
  });

  test.each(REDUCTIONS)('|x| = 800 gives finite numbers equal to PyTorch (reduction %s)', (reduction) => {
    checkAgainst(new BCEWithLogitsLoss({ reduction }), Tensor.from(HUGE_LOGITS), Tensor.from(HUGE_LOGITS_TARGET), TORCH_BCE_LOGITS_HUGE[reduction]);
  });

  test('equals BCELoss of the sigmoid for moderate logits', () => {
    const x = Tensor.from([[-3, -0.5, 0.2], [1, 2.5, 0]]);
    const y = Tensor.from([[0, 1, 0.5], [1, 0.25, 0]]);
    const p = new Tensor(x.shape, x.data.map((v) => 1 / (1 + Math.exp(-v))));
    const withLogits = new BCEWithLogitsLoss();
    const plain = new BCELoss();
    expectNumberClose(withLogits.forward(x, y), plain.forward(p, y), 1e-13);
    // chain rule through the sigmoid: ∂L/∂x = ∂L/∂p · p(1−p)
    const viaP = plain.backward().data.map((g, i) => g * p.data[i] * (1 - p.data[i]));
    expectClose(withLogits.backward().data, Array.from(viaP), 1e-12);
  });

  test.each(REDUCTIONS)('gradcheck (reduction %s)', (reduction) => {
    const rng = new Rng(`bcel-${reduction}`);
    for (const [n, d] of [[1, 1], [5, 2]]) {
      const x = new Tensor([n, d], rng.fillNormal(new Float64Array(n * d), 0, 3));
      const y = new Tensor([n, d], rng.fillUniform(new Float64Array(n * d)));
      expectGradcheckPasses(new BCEWithLogitsLoss({ reduction }), x, y);
    }
  });

  const TORCH_BCEL_OUTSIDE = { loss: 1.6363321678769243, grad: [-0.4387703343990727, 0.4762870634112167] };
  test('targets outside [0, 1] are accepted, as in PyTorch', () => {
    // torch: F.binary_cross_entropy_with_logits(tensor([0.5, 3.0]), tensor([1.5, 0.0])) in float64
    const loss = new BCEWithLogitsLoss();
    expect(loss.forward(Tensor.from([0.5, 3]), Tensor.from([1.5, 0]))).toBeCloseTo(TORCH_BCEL_OUTSIDE.loss, 14);
    const grad = loss.backward();
    TORCH_BCEL_OUTSIDE.grad.forEach((g, i) => expect(grad.data[i]).toBeCloseTo(g, 14));
  });
});

// ---------------------------------------------------------------------------------------------
// CrossEntropyLoss
// PRED = [[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0], [0.2, 0.2, 0.2], [5.0, -2.0, 1.0]]
// class indices: torch.tensor([1, 2, 0, 0])
// probabilities: [[0.2, 0.5, 0.3], [0.0, 0.0, 1.0], [0.25, 0.25, 0.5], [0.1, 0.1, 0.8]]
const CE_LOGITS = [[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0], [0.2, 0.2, 0.2], [5.0, -2.0, 1.0]];
const CE_INDICES = [1, 2, 0, 0];
const CE_PROBS = [[0.2, 0.5, 0.3], [0.0, 0.0, 1.0], [0.25, 0.25, 0.5], [0.1, 0.1, 0.8]];
const TORCH_CE: Record<Reduction, Reference> = {
  mean: {
    loss: 0.4119774961031853,
    grad: [
      0.05780597440553726, -0.09286707019705939, 0.03506109579152212,
      0.004286956386380097, 0.011653155644493473, -0.01594011203087356,
      -0.16666666666666669, 0.08333333333333333, 0.08333333333333333,
      -0.00471619939142065, 0.00022366987421763339, 0.004492529517203017,
    ],
  },
  sum: {
    loss: 1.6479099844127412,
    grad: [
      0.23122389762214904, -0.37146828078823757, 0.14024438316608848,
      0.017147825545520388, 0.04661262257797389, -0.06376044812349424,
      -0.6666666666666667, 0.3333333333333333, 0.3333333333333333,
      -0.0188647975656826, 0.0008946794968705335, 0.017970118068812067,
    ],
  },
};
const TORCH_CE_PROBS: Record<Reduction, Reference> = {
  mean: {
    loss: 1.5494774961031854,
    grad: [
      0.007805974405537257, 0.03213292980294061, -0.03993890420847788,
      0.004286956386380097, 0.011653155644493473, -0.01594011203087356,
      0.02083333333333333, 0.02083333333333333, -0.04166666666666667,
      0.22028380060857936, -0.024776330125782366, -0.19550747048279699,
    ],
  },
  sum: {
    loss: 6.197909984412742,
    grad: [
      0.031223897622149027, 0.12853171921176243, -0.1597556168339115,
      0.017147825545520388, 0.04661262257797389, -0.06376044812349424,
      0.08333333333333331, 0.08333333333333331, -0.16666666666666669,
      0.8811352024343174, -0.09910532050312947, -0.7820298819311879,
    ],
  },
};
// Huge logits: PRED = [[1000.0, 0.0, -1000.0], [-500.0, 500.0, 0.0], [1e4, 1e4 - 1.0, -1e4]], indices [0, 0, 1]
const CE_HUGE = [[1000.0, 0.0, -1000.0], [-500.0, 500.0, 0.0], [1e4, 1e4 - 1.0, -1e4]];
const CE_HUGE_INDICES = [0, 0, 1];
const TORCH_CE_HUGE: Record<Reduction, Reference> = {
  mean: {
    loss: 333.77108722917274,
    grad: [0.0, 0.0, 0.0, -0.3333333333333333, 0.3333333333333333, 2.374858802247095e-218, 0.2436861928766683, -0.2436861928766683, 0.0],
  },
  sum: {
    loss: 1001.3132616875182,
    grad: [0.0, 0.0, 0.0, -1.0, 1.0, 7.124576406741286e-218, 0.7310585786300049, -0.7310585786300049, 0.0],
  },
};

describe('CrossEntropyLoss', () => {
  const targetForms: Array<[string, () => Tensor | ArrayLike<number>]> = [
    ['a Tensor [N]', () => Tensor.from(CE_INDICES)],
    ['a number[]', () => CE_INDICES.slice()],
    ['an Int32Array', () => Int32Array.from(CE_INDICES)],
    ['one-hot rows [N,C]', () => Tensor.from(CE_INDICES.map((t) => [0, 1, 2].map((c) => (c === t ? 1 : 0))))],
  ];

  describe.each(REDUCTIONS)('reduction %s', (reduction) => {
    test.each(targetForms)('class indices as %s match PyTorch cross_entropy', (_name, target) => {
      checkAgainst(new CrossEntropyLoss({ reduction }), Tensor.from(CE_LOGITS), target(), TORCH_CE[reduction]);
    });

    test('probability targets [N,C] match PyTorch cross_entropy', () => {
      checkAgainst(new CrossEntropyLoss({ reduction }), Tensor.from(CE_LOGITS), Tensor.from(CE_PROBS), TORCH_CE_PROBS[reduction]);
    });

    test('huge logits are stable and match PyTorch', () => {
      checkAgainst(new CrossEntropyLoss({ reduction }), Tensor.from(CE_HUGE), CE_HUGE_INDICES, TORCH_CE_HUGE[reduction]);
    });

    test.each(targetForms)('gradcheck with targets as %s', (_name, target) => {
      expectGradcheckPasses(new CrossEntropyLoss({ reduction }), Tensor.from(CE_LOGITS), target());
    });

    test('gradcheck on random logits, probability targets, and a batch of one', () => {
      const rng = new Rng(`ce-${reduction}`);
      for (const [n, c] of [[1, 1], [1, 4], [6, 5]]) {
        const x = new Tensor([n, c], rng.fillNormal(new Float64Array(n * c), 0, 2));
        const indices = Int32Array.from({ length: n }, () => rng.int(c));
        expectGradcheckPasses(new CrossEntropyLoss({ reduction }), x, indices);
        const probs = new Tensor([n, c], rng.fillUniform(new Float64Array(n * c)));
        expectGradcheckPasses(new CrossEntropyLoss({ reduction }), x, probs);
      }
    });
  });

  test('by hand: −log softmax at the target class', () => {
    const loss = new CrossEntropyLoss();
    // row 0: logits [0, ln 3] → softmax [1/4, 3/4]; row 1: [0, 0] → [1/2, 1/2]
    const value = loss.forward(Tensor.from([[0, Math.log(3)], [0, 0]]), [1, 0]);
    expectNumberClose(value, (-Math.log(0.75) - Math.log(0.5)) / 2);
    expectClose(loss.backward().data, [0.125, -0.125, -0.25, 0.25]);
  });

  test('one class only: loss 0 and zero gradient', () => {
    const loss = new CrossEntropyLoss();
    expect(loss.forward(Tensor.from([[3], [-7]]), [0, 0])).toBe(0);
    expect(Array.from(loss.backward().data)).toEqual([0, 0]);
  });

  test('logSoftmaxRows: each row exponentiates to a distribution, shift-invariant', () => {
    const x = Tensor.from([[1, 2, 3], [1001, 1002, 1003]]);
    const lp = logSoftmaxRows(x);
    for (let i = 0; i < 2; i++) {
      let s = 0;
      for (let j = 0; j < 3; j++) s += Math.exp(lp.get(i, j));
      expect(s).toBeCloseTo(1, 14);
    }
    expectClose(Array.from(lp.data.subarray(3)), Array.from(lp.data.subarray(0, 3)), 1e-12);
  });

  test('class index out of range or not an integer is refused', () => {
    const loss = new CrossEntropyLoss();
    const x = Tensor.from(CE_LOGITS);
    expect(() => loss.forward(x, [1, 3, 0, 0])).toThrow(MinidlError);
    expect(() => loss.forward(x, [1, 3, 0, 0])).toThrow(/^CrossEntropyLoss\.forward: target\[1\] = 3 is not a class index in 0\.\.2/);
    expect(() => loss.forward(x, [1, 2, -1, 0])).toThrow(/target\[2\] = -1 is not a class index/);
    expect(() => loss.forward(x, Tensor.from([1, 2, 0, 0.5]))).toThrow(/target\[3\] = 0.5 is not a class index/);
    expect(() => loss.forward(x, [NaN, 2, 0, 0])).toThrow(/target\[0\] = NaN/);
  });

  test('the wrong number of indices is refused', () => {
    const loss = new CrossEntropyLoss({ reduction: 'sum' });
    const x = Tensor.from(CE_LOGITS);
    expect(() => loss.forward(x, [1, 2, 0])).toThrow(MinidlError);
    expect(() => loss.forward(x, [1, 2, 0])).toThrow(/^CrossEntropyLoss\(reduction='sum'\)\.forward: target has 3 class indices but pred has 4 rows/);
    expect(() => loss.forward(x, Int32Array.from([0, 0, 0, 0, 0]))).toThrow(/target has 5 class indices/);
  });

  test('targets of the wrong shape or kind are refused', () => {
    const loss = new CrossEntropyLoss();
    const x = Tensor.from(CE_LOGITS);
    expect(() => loss.forward(x, Tensor.zeros([4, 2]))).toThrow(/target must be class indices of shape \[4\] or probabilities \(such as one-hot rows\) of shape \[4,3\], got \[4,2\]/);
    expect(() => loss.forward(x, Tensor.zeros([4, 3, 1]))).toThrow(/target must be class indices of shape \[4\] or probabilities \(such as one-hot rows\) of shape \[4,3\], got \[4,3,1\]/);
    expect(() => loss.forward(x, 2 as unknown as number[])).toThrow(/target must be a Tensor or an array of class indices/);
    expect(() => loss.forward(Tensor.from([1, 2, 3]), [0])).toThrow(/pred must be logits of shape \[N,C\], got \[3\]/);
  });

  test('non-finite probability targets are refused', () => {
    const loss = new CrossEntropyLoss();
    const probs = Tensor.from(CE_PROBS);
    probs.set([2, 1], Infinity);
    expect(() => loss.forward(Tensor.from(CE_LOGITS), probs)).toThrow(/^CrossEntropyLoss\.forward: target holds a non-finite value \(Infinity\) at flat index 7/);
  });
});

// ---------------------------------------------------------------------------------------------
describe('errors shared by all losses', () => {
  const all: Array<[string, () => Loss]> = [
    ['MSELoss', () => new MSELoss()],
    ['MAELoss', () => new MAELoss()],
    ['BCELoss', () => new BCELoss()],
    ['BCEWithLogitsLoss', () => new BCEWithLogitsLoss()],
    ['CrossEntropyLoss', () => new CrossEntropyLoss()],
  ];

  test.each(all)('%s: backward before forward', (name, make) => {
    expect(() => make().backward()).toThrow(MinidlError);
    expect(() => make().backward()).toThrow(new RegExp(`^${name}\\.backward: called before forward`));
  });

  test.each(all)('%s: backward after a forward that threw is refused with a MinidlError', (name, make) => {
    const loss = make();
    expect(() => loss.forward(Tensor.from([[0.5, 0.5]]), Tensor.from([[0.5, 0.5, 0.5]]))).toThrow(MinidlError);
    expect(() => loss.backward()).toThrow(MinidlError);
    expect(() => loss.backward()).toThrow(new RegExp(`^${name}\\.backward`));
  });

  test.each(all)('%s: an invalid reduction option is refused', (name, make) => {
    const ctor = make().constructor as new (options: { reduction: Reduction }) => Loss;
    expect(() => new ctor({ reduction: 'none' as Reduction })).toThrow(MinidlError);
    expect(() => new ctor({ reduction: 'none' as Reduction })).toThrow(new RegExp(`^${name}: option 'reduction' must be one of 'mean', 'sum', got string 'none'`));
    expect(new ctor({ reduction: 'sum' }).toString()).toBe(`${name}(reduction='sum')`);
    expect(make().toString()).toBe(name);
  });

  test.each(all.slice(0, 4))('%s: pred and target shapes must match exactly (no broadcasting)', (name, make) => {
    const loss = make();
    const pred = Tensor.full([2, 3], 0.5);
    const pattern = (t: string, p: string): RegExp => new RegExp(`^${name}\\.forward: target has shape \\[${t}\\] but pred has shape \\[${p}\\]; they must match exactly`);
    expect(() => loss.forward(pred, Tensor.full([3, 2], 0.5))).toThrow(MinidlError);
    expect(() => loss.forward(pred, Tensor.full([3, 2], 0.5))).toThrow(pattern('3,2', '2,3'));
    expect(() => loss.forward(pred, Tensor.full([1, 3], 0.5))).toThrow(pattern('1,3', '2,3'));
    expect(() => loss.forward(pred, Tensor.full([2, 1], 0.5))).toThrow(pattern('2,1', '2,3'));
    expect(() => loss.forward(Tensor.full([4], 0.5), Tensor.full([4, 1], 0.5))).toThrow(pattern('4,1', '4'));
    expect(() => loss.forward(pred, [0.5, 0.5] as unknown as Tensor)).toThrow(/target must be a Tensor/);
    expect(() => loss.forward([0.5] as unknown as Tensor, pred)).toThrow(/pred must be a Tensor/);
  });

  test.each(all.slice(0, 4))('%s: a non-finite target is refused', (name, make) => {
    const loss = make();
    for (const bad of [NaN, Infinity]) {
      expect(() => loss.forward(Tensor.from([0.5, 0.5]), Tensor.from([0, bad]))).toThrow(MinidlError);
      expect(() => loss.forward(Tensor.from([0.5, 0.5]), Tensor.from([0, bad])))
        .toThrow(new RegExp(`^${name}\\.forward: target holds a non-finite value \\(${bad}\\) at flat index 1`));
    }
  });

  test('backward refers to the last successful forward', () => {
    const loss = new MSELoss();
    loss.forward(Tensor.from([1, 2]), Tensor.from([0, 0]));
    loss.forward(Tensor.from([[3]]), Tensor.from([[1]]));
    const g = loss.backward();
    expect(g.shape).toEqual([1, 1]);
    expect(g.data[0]).toBe(4);
  });
});
