import {
  HuberLoss, KLDivLoss, L1Loss, Linear, Loss, MAELoss, MinidlError, NeuralNet, Rng, SmoothL1Loss, Tensor, gradcheck, logSoftmaxRows,
} from '../lib';
import { expectMinidlError, randn } from './helpers';

/*
 * HuberLoss, SmoothL1Loss, KLDivLoss and L1Loss: values worked out by hand (the comments show
 * the arithmetic), gradients by finite differences (gradcheck, float64), and the relations
 * between them (SmoothL1 with β = 0 is L1, Huber with δ is δ·SmoothL1 with β = δ, KL of a
 * distribution from itself is 0).
 */

/** forward then backward, both against numbers by hand; the gradient must have pred's shape. */
function expectLoss(loss: Loss, pred: Tensor, target: Tensor, value: number, grad: number[]): void {
  expect(loss.forward(pred, target)).toBe(value);
  const g = loss.backward();
  expect(g.shape).toEqual(pred.shape);
  expect(Array.from(g.data)).toEqual(grad);
}

function expectGradcheckPasses(loss: Loss, pred: Tensor, target: Tensor): void {
  const report = gradcheck(loss, pred, target);
  if (!report.ok) throw new Error(report.summary);
  expect(report.worstRelError).toBeLessThan(1e-7);
}

// d = ŷ − y = [1, −2, 0, 3, 0.5, 0]: errors at, above and below 1 and 0.5, and two exact zeros.
const PRED = Tensor.fromArray([2, 0, 5, 3, -1, 0.5], [2, 3]);
const TARGET = Tensor.fromArray([1, 2, 5, 0, -1.5, 0.5], [2, 3]);

describe('HuberLoss', () => {
  test('δ = 1 by hand: ½·d² below δ, δ·(|d| − ½·δ) from δ on; the gradient is d clipped to ±δ, over n', () => {
    // ℓ = [1·(1 − 0.5), 1·(2 − 0.5), 0, 1·(3 − 0.5), 0.5·0.25, 0] = [0.5, 1.5, 0, 2.5, 0.125, 0]: Σ = 4.625
    expectLoss(new HuberLoss(), PRED, TARGET, 4.625 / 6, [1 / 6, -1 / 6, 0, 1 / 6, 0.5 / 6, 0]);
    expectLoss(new HuberLoss({ reduction: 'sum' }), PRED, TARGET, 4.625, [1, -1, 0, 1, 0.5, 0]);
  });

  test('δ = 2 by hand', () => {
    // ℓ = [0.5·1, 2·(2 − 1), 0, 2·(3 − 1), 0.125, 0] = [0.5, 2, 0, 4, 0.125, 0]: Σ = 6.625
    expectLoss(new HuberLoss({ delta: 2, reduction: 'sum' }), PRED, TARGET, 6.625, [1, -2, 0, 2, 0.5, 0]);
  });

  test('small errors give half the MSE, large ones grow linearly', () => {
    const loss = new HuberLoss({ delta: 1, reduction: 'sum' });
    expect(loss.forward(Tensor.from([0.3]), Tensor.from([0]))).toBeCloseTo(0.5 * 0.09, 15);
    expect(loss.forward(Tensor.from([1000]), Tensor.from([0]))).toBe(999.5);
    expect(Array.from(loss.backward().data)).toEqual([1]);
  });

  test.each(['mean', 'sum'] as const)('gradcheck (reduction %s), away from |d| = δ', (reduction) => {
    const rng = new Rng(`huber-${reduction}`);
    for (const delta of [0.5, 1, 3]) {
      const target = randn(rng, [4, 3]);
      const pred = target.clone();
      for (let i = 0; i < pred.size; i++) {
        let d = 0;
        do d = rng.uniform(-2 * delta, 2 * delta); while (Math.abs(Math.abs(d) - delta) < 0.05);
        pred.data[i] += d;
      }
      expectGradcheckPasses(new HuberLoss({ delta, reduction }), pred, target);
    }
  });

  test('options, defaults and name', () => {
    expect(new HuberLoss().delta).toBe(1);
    expect(new HuberLoss().reduction).toBe('mean');
    expect(String(new HuberLoss())).toBe('HuberLoss');
    expect(String(new HuberLoss({ delta: 0.5, reduction: 'sum' }))).toBe("HuberLoss(delta=0.5, reduction='sum')");
    expectMinidlError(() => new HuberLoss({ delta: 0 }), /^HuberLoss: delta must be a finite number > 0, got 0$/);
    expectMinidlError(() => new HuberLoss({ delta: -1 }), /^HuberLoss: delta must be a finite number > 0, got -1$/);
    expectMinidlError(() => new HuberLoss(0.5 as never), /^HuberLoss: expected an options object such as \{ delta: 0\.5 \}/);
  });
});

