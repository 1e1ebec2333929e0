import { Embedding, Module, Rng, Tensor, checkInteger, formatShape } from '../../lib';

/**
 * Adds a learned vector per position to a sequence of vectors: the learned position embedding of
 * GPT-2 (and of Karpathy's minGPT, whose forward reads `tok_emb + pos_emb` with
 * `pos_emb = wpe(arange(T))`). A Transformer's attention treats its inputs as a set; this is what
 * tells it which character came first.
 *
 *   y[n, t, :] = x[n, t, :] + P[t, :]          t = 0 … T − 1,   P = positions.weight
 *
 * Shapes: X [N, T, E] → Y [N, T, E];  P [maxLength, E], so T ≤ maxLength
 * Init:   P ~ N(0, 1): P is the table of an `Embedding(maxLength, E)` (PyTorch's nn.Embedding
 *         init), looked up with the positions 0, 1, …, T − 1
 *
 * Backward, given G = ∂L/∂Y [N, T, E]: the sum passes G unchanged to X, and every sample of the
 * batch adds its gradient to the same row of P:
 *
 *   ∂L/∂X = G                 ∂L/∂P[t, :] += Σₙ G[n, t, :]
 *
 * (the second is the Embedding's own backward, given Σₙ G[n, :, :] for the positions 0 … T−1).
 *
 * Errors: sizes that are not whole numbers ≥ 1, and an input that is not a finite Tensor
 * [N, T, E] with T ≤ maxLength, throw a MinidlError naming the module.
 *
 * ```ts
 * const tokens = new Embedding(65, 64), positions = new AddPositionEmbedding(64, 64);
 * const x = positions.forward(tokens.forward(ids));     // ids [N, T] → x [N, T, 64]
 * ```
 */
export class AddPositionEmbedding extends Module {
  /** The longest sequence it takes (rows of the table). */
  readonly maxLength: number;
  /** E, the size of each vector. */
  readonly embeddingDim: number;
  /** The table P [maxLength, E] as an Embedding, looked up with positions 0 … T − 1. */
  readonly positions: Embedding;

  /** `rng` draws P (default: the generator `manualSeed` seeds). */
  constructor(maxLength: number, embeddingDim: number, options: { rng?: Rng } = {}) {
    super();
    this.maxLength = checkInteger('AddPositionEmbedding', 'maxLength', maxLength);
    this.embeddingDim = checkInteger('AddPositionEmbedding', 'embeddingDim', embeddingDim);
    this.positions = new Embedding(maxLength, embeddingDim, options.rng === undefined ? {} : { rng: options.rng });
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    const E = this.embeddingDim;
    if (input.rank !== 3 || input.shape[2] !== E || input.shape[1] > this.maxLength) {
      this.fail('forward', `input has shape ${formatShape(input.shape)}, expected [N,T,${E}] with T ≤ ${this.maxLength}`);
    }
    const [N, T] = input.shape;
    const p = this.positions.forward(positionsUpTo(T)); //                 P[t, :] for t = 0 … T−1   [T, E]
    const output = new Tensor(input.shape);
    const x = input.data, y = output.data, rows = p.data;
    for (let n = 0; n < N; n++) {
      for (let i = 0; i < T * E; i++) y[n * T * E + i] = x[n * T * E + i] + rows[i]; // y[n, t, :] = x[n, t, :] + P[t, :]
    }
    return this.rememberOutput(output);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const [N, T, E] = gradOut.shape;
    const sumOverBatch = new Tensor([T, E]);
    const g = gradOut.data, s = sumOverBatch.data;
    for (let n = 0; n < N; n++) {
      for (let i = 0; i < T * E; i++) s[i] += g[n * T * E + i]; //            Σₙ G[n, t, :]
    }
    this.positions.backward(sumOverBatch); //                                ∂L/∂P[t, :] += Σₙ G[n, t, :]
    return gradOut.clone(); //                                               ∂L/∂X = G
  }

  override children(): Module[] {
    return [this.positions];
  }

  toString(): string {
    return `AddPositionEmbedding(${this.maxLength}, ${this.embeddingDim})`;
  }
}

/** The positions 0, 1, …, T − 1 as a Tensor [T] of indices. */
function positionsUpTo(T: number): Tensor {
  const positions = new Tensor([T]);
  for (let t = 0; t < T; t++) positions.data[t] = t;
  return positions;
}

