/**
 * The toy sequence tasks of the attention page: short strings over the letters a–h, a target
 * letter at the positions that have one.
 *
 *   previous letter   cafhbdgbea → at position t, the letter at t − 1 (position 0 has no target)
 *   copy              cafhb_____ → in the five blanks: c a f h b    (the letters have no target)
 *   reverse           cafhb_____ → in the five blanks: b h f a c
 *
 * A causal model sees positions ≤ t only, so at each position with a target the letter to give
 * is always among what it may see: each task is one fixed pattern of attention (a band below
 * the diagonal, a diagonal, an anti-diagonal), which the page shows being learned.
 *
 * Tokens are whole numbers: 0…7 the letters a…h, 8 the blank. A position without a target holds
 * NO_TARGET, the loss's `ignoreIndex` (PyTorch's default value, −100, given explicitly).
 *
 * No DOM here: Node runs this file too.
 */
import { Rng, Tensor } from '../../../lib';

/** The letters, token 0 … 7. */
export const LETTERS = 'abcdefgh';
/** Token 8: a position whose letter the model must produce. */
export const BLANK = '_';
/** Token i is VOCABULARY[i]: the letters, then the blank (9 tokens). */
export const VOCABULARY = LETTERS + BLANK;
/** The blank's token. */
export const BLANK_TOKEN = LETTERS.length;
/** Positions per sequence, T. */
export const SEQUENCE_LENGTH = 10;
/** The letters given to copy and reverse (the first half), followed by as many blanks. */
export const HALF = SEQUENCE_LENGTH / 2;
/** The target of a position with nothing to predict: the loss's ignoreIndex. */
export const NO_TARGET = -100;

export type TaskName = 'previous' | 'copy' | 'reverse';

/** Each task, its label in the page and the rule it follows. */
export const TASKS: ReadonlyArray<{ value: TaskName; label: string; rule: string }> = [
  { value: 'previous', label: 'previous letter', rule: 'at every position, give the letter just before it' },
  { value: 'copy', label: 'copy', rule: `copy the ${HALF} letters into the ${HALF} blanks` },
  { value: 'reverse', label: 'reverse', rule: `write the ${HALF} letters backwards into the ${HALF} blanks` },
];

/** One sequence: its tokens and, per position, the token to predict or NO_TARGET. */
export interface Example {
  tokens: number[];
  targets: number[];
}

/** How many letters a task's sequence starts with: all T for 'previous', the first half otherwise. */
export function letterCount(task: TaskName): number {
  return task === 'previous' ? SEQUENCE_LENGTH : HALF;
}

/** The example made of `letters` (tokens 0…7, letterCount(task) of them). */
export function makeExample(task: TaskName, letters: readonly number[]): Example {
  if (task === 'previous') {
    return { tokens: [...letters], targets: letters.map((_, t) => (t === 0 ? NO_TARGET : letters[t - 1])) };
  }
  const tokens = [...letters, ...new Array<number>(HALF).fill(BLANK_TOKEN)];
  const targets = tokens.map((_, t) => {
    if (t < HALF) return NO_TARGET;
    const i = t - HALF; //                                  the i-th blank
    return task === 'copy' ? letters[i] : letters[HALF - 1 - i];
  });
  return { tokens, targets };
}

/** An example with letters drawn uniformly from a–h by `rng`. */
export function randomExample(task: TaskName, rng: Rng): Example {
  const letters = Array.from({ length: letterCount(task) }, () => rng.int(LETTERS.length));
  return makeExample(task, letters);
}

/** A batch of examples as tensors: tokens [n, T] and targets [n·T] (one per position, as rows). */
export interface Batch {
  tokens: Tensor;
  targets: Tensor;
}

/** `n` random examples, drawn one after the other from `rng`. */
export function makeBatch(task: TaskName, n: number, rng: Rng): Batch {
  const tokens: number[] = [], targets: number[] = [];
  for (let i = 0; i < n; i++) {
    const e = randomExample(task, rng);
    tokens.push(...e.tokens);
    targets.push(...e.targets);
  }
  return { tokens: Tensor.fromArray(tokens, [n, SEQUENCE_LENGTH]), targets: Tensor.fromArray(targets, [n * SEQUENCE_LENGTH]) };
}

/** One batch holding the given examples. */
export function batchOf(examples: readonly Example[]): Batch {
  return {
    tokens: Tensor.fromArray(examples.flatMap((e) => e.tokens), [examples.length, SEQUENCE_LENGTH]),
    targets: Tensor.fromArray(examples.flatMap((e) => e.targets), [examples.length * SEQUENCE_LENGTH]),
  };
}

/** The letters of `text` as tokens, or a sentence saying why they cannot be a task's example. */
export function parseLetters(task: TaskName, text: string): number[] | string {
  const want = letterCount(task);
  const letters = [...text.trim().toLowerCase()];
  if (letters.length !== want || !letters.every((c) => LETTERS.includes(c))) {
    return `the example must be ${want} letters from a to h, such as ${DEFAULT_EXAMPLES[task]}`;
  }
  return letters.map((c) => LETTERS.indexOf(c));
}

/** The example shown when none is typed, per task. */
export const DEFAULT_EXAMPLES: Readonly<Record<TaskName, string>> = { previous: 'cafhbdgbea', copy: 'cafhb', reverse: 'cafhb' };

/** Tokens as text: 'cafhb_____'. */
export function tokensToText(tokens: ArrayLike<number>): string {
  return Array.from(tokens, (t) => VOCABULARY[t] ?? '?').join('');
}
