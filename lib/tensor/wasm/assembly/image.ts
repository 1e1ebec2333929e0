/**
 * Kernels for batches of images stored NCHW, mirroring lib/tensor/backend/reference.ts (read its
 * doc comment for the layout and the window geometry): im2col, col2im, and the per-channel
 * bias of a convolution and its gradient. The geometry comes as eleven sizes — channels C,
 * height H, width W, window kH × kW, stride sH, sW, padding pH, pW, output OH × OW — in the
 * order of the fields of `WindowGeometry`.
 *
 * im2col only moves numbers (vector loads and stores, two doubles at a time, for unit stride:
 * its lines are short — 8 doubles in the MNIST CNN's second convolution — and a call to
 * memory.copy or memory.fill costs more than the copy itself there); col2im adds each
 * entry of cols once into the image, in the same order as the TypeScript loops, two at a time
 * with f64x2 for unit stride; sumChannels sums in the same order, one entry at a time. All four
 * are bit-identical to the TypeScript kernels.
 */

/** The first output position o ≥ 0 with o·stride − pad + offset ≥ 0 (inside the image). */
@inline function firstInside(pad: i32, offset: i32, stride: i32): i32 {
  return max(0, <i32>Math.ceil(<f64>(pad - offset) / <f64>stride));
}

/** One past the last output position o < out with o·stride − pad + offset ≤ size − 1; at least `start`. */
@inline function endInside(size: i32, pad: i32, offset: i32, stride: i32, out: i32, start: i32): i32 {
  return max(start, min(out, <i32>Math.floor(<f64>(size - 1 + pad - offset) / <f64>stride) + 1));
}

/** Zeroes `bytes` bytes (a multiple of 8) at p: 16 at a time, then the last 8. */
@inline function zeroBytes(p: usize, bytes: usize): void {
  const end = p + bytes;
  for (; p + 16 <= end; p += 16) v128.store(p, i64x2.splat(0));
  if (p < end) store<f64>(p, 0);
}

/** Copies `bytes` bytes (a multiple of 8) from src to dst (not overlapping): 16 at a time, then the last 8. */
@inline function copyBytes(dst: usize, src: usize, bytes: usize): void {
  const end = dst + bytes;
  for (; dst + 16 <= end; dst += 16, src += 16) v128.store(dst, v128.load(src));
  if (dst < end) store<f64>(dst, load<f64>(src));
}

/**
 * cols[r, q] = X[c, oh·sH − pH + i, ow·sW − pW + j]  (0 in the padding), r = (c·kH + i)·kW + j,
 * q = oh·OW + ow, for the image of C×H×W doubles at `image`; cols is [C·kH·kW, OH·OW].
 */
export function im2col(
  image: usize, cols: usize,
  C: i32, H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32, OH: i32, OW: i32,
): void {
  const rowBytes = <usize>(OH * OW) << 3, lineBytes = <usize>OW << 3;
  let row = cols;
  for (let c = 0; c < C; c++) {
    const plane = image + ((<usize>c * H * W) << 3);
    for (let i = 0; i < kH; i++) {
      const ohLo = firstInside(pH, i, sH), ohHi = endInside(H, pH, i, sH, OH, ohLo);
      for (let j = 0; j < kW; j++, row += rowBytes) {
        const owLo = firstInside(pW, j, sW), owHi = endInside(W, pW, j, sW, OW, owLo);
        zeroBytes(row, <usize>ohLo * lineBytes); //                                 rows of padding above
        for (let oh = ohLo; oh < ohHi; oh++) {
          const q = row + <usize>oh * lineBytes;
          const first = (oh * sH - pH + i) * W - pW + j + owLo * sW; //                X[c, h, w] at ow = owLo
          zeroBytes(q, <usize>owLo << 3); //                                         padding on the left
          if (sW == 1) {
            copyBytes(q + (<usize>owLo << 3), plane + (<usize>first << 3), <usize>(owHi - owLo) << 3);
          } else {
            let src = plane + (<usize>first << 3);
            const step = <usize>sW << 3;
            for (let p = q + (<usize>owLo << 3), end = q + (<usize>owHi << 3); p < end; p += 8, src += step) store<f64>(p, load<f64>(src));
          }
          zeroBytes(q + (<usize>owHi << 3), <usize>(OW - owHi) << 3); //               padding on the right
        }
        zeroBytes(row + <usize>ohHi * lineBytes, rowBytes - <usize>ohHi * lineBytes); //     rows of padding below
      }
    }
  }
}

