import { MinidlError, describeValue, formatShape } from '../../errors';
import type { WindowGeometry } from '../../tensor/loops';
import { Tensor } from '../../tensor/tensor';

/**
 * The sliding window shared by Conv2d, MaxPool2d and AvgPool2d: kernel size, stride and
 * padding, each given for both axes at once (`3`) or as [height, width] (`[3, 2]`), as in
 * PyTorch. The output size on each axis is ⌊(size + 2·padding − kernel) / stride⌋ + 1.
 */
export type SizePair = number | readonly [number, number];

/**
 * Reads a SizePair as [height, width], each an integer ≥ `min`; throws a MinidlError naming
 * `who` otherwise (a string, an object, NaN, a list of another length…). `hint` is added to
 * the message when the value is not a number or an array (e.g. an options object given to a
 * class that takes positional sizes).
 */
export function readPair(who: string, name: string, value: SizePair, min: number, hint = ''): [number, number] {
  const pair = typeof value === 'number' ? [value, value] : value;
  const valid = Array.isArray(pair) && pair.length === 2 && pair.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= min);
  if (!valid) {
    const extra = typeof value !== 'number' && !Array.isArray(value) ? hint : '';
    throw new MinidlError(`${who}: ${name} must be an integer ≥ ${min} or a pair [height, width] of them, got ${showSize(value)}${extra}`);
  }
  return [pair[0], pair[1]];
}

/** A size as a message shows it: `0`, `NaN`, `[3,1.5]`, `[3,string '2']`, `an Object`. */
function showSize(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => (typeof v === 'number' ? String(v) : describeValue(v))).join(',')}]`;
  return describeValue(value);
}

/** `3` for [3, 3], `[2,1]` for [2, 1]: how strides and paddings are printed. */
export function formatPair(pair: readonly [number, number]): string {
  return pair[0] === pair[1] ? String(pair[0]) : formatShape(pair);
}

/**
 * Checks that `input` is an image batch [N, C, H, W] in which the window fits once padded,
 * and returns the sizes the image kernels need. `fail` throws the module's error.
 */
export function windowGeometry(
  input: Tensor,
  kernel: readonly [number, number],
  stride: readonly [number, number],
  padding: readonly [number, number],
  fail: (message: string) => never,
): WindowGeometry {
  if (input.rank !== 4) {
    fail(`input has shape ${formatShape(input.shape)}, expected [N,C,H,W] (a batch of images: samples, channels, height, width)`);
  }
  const [, channels, height, width] = input.shape;
  const [kernelH, kernelW] = kernel, [strideH, strideW] = stride, [padH, padW] = padding;
  const paddedH = height + 2 * padH, paddedW = width + 2 * padW;
  if (paddedH < kernelH || paddedW < kernelW) {
    fail(`the ${kernelH}×${kernelW} window does not fit in the padded input: ${paddedH}×${paddedW} ` +
      `(input ${formatShape(input.shape)}, height ${height} and width ${width} plus padding ${padH} and ${padW} on each side)`);
  }
  return {
    channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW,
    outH: slidingOutputSize(height, kernelH, strideH, padH),
    outW: slidingOutputSize(width, kernelW, strideW, padW),
  };
}

/** `2×2, stride 2` or `3×3, stride 2, padding 1`: a pooling window for toString. */
export function describeWindow(kernel: readonly [number, number], stride: readonly [number, number], padding: readonly [number, number]): string {
  const pad = padding[0] === 0 && padding[1] === 0 ? '' : `, padding ${formatPair(padding)}`;
  return `${kernel[0]}×${kernel[1]}, stride ${formatPair(stride)}${pad}`;
}

/** PyTorch's rule for pooling: the padding may be at most half the kernel on each axis. */
export function checkHalfKernel(who: string, kernel: readonly [number, number], padding: readonly [number, number]): void {
  if (padding[0] > Math.floor(kernel[0] / 2) || padding[1] > Math.floor(kernel[1] / 2)) {
    throw new MinidlError(`${who}: padding ${formatShape(padding)} must be at most half the kernel ${formatShape(kernel)} ` +
      `(≤ ${formatShape(kernel.map((k) => Math.floor(k / 2)))}), as in PyTorch`);
  }
}

/** Output size along one axis: ⌊(size + 2·pad − kernel) / stride⌋ + 1 (PyTorch's floor mode). */
export function slidingOutputSize(size: number, kernel: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - kernel) / stride) + 1;
}
