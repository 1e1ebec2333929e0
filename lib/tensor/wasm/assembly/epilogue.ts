/**
 * What happens to a finished sum s of a product before it is stored into C:
 *
 *   v = s            or  v = C + s      (accumulate)
 *   v = v + b[j]                        (bias: a row vector added to every row)
 *   v = v · 1[v > 0] + 0                (ReLU, written exactly as the ReLU layer writes it)
 *
 * Each step is one IEEE operation per entry, in this order, so a fused product gives the same
 * bits as the product followed by `addRowVector` and the ReLU layer. The `pair` helpers treat
 * two neighbouring entries of a row at once (one f64x2 vector), `single` one entry.
 */

/** 1[v > 0] as 1.0 or 0.0 in each lane, times v, plus 0 (turns −0 into +0). */
@inline export function reluPair(v: v128): v128 {
  const positive = v128.and(f64x2.gt(v, f64x2.splat(0)), f64x2.splat(1));
  return f64x2.add(f64x2.mul(v, positive), f64x2.splat(0));
}

/** The scalar ReLU: v · 1[v > 0] + 0. */
@inline export function reluSingle(v: f64): f64 {
  return v * <f64>(v > 0) + 0;
}

/** Stores the two sums `s` into C at byte address `c`; `biasAt` is the address of b[j] (unused without bias). */
@inline export function storePair(c: usize, s: v128, accumulate: bool, hasBias: bool, biasAt: usize, relu: bool): void {
  let v = s;
  if (accumulate) v = f64x2.add(v128.load(c), v);
  if (hasBias) v = f64x2.add(v, v128.load(biasAt));
  if (relu) v = reluPair(v);
  v128.store(c, v);
}

/** Stores the sum `s` into C at byte address `c`; `biasAt` is the address of b[j] (unused without bias). */
@inline export function storeSingle(c: usize, s: f64, accumulate: bool, hasBias: bool, biasAt: usize, relu: bool): void {
  let v = s;
  if (accumulate) v = load<f64>(c) + v;
  if (hasBias) v = v + load<f64>(biasAt);
  if (relu) v = reluSingle(v);
  store<f64>(c, v);
}
