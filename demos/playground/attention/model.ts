/**
 * The attention page's model: the smallest network whose only way to move information from one
 * position to another is attention.
 *
 *   x      = tokenEmbedding(tokens) + positionEmbedding(0, 1, …, T−1)     [N, T, E]
 *   h      = MultiheadAttention(E, H, causal)(x)                          [N, T, E]
 *   logits = readout(h as rows [N·T, E])                                  [N·T, V]
 *
 * Without the position embedding every position would look the same to the attention, and a
 * task such as "reverse" (look at the letter 4 − i places from the start) could not be learned.
 * There is no residual connection around the attention: the readout sees nothing but what the
 * attention weights gathered, so the weights the page draws are the whole story.
 *
 * Backward, the same graph read from the end: the readout (a Linear), the attention, and the
 * sum x = e + p, which sends ∂L/∂x unchanged to both embeddings.
 *
 * No DOM here: Node runs this file too.
 */
import {
  Embedding, Linear, MultiheadAttention, Parameter, Rng, Tensor, addRowVector, matmulTransB, scaledDotProductAttention, sliceColumns,
} from '../../../lib';
import { SEQUENCE_LENGTH, VOCABULARY } from './tasks';

/** E, the size of every position's vector. */
export const EMBED_DIM = 16;

export class AttentionModel {
  /** Row i: the vector of token i (a letter or the blank). */
  readonly tokenEmbedding: Embedding;
  /** Row t: the vector added at position t. */
  readonly positionEmbedding: Embedding;
  /** Causal self-attention, [N, T, E] → [N, T, E]. */
  readonly attention: MultiheadAttention;
  /** E features → one logit per token of the vocabulary, at every position. */
  readonly readout: Linear;
  /** [N, T] of the last forward, to give ∂L/∂h its shape back. */
  private lastTokensShape: readonly number[] = [0, 0];

  /** Draws every initial weight from `rng`, in the order of the fields above. */
  constructor(readonly numHeads: number, rng: Rng) {
    this.tokenEmbedding = new Embedding(VOCABULARY.length, EMBED_DIM, { rng });
    this.positionEmbedding = new Embedding(SEQUENCE_LENGTH, EMBED_DIM, { rng });
    this.attention = new MultiheadAttention(EMBED_DIM, numHeads, { batchFirst: true, causal: true, rng });
    this.readout = new Linear(EMBED_DIM, VOCABULARY.length, { rng });
  }

  /** Every parameter, for the optimizer. */
  params(): Parameter[] {
    return [this.tokenEmbedding, this.positionEmbedding, this.attention, this.readout].flatMap((m) => m.params());
  }

  /** x = tokenEmbedding(tokens) + positionEmbedding(positions), for tokens [N, T]. */
  embed(tokens: Tensor): Tensor {
    const [N, T] = tokens.shape;
    const positions = Tensor.fromArray(Array.from({ length: N * T }, (_, i) => i % T), [N, T]);
    const e = this.tokenEmbedding.forward(tokens);
    const p = this.positionEmbedding.forward(positions);
    const x = new Tensor(e.shape);
    for (let i = 0; i < x.size; i++) x.data[i] = e.data[i] + p.data[i]; //   x = e + p
    return x;
  }

  /** Logits [N·T, V] for tokens [N, T]: one row per position, as the loss takes them. */
  forward(tokens: Tensor): Tensor {
    const [N, T] = tokens.shape;
    this.lastTokensShape = tokens.shape;
    const h = this.attention.forward(this.embed(tokens)); //              [N, T, E]
    return this.readout.forward(h.reshape([N * T, EMBED_DIM])); //       [N·T, V]
  }

  /** Given ∂L/∂logits [N·T, V] of the last forward: adds every parameter's gradient. */
  backward(gradLogits: Tensor): void {
    const [N, T] = this.lastTokensShape;
    const gradH = this.readout.backward(gradLogits).reshape([N, T, EMBED_DIM]); // ∂L/∂h
    const gradX = this.attention.backward(gradH); //                                ∂L/∂x
    this.tokenEmbedding.backward(gradX); //                                         x = e + p: ∂L/∂e = ∂L/∂x
    this.positionEmbedding.backward(gradX); //                                      and ∂L/∂p = ∂L/∂x
  }

  /**
   * The attention weights of each head for one sequence `tokens` [1, T]: H tensors [T, T], row i
   * the weights of query i over the keys. MultiheadAttention keeps only their mean over the
   * heads (`lastAttentionWeights`, as PyTorch by default), so each head's is computed again from
   * the layer's parameters, as its forward pass does:
   *
   *   [Q K V] = x·W_inᵀ + b_in;   head h: P_h = softmax(Q_h·K_hᵀ/√d + causal mask)
   *
   * with Q_h the d = E/H columns h·d … h·d + d − 1 of Q (the same for K).
   */
  headWeights(tokens: Tensor): Tensor[] {
    const T = tokens.shape[1], E = EMBED_DIM, d = E / this.numHeads;
    const x = this.embed(tokens).reshape([T, E]);
    const qkv = matmulTransB(x, this.attention.inProjWeight.value); //            x·W_inᵀ      [T, 3E]
    if (this.attention.inProjBias !== null) addRowVector(qkv, this.attention.inProjBias.value); // + b_in
    const part = (which: number, h: number): Tensor => sliceColumns(qkv, which * E + h * d, which * E + (h + 1) * d).reshape([1, T, d]);
    return Array.from({ length: this.numHeads }, (_, h) =>
      scaledDotProductAttention(part(0, h), part(1, h), part(2, h), { causal: true }).weights.reshape([T, T]));
  }
}
