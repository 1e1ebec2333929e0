import { MinidlError } from '../errors';
import { activeBackend } from './backend/select';
import { longLivedValues } from './memory';

/**
 * Copies of a set of arrays, taken and put back as fast as the backend allows: what the trainer
 * keeps of a step to undo it (lib/training/step-checkpoint.ts).
 *
 *   const snapshot = new ValueSnapshot();
 *   snapshot.add(weight.data);           each array gets a long-lived copy of its size, once
 *   snapshot.save();                     copies every array into its copy
 *   snapshot.restore();                  copies every copy back
 *   snapshot.firstNonFinite();           [array index, entry index, value] of the first NaN/±Infinity, or null
 *
 * On the 'wasm' backend the arrays and their copies live in the kernels' memory, so each copy is
 * one bulk `memory.copy` and each scan one SIMD loop. The arrays are checked once, when added (a
 * Float64Array, not one already added); the hot calls then go straight to the backend.
 */
export class ValueSnapshot {
  private readonly live: Float64Array[] = [];
  private readonly copies: Float64Array[] = [];

  /** Number of arrays in the snapshot. */
  get size(): number {
    return this.live.length;
  }

  /** Adds an array (its copy is made now, long-lived); returns its index. */
  add(values: Float64Array): number {
    if (!(values instanceof Float64Array)) throw new MinidlError(`ValueSnapshot.add: expected a Float64Array, got ${typeof values}`);
    if (this.live.includes(values)) throw new MinidlError('ValueSnapshot.add: this array is already in the snapshot');
    this.live.push(values);
    this.copies.push(longLivedValues(values.length));
    return this.live.length - 1;
  }

  /** Removes every array from `from` on (their copies are dropped). */
  truncate(from: number): void {
    this.live.length = from;
    this.copies.length = from;
  }

  /** Copies every array into its copy. */
  save(): void {
    const kernels = activeBackend().kernels;
    for (let i = 0; i < this.live.length; i++) kernels.copyValues(this.live[i], this.copies[i]);
  }

  /** Copies every copy back into its array. */
  restore(): void {
    const kernels = activeBackend().kernels;
    for (let i = 0; i < this.live.length; i++) kernels.copyValues(this.copies[i], this.live[i]);
  }

  /** [which array, which entry, its value] of the first NaN or ±Infinity among the arrays, or null. */
  firstNonFinite(): [number, number, number] | null {
    const kernels = activeBackend().kernels;
    for (let i = 0; i < this.live.length; i++) {
      const index = kernels.firstNonFinite(this.live[i]);
      if (index >= 0) return [i, index, this.live[i][index]];
    }
    return null;
  }
}
