/**
 * Direct convolution of a batch of images stored NCHW, mirroring conv2dForward and
 * conv2dWeightGrad of lib/tensor/backend/reference.ts (read their doc comments for the formulas):
 *
 *   forward        Y[n, f, oh, ow]  = Σ_c Σ_i Σ_j W[f, c, i, j] · X[n, c, oh·sH − pH + i, ow·sW − pW + j]
 *   weight grad    ∂L/∂W[f, c, i, j] += Σ_oh Σ_ow G[n, f, oh, ow] · X[n, c, oh·sH − pH + i, ow·sW − pW + j]
 *
 * No im2col matrix is made: each term is read where it lives in X. The geometry comes as eleven
 * sizes, in the order of the fields of `WindowGeometry` (C, H, W, kH, kW, sH, sW, pH, pW, OH, OW).
 *
 * ## Same bits as the TypeScript
 *
 * Every output entry is one lane of one accumulator (or one scalar), summed from 0 in the order
 * of the TypeScript loops — the order of im2col's product — with a separate multiply and add,
 * skipping the same terms (those in the padding):
 *
 *   forward       the terms k = (c·kH + i)·kW + j in increasing order
 *   weight grad   for each sample n: the positions (oh, ow) in increasing order, then the
 *                 sample's sum added to ∂L/∂W
 *
 * ## Tiles
 *
 * The two lanes of a vector are two neighbouring filters f, f+1. A tile is 4 filters (two
 * vectors) × 4 sums of another kind, in 8 vector accumulators, as the 4×4 tiles of the products
 * (matmul.ts); each step loads two vectors of four filters' values and four values of X, each
 * broadcast to both lanes. So that the four filters' values are neighbours in memory, each call
 * first copies the weights (forward) or each sample's G (weight gradient) into `scratch` with the
 * filters as the last axis (filters past F repeat the last one, computed and not stored):
 *
 *   forward       Wᵀ [K, F4] in scratch; tile: filters f … f+3 × output positions ow … ow+3 of
 *                 one row, over the terms k (each step: Wᵀ[k, f … f+3] and X at four positions)
 *   weight grad   Gₙᵀ [P, F4] in scratch; tile: filters f … f+3 × window entries k … k+3, over
 *                 the positions p (each step: Gₙᵀ[p, f … f+3] and X for four window entries)
 *
 * with F4 = F rounded up to a multiple of 4; when only one or two filters are left, the tile has
 * one vector of filters instead of two. Two kinds of tiles turn the lanes around, so that nothing
 * is broadcast: the stride-1 forward pass holds two neighbouring positions in a vector
 * (`forwardTileByPositions`), and the weight gradient without padding two samples
 * (`weightGradTwoSamples`). Near a padded border some terms lie in the padding
 * and are skipped: the forward pass computes those output positions one at a time (4 filters ×
 * 1 position, over the window's rows and columns inside the image), as it does the positions
 * left over from the tiles of four; the weight gradient lets each of the four window entries add
 * its term only where it lies inside the image.
 */

/** The first output position o ≥ 0 with o·stride − pad + offset ≥ 0 (inside the image): ⌈(pad − offset)/stride⌉, or 0. */
@inline function firstInside(pad: i32, offset: i32, stride: i32): i32 {
  const before = pad - offset; //                          padding rows (or columns) to skip
  return before <= 0 ? 0 : stride == 1 ? before : (before + stride - 1) / stride;
}

/** One past the last output position o < out with o·stride − pad + offset ≤ size − 1; at least `start`. */
@inline function endInside(size: i32, pad: i32, offset: i32, stride: i32, out: i32, start: i32): i32 {
  const room = size - 1 + pad - offset; //                how far o·stride may go
  if (room < 0) return start;
  return max(start, min(out, (stride == 1 ? room : room / stride) + 1));
}

/** True when 0 ≤ o·stride − pad + offset < size: window row (or column) `offset` at output row (or column) o lies inside the image. */
@inline function inside(o: i32, stride: i32, pad: i32, offset: i32, size: i32): bool {
  const at = o * stride - pad + offset;
  return at >= 0 && at < size;
}

/** a + b·c for vectors (a multiply, then an add: two roundings, as in JavaScript). */
@inline function madd(a: v128, b: v128, c: v128): v128 {
  return f64x2.add(a, f64x2.mul(b, c));
}

/**
 * Copies the matrix A [F, M] (rows are filters) into T [M, F4] (T[m, f] = A[min(f, F − 1), m]):
 * the filters' values become neighbours, four filters a vector pair. Exported for the split
 * forward pass: the calling thread copies the weights once, then both threads read the copy.
 */
