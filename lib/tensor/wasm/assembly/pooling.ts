/**
 * Max and average pooling of a batch of images stored NCHW, mirroring the pooling loops of
 * lib/modules/pooling/max-pool2d.ts and avg-pool2d.ts (lib/tensor/backend/reference.ts explains the layout and the window geometry).
 * The batch comes as `planes` = N·C planes of H × W doubles, each pooled on its own; the window
 * geometry as kH × kW, stride sH, sW, padding pH, pW, output OH × OW.
 *
 * Every loop visits the window's entries inside the image in the same order as the TypeScript
 * (row by row, left to right) and does the same operations, so the results are bit-identical:
 * the maximum with the first maximum winning a tie (strictly greater replaces it), the sum of
 * an average window from 0 and then divided by kH·kW, and each gradient share added once.
 *
 * `argmax` is an array of i32 (4 bytes each): for every output, the flat index in the whole
 * input batch of the entry that was its window's maximum.
 */

/**
 * Y = max over each window (padding never wins); argmax[o] = the input index that gave Y[o].
 * Two neighbouring outputs of a row whose windows lie inside the image columns are found at
 * once, one in each lane of a vector (`maxPair`): the same comparisons in the same order.
 */
export function maxPoolForward(
  input: usize, output: usize, argmax: usize,
  planes: i32, H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32, OH: i32, OW: i32,
): void {
  maxPoolForwardPlanes(input, output, argmax, 0, planes, H, W, kH, kW, sH, sW, pH, pW, OH, OW);
}

/**
 * Planes plane0 … plane1−1 of maxPoolForward (input, output and argmax are those of the whole
 * batch): the share of one thread when two split a batch by planes (lib/tensor/wasm/wasm-threads.ts).
 * Each plane is pooled on its own, and argmax keeps indices into the whole batch: the same bits.
 */
export function maxPoolForwardPlanes(
  input: usize, output: usize, argmax: usize, plane0: i32, plane1: i32,
  H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32, OH: i32, OW: i32,
): void {
  // the output columns whose window lies inside the image columns: inLo ≤ ow < inHi
  const inLo = min(OW, (pW + sW - 1) / sW), inHi = max(inLo, min(OW, W + pW - kW < 0 ? 0 : (W + pW - kW) / sW + 1));
  const skipped = <usize>plane0 * <usize>(OH * OW); //                       outputs of the planes before plane0
  let o = output + (skipped << 3), a = argmax + (skipped << 2);
  for (let plane = plane0; plane < plane1; plane++) {
    const first = plane * H * W; //                                      index of X[plane, 0, 0]
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sH - pH, hLo = max(h0, 0), hHi = min(h0 + kH, H); // the window's rows inside the image
      let ow = 0;
      for (; ow < inLo; ow++, o += 8, a += 4) maxOne(input, o, a, first, hLo, hHi, ow * sW - pW, W, kW);
      if (kW == 2 && sW == 2) { //                                       the common 2×2 pooling: loads without inserts
        for (; ow + 2 <= inHi; ow += 2, o += 16, a += 8) maxPairTwoWide(input, o, a, first, hLo, hHi, ow * 2 - pW, W);
      }
      for (; ow + 2 <= inHi; ow += 2, o += 16, a += 8) maxPair(input, o, a, first, hLo, hHi, ow * sW - pW, W, kW, sW);
      for (; ow < OW; ow++, o += 8, a += 4) maxOne(input, o, a, first, hLo, hHi, ow * sW - pW, W, kW);
    }
  }
}

/** One output: the first maximum of the window whose top-left corner is X[hLo, w0] (rows hLo … hHi−1, columns inside). */
@inline function maxOne(input: usize, o: usize, a: usize, first: i32, hLo: i32, hHi: i32, w0: i32, W: i32, kW: i32): void {
  const wLo = max(w0, 0), wHi = min(w0 + kW, W);
  let best = -Infinity;
  let bestIndex = first + hLo * W + wLo;
  for (let h = hLo; h < hHi; h++) {
    for (let k = first + h * W + wLo, end = first + h * W + wHi; k < end; k++) {
      const v = load<f64>(input + (<usize>k << 3));
      const greater = v > best; //                 strictly greater: the first maximum wins a tie
      best = select<f64>(v, best, greater); //      a select, not a branch: the CPU cannot guess
      bestIndex = select<i32>(k, bestIndex, greater); // which entry of a window is its maximum
    }
  }
  store<f64>(o, best);
  store<i32>(a, bestIndex);
}

/**
 * Two neighbouring outputs, whose windows start at columns w0 and w0 + sW (both inside the
 * image): lane 0 and lane 1 of each vector, visiting their windows in the same order as
 * `maxOne` and keeping the first maximum of each with the same strict comparison.
 */
