import { Dropout } from '../lib/modules/regularization/dropout';
import { Linear } from '../lib/modules/linear';
import { Sequential } from '../lib/modules/containers/sequential';
import { Rng, manualSeed } from '../lib/random/rng';
import { Tensor } from '../lib/tensor/tensor';
import { gradcheck } from '../lib/tools/gradcheck';
import { expectMinidlError, randn } from './helpers';

describe('Dropout in training mode', () => {
  test.each([0.1, 0.5, 0.8])('p = %p: about p of the entries are zeroed, the others scaled by 1/(1 − p), E[y] = x', (p) => {
    const drop = new Dropout(p, { rng: new Rng(`stats-${p}`) });
    const n = 200_000;
    const y = drop.forward(Tensor.full([n / 100, 100], 3)).data;
    const kept = 3 * (1 / (1 - p));
    let zeros = 0;
    let others = 0;
    let sum = 0;
    for (const v of y) {
      if (v === 0) zeros++;
      else if (v !== kept) others++;
      sum += v;
    }
    expect(others).toBe(0);
    // Binomial: the fraction of zeros has standard deviation √(p(1 − p)/n) ≤ 0.0012; allow 5 of them.
    expect(Math.abs(zeros / n - p)).toBeLessThan(0.006);
    // The mean output stays the input (inverted dropout), within the same sampling error.
    expect(Math.abs(sum / n - 3)).toBeLessThan(5 * 3 * Math.sqrt(p / (1 - p) / n));
  });

  test('backward multiplies by the same mask as the forward', () => {
    const rng = new Rng('mask');
    const drop = new Dropout(0.3, { rng });
    const x = Tensor.ones([7, 9]);
    const y = drop.forward(x);
    const g = randn(rng, [7, 9]);
    const dx = drop.backward(g);
    for (let i = 0; i < y.size; i++) expect(dx.data[i]).toBe(g.data[i] * y.data[i]); // the mask is y / x = y
    expect(Array.from(drop.backward(g).data)).toEqual(Array.from(dx.data)); // no new mask in backward
  });

  test('a new mask on every forward; the same seed gives the same masks', () => {
    const x = Tensor.ones([4, 25]);
    const a = new Dropout(0.5, { rng: new Rng(42) });
    const b = new Dropout(0.5, { rng: new Rng(42) });
    const a1 = Array.from(a.forward(x).data);
    const a2 = Array.from(a.forward(x).data);
    expect(a2).not.toEqual(a1);
    expect(Array.from(b.forward(x).data)).toEqual(a1);
    expect(Array.from(b.forward(x).data)).toEqual(a2);
    expect(Array.from(new Dropout(0.5, { rng: new Rng(43) }).forward(x).data)).not.toEqual(a1);
  });

  test('without an rng it draws from the default generator, which manualSeed seeds', () => {
    const drop = new Dropout(0.5); // built before manualSeed: the generator is looked up at each forward
    const x = Tensor.ones([3, 30]);
    manualSeed(7);
    const first = Array.from(drop.forward(x).data);
    manualSeed(7);
    expect(Array.from(drop.forward(x).data)).toEqual(first);
    manualSeed(8);
    expect(Array.from(drop.forward(x).data)).not.toEqual(first);
  });

  test('p = 1 zeroes everything (as PyTorch); p = 0 is the identity', () => {
    const rng = new Rng('extremes');
    const x = randn(rng, [3, 5]);
    const all = new Dropout(1, { rng });
    expect(all.forward(x).data.every((v) => v === 0)).toBe(true);
    expect(all.backward(Tensor.ones([3, 5])).data.every((v) => v === 0)).toBe(true);
    const none = new Dropout(0, { rng });
    expect(Array.from(none.forward(x).data)).toEqual(Array.from(x.data));
    expect(gradcheck(none, x).ok).toBe(true);
  });

  test('any shape, and the output is a new tensor', () => {
    const drop = new Dropout(0.25, { rng: new Rng(1) });
    const x = Tensor.ones([2, 3, 4, 5]);
    const y = drop.forward(x);
    expect(y.shape).toEqual([2, 3, 4, 5]);
    expect(y).not.toBe(x);
    expect(Array.from(x.data).every((v) => v === 1)).toBe(true);
  });
});

describe('Dropout in evaluation mode', () => {
  test('forward and backward are the identity, and no number is drawn', () => {
    const rng = new Rng('eval');
    const drop = new Dropout(0.5, { rng });
    const x = randn(new Rng(3), [5, 6]);
    drop.eval();
    const before = rng.state();
    const y = drop.forward(x);
    expect(y).not.toBe(x);
    expect(Array.from(y.data)).toEqual(Array.from(x.data));
    const g = randn(new Rng(4), [5, 6]);
    expect(Array.from(drop.backward(g).data)).toEqual(Array.from(g.data));
    expect(rng.state()).toEqual(before);
    const report = gradcheck(drop, x);
    expect(report.ok).toBe(true);
    expect(report.worstRelError).toBeLessThan(1e-8);
  });

  test('a container switches it: Sequential.eval() turns dropout off', () => {
    const rng = new Rng('container');
    const drop = new Dropout(0.9, { rng });
    const net = new Sequential(new Linear(3, 4, { rng }), drop);
    const x = randn(rng, [2, 3]);
    net.eval();
    const evalOut = Array.from(net.forward(x).data);
    expect(evalOut).toEqual(Array.from(net.forward(x).data));
    net.train();
    expect(drop.training).toBe(true);
    expect(Array.from(net.forward(x).data)).not.toEqual(evalOut);
  });

  test('backward follows the mode of the last forward', () => {
    const drop = new Dropout(0.5, { rng: new Rng(9) });
    const x = Tensor.ones([4, 8]);
    const y = drop.forward(x); // training mode: a mask
    drop.eval();
    const dx = drop.backward(Tensor.ones([4, 8]));
    expect(Array.from(dx.data)).toEqual(Array.from(y.data));
  });
});

describe('Dropout errors', () => {
  test('p outside [0, 1] is refused', () => {
    expectMinidlError(() => new Dropout(-0.1), /^Dropout: p must be in \[0, 1\], got -0\.1/);
    expectMinidlError(() => new Dropout(1.5), /p must be in \[0, 1\], got 1\.5/);
    expectMinidlError(() => new Dropout(NaN), /got NaN/);
    expectMinidlError(() => new Dropout('0.5' as unknown as number), /got string '0\.5'/);
  });

  test('the Module contract: input checked, backward after forward with the output shape', () => {
    const drop = new Dropout();
    expect(drop.toString()).toBe('Dropout(p=0.5)');
    expectMinidlError(() => drop.backward(Tensor.ones([2, 2])), /^Dropout\(p=0\.5\)\.backward: called before forward/);
    expectMinidlError(() => drop.forward(Tensor.from([1, Infinity])), /non-finite value \(Infinity\)/);
    drop.forward(Tensor.ones([2, 3]));
    expectMinidlError(() => drop.backward(Tensor.ones([3, 2])), /gradOut has shape \[3,2\], expected \[2,3\]/);
  });
});
