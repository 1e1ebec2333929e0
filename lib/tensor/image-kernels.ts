/**
 * Numeric kernels for batches of images stored NCHW: the loops of convolution and pooling.
 *
 * An image batch X of shape [N, C, H, W] (samples, channels, height, width) is stored
 * row-major, so entry X[n, c, h, w] lives at
 *
 *   ((n·C + c)·H + h)·W + w.
 *
 * A sliding window of kH × kW positions moves over each image with stride (sH, sW) after the
 * image has been padded with pH rows above and below and pW columns left and right. Output
 * position (oh, ow) looks at the input rows and columns
 *
 *   h = oh·sH − pH + i,  i = 0 … kH−1        w = ow·sW − pW + j,  j = 0 … kW−1,
 *
 * and there are OH = ⌊(H + 2pH − kH)/sH⌋ + 1 rows and OW = ⌊(W + 2pW − kW)/sW⌋ + 1 columns of
 * output positions. A position (h, w) outside 0 ≤ h < H, 0 ≤ w < W is padding: it reads 0 in
 * a convolution and average pooling, and −∞ in max pooling.
 *
 * Like kernels.ts, these functions take raw `Float64Array`s, write into arrays the caller
 * provides and allocate nothing. Instead of testing every (h, w) against the borders, each
 * loop first computes the range of output positions whose input lies inside the image
 * (`firstInside`, `endInside`) and runs over that range only.
 *
 * Every function hands the call to its WebAssembly version (lib/tensor/wasm, bit-identical)
 * when the backend is 'wasm' (see backend.ts and kernels.ts).
 */
import { wasmBackend } from './backend';

/** The sizes of one sliding-window operation on an image batch (see the file's doc comment). */
export interface WindowGeometry {
  /** C: channels of the input. */
  channels: number;
  /** H: height of the input. */
  height: number;
  /** W: width of the input. */
  width: number;
  /** kH, kW: the window's height and width. */
  kernelH: number;
  kernelW: number;
  /** sH, sW: how far the window moves between output positions. */
  strideH: number;
  strideW: number;
  /** pH, pW: padding added on each side. */
  padH: number;
  padW: number;
  /** OH, OW: output height and width. */
  outH: number;
  outW: number;
}

/** Output size along one axis: ⌊(size + 2·pad − kernel) / stride⌋ + 1 (PyTorch's floor mode). */
export function slidingOutputSize(size: number, kernel: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - kernel) / stride) + 1;
}

/**
 * The first output position o ≥ 0 with o·stride − pad + offset ≥ 0 (inside the image):
 * ⌈(pad − offset) / stride⌉, or 0. (Integer arithmetic with `| 0` and comparisons rather than
 * Math.ceil and Math.max, here and in the pooling loops: a call to a Math function costs far
 * more than the arithmetic in some JavaScript sandboxes, Jest's among them.)
 */
function firstInside(pad: number, offset: number, stride: number): number {
  const before = pad - offset; // padding rows (or columns) to skip
  return before <= 0 ? 0 : ((before + stride - 1) / stride) | 0;
}

/** One past the last output position o < out with o·stride − pad + offset ≤ size − 1; at least `start`. */
function endInside(size: number, pad: number, offset: number, stride: number, out: number, start: number): number {
  const room = size - 1 + pad - offset; // how far o·stride may go
  if (room < 0) return start;
  const end = ((room / stride) | 0) + 1;
  return end > out ? out : end < start ? start : end;
}

/**
 * im2col: unrolls the windows of one image into the columns of a matrix.
 *
 * The image is X[n] (C × H × W values starting at `imageOffset` in `image`); `cols` receives a
 * [C·kH·kW, OH·OW] matrix, row-major:
 *
 *   cols[r, q] = X[n, c, oh·sH − pH + i, ow·sW − pW + j]   (0 in the padding)
 *   with  r = (c·kH + i)·kW + j   and   q = oh·OW + ow.
 *
 * Column q holds the window of output position q; row r holds one (channel, i, j) offset of
 * the window for every position. A convolution with weight W [F, C·kH·kW] is then one matrix
 * product: Y[n] = W·cols, [F, OH·OW], which is already the NCHW layout of the output.
 */