export function filtersLast(a: usize, t: usize, F: i32, M: i32, F4: i32): void {
  const rowBytes = <usize>M << 3, tRow = <usize>F4 << 3;
  for (let f = 0; f < F4; f += 2) { //                         two filters at a time: 2 × 2 blocks, one shuffle per row of T
    const a0 = a + <usize>min(f, F - 1) * rowBytes, a1 = a + <usize>min(f + 1, F - 1) * rowBytes;
    let dst = t + (<usize>f << 3), m = 0;
    for (; m + 2 <= M; m += 2, dst += 2 * tRow) {
      const r0 = v128.load(a0 + (<usize>m << 3)), r1 = v128.load(a1 + (<usize>m << 3)); // A[f, m … m+1], A[f+1, m … m+1]
      v128.store(dst, v128.shuffle<f64>(r0, r1, 0, 2)); //                                T[m, f … f+1]
      v128.store(dst + tRow, v128.shuffle<f64>(r0, r1, 1, 3)); //                         T[m+1, f … f+1]
    }
    if (m < M) { store<f64>(dst, load<f64>(a0 + (<usize>m << 3))); store<f64>(dst, load<f64>(a1 + (<usize>m << 3)), 8); }
  }
}

/**
 * Y[n, f, oh, ow] = Σ_c Σ_i Σ_j W[f, c, i, j] · X[n, c, oh·sH − pH + i, ow·sW − pW + j]
 * for X [N, C, H, W] at `x`, W [F, C, kH, kW] at `w`, Y [N, F, OH, OW] at `y` (overwritten);
 * `scratch` has room for Wᵀ [K, F4] and, for sW = 1, its paired copy [K, F4, 2] (K = C·kH·kW, F4 =
 * F rounded up to a multiple of 4): `convForwardScratchDoubles` of wasm-kernels.ts.
 */
export function conv2dForward(
  x: usize, w: usize, y: usize, scratch: usize, N: i32, F: i32,
  C: i32, H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32, OH: i32, OW: i32,
): void {
  const K = C * kH * kW, F4 = (F + 3) & ~3;
  filtersLast(w, scratch, F, K, F4); //                                      Wᵀ [K, F4]
  if (sW == 1) filtersLastPaired(w, scratch + (<usize>(K * F4) << 3), F, K, F4); // each value of Wᵀ twice, after it
  conv2dForwardSamples(x, scratch, y, 0, N, F, C, H, W, kH, kW, sH, sW, pH, pW, OH, OW);
}

/**
 * Copies A [F, M] into T [M, F4, 2] with every value twice: T[m, f] = (A[f', m], A[f', m]),
 * f' = min(f, F − 1). A vector load of T[m, f] is then A[f', m] in both lanes, ready to multiply
 * two neighbouring output positions (see `forwardTileByPositions`) without a broadcast.
 * Exported for the split forward pass, as `filtersLast`.
 */
export function filtersLastPaired(a: usize, t: usize, F: i32, M: i32, F4: i32): void {
  const rowBytes = <usize>M << 3, tRow = <usize>F4 << 4;
  for (let f = 0; f < F4; f++) {
    const af = a + <usize>min(f, F - 1) * rowBytes;
    let dst = t + (<usize>f << 4);
    for (let m = 0; m < M; m++, dst += tRow) v128.store(dst, v128.load64_splat(af + (<usize>m << 3)));
  }
}

/**
 * Samples n0 … n1−1 of conv2dForward, with the weights already copied filters-last into `wt`
 * (Wᵀ [K, F4], by `filtersLast(w, wt, F, K, F4)`, and for sW = 1 followed by the same values
 * twice each, by `filtersLastPaired(w, wt + K·F4·8, F, K, F4)`): the share of one thread when two
 * split a batch by samples (lib/tensor/wasm/wasm-threads.ts). Every output entry is computed as by
 * conv2dForward: the same bits.
 */
export function conv2dForwardSamples(
  x: usize, wt: usize, y: usize, n0: i32, n1: i32, F: i32,
  C: i32, H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32, OH: i32, OW: i32,
): void {
  const F4 = (F + 3) & ~3;
  const imageBytes = <usize>(C * H * W) << 3, outputBytes = <usize>(F * OH * OW) << 3;
  // the output columns whose whole window lies inside the image columns
  const inLo = min(OW, firstInside(pW, 0, sW)), inHi = endInside(W, pW, kW - 1, sW, OW, inLo);
  for (let n = n0; n < n1; n++) {
    const xn = x + <usize>n * imageBytes, yn = y + <usize>n * outputBytes;
    for (let f = 0; f < F; f += 4) {
      for (let oh = 0; oh < OH; oh++) {
        if (F - f > 2) forwardRow(xn, wt, yn, f, F, F4, true, oh, inLo, inHi, C, H, W, kH, kW, sH, sW, pH, pW, OH, OW);
        else forwardRow(xn, wt, yn, f, F, F4, false, oh, inLo, inHi, C, H, W, kH, kW, sH, sW, pH, pW, OH, OW); // one vector
      }
    }
  }
}

/**
 * Filters f … f+3 (or f, f+1 when `four` is false) along output row oh: the positions whose
 * window lies inside the image columns (inLo … inHi−1) four at a time, the others one at a time.
 */