/**
 * X[c, oh·sH − pH + i, ow·sW − pW + j] += cols[r, q] for every entry inside the image (the
 * adjoint of im2col, accumulating into the image; entries in the padding are dropped).
 *
 * Each image entry receives its terms in the order of the rows r = (c·kH + i)·kW + j, as in the
 * TypeScript loop, so the sums are the same. For unit stride along the width the loop runs over
 * the image instead of over cols: for each window row i and each line h = oh·sH − pH + i of the
 * image it reaches, the entries w of the line add their kW terms, j = 0 … kW−1,
 *
 *   X[c, h, w] += cols[(c·kH + i)·kW + j, oh·OW + ow]      ow = w + pW − j, for 0 ≤ ow < OW,
 *
 * two neighbouring entries per vector (one load and one store of X per line and window row). Looping over cols
 * instead, row after row as the TypeScript does, loads each X pair again soon after storing it,
 * half overlapping that store (j moves it by one entry), which a processor forwards badly: on the
 * MNIST CNN's second convolution that loop took 1.7 times as long (1.90 ms against 1.12 ms a
 * batch of 64). So did a loop over j with the pairs of X kept aligned (each load then finds the
 * previous store whole, but waits for it: 20 µs a sample against 15). Two lines of X done side
 * by side, each pair's kW additions a chain of its own, took 15 µs down to 11 µs a sample.
 */
export function col2im(
  cols: usize, image: usize,
  C: i32, H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32, OH: i32, OW: i32,
): void {
  if (sW == 1) {
    col2imUnitStride(cols, image, C, H, W, kH, kW, sH, pH, pW, OH, OW);
    return;
  }
  const rowBytes = <usize>(OH * OW) << 3, lineBytes = <usize>OW << 3;
  let row = cols;
  for (let c = 0; c < C; c++) {
    const plane = image + ((<usize>c * H * W) << 3);
    for (let i = 0; i < kH; i++) {
      const ohLo = firstInside(pH, i, sH), ohHi = endInside(H, pH, i, sH, OH, ohLo);
      for (let j = 0; j < kW; j++, row += rowBytes) {
        const owLo = firstInside(pW, j, sW), owHi = endInside(W, pW, j, sW, OW, owLo);
        for (let oh = ohLo; oh < ohHi; oh++) {
          const first = (oh * sH - pH + i) * W - pW + j + owLo * sW;
          let q = row + <usize>oh * lineBytes + (<usize>owLo << 3);
          let dst = plane + (<usize>first << 3);
          const step = <usize>sW << 3;
          for (let end = q + (<usize>(owHi - owLo) << 3); q < end; q += 8, dst += step) store<f64>(dst, load<f64>(dst) + load<f64>(q));
        }
      }
    }
  }
}

/**
 * col2im for sW = 1, image line by image line (see col2im). Each pair of entries w, w+1 of a line
 * adds its terms j in ascending order: term j of entry w reads ow = w + pW − j, which must lie in
 * [0, OW). So the pair's j are, in order,
 *
 *   j = w + pW − OW + 1        entry w only (entry w+1 would read ow = OW)        lane 0 alone
 *   j in [jLo, jHi]            both entries                                        both lanes
 *   j = w + pW + 1             entry w+1 only (entry w would read ow = −1)         lane 1 alone
 *
 * each kept when it lies in [0, kW). The lane left alone adds −0, which changes no number
 * (x + (−0) = x, also for x = −0); nothing outside cols is read.
 */
function col2imUnitStride(
  cols: usize, image: usize,
  C: i32, H: i32, W: i32, kH: i32, kW: i32, sH: i32, pH: i32, pW: i32, OH: i32, OW: i32,
): void {
  const P = OH * OW;
  let src0 = cols; //                                                      row (c·kH + i)·kW of cols
  for (let c = 0; c < C; c++) {
    const plane = image + ((<usize>c * H * W) << 3);
    for (let i = 0; i < kH; i++, src0 += <usize>(kW * P) << 3) {
      const ohLo = firstInside(pH, i, sH), ohHi = endInside(H, pH, i, sH, OH, ohLo);
      const lineStep = <usize>(sH * W) << 3, srcStep = <usize>OW << 3; //     from line oh to line oh + 1, in X and in cols
      let oh = ohLo;
      for (; oh + 2 <= ohHi; oh += 2) { //                                two lines at a time: two independent chains of additions
        const line = plane + ((<usize>(oh * sH - pH + i) * W) << 3); //   X[c, h, :], h = oh·sH − pH + i
        addLines(line, src0 + ((<usize>oh * OW) << 3), true, lineStep, srcStep, W, pW, kW, OW, P);
      }
      if (oh < ohHi) addLines(plane + ((<usize>(oh * sH - pH + i) * W) << 3), src0 + ((<usize>oh * OW) << 3), false, lineStep, srcStep, W, pW, kW, OW, P);
    }
  }
}

/**
 * The terms of one line of X (`line`, its cols at `src`: cols[(c·kH + i)·kW + j, oh·OW + ow] at
 * src + (j·P + ow)·8), or with `two` of that line and the next (X `lineStep`, cols `srcStep`
 * further): the pairs of both lines take the same j, so their sums — two chains of additions,
 * each waiting for its previous addition — run side by side.
 */