export function im2col(image: Float64Array, imageOffset: number, g: WindowGeometry, cols: Float64Array): void {
  const wasm = wasmBackend();
  if (wasm !== null) return wasm.im2col(image, imageOffset, g, cols); // the same loops in WebAssembly
  const H = g.height, W = g.width, kH = g.kernelH, kW = g.kernelW;
  const sH = g.strideH, sW = g.strideW, pH = g.padH, pW = g.padW, OH = g.outH, OW = g.outW;
  const P = OH * OW;
  let row = 0;
  for (let c = 0; c < g.channels; c++) {
    const plane = imageOffset + c * H * W;
    for (let i = 0; i < kH; i++) {
      const ohLo = firstInside(pH, i, sH), ohHi = endInside(H, pH, i, sH, OH, ohLo);
      for (let j = 0; j < kW; j++, row += P) {
        const owLo = firstInside(pW, j, sW), owHi = endInside(W, pW, j, sW, OW, owLo);
        for (let q = row; q < row + ohLo * OW; q++) cols[q] = 0; //       rows of padding above
        for (let oh = ohLo; oh < ohHi; oh++) {
          const q = row + oh * OW;
          const src = plane + (oh * sH - pH + i) * W - pW + j; //          X[n, c, h, w] at ow = 0
          for (let ow = 0; ow < owLo; ow++) cols[q + ow] = 0; //          padding on the left
          if (sW === 1) {
            for (let ow = owLo; ow < owHi; ow++) cols[q + ow] = image[src + ow];
          } else {
            for (let ow = owLo; ow < owHi; ow++) cols[q + ow] = image[src + ow * sW];
          }
          for (let ow = owHi; ow < OW; ow++) cols[q + ow] = 0; //         padding on the right
        }
        for (let q = row + ohHi * OW; q < row + P; q++) cols[q] = 0; //   rows of padding below
      }
    }
  }
}

/**
 * col2im: the adjoint (transpose) of im2col, **accumulating** into the image.
 *
 *   X[n, c, oh·sH − pH + i, ow·sW − pW + j] += cols[r, q]   for every r = (c·kH + i)·kW + j,
 *                                                              q = oh·OW + ow inside the image
 *
 * An input entry that lies in several windows receives the sum of all their entries (this is
 * the backward pass of im2col: ∂L/∂X = col2im(∂L/∂cols)). Entries that fall in the padding are
 * dropped. Nothing is cleared first: zero the image range before, if needed.
 */
export function col2im(cols: Float64Array, g: WindowGeometry, image: Float64Array, imageOffset: number): void {
  const wasm = wasmBackend();
  if (wasm !== null) return wasm.col2im(cols, g, image, imageOffset);
  const H = g.height, W = g.width, kH = g.kernelH, kW = g.kernelW;
  const sH = g.strideH, sW = g.strideW, pH = g.padH, pW = g.padW, OH = g.outH, OW = g.outW;
  const P = OH * OW;
  let row = 0;
  for (let c = 0; c < g.channels; c++) {
    const plane = imageOffset + c * H * W;
    for (let i = 0; i < kH; i++) {
      const ohLo = firstInside(pH, i, sH), ohHi = endInside(H, pH, i, sH, OH, ohLo);
      for (let j = 0; j < kW; j++, row += P) {
        const owLo = firstInside(pW, j, sW), owHi = endInside(W, pW, j, sW, OW, owLo);
        for (let oh = ohLo; oh < ohHi; oh++) {
          const q = row + oh * OW;
          const dst = plane + (oh * sH - pH + i) * W - pW + j;
          if (sW === 1) {
            for (let ow = owLo; ow < owHi; ow++) image[dst + ow] += cols[q + ow];
          } else {
            for (let ow = owLo; ow < owHi; ow++) image[dst + ow * sW] += cols[q + ow];
          }
        }
      }
    }
  }
}

/**
 * Y[n, f, :] += b[f] for a batch Y [N, F, P] (P = OH·OW): one bias per output channel, added
 * at every position.
 */
export function addChannelBias(output: Float64Array, bias: Float64Array, N: number, F: number, P: number): void {
  const wasm = wasmBackend();
  if (wasm !== null) return wasm.addChannelBias(output, bias, N, F, P);
  for (let n = 0, o = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      const b = bias[f];
      for (let end = o + P; o < end; o++) output[o] += b;
    }
  }
}

/**
 * out[f] (+)= Σₙ Σₚ G[n, f, p] for G [N, F, P]: the gradient of a per-channel bias, which
 * was added at every position of every sample.
 */
export function sumChannels(grad: Float64Array, out: Float64Array, N: number, F: number, P: number, accumulate = false): void {
  const wasm = wasmBackend();
  if (wasm !== null) return wasm.sumChannels(grad, out, N, F, P, accumulate);
  if (!accumulate) out.fill(0, 0, F);
  for (let n = 0, o = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      let s = 0;
      for (let end = o + P; o < end; o++) s += grad[o];
      out[f] += s;
    }
  }
}

/**
 * Max pooling of a batch [N, C, H, W] → [N, C, OH, OW]:
 *
 *   Y[n, c, oh, ow] = max over i < kH, j < kW of X[n, c, oh·sH − pH + i, ow·sW − pW + j]
 *
 * with the padding counting as −∞ (so it is never the maximum; the caller ensures pad ≤
 * kernel/2, which leaves at least one real entry in every window). `argmax[o]` receives the flat
 * index in `input` of the entry that gave output o: the first maximum of the window in
 * row-major order (i, then j), as PyTorch's CPU kernel picks it on ties. (`argmax` may be
 * longer than the output: its first entries are written.)
 */