@inline function maxPair(input: usize, o: usize, a: usize, first: i32, hLo: i32, hHi: i32, w0: i32, W: i32, kW: i32, sW: i32): void {
  const step = <usize>sW << 3;
  let best = f64x2.splat(-Infinity);
  let rowIndex = i64x2.replace_lane(i64x2.splat(first + hLo * W + w0), 1, first + hLo * W + w0 + sW); // X[h, w0] and X[h, w0 + sW]
  let bestIndex = rowIndex;
  for (let h = hLo; h < hHi; h++, rowIndex = i64x2.add(rowIndex, i64x2.splat(W))) {
    let index = rowIndex;
    let p = input + (<usize>(first + h * W + w0) << 3);
    for (let j = 0; j < kW; j++, p += 8, index = i64x2.add(index, i64x2.splat(1))) {
      const v = v128.load64_lane(p + step, v128.load64_splat(p), 1);
      const greater = f64x2.gt(v, best); //              strictly greater, lane by lane
      best = v128.bitselect(v, best, greater);
      bestIndex = v128.bitselect(index, bestIndex, greater);
    }
  }
  store<f64>(o, f64x2.extract_lane(best, 0));
  store<f64>(o, f64x2.extract_lane(best, 1), 8);
  store<i32>(a, <i32>i64x2.extract_lane(bestIndex, 0));
  store<i32>(a, <i32>i64x2.extract_lane(bestIndex, 1), 4);
}

/**
 * `maxPair` for windows two columns wide and two apart (kW = sW = 2): the four columns w0 … w0+3
 * of a row come with two vector loads, and two shuffles make the pairs (X[h, w0 + j],
 * X[h, w0 + 2 + j]) that `maxPair` loads one lane at a time: the same comparisons in the same order.
 */
@inline function maxPairTwoWide(input: usize, o: usize, a: usize, first: i32, hLo: i32, hHi: i32, w0: i32, W: i32): void {
  let best = f64x2.splat(-Infinity);
  let rowIndex = i64x2.replace_lane(i64x2.splat(first + hLo * W + w0), 1, first + hLo * W + w0 + 2); // X[h, w0] and X[h, w0 + 2]
  let bestIndex = rowIndex;
  for (let h = hLo; h < hHi; h++, rowIndex = i64x2.add(rowIndex, i64x2.splat(W))) {
    const p = input + (<usize>(first + h * W + w0) << 3);
    const left = v128.load(p), right = v128.load(p, 16); //              X[h, w0 … w0+1], X[h, w0+2 … w0+3]
    let v = v128.shuffle<f64>(left, right, 0, 2); //                    column j = 0 of both windows
    let greater = f64x2.gt(v, best);
    best = v128.bitselect(v, best, greater);
    bestIndex = v128.bitselect(rowIndex, bestIndex, greater);
    v = v128.shuffle<f64>(left, right, 1, 3); //                        column j = 1
    greater = f64x2.gt(v, best);
    best = v128.bitselect(v, best, greater);
    bestIndex = v128.bitselect(i64x2.add(rowIndex, i64x2.splat(1)), bestIndex, greater);
  }
  store<f64>(o, f64x2.extract_lane(best, 0));
  store<f64>(o, f64x2.extract_lane(best, 1), 8);
  store<i32>(a, <i32>i64x2.extract_lane(bestIndex, 0));
  store<i32>(a, <i32>i64x2.extract_lane(bestIndex, 1), 4);
}

/** ∂L/∂X[argmax[o]] += G[o] for the n outputs (∂L/∂X is not cleared first). */
export function maxPoolBackward(gradOut: usize, argmax: usize, gradInput: usize, n: i32): void {
  for (let o = 0; o < n; o++) {
    const at = gradInput + (<usize>load<i32>(argmax + (<usize>o << 2)) << 3);
    store<f64>(at, load<f64>(at) + load<f64>(gradOut + (<usize>o << 3)));
  }
}

/** Y = (sum of each window, padding counted as 0) / (kH·kW). */
export function avgPoolForward(
  input: usize, output: usize,
  planes: i32, H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32, OH: i32, OW: i32,
): void {
  const count = <f64>(kH * kW);
  let o = output;
  for (let plane = 0; plane < planes; plane++) {
    const first = input + ((<usize>plane * H * W) << 3);
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sH - pH, hLo = max(h0, 0), hHi = min(h0 + kH, H);
      for (let ow = 0; ow < OW; ow++, o += 8) {
        const w0 = ow * sW - pW, wLo = max(w0, 0), wHi = min(w0 + kW, W);
        let sum: f64 = 0;
        for (let h = hLo; h < hHi; h++) {
          for (let p = first + ((<usize>(h * W + wLo)) << 3), end = first + ((<usize>(h * W + wHi)) << 3); p < end; p += 8) sum += load<f64>(p);
        }
        store<f64>(o, sum / count);
      }
    }
  }
}

/** ∂L/∂X[window entry] += G[o] / (kH·kW) for every entry of every window inside the image (not cleared first). */
export function avgPoolBackward(
  gradOut: usize, gradInput: usize,
  planes: i32, H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32, OH: i32, OW: i32,
): void {
  const count = <f64>(kH * kW);
  let g = gradOut;
  for (let plane = 0; plane < planes; plane++) {
    const first = gradInput + ((<usize>plane * H * W) << 3);
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sH - pH, hLo = max(h0, 0), hHi = min(h0 + kH, H);
      for (let ow = 0; ow < OW; ow++, g += 8) {
        const w0 = ow * sW - pW, wLo = max(w0, 0), wHi = min(w0 + kW, W);
        const share = load<f64>(g) / count;
        for (let h = hLo; h < hHi; h++) {
          for (let p = first + ((<usize>(h * W + wLo)) << 3), end = first + ((<usize>(h * W + wHi)) << 3); p < end; p += 8) {
            store<f64>(p, load<f64>(p) + share);
          }
        }
      }
    }
  }
}
