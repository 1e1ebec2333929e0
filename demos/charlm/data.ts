/**
 * The data of the character-level language model: a text → its characters as numbers → windows
 * of T characters, each with the T characters that follow them as targets.
 *
 *   text        "In the beginning God created…"
 *   vocabulary  the distinct characters, sorted by code point: '\n', ' ', '!', …, 'z' (C of them)
 *   ids         the text as indices into the vocabulary, one per character
 *   windows     input  ids[s … s+T−1]        (T characters)
 *               target ids[s+1 … s+T]        (each input character's next character)
 *               for s = 0, T, 2T, … (windows side by side, not overlapping)
 *
 * So position t of a window asks the model: after the characters 0 … t of this window, which
 * character comes next? One window gives T such questions, all answered by one forward pass.
 *
 * Train/validation split: the first 90 % of the text trains, the last 10 % validates (a
 * contiguous split, as Karpathy's char-rnn and nanoGPT do): a random split of windows would put
 * neighbouring sentences on both sides, and the validation loss would then flatter the model.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MinidlError, Tensor } from '../../lib';

/** The text that ships with the demo: Genesis 1–20, King James Version (see ./README.md). */
export const BUNDLED_TEXT = path.join(__dirname, 'genesis.txt');

/** The share of the text that trains; the rest, at its end, validates. */
export const TRAIN_FRACTION = 0.9;

/** The characters of a text and the numbers that stand for them. */
export class CharVocabulary {
  /** The distinct characters, sorted by code point; character `chars[i]` is number i. */
  readonly chars: readonly string[];
  private readonly index: Map<string, number>;

  /** The vocabulary of `text` (every distinct character, sorted by code point). */
  constructor(text: string) {
    this.chars = [...new Set(Array.from(text))].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    this.index = new Map(this.chars.map((c, i) => [c, i]));
  }

  /** C, the number of distinct characters: the number of classes the model chooses from. */
  get size(): number {
    return this.chars.length;
  }

  /** The number of each character of `text`; throws a MinidlError for a character not in the vocabulary. */
  encode(text: string): Int32Array {
    const chars = Array.from(text);
    const ids = new Int32Array(chars.length);
    chars.forEach((c, i) => {
      const id = this.index.get(c);
      if (id === undefined) throw new MinidlError(`CharVocabulary.encode: the character ${JSON.stringify(c)} at position ${i} is not in the vocabulary`);
      ids[i] = id;
    });
    return ids;
  }

  /** The text of a list of numbers. */
  decode(ids: ArrayLike<number>): string {
    let text = '';
    for (let i = 0; i < ids.length; i++) text += this.chars[ids[i]];
    return text;
  }
}

/** Windows of T characters: inputs and next-character targets, both [W, T] tensors of indices. */
export interface Windows {
  /** inputs[w, t] = ids[w·T + t]. */
  inputs: Tensor;
  /** targets[w, t] = ids[w·T + t + 1]: the character after inputs[w, t]. */
  targets: Tensor;
}

/**
 * The windows of `ids` (see the file's comment): W = ⌊(length − 1) / T⌋ of them, side by side;
 * the last few characters that do not fill a window are left out.
 */
export function makeWindows(ids: Int32Array, T: number): Windows {
  const W = Math.floor((ids.length - 1) / T);
  const inputs = new Tensor([W, T]), targets = new Tensor([W, T]);
  for (let w = 0; w < W; w++) {
    for (let t = 0; t < T; t++) {
      inputs.data[w * T + t] = ids[w * T + t]; //          the character at position t
      targets.data[w * T + t] = ids[w * T + t + 1]; //     the one after it
    }
  }
  return { inputs, targets };
}

/** A text ready to train on. */
export interface CharData {
  /** Where the text came from (a file name, for messages and results). */
  source: string;
  /** The whole text. */
  text: string;
  vocabulary: CharVocabulary;
  /** The first TRAIN_FRACTION of the text, encoded. */
  trainIds: Int32Array;
  /** The rest, encoded. */
  validationIds: Int32Array;
  train: Windows;
  validation: Windows;
  /** T, the length of every window. */
  sequenceLength: number;
}

/**
 * Reads a text (UTF-8), builds its vocabulary and its train and validation windows of
 * `sequenceLength` characters; `maxChars` keeps only the beginning of the text (for --quick).
 * Throws a MinidlError when the file is not UTF-8 text, or too short for one validation window.
 */
export function loadCharData(file: string, sequenceLength: number, maxChars = Infinity): CharData {
  const bytes = fs.readFileSync(file);
  let whole: string;
  try {
    whole = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/\r\n/g, '\n'); // no silent U+FFFD for a bad byte
  } catch {
    throw new MinidlError(`the file is not UTF-8 text: some of its ${bytes.length} bytes are no UTF-8 character (a binary file, or another encoding such as Latin-1?)`);
  }
  const text = Array.from(whole).slice(0, maxChars).join('');
  const vocabulary = new CharVocabulary(text);
  const ids = vocabulary.encode(text);
  const cut = Math.floor(TRAIN_FRACTION * ids.length);
  const trainIds = ids.slice(0, cut), validationIds = ids.slice(cut);
  if (validationIds.length < sequenceLength + 1) {
    let needed = sequenceLength + 1; //   the shortest text whose validation part holds one window
    while (needed - Math.floor(TRAIN_FRACTION * needed) < sequenceLength + 1) needed++;
    throw new MinidlError(`the text ${path.basename(file)} has ${ids.length} characters; it needs at least ${needed} so that its last ${Math.round(100 * (1 - TRAIN_FRACTION))} % holds one validation window of ${sequenceLength} + 1 characters`);
  }
  return {
    source: path.basename(file),
    text,
    vocabulary,
    trainIds,
    validationIds,
    train: makeWindows(trainIds, sequenceLength),
    validation: makeWindows(validationIds, sequenceLength),
    sequenceLength,
  };
}
