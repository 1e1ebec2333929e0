/**
 * out[N] (+)= Σᵢ G[i, :]  — the sum of the M rows of G [M,N] (a bias gradient).
 *
 * Each column is summed from row 0 to row M−1, starting from 0 (or from out[j] when
 * `accumulate`), as lib/tensor/backend/reference.ts does, so the results are bit-identical. The columns
 * are taken eight at a time (four f64x2 accumulators) down all the rows, then two at a time,
 * then the last odd one.
 */
export function sumRows(g: usize, out: usize, M: i32, N: i32, accumulate: bool): void {
  const row = <usize>N << 3, rows = <usize>M * row;
  const octets = row & ~63, pairs = row & ~15;
  let o: usize = 0;
  for (; o < octets; o += 64) {
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
    if (accumulate) {
      s0 = v128.load(out + o); s1 = v128.load(out + o, 16); s2 = v128.load(out + o, 32); s3 = v128.load(out + o, 48);
    }
    for (let p = g + o, end = p + rows; p < end; p += row) {
      s0 = f64x2.add(s0, v128.load(p)); s1 = f64x2.add(s1, v128.load(p, 16));
      s2 = f64x2.add(s2, v128.load(p, 32)); s3 = f64x2.add(s3, v128.load(p, 48));
    }
    v128.store(out + o, s0); v128.store(out + o, s1, 16); v128.store(out + o, s2, 32); v128.store(out + o, s3, 48);
  }
  for (; o < pairs; o += 16) {
    let s = accumulate ? v128.load(out + o) : f64x2.splat(0);
    for (let p = g + o, end = p + rows; p < end; p += row) s = f64x2.add(s, v128.load(p));
    v128.store(out + o, s);
  }
  if (o < row) {
    let s: f64 = accumulate ? load<f64>(out + o) : 0;
    for (let p = g + o, end = p + rows; p < end; p += row) s += load<f64>(p);
    store<f64>(out + o, s);
  }
}

/**
 * The index of the first of the n entries that is NaN or ±Infinity, or −1 when all are finite.
 * v − v is 0 for every finite v and NaN for NaN and ±Infinity; eight entries are tested per
 * step (four f64x2 vectors), and only a step that finds one looks at its entries one by one.
 */
export function firstNonFinite(x: usize, n: i32): i32 {
  const end = <usize>n << 3, octets = end & ~63;
  const zero = f64x2.splat(0);
  let o: usize = 0;
  for (; o < octets; o += 64) {
    const a = v128.load(x + o), b = v128.load(x + o, 16), c = v128.load(x + o, 32), d = v128.load(x + o, 48);
    const bad = v128.or(
      v128.or(f64x2.ne(f64x2.sub(a, a), zero), f64x2.ne(f64x2.sub(b, b), zero)),
      v128.or(f64x2.ne(f64x2.sub(c, c), zero), f64x2.ne(f64x2.sub(d, d), zero)),
    );
    if (v128.any_true(bad)) break;
  }
  for (; o < end; o += 8) {
    const v = load<f64>(x + o);
    if (v - v != 0) return <i32>(o >> 3);
  }
  return -1;
}