@inline function forwardRow(
  xn: usize, wt: usize, yn: usize, f: i32, F: i32, F4: i32, four: bool, oh: i32, inLo: i32, inHi: i32,
  C: i32, H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32, OH: i32, OW: i32,
): void {
  const h0 = oh * sH - pH, iLo = max(0, -h0), iHi = min(kH, H - h0); //     the window's rows inside the image
  const yRow = yn + (<usize>((f * OH + oh) * OW) << 3);
  const wAt = wt + (<usize>(iLo * kW * F4 + f) << 3); //                     Wᵀ[(0·kH + iLo)·kW, f]
  let ow = 0;
  for (; ow < inLo; ow++) forwardPosition(xn, wt, yn, f, F, F4, four, oh, ow, iLo, iHi, C, H, W, kH, kW, sH, sW, pH, pW, OH, OW);
  if (sW == 1) { //                                                           neighbouring positions are neighbours in X
    const pairedAt = wt + (<usize>(C * kH * kW * F4) << 3) + (<usize>(iLo * kW * F4 + f) << 4); // the paired Wᵀ[(0·kH + iLo)·kW, f]
    for (; ow + 4 <= inHi; ow += 4) {
      const xAt = xn + (<usize>((h0 + iLo) * W + ow - pW) << 3); //          X[n, 0, h0 + iLo, ow − pW]
      forwardTileByPositions(xAt, pairedAt, yRow + (<usize>ow << 3), f, F, F4, iHi - iLo, C, H, W, kH, kW, OH, OW);
    }
  }
  for (; ow + 4 <= inHi; ow += 4) {
    const xAt = xn + (<usize>((h0 + iLo) * W + ow * sW - pW) << 3); //      X[n, 0, h0 + iLo, ow·sW − pW]
    forwardTile(xAt, wAt, yRow + (<usize>ow << 3), f, F, F4, four, iHi - iLo, C, H, W, kH, kW, sW, OH, OW);
  }
  for (; ow < OW; ow++) forwardPosition(xn, wt, yn, f, F, F4, four, oh, ow, iLo, iHi, C, H, W, kH, kW, sH, sW, pH, pW, OH, OW);
}

/**
 * Filters f … f+3 at the four output positions (oh, ow … ow+3), whose windows lie inside the
 * image columns and whose window rows iLo … iLo + rows − 1 lie inside the image rows. `xAt` is
 * the address of X[n, 0, oh·sH − pH + iLo, ow·sW − pW], `wAt` that of Wᵀ[(0·kH + iLo)·kW, f].
 */
@inline function forwardTile(
  xAt: usize, wAt: usize, yAt: usize, f: i32, F: i32, F4: i32, four: bool, rows: i32,
  C: i32, H: i32, W: i32, kH: i32, kW: i32, sW: i32, OH: i32, OW: i32,
): void {
  const planeBytes = <usize>(H * W) << 3, rowBytes = <usize>W << 3, kBytes = <usize>F4 << 3;
  const channelBytes = <usize>(kH * kW) * kBytes, step = <usize>sW << 3;
  // s_q: filters f, f+1 at position q;  t_q: filters f+2, f+3
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
  let t0 = f64x2.splat(0), t1 = f64x2.splat(0), t2 = f64x2.splat(0), t3 = f64x2.splat(0);
  for (let c = 0; c < C; c++) {
    let px = xAt + <usize>c * planeBytes, pw = wAt + <usize>c * channelBytes;
    for (let r = 0; r < rows; r++, px += rowBytes) {
      let p = px;
      for (let j = 0; j < kW; j++, p += 8, pw += kBytes) {
        const wa = v128.load(pw), wb = four ? v128.load(pw, 16) : wa; //                 Wᵀ[k, f … f+3]
        let v = v128.load64_splat(p); //                                       X at position 0, broadcast
        s0 = madd(s0, wa, v); if (four) t0 = madd(t0, wb, v);
        v = v128.load64_splat(p + step);
        s1 = madd(s1, wa, v); if (four) t1 = madd(t1, wb, v);
        v = v128.load64_splat(p + 2 * step);
        s2 = madd(s2, wa, v); if (four) t2 = madd(t2, wb, v);
        v = v128.load64_splat(p + 3 * step);
        s3 = madd(s3, wa, v); if (four) t3 = madd(t3, wb, v);
      }
    }
  }
  const planeOut = <usize>(OH * OW) << 3;
  storeFilters(yAt, planeOut, s0, t0, f, F);
  storeFilters(yAt + 8, planeOut, s1, t1, f, F);
  storeFilters(yAt + 16, planeOut, s2, t2, f, F);
  storeFilters(yAt + 24, planeOut, s3, t3, f, F);
}