describe('SmoothL1Loss', () => {
  test('β = 1 is HuberLoss with δ = 1, bit for bit', () => {
    const smooth = new SmoothL1Loss(), huber = new HuberLoss();
    expect(smooth.forward(PRED, TARGET)).toBe(huber.forward(PRED, TARGET));
    expect(Array.from(smooth.backward().data)).toEqual(Array.from(huber.backward().data));
  });

  test('β = 0.5 by hand: |d| − ½·β from β on; the gradient is sign(d) there', () => {
    // ℓ = [1 − 0.25, 2 − 0.25, 0, 3 − 0.25, 0.5 − 0.25, 0] = [0.75, 1.75, 0, 2.75, 0.25, 0]: Σ = 5.5
    expectLoss(new SmoothL1Loss({ beta: 0.5, reduction: 'sum' }), PRED, TARGET, 5.5, [1, -1, 0, 1, 1, 0]);
  });

  test('β = 4 by hand: every error below β, ½·d²/β and gradient d/β', () => {
    // ℓ = ½·[1, 4, 0, 9, 0.25, 0]/4 = [0.125, 0.5, 0, 1.125, 0.03125, 0]: Σ = 1.78125
    expectLoss(new SmoothL1Loss({ beta: 4, reduction: 'sum' }), PRED, TARGET, 1.78125, [0.25, -0.5, 0, 0.75, 0.125, 0]);
    expectLoss(new SmoothL1Loss({ beta: 4 }), PRED, TARGET, 1.78125 / 6, [0.25 / 6, -0.5 / 6, 0, 0.75 / 6, 0.125 / 6, 0]);
  });

  test('β = 0 is the L1 loss, bit for bit, with the L1 gradient except −1/n where d = 0 (as PyTorch 1.13)', () => {
    for (const reduction of ['mean', 'sum'] as const) {
      const smooth = new SmoothL1Loss({ beta: 0, reduction }), l1 = new MAELoss({ reduction });
      expect(smooth.forward(PRED, TARGET)).toBe(l1.forward(PRED, TARGET));
      const g = Array.from(smooth.backward().data);
      const expected = Array.from(l1.backward().data);
      for (const i of [2, 5]) expected[i] = reduction === 'mean' ? -1 / 6 : -1; // d = 0 takes the branch d ≤ −β (torch 1.13: F.smooth_l1_loss(…, beta=0.0))
      expect(g).toEqual(expected);
    }
  });

  test('HuberLoss with δ is δ times SmoothL1Loss with β = δ', () => {
    const rng = new Rng('huber-smooth');
    const pred = randn(rng, [5, 4]), target = randn(rng, [5, 4]);
    for (const delta of [0.3, 1, 2.5]) {
      const huber = new HuberLoss({ delta }).forward(pred, target);
      const smooth = new SmoothL1Loss({ beta: delta }).forward(pred, target);
      expect(huber).toBeCloseTo(delta * smooth, 14);
    }
  });

  test.each(['mean', 'sum'] as const)('gradcheck (reduction %s), away from |d| = β and from d = 0 for β = 0', (reduction) => {
    const rng = new Rng(`smooth-l1-${reduction}`);
    for (const beta of [0, 0.5, 2]) {
      const target = randn(rng, [3, 4]);
      const pred = target.clone();
      for (let i = 0; i < pred.size; i++) {
        let d = 0;
        do d = rng.uniform(-3, 3); while (Math.abs(Math.abs(d) - beta) < 0.05);
        pred.data[i] += d;
      }
      expectGradcheckPasses(new SmoothL1Loss({ beta, reduction }), pred, target);
    }
  });

  test('options, defaults and name', () => {
    expect(new SmoothL1Loss().beta).toBe(1);
    expect(String(new SmoothL1Loss())).toBe('SmoothL1Loss');
    expect(String(new SmoothL1Loss({ beta: 0 }))).toBe('SmoothL1Loss(beta=0)');
    expect(String(new SmoothL1Loss({ reduction: 'sum' }))).toBe("SmoothL1Loss(reduction='sum')");
    expectMinidlError(() => new SmoothL1Loss({ beta: -0.5 }), /^SmoothL1Loss: beta must be a finite number ≥ 0, got -0\.5$/);
    expectMinidlError(() => new SmoothL1Loss({ delta: 1 } as never), /^SmoothL1Loss: unknown option 'delta'; known options: beta, reduction$/);
  });
});