@inline function addLines(
  line: usize, src: usize, two: bool, lineStep: usize, srcStep: usize, W: i32, pW: i32, kW: i32, OW: i32, P: i32,
): void {
  const jStep = (<usize>P << 3) - 8; //                                  from (j, ow) to (j + 1, ow − 1) in cols
  const negativeZero = f64x2.splat(-0.0);
  const pairs = W & ~1;
  for (let w = 0; w < pairs; w += 2) {
    const dst = line + (<usize>w << 3);
    let s = v128.load(dst), s2 = two ? v128.load(dst + lineStep) : s;
    const jFirst = w + pW - OW + 1, jLo = max(0, jFirst + 1), jHi = min(kW - 1, w + pW);
    if (jFirst >= 0 && jFirst < kW) { //                                 lane 0 alone: ow = OW − 1
      const at = src + ((<usize>(jFirst * P + OW - 1)) << 3);
      s = f64x2.add(s, v128.load64_lane(at, negativeZero, 0));
      if (two) s2 = f64x2.add(s2, v128.load64_lane(at + srcStep, negativeZero, 0));
    }
    let q = src + ((<usize>(jLo * P + w + pW - jLo)) << 3);
    for (let j = jLo; j <= jHi; j++, q += jStep) {
      s = f64x2.add(s, v128.load(q));
      if (two) s2 = f64x2.add(s2, v128.load(q + srcStep));
    }
    const jLast = w + pW + 1;
    if (jLast < kW) { //                                                 lane 1 alone: ow = 0
      const at = src + ((<usize>(jLast * P)) << 3);
      s = f64x2.add(s, v128.load64_lane(at, negativeZero, 1));
      if (two) s2 = f64x2.add(s2, v128.load64_lane(at + srcStep, negativeZero, 1));
    }
    v128.store(dst, s);
    if (two) v128.store(dst + lineStep, s2);
  }
  if (pairs < W) {
    addTerms(line, src, W - 1, pW, kW, OW, P);
    if (two) addTerms(line + lineStep, src + srcStep, W - 1, pW, kW, OW, P);
  }
}

/** X[c, h, w] += cols[(c·kH + i)·kW + j, oh·OW + w + pW − j] for the j whose ow = w + pW − j is in [0, OW), j ascending (the last entry of an odd line). */
@inline function addTerms(line: usize, src: usize, w: i32, pW: i32, kW: i32, OW: i32, P: i32): void {
  const jLo = max(0, w + pW - OW + 1), jHi = min(kW, w + pW + 1);
  if (jLo >= jHi) return;
  const dst = line + (<usize>w << 3);
  let s = load<f64>(dst);
  for (let j = jLo; j < jHi; j++) s += load<f64>(src + ((<usize>(j * P + w + pW - j)) << 3));
  store<f64>(dst, s);
}

/** Y[n, f, :] += b[f] for a batch Y [N, F, P]: one bias per output channel, at every position. */
export function addChannelBias(output: usize, bias: usize, N: i32, F: i32, P: i32): void {
  const planeBytes = <usize>P << 3, pairsBytes = <usize>(P & ~1) << 3;
  let o = output;
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++, o += planeBytes) {
      const b = load<f64>(bias + (<usize>f << 3)), bv = f64x2.splat(b);
      for (let p: usize = 0; p < pairsBytes; p += 16) v128.store(o + p, f64x2.add(v128.load(o + p), bv));
      if (pairsBytes < planeBytes) store<f64>(o + pairsBytes, load<f64>(o + pairsBytes) + b);
    }
  }
}

/**
 * out[f] (+)= Σₙ Σₚ G[n, f, p] for G [N, F, P]: the per-channel bias gradient (each plane summed
 * from 0, then added). Four planes are summed side by side, four independent chains of additions
 * that the processor overlaps (one chain waits for each addition before the next); each plane's
 * sum keeps its order, so the bits are those of one plane at a time.
 */
export function sumChannels(grad: usize, out: usize, N: i32, F: i32, P: i32, accumulate: bool): void {
  if (!accumulate) memory.fill(out, 0, <usize>F << 3);
  const planeBytes = <usize>P << 3;
  let g = grad;
  for (let n = 0; n < N; n++) {
    let f = 0;
    for (; f + 4 <= F; f += 4, g += 4 * planeBytes) {
      let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
      for (let p: usize = 0; p < planeBytes; p += 8) {
        s0 += load<f64>(g + p);
        s1 += load<f64>(g + planeBytes + p);
        s2 += load<f64>(g + 2 * planeBytes + p);
        s3 += load<f64>(g + 3 * planeBytes + p);
      }
      const at = out + (<usize>f << 3);
      store<f64>(at, load<f64>(at) + s0);
      store<f64>(at, load<f64>(at, 8) + s1, 8);
      store<f64>(at, load<f64>(at, 16) + s2, 16);
      store<f64>(at, load<f64>(at, 24) + s3, 24);
    }
    for (; f < F; f++) {
      let s: f64 = 0;
      for (const end = g + planeBytes; g < end; g += 8) s += load<f64>(g);
      const at = out + (<usize>f << 3);
      store<f64>(at, load<f64>(at) + s);
    }
  }
}
