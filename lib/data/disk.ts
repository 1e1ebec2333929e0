import { MinidlError, checkFinite, checkInteger, describeValue } from '../errors';
import { Rng } from '../random/rng';
import { Tensor } from '../tensor/tensor';

/** Inputs and their class labels. */
export interface LabelledData {
  /** One sample per row, [n, features]. */
  inputs: Tensor;
  /** The class of each sample (0 or 1 for the disk). */
  labels: Int32Array;
}

/** Radius of the course's disk: 1/√(2π), so the disk covers half of the unit square. */
export const DISK_RADIUS = 1 / Math.sqrt(2 * Math.PI);
/** Centre of the course's disk. */
export const DISK_CENTER: readonly [number, number] = [0.5, 0.5];

/** 1 when the point (x, y) is inside the disk (strictly), 0 outside; x and y must be finite numbers. */
export function diskLabel(x: number, y: number): number {
  checkFinite('diskLabel', 'x', x);
  checkFinite('diskLabel', 'y', y);
  return insideDisk(x, y);
}

/**
 * The course's toy data set: `n` points drawn uniformly in [0,1)², labelled 1 inside the disk
 * of radius 1/√(2π) centred at (0.5, 0.5) and 0 outside. The disk's area is 1/2, so the two
 * classes are about equally frequent.
 *
 * Each point draws its x then its y from `rng`, so a seed fixes the whole set. Throws a
 * MinidlError, drawing nothing, unless n is a whole number ≥ 1 and rng an Rng.
 */
export function generateDisk(n: number, rng: Rng): LabelledData {
  checkInteger('generateDisk', 'n', n);
  if (!(rng instanceof Rng)) {
    throw new MinidlError(`generateDisk: rng must be an Rng such as new Rng(42) (or defaultRng()), got ${describeValue(rng)}`);
  }
  const inputs = new Tensor([n, 2]);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const x = rng.uniform();
    const y = rng.uniform();
    inputs.data[2 * i] = x;
    inputs.data[2 * i + 1] = y;
    labels[i] = insideDisk(x, y);
  }
  return { inputs, labels };
}

/** diskLabel without the checks, for points drawn here. */
function insideDisk(x: number, y: number): number {
  const dx = x - DISK_CENTER[0], dy = y - DISK_CENTER[1];
  return dx * dx + dy * dy < DISK_RADIUS * DISK_RADIUS ? 1 : 0;
}
