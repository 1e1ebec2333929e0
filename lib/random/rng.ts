import seedrandom from 'seedrandom';
import { MinidlError } from '../errors';

/** The internal state of the Alea generator (Baagøe's multiply-with-carry) that seedrandom implements. */
export interface AleaState {
  /** The carry. */
  c: number;
  /** The three most recent values of the lagged sequence, each in [0, 1). */
  s0: number;
  /** See `s0`. */
  s1: number;
  /** See `s0`. */
  s2: number;
}

/** What `Rng.state()` returns: enough to continue the exact same sequence later. */
export interface RngState {
  /** The seed the generator was created with. */
  seed: string;
  /** The Alea generator's internal state (seedrandom's `state()`). */
  alea: AleaState;
  /** The second normal draw of the last Box–Muller pair, not yet handed out (or null). */
  spareNormal: number | null;
}

/**
 * A seeded random-number generator: the only source of randomness in minidl.
 *
 * Weight initialisation, data generation, mini-batch shuffling and dropout masks all draw
 * from an `Rng`, so the same seed gives bit-identical results. Underneath is the Alea
 * generator of the `seedrandom` package, read with 53 bits of precision per number.
 *
 * ```ts
 * const rng = new Rng(42);
 * rng.uniform();          // in [0, 1)
 * rng.normal(0, 0.1);     // mean 0, standard deviation 0.1
 * rng.int(10);            // an integer in 0..9
 * rng.permutation(5);     // e.g. Int32Array [3, 0, 4, 1, 2]
 * ```
 */
export class Rng {
  private seedText: string;
  private prng: seedrandom.StatefulPRNG<seedrandom.State.Alea>;
  private spareNormal: number | null = null;

  constructor(seed: number | string) {
    if (typeof seed === 'number' ? !Number.isFinite(seed) : typeof seed !== 'string') {
      throw new MinidlError(`Rng: seed must be a finite number or a string, got ${String(seed)}`);
    }
    this.seedText = String(seed);
    this.prng = seedrandom.alea(this.seedText, { state: true });
  }

  /** The seed this sequence started from (numbers are turned into their decimal string). */
  get seed(): string {
    return this.seedText;
  }

  /** A number uniformly distributed in [low, high). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.prng.double();
  }

  /**
   * A normally distributed number (Box–Muller transform). Draws come in pairs; the second
   * of a pair is kept for the next call.
   */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + std * z;
    }
    const u1 = 1 - this.prng.double(); // in (0, 1], so the log is finite
    const u2 = this.prng.double();
    const radius = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = radius * Math.sin(2 * Math.PI * u2);
    return mean + std * radius * Math.cos(2 * Math.PI * u2);
  }

  /** An integer uniformly distributed in 0, 1, …, n-1. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1) throw new MinidlError(`Rng.int: n must be an integer ≥ 1, got ${n}`);
    return Math.floor(this.prng.double() * n);
  }

  /** A random ordering of 0, 1, …, n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0) throw new MinidlError(`Rng.permutation: n must be an integer ≥ 0, got ${n}`);
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    return this.shuffle(order);
  }

  /** Shuffles an array in place (Fisher–Yates) and returns it. */
  shuffle<T extends ArrayLike<any> & { [i: number]: any }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.prng.double() * (i + 1));
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** Fills an array with uniform numbers in [low, high). */
  fillUniform(values: Float64Array, low = 0, high = 1): Float64Array {
    for (let i = 0; i < values.length; i++) values[i] = this.uniform(low, high);
    return values;
  }

  /** Fills an array with normal numbers of the given mean and standard deviation. */
  fillNormal(values: Float64Array, mean = 0, std = 1): Float64Array {
    for (let i = 0; i < values.length; i++) values[i] = this.normal(mean, std);
    return values;
  }

  /** A snapshot of the generator, to continue the same sequence later with `setState`. */
  state(): RngState {
    return { seed: this.seedText, alea: { ...this.prng.state() }, spareNormal: this.spareNormal };
  }

  /** Continues from a snapshot taken by `state()`. */
  setState(state: RngState): void {
    const a = state && state.alea;
    const spare = state ? state.spareNormal : undefined;
    const validAlea = !!a && [a.c, a.s0, a.s1, a.s2].every((v) => typeof v === 'number' && Number.isFinite(v));
    const validSpare = spare === null || (typeof spare === 'number' && Number.isFinite(spare));
    if (!validAlea || !validSpare || typeof state.seed !== 'string') {
      throw new MinidlError(`Rng.setState: expected a state from Rng.state() ({ seed, alea: { c, s0, s1, s2 }, spareNormal }), got ${JSON.stringify(state)}`);
    }
    this.prng = seedrandom.alea('', { state: { ...a } });
    this.spareNormal = spare;
    this.seedText = state.seed;
  }

  /** `Rng(seed)`, for messages. */
  toString(): string {
    return `Rng(seed=${JSON.stringify(this.seed)})`;
  }
}

let defaultGenerator = new Rng(0);

/**
 * Re-seeds the default generator, used wherever no `rng` option is given (as
 * `torch.manual_seed` does for PyTorch). It starts with seed 0, so even a program that never
 * calls `manualSeed` gives the same numbers on every run.
 */
export function manualSeed(seed: number | string): Rng {
  defaultGenerator = new Rng(seed);
  return defaultGenerator;
}

/** The default generator (see `manualSeed`). */
export function defaultRng(): Rng {
  return defaultGenerator;
}
