/**
 * The attention weights of every head of one block of the Transformer, for one sentence: what
 * the attention figure draws.
 *
 * `MultiheadAttention.lastAttentionWeights` gives the weights averaged over the heads (PyTorch's
 * default, `average_attn_weights=True`); to show each head, this file computes them again from
 * the layer's own parameters, as its forward does (lib/modules/attention/multihead-attention.ts):
 *
 *   [Q K V] = X·W_inᵀ + b_in                 X: the block's LayerNorm output for the sentence [T, E]
 *   P_h     = softmax(Q_h·K_hᵀ/√d + M)       per head h, on its d = E/H columns; M the causal mask
 *
 * and checks that their mean over the heads is the layer's `lastAttentionWeights` of the same
 * forward pass (to 1e-12), so the figure shows what the model computed.
 */
import { MinidlError, Sequential, Tensor, addRowVector, matmulTransB, scaledDotProductAttention } from '../../lib';
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
  const { before, norm, attention } = attentionOfBlock(model, block);
  const ids = vocabulary.encode(sentence);
  const T = ids.length, E = attention.embedDim, H = attention.numHeads, d = attention.headDim;
  model.eval();
  let x = Tensor.fromArray(ids, [1, T]);
  for (const m of before) x = m.forward(x); //                           the block's input [1, T, E]
  const normed = norm.forward(x); //                                      X = LayerNorm(x) [1, T, E]
  attention.forward(normed); //                                           the layer's own pass, for the check below
  const averaged = attention.lastAttentionWeights as Tensor; //          [1, T, T]
  model.train();

  const projected = matmulTransB(normed.reshape([T, E]), attention.inProjWeight.value); // X·W_inᵀ [T, 3E]
  const qkv = attention.inProjBias ? addRowVector(projected, attention.inProjBias.value) : projected;
  const part = (which: number): Tensor => { //                            Q, K or V of every head: [H, T, d]
    const out = new Tensor([H, T, d]);
    for (let h = 0; h < H; h++) {
      for (let t = 0; t < T; t++) {
        for (let c = 0; c < d; c++) out.data[(h * T + t) * d + c] = qkv.data[t * 3 * E + which * E + h * d + c];
      }
    }
    return out;
  };
  const P = scaledDotProductAttention(part(0), part(1), part(2), { causal: attention.causal }).weights; // [H, T, T]

  const weights: number[][][] = [];
  for (let h = 0; h < H; h++) {
    weights.push(Array.from({ length: T }, (_, i) => Array.from(P.data.subarray((h * T + i) * T, (h * T + i + 1) * T))));
  }
  for (let i = 0; i < T; i++) {
    for (let j = 0; j < T; j++) {
      const mean = weights.reduce((s, w) => s + w[i][j], 0) / H;
      if (Math.abs(mean - averaged.data[i * T + j]) > 1e-12) {
        throw new MinidlError(`headWeights: the mean over the heads at (${i}, ${j}) is ${mean}, but MultiheadAttention computed ${averaged.data[i * T + j]}`);
      }
    }
  }
  return { chars: Array.from(sentence), weights };
}
