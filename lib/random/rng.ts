import seedrandom from 'seedrandom';
import { MinidlError, describeValue, jsonOrDescription } from '../errors';

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
 *
 * Every method checks its arguments before drawing, so a refused call (a MinidlError naming the
 * method) leaves the sequence where it was: bounds that are not finite numbers with low ≤ high,
 * a negative or non-finite std, a count that is not a whole number, something that is not an
 * array to shuffle or fill, a state that did not come from `state()`.
 */
export class Rng {
  private seedText: string;
  private prng: seedrandom.StatefulPRNG<seedrandom.State.Alea>;
  private spareNormal: number | null = null;

  constructor(seed: number | string) {
    checkSeed('Rng', seed);
    this.seedText = String(seed);
    this.prng = seedrandom.alea(this.seedText, { state: true });
  }

  /** The seed this sequence started from (numbers are turned into their decimal string). */
  get seed(): string {
    return this.seedText;
  }

  /** A number uniformly distributed in [low, high) (finite numbers, low ≤ high). */
  uniform(low = 0, high = 1): number {
    if (low !== 0 || high !== 1) checkBounds('Rng.uniform', low, high);
    return low + (high - low) * this.prng.double();
  }

  /**
   * A normally distributed number (Box–Muller transform). Draws come in pairs; the second
   * of a pair is kept for the next call.
   */
  normal(mean = 0, std = 1): number {
    if (mean !== 0 || std !== 1) checkNormal('Rng.normal', mean, std);
    return this.drawNormal(mean, std);
  }

  /** `normal` without the checks (for `fillNormal`, which checks once). */
  private drawNormal(mean: number, std: number): number {
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
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new MinidlError(`Rng.int: n must be an integer ≥ 1, got ${shown(n)}`);
    return Math.floor(this.prng.double() * n);
  }

  /** A random ordering of 0, 1, …, n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new MinidlError(`Rng.permutation: n must be an integer ≥ 0, got ${shown(n)}`);
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    return this.shuffle(order);
  }

  /** Shuffles an array or typed array in place (Fisher–Yates) and returns it. */
  shuffle<T extends ArrayLike<any> & { [i: number]: any }>(items: T): T {
    if (!Array.isArray(items) && !(ArrayBuffer.isView(items) && !(items instanceof DataView))) {
      throw new MinidlError(`Rng.shuffle: items must be an array or a typed array (shuffled in place), got ${describeValue(items)}`);
    }
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.prng.double() * (i + 1));
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** Fills a Float64Array with uniform numbers in [low, high) (finite numbers, low ≤ high). */
  fillUniform(values: Float64Array, low = 0, high = 1): Float64Array {
    checkValues('Rng.fillUniform', values);
    checkBounds('Rng.fillUniform', low, high);
    for (let i = 0; i < values.length; i++) values[i] = low + (high - low) * this.prng.double(); // = uniform(low, high)
    return values;
  }

  /** Fills a Float64Array with normal numbers of the given mean and standard deviation (finite, std ≥ 0). */
  fillNormal(values: Float64Array, mean = 0, std = 1): Float64Array {
    checkValues('Rng.fillNormal', values);
    checkNormal('Rng.fillNormal', mean, std);
    for (let i = 0; i < values.length; i++) values[i] = this.drawNormal(mean, std);
    return values;
  }

  /** A snapshot of the generator, to continue the same sequence later with `setState`. */
  state(): RngState {
    return { seed: this.seedText, alea: { ...this.prng.state() }, spareNormal: this.spareNormal };
  }

  /** Continues from a snapshot taken by `state()`. */
  setState(state: RngState): void {
    const a = state && typeof state === 'object' ? state.alea : undefined;
    const spare = state && typeof state === 'object' ? state.spareNormal : undefined;
    // Alea's state: a carry c, a whole number 0…2091639, and three values s0, s1, s2 in [0, 1)
    const validAlea = !!a && typeof a === 'object' && typeof a.c === 'number' && Number.isInteger(a.c) && a.c >= 0 && a.c <= ALEA_MAX_CARRY &&
      [a.s0, a.s1, a.s2].every((v) => typeof v === 'number' && v >= 0 && v < 1);
    const validSpare = spare === null || (typeof spare === 'number' && Number.isFinite(spare));
    if (!validAlea || !validSpare || typeof state.seed !== 'string') {
      throw new MinidlError(`Rng.setState: expected a state from Rng.state() ({ seed, alea: { c, s0, s1, s2 }, spareNormal }), got ${jsonOrDescription(state)}`);
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

/** The largest carry of Alea's state: ⌊2091639·s0 + c·2⁻³²⌋ with s0 < 1 and c < 2³². */
const ALEA_MAX_CARRY = 2091639;

/** How a message shows a number that came (`2.5`, `NaN`) or describes anything else (`string '3'`). */
function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : describeValue(value);
}

/** Throws unless `seed` is a finite number or a string. */
function checkSeed(who: string, seed: unknown): void {
  if (typeof seed === 'number' ? !Number.isFinite(seed) : typeof seed !== 'string') {
    throw new MinidlError(`${who}: seed must be a finite number or a string, got ${shown(seed)}`);
  }
}

/** Throws unless [low, high) is an interval of finite numbers with a finite width. */
function checkBounds(who: string, low: unknown, high: unknown): void {
  if (typeof low !== 'number' || typeof high !== 'number' || !Number.isFinite(low) || !Number.isFinite(high) || !(low <= high) || !Number.isFinite(high - low)) {
    throw new MinidlError(`${who}: low and high must be finite numbers with low ≤ high, got low ${shown(low)}, high ${shown(high)}`);
  }
}

/**
 * Throws unless mean and std ≥ 0 are finite and every draw mean + std·z is: |z| < 8.6 for
 * Box–Muller on 53-bit uniforms, so |mean| + 9·std must be finite.
 */
function checkNormal(who: string, mean: unknown, std: unknown): void {
  if (typeof mean !== 'number' || typeof std !== 'number' || !Number.isFinite(mean) || !Number.isFinite(std) || !(std >= 0) || !Number.isFinite(Math.abs(mean) + 9 * std)) {
    throw new MinidlError(`${who}: mean must be a finite number and std a finite number ≥ 0, got mean ${shown(mean)}, std ${shown(std)}`);
  }
}

/** Throws unless `values` is a Float64Array to fill. */
function checkValues(who: string, values: unknown): void {
  if (!(values instanceof Float64Array)) throw new MinidlError(`${who}: values must be a Float64Array to fill, got ${describeValue(values)}`);
}

let defaultGenerator = new Rng(0);

/**
 * Re-seeds the default generator, used wherever no `rng` option is given (as
 * `torch.manual_seed` does for PyTorch). It starts with seed 0, so even a program that never
 * calls `manualSeed` gives the same numbers on every run.
 */
export function manualSeed(seed: number | string): Rng {
  checkSeed('manualSeed', seed);
  defaultGenerator = new Rng(seed);
  return defaultGenerator;
}

/** The default generator (see `manualSeed`). */
export function defaultRng(): Rng {
  return defaultGenerator;
}