/**
 * Filters f … f+3 at the four output positions (oh, ow … ow+3) of a stride-1 convolution, as
 * `forwardTile`, with the lanes the other way round: a vector holds two neighbouring positions of
 * one filter, so X is read with plain vector loads (X[·, w], X[·, w+1] are neighbours) and each
 * weight comes from the paired copy, already in both lanes — no broadcast in the loop, 7–15 %
 * faster than `forwardTile` on the MNIST CNN. `pw` is the address of the paired Wᵀ[(0·kH + iLo)·kW, f]
 * (F4·2 doubles a row); filters past F repeat the last one and are computed, not stored. Each
 * output entry is one lane summed over the same terms in the same order: the same bits.
 */
@inline function forwardTileByPositions(
  xAt: usize, pw: usize, yAt: usize, f: i32, F: i32, F4: i32, rows: i32,
  C: i32, H: i32, W: i32, kH: i32, kW: i32, OH: i32, OW: i32,
): void {
  const planeBytes = <usize>(H * W) << 3, rowBytes = <usize>W << 3, kBytes = <usize>F4 << 4;
  const channelBytes = <usize>(kH * kW) * kBytes;
  // a_q: filter f+q at positions ow, ow+1;  b_q: the same filter at ow+2, ow+3
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
  let b0 = f64x2.splat(0), b1 = f64x2.splat(0), b2 = f64x2.splat(0), b3 = f64x2.splat(0);
  for (let c = 0; c < C; c++) {
    let px = xAt + <usize>c * planeBytes, pk = pw + <usize>c * channelBytes;
    for (let r = 0; r < rows; r++, px += rowBytes) {
      let p = px;
      for (let j = 0; j < kW; j++, p += 8, pk += kBytes) {
        const x01 = v128.load(p), x23 = v128.load(p, 16); //                  X at positions 0, 1 and 2, 3
        let w = v128.load(pk); //                                             W[f, k] in both lanes
        a0 = madd(a0, w, x01); b0 = madd(b0, w, x23);
        w = v128.load(pk, 16);
        a1 = madd(a1, w, x01); b1 = madd(b1, w, x23);
        w = v128.load(pk, 32);
        a2 = madd(a2, w, x01); b2 = madd(b2, w, x23);
        w = v128.load(pk, 48);
        a3 = madd(a3, w, x01); b3 = madd(b3, w, x23);
      }
    }
  }
  const planeOut = <usize>(OH * OW) << 3; //                                  Y[n, f + q, oh, ow … ow+3]: one plane further per filter
  v128.store(yAt, a0); v128.store(yAt, b0, 16);
  if (f + 1 < F) { v128.store(yAt + planeOut, a1); v128.store(yAt + planeOut, b1, 16); }
  if (f + 2 < F) { v128.store(yAt + 2 * planeOut, a2); v128.store(yAt + 2 * planeOut, b2, 16); }
  if (f + 3 < F) { v128.store(yAt + 3 * planeOut, a3); v128.store(yAt + 3 * planeOut, b3, 16); }
}

/** Stores the four filters' values (s: filters f, f+1; t: f+2, f+3) at `at`, `at + stride`, …, those below F only. */
@inline function storeFilters(at: usize, stride: usize, s: v128, t: v128, f: i32, F: i32): void {
  store<f64>(at, f64x2.extract_lane(s, 0));
  if (f + 1 < F) store<f64>(at + stride, f64x2.extract_lane(s, 1));
  if (f + 2 < F) store<f64>(at + 2 * stride, f64x2.extract_lane(t, 0));
  if (f + 3 < F) store<f64>(at + 3 * stride, f64x2.extract_lane(t, 1));
}

/**
 * Filters f … f+3 at the one output position (oh, ow), over the window's rows and columns that
 * lie inside the image (the terms in the padding are skipped): for the positions next to a
 * padded border, and those left over from the tiles of four.
 */
@inline function forwardPosition(
  xn: usize, wt: usize, yn: usize, f: i32, F: i32, F4: i32, four: bool, oh: i32, ow: i32, iLo: i32, iHi: i32,
  C: i32, H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32, OH: i32, OW: i32,
): void {
  const h0 = oh * sH - pH, w0 = ow * sW - pW, jLo = max(0, -w0), jHi = min(kW, W - w0); // the window's columns inside the image
  const kBytes = <usize>F4 << 3;
  let s = f64x2.splat(0), t = f64x2.splat(0); //                             filters f, f+1 and f+2, f+3
  for (let c = 0; c < C; c++) {
    for (let i = iLo; i < iHi; i++) {
      const px = xn + (<usize>((c * H + h0 + i) * W + w0) << 3); //          X[n, c, h0 + i, w0]
      let pw = wt + (<usize>(((c * kH + i) * kW + jLo) * F4 + f) << 3); //   Wᵀ[(c·kH + i)·kW + jLo, f]
      for (let j = jLo; j < jHi; j++, pw += kBytes) {
        const v = v128.load64_splat(px + (<usize>j << 3));
        s = madd(s, v128.load(pw), v); if (four) t = madd(t, v128.load(pw, 16), v);
      }
    }
  }
  storeFilters(yn + (<usize>((f * OH + oh) * OW + ow) << 3), <usize>(OH * OW) << 3, s, t, f, F);
}

