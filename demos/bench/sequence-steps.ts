/**
 * The two sequence workloads of `npm run bench`, one training step each, with the same sizes as
 * demos/bench/sequence_reference.py times in PyTorch:
 *
 *   lstm       Embedding(65, 32) → LSTM(32, 128, batchFirst) → Linear(128, 65) on N = 32
 *              sequences of T = 64 characters; cross-entropy over the N·T next-character
 *              targets; Adam (lr 1e-3).
 *   attention  a two-block pre-norm Transformer on N = 32 sequences of T = 64 positions, E = 64,
 *              4 heads, causal: per block Residual(LayerNorm, MultiheadAttention) then
 *              Residual(LayerNorm, Linear(64→256), GELU, Linear(256→64)); then Linear(64, 65)
 *              and cross-entropy; the input is a fixed random [N, T, E] (no embedding); Adam.
 *
 * One step = zeroGrad, forward, loss, backward, Adam step, written out as a student would.
 */
import {
  Adam, CrossEntropyLoss, Embedding, GELU, LSTM, LayerNorm, Linear, Module, MultiheadAttention, Residual, Rng, Sequential, Tensor,
} from '../../lib';

/** Sizes shared with sequence_reference.py. */
export const SEQUENCE_SIZES = { batch: 32, steps: 64, vocabulary: 65, embed: 32, hidden: 128, model: 64, heads: 4, feedForward: 256 } as const;

/** A function that runs one training step. */
export type TrainingStep = () => void;

/** Random class indices in 0..classes−1, [count]. */
function randomIndices(count: number, classes: number, rng: Rng): Int32Array {
  return Int32Array.from({ length: count }, () => rng.int(classes));
}

/** One training step of a model whose output is [N, T, vocabulary], given its input. */
function stepOf(model: Module, input: Tensor, targets: Int32Array): TrainingStep {
  const { batch: N, steps: T, vocabulary: V } = SEQUENCE_SIZES;
  const loss = new CrossEntropyLoss();
  const optimizer = new Adam(model.params(), { lr: 1e-3 });
  return () => {
    optimizer.zeroGrad();
    const logits = model.forward(input); //                                         [N, T, V]
    loss.forward(logits.reshape([N * T, V]), targets); //                           one row per position
    model.backward(loss.backward().reshape([N, T, V]));
    optimizer.step();
  };
}

/** The LSTM language model's training step. */
export function lstmStep(rng: Rng): TrainingStep {
  const { batch: N, steps: T, vocabulary: V, embed, hidden } = SEQUENCE_SIZES;
  const model = new Sequential(
    new Embedding(V, embed, { rng }),
    new LSTM(embed, hidden, { batchFirst: true, rng }),
    new Linear(hidden, V, { rng }),
  );
  const characters = randomIndices(N * T, V, rng);
  const input = new Tensor([N, T], Float64Array.from(characters));
  return stepOf(model, input, randomIndices(N * T, V, rng));
}

/** The two-block Transformer's training step. */
export function attentionStep(rng: Rng): TrainingStep {
  const { batch: N, steps: T, vocabulary: V, model: E, heads, feedForward } = SEQUENCE_SIZES;
  const block = (): Module[] => [
    new Residual(new Sequential(new LayerNorm(E), new MultiheadAttention(E, heads, { batchFirst: true, causal: true, rng }))),
    new Residual(new Sequential(new LayerNorm(E), new Linear(E, feedForward, { rng }), new GELU(), new Linear(feedForward, E, { rng }))),
  ];
  const model = new Sequential(...block(), ...block(), new LayerNorm(E), new Linear(E, V, { rng }));
  const input = new Tensor([N, T, E], rng.fillUniform(new Float64Array(N * T * E), -1, 1));
  return stepOf(model, input, randomIndices(N * T, V, rng));
}
