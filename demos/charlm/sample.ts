/**
 * Generating text with a trained character-level model, one character at a time:
 *
 *   context ← the prompt's characters
 *   repeat:
 *     z ← the model's logits at the last position of (the last T characters of) the context
 *     p ← softmax(z / τ)                      τ: the temperature
 *     c ← a character drawn with probabilities p (from the run's seeded generator)
 *     context ← context + c
 *
 * The temperature τ reshapes the distribution: τ = 1 draws from the model's own probabilities,
 * τ < 1 sharpens them (likelier characters, more repetitive text), τ > 1 flattens them (more
 * surprises, more misspellings); τ → 0 always takes the most likely character.
 *
 * Both models are trained on windows of T characters that start from nothing (zero state for
 * the LSTM, positions 0 … T−1 for the Transformer), so the context given to them is at most the
 * last T characters, read from the start each time: what they were trained to do.
 */
import { MinidlError, Rng, Sequential } from '../../lib';
import { CharVocabulary } from './data';
import { lastLogits } from './train';

/** An index drawn with probabilities softmax(logits / temperature), using one uniform number of `rng`. */
export function drawCharacter(logits: ArrayLike<number>, temperature: number, rng: Rng): number {
  if (!(temperature > 0)) throw new MinidlError(`drawCharacter: the temperature must be a number > 0, got ${temperature}`);
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const weights = new Float64Array(logits.length);
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    weights[i] = Math.exp((logits[i] - max) / temperature); //   e^((z_i − max z)/τ): the softmax before dividing by the total
    total += weights[i];
  }
  const u = rng.uniform() * total; //                              a point in [0, total)
  let cumulative = 0;
  for (let i = 0; i < weights.length; i++) {
    cumulative += weights[i];
    if (u < cumulative) return i; //                                 the first i whose running sum passes u
  }
  return weights.length - 1; //                                      u rounded up to the total
}

/**
 * `length` characters generated after `prompt` (the prompt not included), each drawn from the
 * model's prediction given at most the last `contextLength` characters.
 */
export function sampleText(
  model: Sequential, vocabulary: CharVocabulary, prompt: string,
  options: { length: number; contextLength: number; temperature: number; rng: Rng },
): string {
  model.eval();
  const ids = Array.from(vocabulary.encode(prompt));
  const generated: number[] = [];
  for (let i = 0; i < options.length; i++) {
    const context = ids.slice(Math.max(0, ids.length - options.contextLength));
    const next = drawCharacter(lastLogits(model, context), options.temperature, options.rng);
    ids.push(next);
    generated.push(next);
  }
  model.train();
  return vocabulary.decode(generated);
}