/**
 * ∂L/∂W[f, c, i, j] += Σ_oh Σ_ow G[n, f, oh, ow] · X[n, c, oh·sH − pH + i, ow·sW − pW + j] for each
 * sample n in turn, for X [N, C, H, W] at `x`, G [N, F, OH, OW] at `g`, ∂L/∂W [F, C, kH, kW] at `dw`;
 * `scratch` has room for Gₙᵀ [P, F4] (P = OH·OW, F4 = F rounded up to a multiple of 4) and, without
 * padding, for two samples' pairs (C·H·W·2 + 8 + P·F4·2 doubles): `convWeightGradScratchDoubles` of wasm-kernels.ts.
 */
export function conv2dWeightGrad(
  x: usize, g: usize, dw: usize, scratch: usize, N: i32, F: i32,
  C: i32, H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32, OH: i32, OW: i32,
): void {
  conv2dWeightGradFilters(x, g, dw, scratch, N, F, 0, F, C, H, W, kH, kW, sH, sW, pH, pW, OH, OW);
}

/**
 * Filters f0 … f1−1 of conv2dWeightGrad, that is rows f0 … f1−1 of ∂L/∂W [F, K]: the share of one
 * thread when two split the weight gradient by filters (lib/tensor/wasm/wasm-threads.ts);
 * `scratch` has room as for conv2dWeightGrad with F4' = f1 − f0 rounded up to a multiple of 4. Each
 * thread copies only its own filters of each Gₙ, and every entry of ∂L/∂W is computed as by
 * conv2dWeightGrad (the samples one after the other): the same bits.
 */
export function conv2dWeightGradFilters(
  x: usize, g: usize, dw: usize, scratch: usize, N: i32, F: i32, f0: i32, f1: i32,
  C: i32, H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32, OH: i32, OW: i32,
): void {
  const imageBytes = <usize>(C * H * W) << 3, outputBytes = <usize>(F * OH * OW) << 3;
  const K = C * kH * kW;
  // from here on the filters are f0 … f1−1, renumbered from 0: G's rows and ∂L/∂W's rows start at f0
  g += <usize>(f0 * OH * OW) << 3;
  dw += <usize>(f0 * K) << 3;
  F = f1 - f0;
  const F4 = (F + 3) & ~3;
  let n = 0;
  if (pH == 0 && pW == 0) { //                                          two samples at a time, one in each lane
    for (; n + 2 <= N; n += 2) {
      weightGradTwoSamples(x + <usize>n * imageBytes, g + <usize>n * outputBytes, outputBytes, dw, scratch, F, F4, C, H, W, kH, kW, sH, sW, OH, OW);
    }
  }
  for (; n < N; n++) {
    const xn = x + <usize>n * imageBytes;
    filtersLast(g + <usize>n * outputBytes, scratch, F, OH * OW, F4); //  Gₙᵀ [P, F4] of filters f0 … f1−1
    for (let f = 0; f < F; f += 4) {
      // entry k = (c·kH + i)·kW + j of the window, advanced four at a time without dividing
      let c = 0, i = 0, j = 0;
      for (let k = 0; k < K; k += 4) {
        if (F - f > 2) gradTile(xn, scratch, dw, f, F, F4, true, k, K, c, i, j, H, W, kH, kW, sH, sW, pH, pW, OH, OW);
        else gradTile(xn, scratch, dw, f, F, F4, false, k, K, c, i, j, H, W, kH, kW, sH, sW, pH, pW, OH, OW); // one vector
        j += 4;
        while (j >= kW) {
          j -= kW;
          if (++i == kH) { i = 0; c++; }
        }
      }
    }
  }
}

/**
 * Samples n and n+1 of the weight gradient without padding, one in each lane: `xn` is X[n] (X[n+1]
 * follows it), `gn` is G[n] of the first filter, and G[n+1] lies `sampleBytes` further (all F
 * filters of the layer: a thread's share of the filters is F of them). Each accumulator
 * holds the sums of samples n and n+1 for one filter and one window entry, each lane summed over
 * the positions in order from 0 as for one sample; at the end sample n's sum is added to ∂L/∂W,
 * then sample n+1's: the same bits as one sample at a time. No value is broadcast: both
 * operands come as pairs, from two copies in `scratch` (C·H·W·2 + 8 + P·F4·2 doubles):
 *
 *   X pairs    Xp[idx] = (X[n, idx], X[n+1, idx]) for the C·H·W entries idx of an image
 *   G pairs    Gp[q, p, l] = (G[n, 4q+l, p], G[n+1, 4q+l, p]): filters in groups of four, each
 *              group's positions together (filters past F repeat the last one)
 *
 * A tile is 4 filters (or 2) × 2 window entries in 8 (or 4) accumulators; each step loads the
 * four filters' G pairs and the two entries' X pairs: six plain vector loads for eight vector
 * multiply-adds, as in the forward pass. When the two entries are neighbours in a window row
 * (`beside`), all six are at immediate offsets from one pointer into the X pairs and one into
 * the G pairs, so that the loop computes no address.
 */
