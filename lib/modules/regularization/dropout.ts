import { MinidlError, checkArgumentCount, checkInRange, describeValue } from '../../errors';
import { OptionSpec, instanceOf, readOptions } from '../../options';
import { Rng, defaultRng } from '../../random/rng';
import { configNumber } from '../../serialization/config-values';
import { registerModule } from '../../serialization/module-registry';
import { Tensor } from '../../tensor/tensor';
import { Module } from '../module';

/** Options of `Dropout`. */
export interface DropoutOptions {
  /**
   * The generator the masks are drawn from (default: the one `manualSeed` seeds, looked up at
   * each forward, so `manualSeed` also fixes the masks of a Dropout built before it).
   */
  rng?: Rng;
}

/**
 * Inverted dropout, element-wise:  y = x ⊙ M,  M = mask / (1 − p)
 *
 * Training mode: each entry is kept with probability 1 − p and zeroed with probability p, a new
 * mask for every forward; the kept entries are scaled by 1/(1 − p), so E[y] = x and nothing
 * needs rescaling at test time. Evaluation mode: y = x.
 * p = 1 zeroes everything (as PyTorch); p = 0 is the identity.
 *
 * Shapes: any → the same shape.   Default p: 0.5 (PyTorch's).
 *
 * Backward, given g = ∂L/∂y (with the mask of the last forward):
 *   training:    ∂L/∂x = g ⊙ M        (M is 0 or 1/(1 − p) per entry)
 *   evaluation:  ∂L/∂x = g
 *
 * ```ts
 * const drop = new Dropout(0.2);       // drops 20 % of the entries while training
 * drop.eval();                         // identity for testing
 * ```
 */
export class Dropout extends Module {
  /** Probability of zeroing an entry in training mode. */
  readonly p: number;
  private readonly rng: Rng | null;
  /** M of the last training-mode forward (0 or 1/(1 − p) per entry), or null after an evaluation-mode forward. */
  private mask: Float64Array | null = null;

  /**
   * Throws a MinidlError unless `p` is a number in [0, 1] and `options` an options object whose
   * only key is `rng` (an Rng).
   */
  constructor(p = 0.5, options: DropoutOptions = {}) {
    super();
    checkArgumentCount('Dropout', arguments.length, ['p', 'options']);
    if (typeof p === 'object' && p !== null) {
      throw new MinidlError(`Dropout: p must be in [0, 1], got ${describeValue(p)} (Dropout takes p as its first argument and options second: new Dropout(0.2, { rng }))`);
    }
    this.p = checkInRange('Dropout', 'p', p, 0, 1, true);
    this.rng = readOptions(`Dropout(p=${p})`, options, DROPOUT_OPTIONS).rng ?? null;
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    const x = input.data;
    const output = new Tensor(input.shape);
    const y = output.data;
    if (!this.training) {
      this.mask = null;
      // exercise Dropout.forward ▼
      y.set(x); //                                                            y = x
      // exercise ▲
      return this.rememberOutput(output);
    }
    const mask = new Float64Array(x.length);
    // exercise Dropout.forward ▼
    const keep = 1 - this.p;
    if (keep === 1) {
      mask.fill(1); //                                                        p = 0: keep everything
    } else if (keep > 0) {
      const rng = this.rng ?? defaultRng();
      const scale = 1 / keep;
      for (let i = 0; i < x.length; i++) mask[i] = +(rng.uniform() < keep) * scale; // M = 1[u < 1 − p] / (1 − p)
    } //                                                                      p = 1: M = 0
    for (let i = 0; i < x.length; i++) y[i] = x[i] * mask[i]; //            y = x ⊙ M
    // exercise ▲
    this.mask = mask;
    return this.rememberOutput(output);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const g = gradOut.data;
    const gradIn = new Tensor(gradOut.shape);
    const dx = gradIn.data;
    const mask = this.mask;
    // exercise Dropout.backward ▼
    if (mask === null) {
      dx.set(g); //                                                           ∂L/∂x = g
    } else {
      for (let i = 0; i < g.length; i++) dx[i] = g[i] * mask[i]; //          ∂L/∂x = g ⊙ M
    }
    // exercise ▲
    return gradIn;
  }

  toString(): string {
    return `Dropout(p=${this.p})`;
  }

  /** The probability: `{ p }` (the `rng` option is not kept: a loaded Dropout draws from the global generator). */
  override config(): Record<string, unknown> {
    return { p: this.p };
  }

  /** A Dropout with the saved probability. */
  static fromConfig(config: Record<string, unknown>): Dropout {
    return new Dropout(configNumber(config, 'p'));
  }
}
registerModule(Dropout, 'Dropout');

/** The options Dropout reads. */
const DROPOUT_OPTIONS: OptionSpec<DropoutOptions> = {
  rng: instanceOf(Rng, 'an Rng such as new Rng(42)'),
};