describe('KLDivLoss', () => {
  // pred: log p for p = [[0.5, 0.25, 0.25], [0.1, 0.6, 0.3]]; target q = [[0.25, 0.25, 0.5], [0, 0.5, 0.5]]
  const P = [0.5, 0.25, 0.25, 0.1, 0.6, 0.3];
  const Q = [0.25, 0.25, 0.5, 0, 0.5, 0.5];
  const logP = (): Tensor => Tensor.fromArray(P.map(Math.log), [2, 3]);
  const q = (): Tensor => Tensor.fromArray(Q, [2, 3]);
  // Row 1: 0.25·log(0.25/0.5) + 0.25·log(1) + 0.5·log(0.5/0.25) = 0.25·log 2.
  // Row 2: 0 (q = 0 adds nothing) + 0.5·log(0.5/0.6) + 0.5·log(0.5/0.3) = 0.5·log(25/18).
  const KL = 0.25 * Math.log(2) + 0.5 * Math.log(25 / 18);

  test.each([
    ['batchmean', 2],
    ['mean', 6],
    ['sum', 1],
  ] as const)("reduction '%s': Σ q·(log q − log p) divided by %d; gradient −q over the same", (reduction, n) => {
    const loss = new KLDivLoss({ reduction });
    expect(loss.forward(logP(), q())).toBeCloseTo(KL / n, 15);
    const g = loss.backward();
    expect(g.shape).toEqual([2, 3]);
    expect(Array.from(g.data)).toEqual(Q.map((v) => -(v * (1 / n))));
  });

  test('the divergence of a distribution from itself is 0, and is ≥ 0 otherwise', () => {
    const loss = new KLDivLoss({ reduction: 'sum' });
    expect(loss.forward(Tensor.fromArray(Q.map((v) => (v === 0 ? -50 : Math.log(v))), [2, 3]), q())).toBe(0);
    const rng = new Rng('kl-positive');
    for (let trial = 0; trial < 5; trial++) {
      const logits = randn(rng, [4, 5]), other = randn(rng, [4, 5]);
      const target = logSoftmaxRows(other);
      target.data.forEach((v, i) => { target.data[i] = Math.exp(v); });
      expect(loss.forward(logSoftmaxRows(logits), target)).toBeGreaterThanOrEqual(0);
    }
  });

  test('logTarget: the target as log q gives the same loss, and gradient −e^y', () => {
    const qNoZero = [0.25, 0.25, 0.5, 0.2, 0.4, 0.4];
    const plain = new KLDivLoss({ reduction: 'batchmean' });
    const logged = new KLDivLoss({ reduction: 'batchmean', logTarget: true });
    const a = plain.forward(logP(), Tensor.fromArray(qNoZero, [2, 3]));
    const b = logged.forward(logP(), Tensor.fromArray(qNoZero.map(Math.log), [2, 3]));
    expect(b).toBeCloseTo(a, 15);
    const ga = Array.from(plain.backward().data), gb = Array.from(logged.backward().data);
    gb.forEach((v, i) => expect(v).toBeCloseTo(ga[i], 15));
  });

  test.each(['mean', 'sum', 'batchmean'] as const)('gradcheck (reduction %s), with and without logTarget', (reduction) => {
    const rng = new Rng(`kl-${reduction}`);
    for (const logTarget of [false, true]) {
      const pred = logSoftmaxRows(randn(rng, [3, 4]));
      const target = logSoftmaxRows(randn(rng, [3, 4]));
      if (!logTarget) target.data.forEach((v, i) => { target.data[i] = Math.exp(v); });
      expectGradcheckPasses(new KLDivLoss({ reduction, logTarget }), pred, target);
    }
  });

  test("'batchmean' reads as a mean: NeuralNet averages its batches by rows, as for one batch", () => {
    const loss = new KLDivLoss({ reduction: 'batchmean' });
    expect(loss.reduction).toBe('mean');
    expect(loss.batchmean).toBe(true);
    const rng = new Rng('kl-net');
    const x = randn(rng, [6, 3]);
    const target = logSoftmaxRows(randn(rng, [6, 3]));
    target.data.forEach((v, i) => { target.data[i] = Math.exp(v); });
    const net = new NeuralNet(new Linear(3, 3, { rng }), { loss });
    const whole = net.evaluate(x, target).loss;
    expect(net.evaluate(x, target, { batchSize: 2 }).loss).toBeCloseTo(whole, 14);
    expect(whole).toBeCloseTo(loss.forward(net.predict(x), target), 14);
  });

  test('refuses a negative probability in the target, naming logTarget', () => {
    const loss = new KLDivLoss();
    expectMinidlError(() => loss.forward(logP(), Tensor.fromArray([0.5, 0.5, 0, -0.1, 0.6, 0.5], [2, 3])),
      /^KLDivLoss\.forward: every entry of target must be a probability ≥ 0, got -0\.1 at flat index 3 \(for log-probabilities, use \{ logTarget: true \}\)$/);
    expect(() => loss.backward()).toThrow(MinidlError);
    // the same numbers are fine as log-probabilities
    expect(Number.isFinite(new KLDivLoss({ logTarget: true }).forward(logP(), Tensor.fromArray([0.5, 0.5, 0, -0.1, 0.6, 0.5], [2, 3])))).toBe(true);
  });

  test('options, defaults and name', () => {
    const loss = new KLDivLoss();
    expect([loss.reduction, loss.batchmean, loss.logTarget]).toEqual(['mean', false, false]);
    expect(String(loss)).toBe('KLDivLoss');
    expect(String(new KLDivLoss({ reduction: 'batchmean', logTarget: true }))).toBe("KLDivLoss(reduction='batchmean', logTarget)");
    expect(String(new KLDivLoss({ reduction: 'sum' }))).toBe("KLDivLoss(reduction='sum')");
    expectMinidlError(() => new KLDivLoss({ reduction: 'none' } as never), /^KLDivLoss: option 'reduction' must be one of 'mean', 'sum', 'batchmean', got string 'none'$/);
    expectMinidlError(() => new KLDivLoss({ log_target: true } as never), /^KLDivLoss: unknown option 'log_target' \(did you mean 'logTarget'\?\)/);
  });
});