@inline function weightGradTwoSamples(
  xn: usize, gn: usize, sampleBytes: usize, dw: usize, scratch: usize, F: i32, F4: i32,
  C: i32, H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, OH: i32, OW: i32,
): void {
  const imageSize = C * H * W, P = OH * OW, K = C * kH * kW;
  const xp = scratch, gp = pairsOfGAt(scratch, imageSize);
  interleave(xn, xn + (<usize>imageSize << 3), xp, imageSize, 16); //      X pairs
  const planeBytes = <usize>P << 3; //                                     G[n] of one filter
  for (let f = 0; f < F4; f++) { //                                        G pairs, filter by filter: 4 pairs apart
    const from = gn + <usize>min(f, F - 1) * planeBytes;
    interleave(from, from + sampleBytes, gp + (<usize>((f >> 2) * P * 4 + (f & 3)) << 4), P, 64);
  }
  for (let f = 0; f < F; f += 4) {
    const group = gp + (<usize>(f >> 2) * <usize>P << 6); //                Gp[f/4, 0, 0]
    // entries k and k+1 = (c, i, j) and the next, advanced two at a time without dividing
    let c = 0, i = 0, j = 0;
    for (let k = 0; k < K; k += 2) {
      // `beside`: entry k+1 is the next column of entry k's window row, so its X pair is the next one
      const beside = j + 1 < kW && k + 1 < K;
      if (F - f > 2) {
        if (beside) pairTile(xp, group, dw, f, F, true, true, k, K, c, i, j, H, W, kH, kW, sH, sW, OH, OW);
        else pairTile(xp, group, dw, f, F, true, false, k, K, c, i, j, H, W, kH, kW, sH, sW, OH, OW);
      } else if (beside) pairTile(xp, group, dw, f, F, false, true, k, K, c, i, j, H, W, kH, kW, sH, sW, OH, OW);
      else pairTile(xp, group, dw, f, F, false, false, k, K, c, i, j, H, W, kH, kW, sH, sW, OH, OW);
      j += 2;
      while (j >= kW) {
        j -= kW;
        if (++i == kH) { i = 0; c++; }
      }
    }
  }
}

/**
 * Where the G pairs start in the scratch of weightGradTwoSamples: after the X pairs (C·H·W·2
 * doubles), on the next 64-byte line, so that a position's four pairs share one line.
 */
@inline function pairsOfGAt(scratch: usize, imageSize: i32): usize {
  return (scratch + (<usize>imageSize << 4) + 63) & ~(<usize>63);
}

/** The pair (a[idx], b[idx]) at dst + idx·pairStep for idx < n: two arrays of n doubles into n pairs. */
@inline function interleave(a: usize, b: usize, dst: usize, n: i32, pairStep: usize): void {
  let idx = 0;
  for (; idx + 2 <= n; idx += 2, a += 16, b += 16, dst += 2 * pairStep) {
    const va = v128.load(a), vb = v128.load(b);
    v128.store(dst, v128.shuffle<f64>(va, vb, 0, 2));
    v128.store(dst + pairStep, v128.shuffle<f64>(va, vb, 1, 3));
  }
  if (idx < n) v128.store(dst, v128.load64_lane(b, v128.load64_zero(a), 1));
}

/**
 * Window entries k, k+1 (the first being (c, i, j); past K the last entry repeats, computed and
 * not stored) for filters f … f+3 (or f, f+1), over all positions, for two samples at once (see
 * weightGradTwoSamples): a_l holds filter f+l at entry k, b_l at entry k+1, sample n in lane 0.
 * With `beside` (entry k+1 in the next column of the same window row) the two X pairs are
 * neighbours, read at one address and 16 bytes on.
 */