export function maxPoolForward(
  input: Float64Array, g: WindowGeometry, N: number, output: Float64Array, argmax: Int32Array,
): void {
  const wasm = wasmBackend();
  if (wasm !== null) return wasm.maxPoolForward(input, g, N, output, argmax);
  const H = g.height, W = g.width, kH = g.kernelH, kW = g.kernelW;
  const sH = g.strideH, sW = g.strideW, pH = g.padH, pW = g.padW, OH = g.outH, OW = g.outW;
  let o = 0;
  for (let plane = 0, end = N * g.channels * H * W; plane < end; plane += H * W) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sH - pH, hLo = h0 > 0 ? h0 : 0, hHi = h0 + kH < H ? h0 + kH : H; // the window's rows inside the image
      for (let ow = 0; ow < OW; ow++, o++) {
        const w0 = ow * sW - pW, wLo = w0 > 0 ? w0 : 0, wHi = w0 + kW < W ? w0 + kW : W;
        let best = -Infinity;
        let bestIndex = plane + hLo * W + wLo;
        for (let h = hLo; h < hHi; h++) {
          for (let k = plane + h * W + wLo, kEnd = plane + h * W + wHi; k < kEnd; k++) {
            if (input[k] > best) { // strictly greater: the first maximum wins a tie
              best = input[k];
              bestIndex = k;
            }
          }
        }
        output[o] = best;
        argmax[o] = bestIndex;
      }
    }
  }
}

/**
 * Backward of max pooling: each output's gradient goes to the input entry that was its
 * maximum, and only there,
 *
 *   ∂L/∂X[argmax[o]] += G[o]      for every output o,
 *
 * accumulating when windows overlap (stride < kernel) and share their maximum. `gradInput` is
 * not cleared first; only the first G.length entries of `argmax` are read.
 */
export function maxPoolBackward(gradOut: Float64Array, argmax: Int32Array, gradInput: Float64Array): void {
  const wasm = wasmBackend();
  if (wasm !== null) return wasm.maxPoolBackward(gradOut, argmax, gradInput);
  for (let o = 0; o < gradOut.length; o++) gradInput[argmax[o]] += gradOut[o];
}

/**
 * Average pooling of a batch [N, C, H, W] → [N, C, OH, OW], counting the padding as zeros
 * that are part of the window (PyTorch's count_include_pad = true):
 *
 *   Y[n, c, oh, ow] = 1/(kH·kW) · Σ over i < kH, j < kW of X[n, c, oh·sH − pH + i, ow·sW − pW + j]
 *
 * (In floor mode every window ends within the padded image, so the divisor is always kH·kW.)
 */
export function avgPoolForward(input: Float64Array, g: WindowGeometry, N: number, output: Float64Array): void {
  const wasm = wasmBackend();
  if (wasm !== null) return wasm.avgPoolForward(input, g, N, output);
  const H = g.height, W = g.width, kH = g.kernelH, kW = g.kernelW;
  const sH = g.strideH, sW = g.strideW, pH = g.padH, pW = g.padW, OH = g.outH, OW = g.outW;
  const count = kH * kW;
  let o = 0;
  for (let plane = 0, end = N * g.channels * H * W; plane < end; plane += H * W) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sH - pH, hLo = h0 > 0 ? h0 : 0, hHi = h0 + kH < H ? h0 + kH : H; // the window's rows inside the image
      for (let ow = 0; ow < OW; ow++, o++) {
        const w0 = ow * sW - pW, wLo = w0 > 0 ? w0 : 0, wHi = w0 + kW < W ? w0 + kW : W;
        let sum = 0;
        for (let h = hLo; h < hHi; h++) {
          for (let k = plane + h * W + wLo, kEnd = plane + h * W + wHi; k < kEnd; k++) sum += input[k];
        }
        output[o] = sum / count;
      }
    }
  }
}

/**
 * Backward of average pooling: each output's gradient is spread evenly over its window,
 *
 *   ∂L/∂X[n, c, oh·sH − pH + i, ow·sW − pW + j] += G[n, c, oh, ow] / (kH·kW)
 *
 * for every window entry inside the image (the share of the padding is dropped). `gradInput`
 * is not cleared first.
 */
export function avgPoolBackward(gradOut: Float64Array, g: WindowGeometry, N: number, gradInput: Float64Array): void {
  const wasm = wasmBackend();
  if (wasm !== null) return wasm.avgPoolBackward(gradOut, g, N, gradInput);
  const H = g.height, W = g.width, kH = g.kernelH, kW = g.kernelW;
  const sH = g.strideH, sW = g.strideW, pH = g.padH, pW = g.padW, OH = g.outH, OW = g.outW;
  const count = kH * kW;
  let o = 0;
  for (let plane = 0, end = N * g.channels * H * W; plane < end; plane += H * W) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sH - pH, hLo = h0 > 0 ? h0 : 0, hHi = h0 + kH < H ? h0 + kH : H; // the window's rows inside the image
      for (let ow = 0; ow < OW; ow++, o++) {
        const w0 = ow * sW - pW, wLo = w0 > 0 ? w0 : 0, wHi = w0 + kW < W ? w0 + kW : W;
        const share = gradOut[o] / count;
        for (let h = hLo; h < hHi; h++) {
          for (let k = plane + h * W + wLo, kEnd = plane + h * W + wHi; k < kEnd; k++) gradInput[k] += share;
        }
      }
    }
  }
}
