import { Linear, MinidlError, Rng, RngState, defaultRng, manualSeed } from '../lib';

function draws(rng: Rng, n: number, draw: (r: Rng) => number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(draw(rng));
  return out;
}

function meanAndStd(values: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  const mean = s / values.length;
  let q = 0;
  for (let i = 0; i < values.length; i++) q += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(q / (values.length - 1)) };
}

describe('Rng seeding', () => {
  test('the same seed gives identical sequences (uniform, normal, int, permutation)', () => {
    const a = new Rng(42), b = new Rng(42);
    expect(draws(a, 50, (r) => r.uniform())).toEqual(draws(b, 50, (r) => r.uniform()));
    expect(draws(a, 51, (r) => r.normal(1, 2))).toEqual(draws(b, 51, (r) => r.normal(1, 2)));
    expect(draws(a, 20, (r) => r.int(1000))).toEqual(draws(b, 20, (r) => r.int(1000)));
    expect(a.permutation(30)).toEqual(b.permutation(30));
    expect(a.fillNormal(new Float64Array(7))).toEqual(b.fillNormal(new Float64Array(7)));
  });

  test('string seeds work; a number seed equals its decimal string', () => {
    expect(draws(new Rng('hello'), 10, (r) => r.uniform())).toEqual(draws(new Rng('hello'), 10, (r) => r.uniform()));
    expect(draws(new Rng(7), 10, (r) => r.uniform())).toEqual(draws(new Rng('7'), 10, (r) => r.uniform()));
    expect(new Rng(7).seed).toBe('7');
    expect(new Rng('abc').toString()).toBe('Rng(seed="abc")');
  });

  test('different seeds give different sequences', () => {
    const seqs = [0, 1, 2, 42, 'a', 'b'].map((s) => draws(new Rng(s), 20, (r) => r.uniform()));
    for (let i = 0; i < seqs.length; i++) {
      for (let j = i + 1; j < seqs.length; j++) expect(seqs[i]).not.toEqual(seqs[j]);
    }
    // not merely shifted: no value of one appears in the other
    const set0 = new Set(seqs[0]);
    expect(seqs[1].some((v) => set0.has(v))).toBe(false);
  });

  test('bad seeds are refused with a MinidlError', () => {
    for (const seed of [NaN, Infinity, -Infinity]) {
      expect(() => new Rng(seed)).toThrow(MinidlError);
      expect(() => new Rng(seed)).toThrow(/Rng: seed must be a finite number or a string/);
    }
    expect(() => new Rng({} as unknown as number)).toThrow(MinidlError);
    expect(() => new Rng(undefined as unknown as number)).toThrow(/got undefined/);
  });
});

describe('distributions', () => {
  test('uniform() is in [0, 1) with mean ≈ 1/2 and variance ≈ 1/12', () => {
    const rng = new Rng(3);
    const xs = draws(rng, 20000, (r) => r.uniform());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const { mean, std } = meanAndStd(xs);
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01); // σ of the mean ≈ 0.002
    expect(Math.abs(std - Math.sqrt(1 / 12))).toBeLessThan(0.01);
    // it fills the interval: something in each tenth
    const bins = new Array(10).fill(0);
    for (const x of xs) bins[Math.floor(x * 10)]++;
    for (const count of bins) expect(Math.abs(count - 2000)).toBeLessThan(200);
  });

  test('uniform(low, high) stays in [low, high) and covers it', () => {
    const rng = new Rng(4);
    const xs = draws(rng, 5000, (r) => r.uniform(-3, 5));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(-3);
    expect(Math.max(...xs)).toBeLessThan(5);
    expect(Math.min(...xs)).toBeLessThan(-2.9);
    expect(Math.max(...xs)).toBeGreaterThan(4.9);
    const filled = new Rng(4).fillUniform(new Float64Array(5000), -3, 5);
    expect(Array.from(filled)).toEqual(xs);
  });

  test('normal(mean, std) over 20k draws has roughly that mean and std', () => {
    const rng = new Rng(5);
    const standard = meanAndStd(draws(rng, 20000, (r) => r.normal()));
    expect(Math.abs(standard.mean)).toBeLessThan(0.03); // σ of the mean ≈ 0.007
    expect(Math.abs(standard.std - 1)).toBeLessThan(0.03);

    const shifted = meanAndStd(rng.fillNormal(new Float64Array(20000), 3, 0.5));
    expect(Math.abs(shifted.mean - 3)).toBeLessThan(0.015);
    expect(Math.abs(shifted.std - 0.5)).toBeLessThan(0.015);
  });

  test('normal draws look Gaussian: about 68% within one std, 95% within two', () => {
    const xs = draws(new Rng(6), 20000, (r) => r.normal());
    const within1 = xs.filter((x) => Math.abs(x) < 1).length / xs.length;
    const within2 = xs.filter((x) => Math.abs(x) < 2).length / xs.length;
    expect(Math.abs(within1 - 0.6827)).toBeLessThan(0.015);
    expect(Math.abs(within2 - 0.9545)).toBeLessThan(0.01);
    expect(xs.every(Number.isFinite)).toBe(true);
  });

  test('int(n) gives every integer in 0..n-1 and nothing else', () => {
    const rng = new Rng(7);
    const counts = new Array(6).fill(0);
    let allIntegers = true;
    for (let i = 0; i < 6000; i++) {
      const v = rng.int(6);
      allIntegers &&= Number.isInteger(v);
      counts[v]++; // an out-of-range v would create a 7th entry
    }
    expect(allIntegers).toBe(true);
    expect(counts).toHaveLength(6);
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
    expect(draws(rng, 20, (r) => r.int(1))).toEqual(new Array(20).fill(0));
  });

  test('int refuses bad n', () => {
    const rng = new Rng(0);
    for (const n of [0, -1, 2.5, NaN, Infinity]) {
      expect(() => rng.int(n)).toThrow(MinidlError);
      expect(() => rng.int(n)).toThrow(/Rng.int: n must be an integer ≥ 1/);
    }
  });
});