@inline function pairTile(
  xp: usize, group: usize, dw: usize, f: i32, F: i32, four: bool, beside: bool, k: i32, K: i32, c: i32, i: i32, j: i32,
  H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, OH: i32, OW: i32,
): void {
  const oa = <usize>((c * H + i) * W + j) << 4; //                          X pair of entry k at position (0, 0)
  if (k + 1 < K && ++j == kW) { j = 0; if (++i == kH) { i = 0; c++; } }
  const apart = (<usize>((c * H + i) * W + j) << 4) - oa; //                  from entry k's X pair to entry k+1's (16 when beside)
  const step = <usize>sW << 4, rowStep = <usize>(sH * W) << 4;
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
  let b0 = f64x2.splat(0), b1 = f64x2.splat(0), b2 = f64x2.splat(0), b3 = f64x2.splat(0);
  let xr = xp + oa, pg = group;
  for (let oh = 0; oh < OH; oh++, xr += rowStep) {
    let px = xr;
    for (let ow = 0; ow < OW; ow++, px += step, pg += 64) {
      const xa = v128.load(px), xb = beside ? v128.load(px, 16) : v128.load(px + apart); // X pairs of the two entries
      let gv = v128.load(pg); //                                            G pair of filter f
      a0 = madd(a0, gv, xa); b0 = madd(b0, gv, xb);
      gv = v128.load(pg, 16);
      a1 = madd(a1, gv, xa); b1 = madd(b1, gv, xb);
      if (four) {
        gv = v128.load(pg, 32);
        a2 = madd(a2, gv, xa); b2 = madd(b2, gv, xb);
        gv = v128.load(pg, 48);
        a3 = madd(a3, gv, xa); b3 = madd(b3, gv, xb);
      }
    }
  }
  // ∂L/∂W[f + l, k + q] += sample n's sum, then sample n+1's, for the filters below F and the entries below K
  const K8 = <usize>K << 3;
  const at = dw + <usize>f * K8 + (<usize>k << 3);
  addSamples(at, a0); if (k + 1 < K) addSamples(at + 8, b0);
  if (f + 1 < F) { addSamples(at + K8, a1); if (k + 1 < K) addSamples(at + K8 + 8, b1); }
  if (four && f + 2 < F) { addSamples(at + 2 * K8, a2); if (k + 1 < K) addSamples(at + 2 * K8 + 8, b2); }
  if (four && f + 3 < F) { addSamples(at + 3 * K8, a3); if (k + 1 < K) addSamples(at + 3 * K8 + 8, b3); }
}

/** The value at `at` += lane 0 (sample n), then += lane 1 (sample n+1). */
@inline function addSamples(at: usize, sums: v128): void {
  store<f64>(at, (load<f64>(at) + f64x2.extract_lane(sums, 0)) + f64x2.extract_lane(sums, 1));
}

/**
 * The sums of window entries k … k+3 (the first being (c, i, j); past K the last entry repeats,
 * computed and not stored) for filters f … f+3, over one sample's positions, added to ∂L/∂W.
 * `gt` holds Gₙᵀ [P, F4]. Accumulator s_q holds filters f, f+1 of entry k+q, t_q filters f+2, f+3.
 *
 * Without padding every term lies inside the image. With padding, each row of positions is
 * three runs of columns: where all four entries lie inside the image, one step adds the four
 * terms; before and after that run, and in rows where one of the entries lies in the padding,
 * each entry adds its term only where it lies inside — every sum receives exactly the
 * TypeScript's terms, in its order.
 */
