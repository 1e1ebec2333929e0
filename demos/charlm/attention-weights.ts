/**
 * The attention weights of every head of one block of the Transformer, for one sentence: what
 * the attention figure draws.
 *
 * The model's attention layers are built with `averageAttnWeights: false` (PyTorch's
 * `average_attn_weights=False`), so after a forward pass `lastAttentionWeights` holds one map per
 * head, [N, H, T, T]:
 *
 *   P_h = softmax(Q_h·K_hᵀ/√d + M)       row i: how much position i takes from each position j ≤ i
 *
 * (lib/modules/attention/multihead-attention.ts). Here N = 1: the sentence alone, in evaluation mode.
 */
import { Sequential, Tensor } from '../../lib';
import { CharVocabulary } from './data';
import { attentionOfBlock } from './models';

/** The attention weights of one block for one sentence. */
export interface HeadWeights {
  /** The sentence's characters (T of them). */
  chars: string[];
  /** weights[h][i][j]: how much position i attends to position j in head h (0 for j > i; each row sums to 1). */
  weights: number[][][];
}

/** The attention weights of each head of block `block` (from 0) of a Transformer made by buildTransformer, for `sentence`. */
export function headWeights(model: Sequential, vocabulary: CharVocabulary, sentence: string, block: number): HeadWeights {
  const attention = attentionOfBlock(model, block);
  const ids = vocabulary.encode(sentence);
  const T = ids.length, H = attention.numHeads;
  model.eval();
  model.forward(Tensor.fromArray(ids, [1, T]));
  model.train();
  const P = (attention.lastAttentionWeights as Tensor).data; //   [1, H, T, T]
  const weights = Array.from({ length: H }, (_, h) =>
    Array.from({ length: T }, (_, i) => Array.from(P.subarray((h * T + i) * T, (h * T + i + 1) * T))));
  return { chars: Array.from(sentence), weights };
}
