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
 * v − v is 0 for every finite v and NaN for NaN and ±Infinity, and a sum with a NaN in it is NaN:
 * the entries are taken 64 at a time, their v − v summed in four vectors with no test in between,
 * and only a block whose sum is not 0 is looked at entry by entry (from its start: the blocks
 * before it are all finite). A block costs a load, a subtraction and an addition per two entries.
 * The last 63 entries or fewer are tested 8 at a time, then one at a time.
 */
export function firstNonFinite(x: usize, n: i32): i32 {
  const end = <usize>n << 3, blocks = end & ~511; // 64 entries (512 bytes) a block
  const zero = f64x2.splat(0);
  let o: usize = 0;
  for (; o < blocks; o += 512) {
    let a = zero, b = zero, c = zero, d = zero;
    for (let p = x + o, last = x + o + 512; p < last; p += 64) {
      const u = v128.load(p), v = v128.load(p, 16), w = v128.load(p, 32), z = v128.load(p, 48);
      a = f64x2.add(a, f64x2.sub(u, u)); b = f64x2.add(b, f64x2.sub(v, v));
      c = f64x2.add(c, f64x2.sub(w, w)); d = f64x2.add(d, f64x2.sub(z, z));
    }
    const sum = f64x2.add(f64x2.add(a, b), f64x2.add(c, d));
    if (v128.any_true(f64x2.ne(sum, zero))) break; //        a NaN or ±Infinity in this block
  }
  const octets = end & ~63; //                                  then 8 entries a test, then one
  for (; o < octets; o += 64) {
    const u = v128.load(x + o), v = v128.load(x + o, 16), w = v128.load(x + o, 32), z = v128.load(x + o, 48);
    const sum = f64x2.add(f64x2.add(f64x2.sub(u, u), f64x2.sub(v, v)), f64x2.add(f64x2.sub(w, w), f64x2.sub(z, z)));
    if (v128.any_true(f64x2.ne(sum, zero))) break;
  }
  for (; o < end; o += 8) {
    const v = load<f64>(x + o);
    if (v - v != 0) return <i32>(o >> 3);
  }
  return -1;
}
