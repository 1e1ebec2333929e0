import { reluPair, reluSingle } from './epilogue';

/**
 * Element-wise kernels over n doubles: activations forward and backward, and the broadcast
 * of a bias row. Two entries are done per f64x2 vector; an odd n leaves one for a scalar step.
 * Output and input may be the same array (each entry is read before it is written).
 *
 * Every formula is written with the same operations, in the same order, as the layer files of
 * lib/modules/activations, so the results are bit-identical — except tanh and exp, which come
 * from AssemblyScript's math library instead of the JavaScript engine's and may differ from
 * them in the last bit.
 */

/** y = x · 1[x > 0] + 0  (ReLU) */
export function reluForward(x: usize, y: usize, n: i32): void {
  const end = <usize>n << 3, pairs = end & ~15;
  for (let o: usize = 0; o < pairs; o += 16) v128.store(y + o, reluPair(v128.load(x + o)));
  if (pairs < end) store<f64>(y + pairs, reluSingle(load<f64>(x + pairs)));
}

/** ∂L/∂x = g · 1[x > 0] + 0  (ReLU backward, from the layer's input x) */
export function reluBackward(x: usize, g: usize, dx: usize, n: i32): void {
  const end = <usize>n << 3, pairs = end & ~15;
  for (let o: usize = 0; o < pairs; o += 16) {
    const positive = v128.and(f64x2.gt(v128.load(x + o), f64x2.splat(0)), f64x2.splat(1));
    v128.store(dx + o, f64x2.add(f64x2.mul(v128.load(g + o), positive), f64x2.splat(0)));
  }
  if (pairs < end) {
    const xv = load<f64>(x + pairs);
    store<f64>(dx + pairs, load<f64>(g + pairs) * <f64>(xv > 0) + 0);
  }
}

/** y = x if x > 0, else slope·x  (LeakyReLU) */
export function leakyReluForward(x: usize, y: usize, n: i32, slope: f64): void {
  const end = <usize>n << 3, pairs = end & ~15;
  const s = f64x2.splat(slope);
  for (let o: usize = 0; o < pairs; o += 16) {
    const v = v128.load(x + o);
    v128.store(y + o, v128.bitselect(v, f64x2.mul(v, s), f64x2.gt(v, f64x2.splat(0))));
  }
  if (pairs < end) {
    const v = load<f64>(x + pairs);
    store<f64>(y + pairs, v > 0 ? v : v * slope);
  }
}

/** ∂L/∂x = g if x > 0, else slope·g  (LeakyReLU backward, from the layer's input x) */
export function leakyReluBackward(x: usize, g: usize, dx: usize, n: i32, slope: f64): void {
  const end = <usize>n << 3, pairs = end & ~15;
  const s = f64x2.splat(slope);
  for (let o: usize = 0; o < pairs; o += 16) {
    const gv = v128.load(g + o);
    v128.store(dx + o, v128.bitselect(gv, f64x2.mul(gv, s), f64x2.gt(v128.load(x + o), f64x2.splat(0))));
  }
  if (pairs < end) {
    const gv = load<f64>(g + pairs);
    store<f64>(dx + pairs, load<f64>(x + pairs) > 0 ? gv : gv * slope);
  }
}

/** y = tanh(x)  (one entry at a time: there is no vector tanh) */
export function tanhForward(x: usize, y: usize, n: i32): void {
  const end = <usize>n << 3;
  for (let o: usize = 0; o < end; o += 8) store<f64>(y + o, Math.tanh(load<f64>(x + o)));
}

/** ∂L/∂x = g · (1 − y²)  (Tanh backward, from the layer's output y) */
export function tanhBackward(y: usize, g: usize, dx: usize, n: i32): void {
  const end = <usize>n << 3, pairs = end & ~15;
  for (let o: usize = 0; o < pairs; o += 16) {
    const yv = v128.load(y + o);
    v128.store(dx + o, f64x2.mul(v128.load(g + o), f64x2.sub(f64x2.splat(1), f64x2.mul(yv, yv))));
  }
  if (pairs < end) {
    const yv = load<f64>(y + pairs);
    store<f64>(dx + pairs, load<f64>(g + pairs) * (1 - yv * yv));
  }
}

/** y = 1 / (1 + e⁻ˣ)  (one exp at a time: there is no vector exp) */
export function sigmoidForward(x: usize, y: usize, n: i32): void {
  const end = <usize>n << 3;
  for (let o: usize = 0; o < end; o += 8) store<f64>(y + o, 1 / (1 + Math.exp(-load<f64>(x + o))));
}

/** ∂L/∂x = g · (1 − y) · y  (Sigmoid backward, from the layer's output y) */
export function sigmoidBackward(y: usize, g: usize, dx: usize, n: i32): void {
  const end = <usize>n << 3, pairs = end & ~15;
  for (let o: usize = 0; o < pairs; o += 16) {
    const yv = v128.load(y + o);
    v128.store(dx + o, f64x2.mul(f64x2.mul(v128.load(g + o), f64x2.sub(f64x2.splat(1), yv)), yv));
  }
  if (pairs < end) {
    const yv = load<f64>(y + pairs);
    store<f64>(dx + pairs, load<f64>(g + pairs) * (1 - yv) * yv);
  }
}

/** C[i, :] += b  for every row i of C [M,N]  (broadcasting a bias row over a batch) */
export function addRowVector(c: usize, b: usize, M: i32, N: i32): void {
  const row = <usize>N << 3, pairs = row & ~15;
  let ci = c;
  for (let i = 0; i < M; i++) {
    for (let o: usize = 0; o < pairs; o += 16) v128.store(ci + o, f64x2.add(v128.load(ci + o), v128.load(b + o)));
    if (pairs < row) store<f64>(ci + pairs, load<f64>(ci + pairs) + load<f64>(b + pairs));
    ci += row;
  }
}

/** target[i] = source[i] for n doubles (the module's bulk copy: a training step's checkpoint). The arrays must not overlap. */
export function copyValues(source: usize, target: usize, n: i32): void {
  memory.copy(target, source, <usize>n << 3);
}

/**
 * x[i] = 0 for n doubles (a new tensor's zeros). One call of the memory's bulk fill: from
 * JavaScript, `fill(0)` on a view of a shared memory writes entry by entry, ten times slower.
 */
export function fillZeros(x: usize, n: i32): void {
  memory.fill(x, 0, <usize>n << 3);
}
