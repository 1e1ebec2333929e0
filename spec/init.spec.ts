import {
  Init,
  InitName,
  Linear,
  MinidlError,
  Nonlinearity,
  Parameter,
  Rng,
  Tensor,
  calculateGain,
  initialize,
  normalInit,
  uniformInit,
} from '../lib';

const FAN_IN = 400;
const FAN_OUT = 300;

/** A [FAN_IN, FAN_OUT] weight filled by `init` from a seeded generator. */
function weight(init: Init, seed: number | string = 1): Float64Array {
  return initialize(Tensor.zeros([FAN_IN, FAN_OUT]), init, FAN_IN, FAN_OUT, new Rng(seed)).data;
}

function stats(values: ArrayLike<number>): { mean: number; std: number; maxAbs: number } {
  let s = 0, maxAbs = 0;
  for (let i = 0; i < values.length; i++) {
    s += values[i];
    maxAbs = Math.max(maxAbs, Math.abs(values[i]));
  }
  const mean = s / values.length;
  let q = 0;
  for (let i = 0; i < values.length; i++) q += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(q / (values.length - 1)), maxAbs };
}

/** Uniform in (−bound, bound): every |w| ≤ bound, the largest within 0.1% of it, std ≈ bound/√3. */
function expectUniform(values: ArrayLike<number>, bound: number): void {
  const { mean, std, maxAbs } = stats(values);
  expect(maxAbs).toBeLessThanOrEqual(bound);
  expect(maxAbs).toBeGreaterThan(0.999 * bound);
  expect(Math.abs(mean)).toBeLessThan(0.01 * bound);
  expect(std / (bound / Math.sqrt(3))).toBeCloseTo(1, 2);
}

/** Normal N(0, σ²): sample std within 1% of σ, mean near 0, and the tails are not cut off. */
function expectNormal(values: ArrayLike<number>, sigma: number): void {
  const { mean, std, maxAbs } = stats(values);
  expect(Math.abs(std / sigma - 1)).toBeLessThan(0.01);
  expect(Math.abs(mean)).toBeLessThan(0.01 * sigma);
  expect(maxAbs).toBeGreaterThan(3.5 * sigma);
}

