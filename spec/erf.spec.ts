import { erf, erfc } from '../lib/tensor/erf';

/*
 * Reference values from Python's math.erf and math.erfc (CPython 3, double precision):
 *   [v, math.erf(v), math.erfc(v), math.erf(-v), math.erfc(-v)]
 * erfc(27) is a subnormal number (below 2.2e-308): it is only checked to be tiny.
 */
const ERF_TABLE: Array<[number, number, number, number, number]> = [
  [0, 0, 1, -0, 1],
  [1e-20, 1.1283791670955125e-20, 1, -1.1283791670955125e-20, 1],
  [1e-10, 1.1283791670955126e-10, 0.999999999887162, -1.1283791670955126e-10, 1.000000000112838],
  [0.1, 0.1124629160182849, 0.8875370839817152, -0.1124629160182849, 1.1124629160182848],
  [0.3, 0.3286267594591274, 0.6713732405408726, -0.3286267594591274, 1.3286267594591274],
  [0.46875, 0.49261347321793797, 0.507386526782062, -0.49261347321793797, 1.492613473217938],
  [0.5, 0.5204998778130465, 0.4795001221869535, -0.5204998778130465, 1.5204998778130465],
  [0.75, 0.7111556336535151, 0.28884436634648486, -0.7111556336535151, 1.7111556336535152],
  [1, 0.8427007929497149, 0.15729920705028513, -0.8427007929497149, 1.842700792949715],
  [1.5, 0.9661051464753108, 0.033894853524689274, -0.9661051464753108, 1.9661051464753108],
  [2, 0.9953222650189527, 0.004677734981047265, -0.9953222650189527, 1.9953222650189528],
  [3, 0.9999779095030014, 2.2090496998585438e-05, -0.9999779095030014, 1.9999779095030015],
  [3.9, 0.9999999652077514, 3.479224859723177e-08, -0.9999999652077514, 1.9999999652077514],
  [4, 0.9999999845827421, 1.541725790028002e-08, -0.9999999845827421, 1.999999984582742],
  [4.5, 0.9999999998033839, 1.9661604415428873e-10, -0.9999999998033839, 1.999999999803384],
  [5, 0.9999999999984626, 1.5374597944280351e-12, -0.9999999999984626, 1.9999999999984626],
  [6, 1, 2.1519736712498916e-17, -1, 2],
  [10, 1, 2.088487583762545e-45, -1, 2],
  [26, 1, 5.663192408856143e-296, -1, 2],
  [27, 1, 5.23705e-319, -1, 2],
];

/** Relative error, with subnormal references (|ref| < 1e-300) compared absolutely. */
function relError(actual: number, expected: number): number {
  if (Math.abs(expected) < 1e-300) return Math.abs(actual - expected);
  return Math.abs(actual - expected) / Math.abs(expected);
}

describe('erf and erfc against Python math.erf / math.erfc', () => {
  test.each(ERF_TABLE)('x = ±%p', (v, erfV, erfcV, erfMinusV, erfcMinusV) => {
    expect(relError(erf(v), erfV)).toBeLessThanOrEqual(2e-15);
    expect(relError(erfc(v), erfcV)).toBeLessThanOrEqual(2e-15);
    expect(relError(erf(-v), erfMinusV)).toBeLessThanOrEqual(2e-15);
    expect(relError(erfc(-v), erfcMinusV)).toBeLessThanOrEqual(2e-15);
  });

  test('odd symmetry and erf + erfc = 1 on a grid across the three intervals', () => {
    for (let x = -6; x <= 6; x += 0.0625) {
      expect(erf(-x)).toBe(-erf(x));
      expect(Math.abs(erf(x) + erfc(x) - 1)).toBeLessThan(4e-16);
    }
  });

  test('limits, signed zero and NaN', () => {
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erfc(Infinity)).toBe(0);
    expect(erfc(-Infinity)).toBe(2);
    expect(Object.is(erf(-0), -0)).toBe(true);
    expect(erf(NaN)).toBeNaN();
    expect(erfc(NaN)).toBeNaN();
  });

  test('erfc keeps its relative accuracy where erf rounds to 1 (large x)', () => {
    expect(erf(6)).toBe(1);
    expect(erfc(6)).toBeGreaterThan(0);
    expect(relError(1 - erf(4.5), 1.9661604415428873e-10)).toBeGreaterThan(1e-8); // 1 − erf(x) has lost digits …
    expect(relError(erfc(4.5), 1.9661604415428873e-10)).toBeLessThan(2e-15); //      … erfc has not
  });
});