describe('L1Loss', () => {
  test('is MAELoss under PyTorch\'s name: the same numbers, its own name in toString and messages', () => {
    for (const reduction of ['mean', 'sum'] as const) {
      const l1 = new L1Loss({ reduction }), mae = new MAELoss({ reduction });
      expect(l1.forward(PRED, TARGET)).toBe(mae.forward(PRED, TARGET));
      expect(Array.from(l1.backward().data)).toEqual(Array.from(mae.backward().data));
    }
    expect(new L1Loss()).toBeInstanceOf(MAELoss);
    expect(String(new L1Loss())).toBe('L1Loss');
    expect(String(new L1Loss({ reduction: 'sum' }))).toBe("L1Loss(reduction='sum')");
    expectMinidlError(() => new L1Loss({ reduction: 'none' } as never), /^L1Loss: option 'reduction' must be one of 'mean', 'sum', got string 'none'$/);
    expectMinidlError(() => new L1Loss('sum' as never), /^L1Loss: expected an options object such as \{ reduction: 'sum' \}/);
    expectMinidlError(() => new L1Loss().forward(PRED, Tensor.zeros([3, 2])), /^L1Loss\.forward: target has shape \[3,2\] but pred has shape \[2,3\]/);
    expectMinidlError(() => new L1Loss().backward(), /^L1Loss\.backward: called before forward/);
  });
});

describe('shared checks', () => {
  const all: [string, () => Loss][] = [
    ['HuberLoss', () => new HuberLoss()],
    ['SmoothL1Loss', () => new SmoothL1Loss()],
    ['KLDivLoss', () => new KLDivLoss()],
    ['L1Loss', () => new L1Loss()],
  ];

  test.each(all)('%s: shapes must match, targets be finite, backward follow a forward', (name, make) => {
    const loss = make();
    expectMinidlError(() => loss.forward(Tensor.full([2, 3], 0.5), Tensor.full([3, 2], 0.5)), new RegExp(`^${name}\\.forward: target has shape \\[3,2\\] but pred has shape \\[2,3\\]`));
    expectMinidlError(() => loss.forward(Tensor.from([0.5, 0.5]), Tensor.from([0, NaN])), new RegExp(`^${name}\\.forward: target holds a non-finite value \\(NaN\\) at flat index 1`));
    expectMinidlError(() => loss.backward(), new RegExp(`^${name}\\.backward: called before forward`));
    expectMinidlError(() => new (loss.constructor as new (...a: unknown[]) => Loss)({}, 1), new RegExp(`^${name}: takes at most 1 argument \\(options\\), got 2`));
  });

  test.each(all)('%s: forward leaves pred and target unchanged', (_name, make) => {
    const pred = Tensor.fromArray([-0.5, -1.5, -2, -0.1], [2, 2]), target = Tensor.fromArray([0.25, 0, 1, 0.75], [2, 2]);
    const before = [Array.from(pred.data), Array.from(target.data)];
    make().forward(pred, target);
    expect([Array.from(pred.data), Array.from(target.data)]).toEqual(before);
  });
});