describe('calculateGain (as torch.nn.init.calculate_gain)', () => {
  test.each([
    ['linear', 1],
    ['sigmoid', 1],
    ['tanh', 5 / 3],
    ['relu', Math.SQRT2],
    ['selu', 3 / 4],
  ] as Array<[Nonlinearity, number]>)('%s → %d', (name, gain) => {
    expect(calculateGain(name)).toBe(gain);
  });

  test('leaky_relu: √(2 / (1 + slope²)), slope 0.01 by default', () => {
    // torch.nn.init.calculate_gain('leaky_relu') = 1.4141428569978354
    expect(calculateGain('leaky_relu')).toBeCloseTo(1.4141428569978354, 15);
    expect(calculateGain('leaky_relu', 0)).toBeCloseTo(Math.SQRT2, 15);
    expect(calculateGain('leaky_relu', 1)).toBeCloseTo(1, 15);
    expect(calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 15);
    expect(calculateGain('leaky_relu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 15);
  });

  test('unknown nonlinearity or a bad slope is refused', () => {
    expect(() => calculateGain('gelu' as Nonlinearity)).toThrow(MinidlError);
    expect(() => calculateGain('gelu' as Nonlinearity)).toThrow(/^calculateGain: unknown nonlinearity 'gelu'/);
    expect(() => calculateGain('leaky_relu', NaN)).toThrow(/negative slope must be a finite number, got NaN/);
  });
});

describe('bounds and standard deviations on a 400×300 weight', () => {
  test('default: U(±1/√fanIn), as PyTorch Linear', () => {
    expectUniform(weight('default'), 1 / Math.sqrt(FAN_IN));
  });

  test('xavierUniform: gain·√(6/(in+out)), gain 1 unless given', () => {
    expectUniform(weight('xavierUniform'), Math.sqrt(6 / (FAN_IN + FAN_OUT)));
    expectUniform(weight({ kind: 'xavierUniform', gain: 5 / 3 }), (5 / 3) * Math.sqrt(6 / (FAN_IN + FAN_OUT)));
  });

  test('xavierNormal: σ = gain·√(2/(in+out))', () => {
    expectNormal(weight('xavierNormal'), Math.sqrt(2 / (FAN_IN + FAN_OUT)));
    expectNormal(weight({ kind: 'xavierNormal', gain: 2 }), 2 * Math.sqrt(2 / (FAN_IN + FAN_OUT)));
  });

  test('kaimingUniform: √2·√(3/fanIn) by default', () => {
    expectUniform(weight('kaimingUniform'), Math.SQRT2 * Math.sqrt(3 / FAN_IN));
  });

  test('kaimingUniform: fanOut mode, and the nonlinearity / a options', () => {
    expectUniform(weight({ kind: 'kaimingUniform', mode: 'fanOut' }), Math.SQRT2 * Math.sqrt(3 / FAN_OUT));
    expectUniform(weight({ kind: 'kaimingUniform', nonlinearity: 'tanh' }), (5 / 3) * Math.sqrt(3 / FAN_IN));
    expectUniform(weight({ kind: 'kaimingUniform', nonlinearity: 'linear', mode: 'fanOut' }), Math.sqrt(3 / FAN_OUT));
    // a = √5 with leaky_relu is how PyTorch's Linear builds its default: bound 1/√fanIn
    expectUniform(weight({ kind: 'kaimingUniform', a: Math.sqrt(5) }), 1 / Math.sqrt(FAN_IN));
    // a explicit for leaky_relu
    expectUniform(weight({ kind: 'kaimingUniform', nonlinearity: 'leaky_relu', a: 0.2 }), Math.sqrt(2 / 1.04) * Math.sqrt(3 / FAN_IN));
  });

  test('kaimingNormal: σ = gain/√fan', () => {
    expectNormal(weight('kaimingNormal'), Math.SQRT2 / Math.sqrt(FAN_IN));
    expectNormal(weight({ kind: 'kaimingNormal', mode: 'fanOut' }), Math.SQRT2 / Math.sqrt(FAN_OUT));
    expectNormal(weight({ kind: 'kaimingNormal', nonlinearity: 'selu' }), 0.75 / Math.sqrt(FAN_IN));
  });

  test('normal: std 1 unless given', () => {
    expectNormal(weight('normal'), 1);
    expectNormal(weight({ kind: 'normal', std: 0.02 }), 0.02);
    expect(Array.from(weight({ kind: 'normal', std: 0 })).every((v) => v === 0)).toBe(true);
  });

  test('zeros', () => {
    const w = initialize(Tensor.full([3, 4], 7), 'zeros', 3, 4, new Rng(0));
    expect(Array.from(w.data)).toEqual(new Array(12).fill(0));
  });

  test('initialize fills the tensor it is given and returns it', () => {
    const t = Tensor.zeros([5, 2]);
    expect(initialize(t, 'default', 5, 2, new Rng(0))).toBe(t);
    expect(t.data.some((v) => v !== 0)).toBe(true);
  });

  test('uniformInit / normalInit draw from the generator in order', () => {
    const t = uniformInit(Tensor.zeros([2, 3]), -2, 2, new Rng(5));
    expect(Array.from(t.data)).toEqual(Array.from(new Rng(5).fillUniform(new Float64Array(6), -2, 2)));
    const n = normalInit(Tensor.zeros([7]), 1, 0.5, new Rng(6));
    expect(Array.from(n.data)).toEqual(Array.from(new Rng(6).fillNormal(new Float64Array(7), 1, 0.5)));
  });
});

describe('Linear initialisation', () => {
  test('weight [in,out] and bias [1,out] default to U(±1/√in)', () => {
    const layer = new Linear(FAN_IN, FAN_OUT, { rng: new Rng(10) });
    const bound = 1 / Math.sqrt(FAN_IN);
    expect(layer.weight.value.shape).toEqual([FAN_IN, FAN_OUT]);
    expectUniform(layer.weight.value.data, bound);
    const bias = (layer.bias as Parameter).value;
    expect(bias.shape).toEqual([1, FAN_OUT]);
    const { maxAbs } = stats(bias.data);
    expect(maxAbs).toBeLessThanOrEqual(bound);
    expect(maxAbs).toBeGreaterThan(0.95 * bound);
  });

  test("the bias bound uses fanIn whatever the weight init, and biasInit 'zeros' gives zeros", () => {
    const layer = new Linear(16, 200, { init: 'kaimingNormal', rng: new Rng(11) });
    const { maxAbs } = stats((layer.bias as Parameter).value.data);
    expect(maxAbs).toBeLessThanOrEqual(1 / 4);
    expect(maxAbs).toBeGreaterThan(0.95 / 4);
    const zeroBias = new Linear(16, 200, { biasInit: 'zeros', rng: new Rng(11) });
    expect(Array.from((zeroBias.bias as Parameter).value.data).every((v) => v === 0)).toBe(true);
    expect(zeroBias.weight.value.data.some((v) => v !== 0)).toBe(true);
  });

  test('the weight init option reaches the weight', () => {
    const layer = new Linear(FAN_IN, FAN_OUT, { init: 'xavierUniform', rng: new Rng(12) });
    expectUniform(layer.weight.value.data, Math.sqrt(6 / (FAN_IN + FAN_OUT)));
    const zero = new Linear(3, 2, { init: 'zeros', rng: new Rng(12) });
    expect(Array.from(zero.weight.value.data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(zero.weight.grad.data.every((v) => v === 0)).toBe(true);
  });

  test('the weight is drawn first, then the bias, from the given generator', () => {
    const rng = new Rng(13);
    const layer = new Linear(4, 3, { rng });
    const ref = new Rng(13);
    const w = ref.fillUniform(new Float64Array(12), -0.5, 0.5);
    const b = ref.fillUniform(new Float64Array(3), -0.5, 0.5);
    expect(layer.weight.value.data).toEqual(w);
    expect((layer.bias as Parameter).value.data).toEqual(b);
    expect(rng.uniform()).toBe(ref.uniform()); // and nothing else was drawn
  });
});

describe('reproducibility', () => {
  test.each(['default', 'normal', 'xavierUniform', 'xavierNormal', 'kaimingUniform', 'kaimingNormal'] as InitName[])(
    'same seed ⇒ identical %s weights; another seed ⇒ different ones',
    (init) => {
      const a = initialize(Tensor.zeros([20, 10]), init, 20, 10, new Rng('same'));
      const b = initialize(Tensor.zeros([20, 10]), init, 20, 10, new Rng('same'));
      const c = initialize(Tensor.zeros([20, 10]), init, 20, 10, new Rng('other'));
      expect(a.data).toEqual(b.data);
      expect(a.data).not.toEqual(c.data);
    },
  );

  test('a layer built with the rng option is reproducible', () => {
    const make = (seed: number): Linear => new Linear(5, 7, { init: 'kaimingUniform', rng: new Rng(seed) });
    const a = make(99), b = make(99), c = make(100);
    expect(a.weight.value.data).toEqual(b.weight.value.data);
    expect((a.bias as Parameter).value.data).toEqual((b.bias as Parameter).value.data);
    expect(a.weight.value.data).not.toEqual(c.weight.value.data);

    // two layers from one generator differ from each other, and the pair is reproducible
    const rng1 = new Rng(7), rng2 = new Rng(7);
    const [p, q] = [new Linear(3, 3, { rng: rng1 }), new Linear(3, 3, { rng: rng1 })];
    const [p2, q2] = [new Linear(3, 3, { rng: rng2 }), new Linear(3, 3, { rng: rng2 })];
    expect(p.weight.value.data).not.toEqual(q.weight.value.data);
    expect(p.weight.value.data).toEqual(p2.weight.value.data);
    expect(q.weight.value.data).toEqual(q2.weight.value.data);
  });
});

describe('bad initialisers', () => {
  const t = (): Tensor => Tensor.zeros([3, 2]);
  const rng = new Rng(0);

  test('unknown names', () => {
    expect(() => initialize(t(), 'glorot' as InitName, 3, 2, rng)).toThrow(MinidlError);
    expect(() => initialize(t(), 'glorot' as InitName, 3, 2, rng)).toThrow(/^initialize: unknown init "glorot"; expected one of default, normal, xavierUniform/);
    expect(() => initialize(t(), { kind: 'uniform' as InitName }, 3, 2, rng)).toThrow(/unknown init \{"kind":"uniform"\}/);
    expect(() => initialize(t(), null as unknown as Init, 3, 2, rng)).toThrow(MinidlError);
    expect(() => initialize(t(), 'xavier' as InitName, 3, 2, rng, 'MyLayer')).toThrow(/^MyLayer: unknown init "xavier"/);
  });

  test('bad settings', () => {
    expect(() => initialize(t(), { kind: 'normal', std: -1 }, 3, 2, rng)).toThrow(/init std must be a finite number ≥ 0, got -1/);
    expect(() => initialize(t(), { kind: 'normal', std: NaN }, 3, 2, rng)).toThrow(MinidlError);
    expect(() => initialize(t(), { kind: 'xavierUniform', gain: 0 }, 3, 2, rng)).toThrow(/init gain must be a finite number > 0, got 0/);
    expect(() => initialize(t(), { kind: 'xavierNormal', gain: -2 }, 3, 2, rng)).toThrow(MinidlError);
    expect(() => initialize(t(), { kind: 'kaimingUniform', mode: 'fan_in' as 'fanIn' }, 3, 2, rng)).toThrow(/init mode must be 'fanIn' or 'fanOut', got "fan_in"/);
    expect(() => initialize(t(), { kind: 'kaimingNormal', nonlinearity: 'swish' as Nonlinearity }, 3, 2, rng)).toThrow(/unknown nonlinearity 'swish'/);
    expect(() => initialize(t(), { kind: 'kaimingNormal', a: NaN }, 3, 2, rng)).toThrow(MinidlError);
  });

  test('through Linear, the message names the layer', () => {
    expect(() => new Linear(3, 2, { init: { kind: 'normal', std: -1 }, rng })).toThrow(/^Linear\(3→2\): init std must be/);
    expect(() => new Linear(3, 2, { init: 'nope' as InitName, rng })).toThrow(MinidlError);
  });
});
