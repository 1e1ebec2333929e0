import { ELU } from '../lib/modules/activations/elu';
import { GELU, GeluApproximation } from '../lib/modules/activations/gelu';
import { Softmax } from '../lib/modules/activations/softmax';
import { LogSoftmax } from '../lib/modules/activations/log-softmax';
import { CrossEntropyLoss, logSoftmaxRows } from '../lib/losses/cross-entropy';
import { NLLLoss } from '../lib/losses/nll';
import { Linear } from '../lib/modules/linear';
import { Module } from '../lib/modules/module';
import { Sequential } from '../lib/modules/containers/sequential';
import { Rng } from '../lib/random/rng';
import { NestedArray, Tensor } from '../lib/tensor/tensor';
import { gradcheck } from '../lib/tools/gradcheck';
import { expectMinidlError } from './helpers';

/*
 * Reference values computed once with PyTorch 1.13 in float64:
 *   x = torch.tensor(X, requires_grad=True); y = module(x); y.backward(torch.tensor(G))
 *   → y and x.grad, for torch.nn.GELU(), GELU(approximate='tanh'), ELU(), ELU(alpha=0.5),
 *   and torch.softmax(x, dim=-1) on SOFTMAX.x with upstream gradient SOFTMAX.g.
 */
const X = [-30, -8, -3, -1.25, -0.5, -0.001, 0, 0.001, 0.7, 1.5, 2.5, 6];
const G = [0.3, -1.1, 0.8, 2, -0.4, 1.7, 0.9, -2.2, 0.6, -0.75, 1.3, 0.45];
const GELU_EXACT = {
  y: [-0, -4.884981308350689e-15, -0.00404969409489031, -0.13206221708356905, -0.15426876936299344, -0.000499601057786089, 0, 0.000500398942213911, 0.5306254434438489, 1.399789198096713, 2.4844758366855597, 5.999999994080474],
  dx: [-1.326281521390693e-195, 4.378830060522644e-14, -0.009556517763347136, -0.2453231661388443, -0.05300195013753485, 0.8486435966987697, 0.45, -1.1017553454486513, 0.5859684606801959, -0.8456018941724847, 1.3488944116805888, 0.4500000159609192],
};
const GELU_TANH = {
  y: [-0, -0, -0.0036373920817729943, -0.13228579703028537, -0.15428599017485606, -0.000499601057786418, 0, 0.000500398942213582, 0.5305701347051167, 1.3995715769802328, 2.484915733910001, 5.9999999999156035],
  dx: [0, -0, -0.00926733330477572, -0.24498526449929725, -0.05305203858614306, 0.8486435967010074, 0.45, -1.1017553454457552, 0.5858143311936624, -0.8457830948635747, 1.349337049076466, 0.450000000346949],
};
const ELU_1 = {
  y: [-0.9999999999999064, -0.9996645373720975, -0.950212931632136, -0.7134952031398099, -0.3934693402873666, -0.000999500166624978, 0, 0.001, 0.7, 1.5, 2.5, 6],
  dx: [2.8072868906520524e-14, -0.0003690088906927631, 0.03982965469429116, 0.5730095937203802, -0.2426122638850534, 1.6983008497167376, 0.9, -2.2, 0.6, -0.75, 1.3, 0.45],
};
const ELU_HALF = {
  y: [-0.4999999999999532, -0.49983226868604874, -0.475106465816068, -0.3567476015699049, -0.1967346701436833, -0.000499750083312489, 0, 0.001, 0.7, 1.5, 2.5, 6],
  dx: [1.4036434453260262e-14, -0.00018450444534638154, 0.01991482734714558, 0.2865047968601901, -0.1213061319425267, 0.8491504248583688, 0.45, -2.2, 0.6, -0.75, 1.3, 0.45],
};
const SOFTMAX = {
  x: [[1, 2, 3, 4], [1000, 1001, 999, 1000.5], [-0.3, 0, 0.25, -2]],
  g: [[0.5, -1, 0.25, 2], [1, 1, 1, 1], [-0.7, 0.2, 1.5, 0.1]],
  y: [[0.03205860328008499, 0.08714431874203257, 0.23688281808991016, 0.6439142598879724], [0.17437148764032928, 0.47399084625407806, 0.06414768542935739, 0.2874899806762354], [0.23442287265799513, 0.31643777935466255, 0.4063141514916142, 0.04282519649572801]],
  dx: [[-0.024875366919957682, -0.19833473598782106, -0.24302618617552862, 0.46623628908330733], [-3.8718248083286895e-17, -1.0524711019456802e-16, -1.424364746801685e-17, -6.383559917915957e-17], [-0.28434211970356255, -0.0990277132274878, 0.4010542961985393, -0.01768446326748892]],
};