describe('permutation and shuffle', () => {
  test('permutation(n) holds each of 0..n-1 exactly once', () => {
    const rng = new Rng(8);
    for (const n of [1, 2, 5, 13, 100]) {
      const p = rng.permutation(n);
      expect(p).toBeInstanceOf(Int32Array);
      expect(Array.from(p).sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
    expect(rng.permutation(0)).toEqual(new Int32Array(0));
    // with 100 entries it is (with overwhelming probability) not the identity
    const p = rng.permutation(100);
    expect(Array.from(p)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  test('every ordering of 3 items comes up about equally often', () => {
    const rng = new Rng(9);
    const counts = new Map<string, number>();
    for (let t = 0; t < 6000; t++) {
      const key = Array.from(rng.permutation(3)).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });

  test('permutation refuses bad n', () => {
    const rng = new Rng(0);
    expect(() => rng.permutation(-1)).toThrow(MinidlError);
    expect(() => rng.permutation(2.5)).toThrow(/Rng.permutation: n must be an integer ≥ 0, got 2.5/);
  });

  test('shuffle works in place, returns its argument and keeps the multiset', () => {
    const rng = new Rng(10);
    const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const result = rng.shuffle(items);
    expect(result).toBe(items);
    expect([...items].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    expect(items).not.toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);

    const typed = Float64Array.from([1, 1, 2, 3, 5, 8, 13]);
    expect(rng.shuffle(typed)).toBe(typed);
    expect(Array.from(typed).sort((x, y) => x - y)).toEqual([1, 1, 2, 3, 5, 8, 13]);

    // same seed, same order
    const x = rng.shuffle([1, 2, 3, 4, 5, 6, 7]);
    const again = new Rng(10);
    again.shuffle(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    again.shuffle(Float64Array.from([1, 1, 2, 3, 5, 8, 13]));
    expect(again.shuffle([1, 2, 3, 4, 5, 6, 7])).toEqual(x);
  });
});

describe('state() / setState()', () => {
  const mixed = (r: Rng): number[] => [r.uniform(), r.normal(), r.normal(), r.int(100), r.normal(), r.uniform(-1, 1), ...r.permutation(5)];

  test('continues the exact sequence', () => {
    const rng = new Rng(11);
    draws(rng, 17, (r) => r.uniform());
    const saved = rng.state();
    const expected = mixed(rng);
    rng.setState(saved);
    expect(mixed(rng)).toEqual(expected);
  });

  test('a pending Box–Muller spare is part of the state', () => {
    const rng = new Rng(12);
    rng.normal(); // draws a pair, keeps the second
    const saved = rng.state();
    expect(saved.spareNormal).not.toBeNull();
    const next = rng.normal();
    expect(next).toBe(saved.spareNormal);
    const expected = [next, ...mixed(rng)];

    const other = new Rng('something else');
    other.normal();
    other.normal();
    other.normal(); // leaves its own spare pending, which setState must replace
    other.setState(saved);
    expect([other.normal(), ...mixed(other)]).toEqual(expected);
  });

  test('no spare pending after an even number of normals', () => {
    const rng = new Rng(13);
    rng.normal();
    rng.normal();
    expect(rng.state().spareNormal).toBeNull();
  });

  test('the state is a snapshot (later draws do not change it) and survives JSON', () => {
    const rng = new Rng(14);
    rng.normal();
    const saved = rng.state();
    const copy = JSON.parse(JSON.stringify(saved)) as RngState;
    const expected = mixed(rng);
    expect(rng.state()).not.toEqual(saved);
    const restored = new Rng(0);
    restored.setState(copy);
    expect(mixed(restored)).toEqual(expected);
    expect(saved.seed).toBe('14');
  });

  test('setState refuses something that is not a state', () => {
    const rng = new Rng(0);
    expect(() => rng.setState({} as RngState)).toThrow(MinidlError);
    expect(() => rng.setState(null as unknown as RngState)).toThrow(/Rng.setState: expected a state from Rng.state\(\)/);
    const bad = rng.state();
    bad.alea.s1 = NaN;
    expect(() => rng.setState(bad)).toThrow(MinidlError);
  });

  test('a state without a valid spareNormal is refused, not turned into NaN draws', () => {
    const source = new Rng(15);
    const { seed, alea } = source.state();
    for (const spareNormal of [undefined, NaN, 'x']) {
      const rng = new Rng(0);
      const state = { seed, alea: { ...alea }, spareNormal } as unknown as RngState;
      // Either setState refuses it, or the next normal draws are still finite numbers.
      let draws: number[] = [];
      let error: unknown = null;
      try {
        rng.setState(state);
        draws = [rng.normal(), rng.normal(), rng.normal()];
      } catch (err) {
        error = err;
      }
      if (error === null) expect(draws.every(Number.isFinite)).toBe(true);
      else expect(error).toBeInstanceOf(MinidlError);
    }
  });
});

describe('manualSeed / defaultRng', () => {
  test('manualSeed replaces the default generator and returns it', () => {
    const r = manualSeed(123);
    expect(defaultRng()).toBe(r);
    expect(r.seed).toBe('123');
    const a = draws(defaultRng(), 5, (g) => g.uniform());
    manualSeed(123);
    expect(draws(defaultRng(), 5, (g) => g.uniform())).toEqual(a);
    expect(a).toEqual(draws(new Rng(123), 5, (g) => g.uniform()));
  });

  test('layers built without an rng draw from the default generator', () => {
    manualSeed(2024);
    const w1 = new Linear(3, 4).weight.value.data.slice();
    const next = new Linear(3, 4).weight.value.data.slice();
    expect(next).not.toEqual(w1);
    manualSeed(2024);
    expect(new Linear(3, 4).weight.value.data).toEqual(w1);
    expect(new Linear(3, 4, { rng: new Rng(2024) }).weight.value.data).toEqual(w1);
  });

  test('manualSeed refuses bad seeds', () => {
    expect(() => manualSeed(NaN)).toThrow(MinidlError);
  });
});

describe('checked arguments draw the same numbers', () => {
  test('uniform(low, high) and fillUniform are low + (high − low)·u of the same u, bit for bit', () => {
    const a = new Rng('bounds'), b = new Rng('bounds'), c = new Rng('bounds');
    const one = draws(a, 6, (g) => g.uniform(-0.25, 0.75));
    const filled = Array.from(b.fillUniform(new Float64Array(6), -0.25, 0.75));
    const by = draws(c, 6, (g) => g.uniform()).map((u) => -0.25 + (0.75 - -0.25) * u);
    expect(filled).toEqual(one);
    expect(by).toEqual(one);
  });

  test('fillNormal gives the draws of normal(mean, std), spare included', () => {
    const a = new Rng('normals'), b = new Rng('normals');
    a.normal(); // leaves a spare
    b.normal();
    expect(Array.from(b.fillNormal(new Float64Array(5), 2, 0.5))).toEqual(draws(a, 5, (g) => g.normal(2, 0.5)));
  });

  test('a refused call leaves the sequence where it was', () => {
    const a = new Rng('refused'), b = new Rng('refused');
    a.normal();
    b.normal();
    expect(() => a.uniform(1, 0)).toThrow(MinidlError);
    expect(() => a.fillNormal(new Float64Array(4), 0, -1)).toThrow(MinidlError);
    expect(() => a.shuffle('abc' as unknown as string[])).toThrow(MinidlError);
    expect(a.state()).toEqual(b.state());
    expect(a.uniform()).toBe(b.uniform());
  });

  test('setState accepts every state state() gives, after any draws', () => {
    const a = new Rng('states');
    for (let i = 0; i < 50; i++) {
      a.normal();
      a.int(7);
      const copy = new Rng(0);
      copy.setState(a.state()); // a carry in 0…2091639 and three values in [0, 1): never refused
      expect(copy.state()).toEqual(a.state());
    }
    expect(new Rng(0).uniform()).not.toBe(a.uniform());
  });
});
