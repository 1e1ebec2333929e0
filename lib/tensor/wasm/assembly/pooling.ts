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

/** Y = max over each window (padding never wins); argmax[o] = the input index that gave Y[o]. */
export function maxPoolForward(
  input: usize, output: usize, argmax: usize,
  planes: i32, H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32, OH: i32, OW: i32,
): void {
  let o = output, a = argmax;
  for (let plane = 0; plane < planes; plane++) {
    const first = plane * H * W; //                                      index of X[plane, 0, 0]
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sH - pH, hLo = max(h0, 0), hHi = min(h0 + kH, H); // the window's rows inside the image
      for (let ow = 0; ow < OW; ow++, o += 8, a += 4) {
        const w0 = ow * sW - pW, wLo = max(w0, 0), wHi = min(w0 + kW, W);
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
    }
  }
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