@inline function gradTile(
  xn: usize, gt: usize, dw: usize, f: i32, F: i32, F4: i32, four: bool, k: i32, K: i32, c: i32, i: i32, j: i32,
  H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32, OH: i32, OW: i32,
): void {
  // the four entries' rows and columns in the window, and where their terms lie relative to X[n, 0, oh·sH, ow·sW]
  const i0 = i, j0 = j;
  const o0 = <usize>((c * H + i - pH) * W + j - pW) << 3;
  if (k + 1 < K && ++j == kW) { j = 0; if (++i == kH) { i = 0; c++; } }
  const i1 = i, j1 = j, o1 = <usize>((c * H + i - pH) * W + j - pW) << 3;
  if (k + 2 < K && ++j == kW) { j = 0; if (++i == kH) { i = 0; c++; } }
  const i2 = i, j2 = j, o2 = <usize>((c * H + i - pH) * W + j - pW) << 3;
  if (k + 3 < K && ++j == kW) { j = 0; if (++i == kH) { i = 0; c++; } }
  const i3 = i, j3 = j, o3 = <usize>((c * H + i - pH) * W + j - pW) << 3;
  const step = <usize>sW << 3, rowStep = <usize>(sH * W) << 3, pStep = <usize>F4 << 3;
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
  let t0 = f64x2.splat(0), t1 = f64x2.splat(0), t2 = f64x2.splat(0), t3 = f64x2.splat(0);
  let xr = xn, pg = gt + (<usize>f << 3); //                              X[n, 0, oh·sH, 0], Gₙᵀ[oh·OW, f]
  if (pH == 0 && pW == 0) {
    for (let oh = 0; oh < OH; oh++, xr += rowStep) {
      let px = xr;
      for (let ow = 0; ow < OW; ow++, px += step, pg += pStep) {
        const ga = v128.load(pg), gb = four ? v128.load(pg, 16) : ga; //                Gₙᵀ[p, f … f+3]
        let v = v128.load64_splat(px + o0); //                                the term of entry k, broadcast
        s0 = madd(s0, ga, v); if (four) t0 = madd(t0, gb, v);
        v = v128.load64_splat(px + o1);
        s1 = madd(s1, ga, v); if (four) t1 = madd(t1, gb, v);
        v = v128.load64_splat(px + o2);
        s2 = madd(s2, ga, v); if (four) t2 = madd(t2, gb, v);
        v = v128.load64_splat(px + o3);
        s3 = madd(s3, ga, v); if (four) t3 = madd(t3, gb, v);
      }
    }
  } else {
    // the output columns where all four entries lie inside the image columns
    const lo0 = firstInside(pW, j0, sW), lo1 = firstInside(pW, j1, sW), lo2 = firstInside(pW, j2, sW), lo3 = firstInside(pW, j3, sW);
    const lo = min(OW, max(max(lo0, lo1), max(lo2, lo3)));
    const hi = max(lo, min(min(endInside(W, pW, j0, sW, OW, lo0), endInside(W, pW, j1, sW, OW, lo1)),
      min(endInside(W, pW, j2, sW, OW, lo2), endInside(W, pW, j3, sW, OW, lo3))));
    for (let oh = 0; oh < OH; oh++, xr += rowStep) {
      const in0 = inside(oh, sH, pH, i0, H), in1 = inside(oh, sH, pH, i1, H);
      const in2 = inside(oh, sH, pH, i2, H), in3 = inside(oh, sH, pH, i3, H);
      const allRows = in0 && in1 && in2 && in3;
      const runLo = allRows ? lo : OW, runHi = allRows ? hi : OW;
      let ow = 0, px = xr;
      for (; ow < runLo; ow++, px += step, pg += pStep) { //              before the run: entry by entry
        const ga = v128.load(pg), gb = four ? v128.load(pg, 16) : ga;
        if (in0 && inside(ow, sW, pW, j0, W)) { const v = v128.load64_splat(px + o0); s0 = madd(s0, ga, v); if (four) t0 = madd(t0, gb, v); }
        if (in1 && inside(ow, sW, pW, j1, W)) { const v = v128.load64_splat(px + o1); s1 = madd(s1, ga, v); if (four) t1 = madd(t1, gb, v); }
        if (in2 && inside(ow, sW, pW, j2, W)) { const v = v128.load64_splat(px + o2); s2 = madd(s2, ga, v); if (four) t2 = madd(t2, gb, v); }
        if (in3 && inside(ow, sW, pW, j3, W)) { const v = v128.load64_splat(px + o3); s3 = madd(s3, ga, v); if (four) t3 = madd(t3, gb, v); }
      }
      for (; ow < runHi; ow++, px += step, pg += pStep) { //              the run: all four entries inside
        const ga = v128.load(pg), gb = four ? v128.load(pg, 16) : ga;
        let v = v128.load64_splat(px + o0);
        s0 = madd(s0, ga, v); if (four) t0 = madd(t0, gb, v);
        v = v128.load64_splat(px + o1);
        s1 = madd(s1, ga, v); if (four) t1 = madd(t1, gb, v);
        v = v128.load64_splat(px + o2);
        s2 = madd(s2, ga, v); if (four) t2 = madd(t2, gb, v);
        v = v128.load64_splat(px + o3);
        s3 = madd(s3, ga, v); if (four) t3 = madd(t3, gb, v);
      }
      for (; ow < OW; ow++, px += step, pg += pStep) { //                 after the run: entry by entry
        const ga = v128.load(pg), gb = four ? v128.load(pg, 16) : ga;
        if (in0 && inside(ow, sW, pW, j0, W)) { const v = v128.load64_splat(px + o0); s0 = madd(s0, ga, v); if (four) t0 = madd(t0, gb, v); }
        if (in1 && inside(ow, sW, pW, j1, W)) { const v = v128.load64_splat(px + o1); s1 = madd(s1, ga, v); if (four) t1 = madd(t1, gb, v); }
        if (in2 && inside(ow, sW, pW, j2, W)) { const v = v128.load64_splat(px + o2); s2 = madd(s2, ga, v); if (four) t2 = madd(t2, gb, v); }
        if (in3 && inside(ow, sW, pW, j3, W)) { const v = v128.load64_splat(px + o3); s3 = madd(s3, ga, v); if (four) t3 = madd(t3, gb, v); }
      }
    }
  }
  // ∂L/∂W[f + l, k + q] += the lanes, for the filters below F and the entries below K
  const K8 = <usize>K << 3;
  const at = dw + <usize>f * K8 + (<usize>k << 3);
  addFilters(at, K8, s0, t0, f, F);
  if (k + 1 < K) addFilters(at + 8, K8, s1, t1, f, F);
  if (k + 2 < K) addFilters(at + 16, K8, s2, t2, f, F);
  if (k + 3 < K) addFilters(at + 24, K8, s3, t3, f, F);
}

/** Adds the four filters' sums (s: filters f, f+1; t: f+2, f+3) to the values at `at`, `at + stride`, …, those below F only. */
@inline function addFilters(at: usize, stride: usize, s: v128, t: v128, f: i32, F: i32): void {
  store<f64>(at, load<f64>(at) + f64x2.extract_lane(s, 0));
  if (f + 1 < F) store<f64>(at + stride, load<f64>(at + stride) + f64x2.extract_lane(s, 1));
  if (f + 2 < F) store<f64>(at + 2 * stride, load<f64>(at + 2 * stride) + f64x2.extract_lane(t, 0));
  if (f + 3 < F) store<f64>(at + 3 * stride, load<f64>(at + 3 * stride) + f64x2.extract_lane(t, 1));
}
