/**
 * Random shifts, a data augmentation for images: every epoch, each training image is moved by
 * a few whole pixels, right or left and up or down, the pixels that come in set to 0 (the
 * background of an MNIST digit).
 *
 *   out[n, c, i, j] = x[n, c, i − dy, j − dx]   when 0 ≤ i − dy < H and 0 ≤ j − dx < W
 *                   = 0                         otherwise
 *
 * Shapes: x [N, C, H, W] → out [N, C, H, W] (the same). For each image n, dy then dx are drawn
 * from the seeded generator, each uniformly in {−s, …, s} as `rng.int(2s + 1) − s`
 * (s = `maxShift`), so that a round draws the same shifts whatever thread runs it.
 *
 * Why it helps: a digit moved by two pixels is the same digit, so the label is kept, and the
 * network never sees the same 7996 images twice; it cannot fit them by heart and has to learn
 * strokes wherever they are. MNIST's digits are centred in a 20 × 20 box inside the 28 × 28
 * image, so a shift of up to 2 pixels never cuts a stroke off.
 *
 * The PyTorch script (./pytorch_reports.py, `shift_images`) applies the same formula with its
 * own generator.
 */
import { Rng, Tensor } from '../../lib';

/**
 * Writes into `out` the images of `x` [N, C, H, W], each shifted by its own (dy, dx) drawn
 * from `rng` (see the file's comment), and returns `out`. Throws when `x` is not of rank 4,
 * `out` is not of the same shape, or `maxShift` is not an integer from 0 to min(H, W) − 1.
 */
export function shiftImagesAtRandom(x: Tensor, maxShift: number, rng: Rng, out: Tensor): Tensor {
  if (x.rank !== 4) throw new Error(`shiftImagesAtRandom: x must be images [N,C,H,W], got shape [${x.shape.join(',')}]`);
  const [n, channels, height, width] = x.shape;
  if (out.shape.length !== 4 || out.shape.some((d, i) => d !== x.shape[i])) {
    throw new Error(`shiftImagesAtRandom: out has shape [${out.shape.join(',')}], expected x's [${x.shape.join(',')}]`);
  }
  if (!Number.isInteger(maxShift) || maxShift < 0 || maxShift >= Math.min(height, width)) {
    throw new Error(`shiftImagesAtRandom: maxShift must be an integer from 0 to ${Math.min(height, width) - 1}, got ${maxShift}`);
  }
  const plane = height * width;
  for (let s = 0; s < n; s++) {
    const dy = rng.int(2 * maxShift + 1) - maxShift;
    const dx = rng.int(2 * maxShift + 1) - maxShift;
    for (let c = 0; c < channels; c++) {
      const base = (s * channels + c) * plane;
      for (let i = 0; i < height; i++) {
        const from = i - dy;
        for (let j = 0; j < width; j++) {
          const fromCol = j - dx;
          out.data[base + i * width + j] = from >= 0 && from < height && fromCol >= 0 && fromCol < width ? x.data[base + from * width + fromCol] : 0;
        }
      }
    }
  }
  return out;
}