/** Every entry within `tol` of the reference, relative to max(1, |reference|). */
function expectClose(actual: ArrayLike<number>, expected: NestedArray, tol = 1e-13): void {
  const flat = ([expected] as NestedArray[]).flat(Infinity as 1) as number[];
  expect(actual.length).toBe(flat.length);
  for (let i = 0; i < flat.length; i++) {
    const err = Math.abs(actual[i] - flat[i]) / Math.max(1, Math.abs(flat[i]));
    if (!(err <= tol)) throw new Error(`entry ${i}: got ${actual[i]}, expected ${flat[i]} (relative error ${err})`);
  }
}

function randn(rng: Rng, shape: number[], scale = 1): Tensor {
  const t = new Tensor(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = scale * rng.normal();
  return t;
}

/** Seeded entries with |x| in [0.05, 3]: away from ELU's kink at 0. */
function awayFromZero(rng: Rng, shape: number[]): Tensor {
  const t = new Tensor(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = (rng.uniform() < 0.5 ? -1 : 1) * rng.uniform(0.05, 3);
  return t;
}

function expectGradcheckPasses(module: Module, input: Tensor): void {
  const report = gradcheck(module, input);
  if (!report.ok) throw new Error(report.summary);
  expect(report.worstRelError).toBeLessThan(1e-7);
}

/** Forward then backward of a fresh module on X, G as 1-row tensors. */
function run(module: Module, x: number[], g: number[]): { y: Float64Array; dx: Float64Array } {
  const y = module.forward(Tensor.from(x)).data;
  const dx = module.backward(Tensor.from(g)).data;
  return { y, dx };
}

describe('values against PyTorch (float64 literals)', () => {
  test.each([
    ['GELU()', () => new GELU(), GELU_EXACT],
    ["GELU('tanh')", () => new GELU('tanh'), GELU_TANH],
    ['ELU()', () => new ELU(), ELU_1],
    ['ELU(0.5)', () => new ELU(0.5), ELU_HALF],
  ] as const)('%s forward and backward', (_name, make, ref) => {
    const { y, dx } = run(make(), X, G);
    expectClose(y, ref.y);
    expectClose(dx, ref.dx);
  });

  test('Softmax forward and backward, a row of large scores included', () => {
    const softmax = new Softmax();
    expectClose(softmax.forward(Tensor.from(SOFTMAX.x)).data, SOFTMAX.y, 1e-15);
    expectClose(softmax.backward(Tensor.from(SOFTMAX.g)).data, SOFTMAX.dx, 1e-15);
  });
});

describe('gradcheck', () => {
  test.each([[1, 1], [1, 5], [3, 4], [6, 7]])('Softmax, input [%i,%i]', (n, k) => {
    const rng = new Rng(`softmax-${n}-${k}`);
    expectGradcheckPasses(new Softmax(), randn(rng, [n, k], 2));
  });

  test.each([1, 0.5, 2])('ELU(%p) on several shapes, away from the kink', (alpha) => {
    for (const shape of [[1, 1], [3, 4], [5, 2], [2, 3, 2]]) {
      const rng = new Rng(`elu-${alpha}-${shape.join('x')}`);
      expectGradcheckPasses(new ELU(alpha), awayFromZero(rng, shape));
    }
  });

  test.each(['none', 'tanh'] as GeluApproximation[])("GELU('%s') on several shapes", (approximate) => {
    for (const shape of [[1, 1], [3, 4], [7, 5], [2, 3, 2]]) {
      const rng = new Rng(`gelu-${approximate}-${shape.join('x')}`);
      expectGradcheckPasses(new GELU(approximate), randn(rng, shape, 2));
    }
  });

  test('inside a network: Linear → GELU → Linear → ELU → Linear → Softmax', () => {
    const rng = new Rng('extra-net');
    const net = new Sequential(
      new Linear(3, 5, { rng }), new GELU(), new Linear(5, 4, { rng }), new ELU(), new Linear(4, 3, { rng }), new Softmax(),
    );
    const x = randn(rng, [4, 3]);
    const elu = net.modules[3];
    const beforeElu = net.modules[2].forward(net.modules[1].forward(net.modules[0].forward(x)));
    expect(Math.min(...Array.from(beforeElu.data, Math.abs))).toBeGreaterThan(1e-3);
    expect(elu).toBeInstanceOf(ELU);
    expectGradcheckPasses(net, x);
  });
});

describe('Softmax', () => {
  test('each row is a distribution, unchanged by adding a constant to the row', () => {
    const rng = new Rng('softmax-rows');
    const x = randn(rng, [5, 6], 3);
    const y = new Softmax().forward(x);
    for (let r = 0; r < 5; r++) {
      const row = y.data.subarray(r * 6, r * 6 + 6);
      expect(row.every((v) => v > 0 && v <= 1)).toBe(true);
      expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-15);
    }
    const shifted = x.clone();
    for (let i = 0; i < 6; i++) shifted.data[6 + i] += 700; // e^(700 + x) alone would overflow for x > 9
    expectClose(new Softmax().forward(shifted).data, Array.from(y.data), 1e-13);
  });

  test('scores far apart give a one-hot row without NaN', () => {
    const y = new Softmax().forward(Tensor.from([[-1000, 0, 1000], [5, 5, 5]]));
    expect(Array.from(y.data)).toEqual([0, 0, 1, 1 / 3, 1 / 3, 1 / 3]);
  });

  test('the gradient of a constant upstream gradient is zero (rows sum to 1 whatever x)', () => {
    const softmax = new Softmax();
    softmax.forward(randn(new Rng(2), [3, 4]));
    const dx = softmax.backward(Tensor.full([3, 4], 2.5));
    expect(Math.max(...Array.from(dx.data, Math.abs))).toBeLessThan(1e-15);
  });

  test('only [N,K] inputs', () => {
    expectMinidlError(() => new Softmax().forward(Tensor.zeros([2, 3, 4])), /^Softmax\.forward: input has shape \[2,3,4\], expected \[N,K\]/);
    expectMinidlError(() => new Softmax().forward(Tensor.from([1, 2])), /input has shape \[2\], expected \[N,K\]/);
    expect(new Softmax().toString()).toBe('Softmax');
  });
});

describe('ELU', () => {
  test('identity for x > 0, saturates at −α, derivative α at x = 0 (as PyTorch)', () => {
    const elu = new ELU(2);
    const y = elu.forward(Tensor.from([[3, 0, -50]])).data;
    expect(Array.from(y)).toEqual([3, 0, -2]);
    expect(Array.from(elu.backward(Tensor.from([[1, 1, 1]])).data)).toEqual([1, 2, 2 * Math.exp(-50)]);
  });

  test('expm1 keeps the digits of α(eˣ − 1) for tiny x', () => {
    const y = new ELU().forward(Tensor.from([-1e-12])).data[0];
    expect(Math.abs(y - -9.999999999995e-13) / 1e-12).toBeLessThan(1e-15);
  });

  test('alpha must be a finite number', () => {
    expectMinidlError(() => new ELU(NaN), /^ELU: alpha must be a finite number, got NaN/);
    expectMinidlError(() => new ELU(Infinity), /got Infinity/);
    expect(new ELU().toString()).toBe('ELU');
    expect(new ELU(0.5).toString()).toBe('ELU(0.5)');
  });
});

describe('GELU', () => {
  test('exact form: x·Φ(x) keeps its relative accuracy far in the negative tail', () => {
    // Python: x * 0.5 * math.erfc(-x / math.sqrt(2)) for x = −8 and −30. (PyTorch's
    // ½·x·(1 + erf(x/√2)) gives −4.88e-15 and −0 here: 1 + erf(…) cancels.) The rounding of
    // x/√2 is amplified about 2·(x/√2)² times by erfc's steep tail, hence the tolerances.
    const y = new GELU().forward(Tensor.from([-8, -30])).data;
    expect(Math.abs(y[0] / -4.9767684594174555e-15 - 1)).toBeLessThan(1e-13);
    expect(Math.abs(y[1] / -1.4720141781446293e-196 - 1)).toBeLessThan(1e-12);
  });

  test('the two forms agree to about 1e-3 and coincide at 0 and far out', () => {
    const rng = new Rng('gelu-forms');
    const x = randn(rng, [1, 200], 3);
    const exact = new GELU().forward(x).data;
    const approx = new GELU('tanh').forward(x).data;
    for (let i = 0; i < 200; i++) expect(Math.abs(exact[i] - approx[i])).toBeLessThan(1e-3);
    expect(Array.from(new GELU('tanh').forward(Tensor.from([0, 40])).data)).toEqual([0, 40]);
  });

  test('approximate must be none or tanh', () => {
    expectMinidlError(() => new GELU('fast' as GeluApproximation), /^GELU: approximate must be 'none' or 'tanh', got "fast"/);
    expect(new GELU().toString()).toBe('GELU');
    expect(new GELU('tanh').toString()).toBe("GELU(approximate='tanh')");
  });

  test('backward is checked against the last forward', () => {
    const gelu = new GELU();
    expectMinidlError(() => gelu.backward(Tensor.zeros([1, 2])), /^GELU\.backward: called before forward/);
    gelu.forward(Tensor.zeros([2, 2]));
    expectMinidlError(() => gelu.backward(Tensor.zeros([1, 2])), /gradOut has shape \[1,2\], expected \[2,2\]/);
  });
});

describe('Softmax dim', () => {
  test('dim -1 and 1 both name the last axis of [N, K] (the same numbers); other axes are refused', () => {
    const x = Tensor.from([[1, 2, 3], [0, -1, 4]]);
    expect(Array.from(new Softmax(1).forward(x).data)).toEqual(Array.from(new Softmax(-1).forward(x).data));
    expect(Array.from(new Softmax().forward(x).data)).toEqual(Array.from(new Softmax(-1).forward(x).data));
    expectMinidlError(() => new Softmax(0), /^Softmax: dim must be -1 or 1/);
  });
});

describe('LogSoftmax', () => {
  test('values by hand: [0, ln 3] → [ln ¼, ln ¾]; huge scores do not overflow', () => {
    const y = new LogSoftmax().forward(Tensor.from([[0, Math.log(3)], [1000, 0]]));
    expect(y.data[0]).toBeCloseTo(Math.log(0.25), 15);
    expect(y.data[1]).toBeCloseTo(Math.log(0.75), 15);
    expect(y.data[2]).toBe(0); // 1000 − 1000 − log(1 + e^−1000) = 0
    expect(y.data[3]).toBe(-1000);
  });

  test("the same bits as CrossEntropyLoss's logSoftmaxRows; NLLLoss after it is CrossEntropyLoss", () => {
    const x = new Tensor([5, 4], new Rng(3).fillNormal(new Float64Array(20), 0, 3));
    const layer = new LogSoftmax();
    const y = layer.forward(x);
    expect(Array.from(y.data)).toEqual(Array.from(logSoftmaxRows(x).data));
    const labels = [0, 3, 1, 1, 2];
    expect(new NLLLoss().forward(y, labels)).toBe(new CrossEntropyLoss().forward(x, labels));
  });

  test.each([[[1, 3]], [[4, 5]], [[7, 2]]])('gradcheck on %j', (shape) => {
    const [n, k] = shape as [number, number];
    const x = new Tensor([n, k], new Rng(n * 10 + k).fillNormal(new Float64Array(n * k), 0, 2));
    const report = gradcheck(new LogSoftmax(), x);
    expect(report.summary).toMatch(/: ok/);
  });

  test('refuses another axis and inputs that are not [N,K]', () => {
    expectMinidlError(() => new LogSoftmax(0), /^LogSoftmax: dim must be -1 or 1/);
    expectMinidlError(() => new LogSoftmax().forward(Tensor.zeros([2, 3, 4])), /LogSoftmax.*forward: input has shape \[2,3,4\], expected \[N,K\]/);
  });
});
