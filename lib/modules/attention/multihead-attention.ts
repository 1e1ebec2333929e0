import { MinidlError, checkArgumentCount, checkInteger, formatShape } from '../../errors';
import { initialize } from '../../init/init';
import { OptionSpec, aBoolean, instanceOf, readOptions } from '../../options';
import { Rng, defaultRng } from '../../random/rng';
import { configBoolean, configNumber } from '../../serialization/config-values';
import { registerModule } from '../../serialization/module-registry';
import { addRowVector, matmul, matmulTransA, matmulTransB, sumRows } from '../../tensor/ops';
import { Tensor, keptTensor } from '../../tensor/tensor';
import { Module } from '../module';
import { Parameter } from '../parameter';
import { ScaledDotProductAttentionResult, scaledDotProductAttention, scaledDotProductAttentionBackward } from './scaled-dot-product-attention';

/** Options of `MultiheadAttention` (PyTorch's names and defaults, and the causal mask). */
export interface MultiheadAttentionOptions {
  /** Learn the biases of the input and output projections (default true). */
  bias?: boolean;
  /** Input and output are [N, T, E] instead of [T, N, E] (default false, as PyTorch's `batch_first`). */
  batchFirst?: boolean;
  /** Each position attends only to itself and earlier ones (default false); see the class comment. */
  causal?: boolean;
  /**
   * `lastAttentionWeights` averaged over the heads, [N, T, T] (default true), or one map per
   * head, [N, H, T, T] (false): PyTorch's `average_attn_weights`, a forward argument there. A
   * setting for reading the weights, not part of the model: it is not saved.
   */
  averageAttnWeights?: boolean;
  /** The generator to draw the initial weights from (default: the one `manualSeed` seeds). */
  rng?: Rng;
}

/** The defaults, written once. */
export const MULTIHEAD_ATTENTION_DEFAULTS = { bias: true, batchFirst: false, causal: false } as const;

/** The output projection's parameters, as PyTorch's `out_proj` (a Linear) holds them. */
export interface OutProj {
  /** W_O [E, E] (PyTorch's layout [out, in]: Y = A·W_Oᵀ + b_O). */
  readonly weight: Parameter;
  /** b_O [E], or null when built with `bias: false`. */
  readonly bias: Parameter | null;
}

/**
 * Multi-head self-attention (Vaswani et al., 2017), PyTorch's `nn.MultiheadAttention` called with
 * query = key = value = x:
 *
 *   [Q K V] = X·W_inᵀ + b_in                   W_in = [W_Q; W_K; W_V] stacked, [3E, E]
 *   head_h  = Attention(Q_h, K_h, V_h)         Q_h = the columns h·d … h·d + d − 1 of Q, d = E/H
 *           = softmax(Q_h·K_hᵀ/√d + M)·V_h     (lib/modules/attention/scaled-dot-product-attention.ts)
 *   Y       = [head_1 … head_H]·W_Oᵀ + b_O
 *
 * Each of the H heads attends on its own slice of d = E/H features; the output projection mixes
 * them. M is the causal mask when `causal` is set (−∞ where a position would look at a later one).
 *
 * Shapes: X [T, N, E] → Y [T, N, E]  (or [N, T, E] → [N, T, E] with `batchFirst`);
 *         `lastAttentionWeights` [N, T, T] holds the attention weights P of the last forward
 *         pass averaged over the heads, as PyTorch returns them (`need_weights=True`,
 *         `average_attn_weights=True`): row i of sample n is how much position i attended to each
 *         position, and sums to 1. With `averageAttnWeights: false`, one map per head instead,
 *         [N, H, T, T] (PyTorch's `average_attn_weights=False`).
 *
 * Parameters, in PyTorch's names (camelCase) **and PyTorch's layouts**, so that a PyTorch
 * state_dict copies in one to one — unlike minidl's Linear, which stores its weight transposed:
 *   inProjWeight [3E, E]   (in_proj_weight: W_Q, W_K, W_V stacked; Q = X·W_Qᵀ)
 *   inProjBias   [3E]      (in_proj_bias)
 *   outProj.weight [E, E]  (out_proj.weight)       outProj.bias [E]   (out_proj.bias)
 * They are saved under those names ('inProjWeight', 'inProjBias', 'outProj.weight', 'outProj.bias').
 *
 * Init (PyTorch's `_reset_parameters`): inProjWeight ~ xavier_uniform_, U(−a, a) with
 * a = √(6/(E + 3E)) (fanIn E, fanOut 3E); outProj.weight as a Linear(E, E), U(−1/√E, 1/√E);
 * both biases 0.
 *
 * The causal mask is a setting of the module (`causal`, fixed at construction and saved), not an
 * argument of `forward`: forward takes one tensor, the contract every module keeps, so that a
 * Sequential or a Residual can hold it (PyTorch passes `attn_mask` / `is_causal` to each call).
 * Not supported: attention between two different sequences (key ≠ query), dropout on the
 * weights, key padding masks, add_bias_kv, add_zero_attn, kdim / vdim.
 *
 * ## Backward, given G = ∂L/∂Y (rows: one per position of each sample)
 *
 *   ∂L/∂W_O += Gᵀ·A      ∂L/∂b_O += Σ_rows G      ∂L/∂A = G·W_O          (A = the heads side by side)
 *   ∂L/∂Q_h, ∂L/∂K_h, ∂L/∂V_h: the attention's backward for each head, from the slice h of ∂L/∂A
 *   D = [∂L/∂Q ∂L/∂K ∂L/∂V]  [rows, 3E]
 *   ∂L/∂W_in += Dᵀ·X     ∂L/∂b_in += Σ_rows D
 *   ∂L/∂X = D·W_in = ∂L/∂Q·W_Q + ∂L/∂K·W_K + ∂L/∂V·W_V     (X reaches Y along the three paths)
 *
 * Errors: embedDim or numHeads not a whole number ≥ 1, embedDim not divisible by numHeads,
 * unknown or mistyped options, and an input that is not a finite Tensor [T, N, E] (or
 * [N, T, E]) throw a MinidlError before anything is drawn or changed.
 *
 * ```ts
 * const attn = new MultiheadAttention(16, 4, { batchFirst: true, causal: true });
 * const y = attn.forward(x);               // x [N, T, 16] → y [N, T, 16]
 * attn.lastAttentionWeights;               // [N, T, T], zero above the diagonal
 * ```
 */
export class MultiheadAttention extends Module {
  /** E, the size of each position's vector (input and output). */
  readonly embedDim: number;
  /** H, the number of heads; each works on d = E/H features. */
  readonly numHeads: number;
  /** d = E/H, the size of a query, key and value in one head. */
  readonly headDim: number;
  /** Whether the layout is [N, T, E] (true) or [T, N, E] (false). */
  readonly batchFirst: boolean;
  /** Whether position i attends only to positions j ≤ i. */
  readonly causal: boolean;
  /** Whether `lastAttentionWeights` is the mean over the heads [N, T, T] (true) or per head [N, H, T, T] (false). */
  readonly averageAttnWeights: boolean;
  /** W_in = [W_Q; W_K; W_V], [3E, E] (PyTorch's in_proj_weight). */
  readonly inProjWeight: Parameter;
  /** b_in = [b_Q; b_K; b_V], [3E], or null when built with `bias: false` (PyTorch's in_proj_bias). */
  readonly inProjBias: Parameter | null;
  /** The output projection's weight [E, E] and bias [E] (PyTorch's out_proj). */
  readonly outProj: OutProj;
  private lastWeights: Tensor | null = null;
  private inputRows: Tensor | null = null;
  private heads: Tensor | null = null;
  private attention: ScaledDotProductAttentionResult | null = null;

  constructor(embedDim: number, numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    checkArgumentCount('MultiheadAttention', arguments.length, ['embedDim', 'numHeads', 'options']);
    this.embedDim = checkInteger('MultiheadAttention', 'embedDim', embedDim);
    this.numHeads = checkInteger('MultiheadAttention', 'numHeads', numHeads);
    if (embedDim % numHeads !== 0) {
      throw new MinidlError(`MultiheadAttention: embedDim must be divisible by numHeads (each head takes embedDim/numHeads features), got embedDim ${embedDim} and numHeads ${numHeads}`);
    }
    this.headDim = embedDim / numHeads;
    const who = `MultiheadAttention(${embedDim}, heads=${numHeads})`;
    const o = readOptions(who, options, MULTIHEAD_ATTENTION_OPTIONS);
    const bias = o.bias ?? MULTIHEAD_ATTENTION_DEFAULTS.bias;
    this.batchFirst = o.batchFirst ?? MULTIHEAD_ATTENTION_DEFAULTS.batchFirst;
    this.causal = o.causal ?? MULTIHEAD_ATTENTION_DEFAULTS.causal;
    this.averageAttnWeights = o.averageAttnWeights ?? true;
    const rng = o.rng ?? defaultRng();
    const E = embedDim;
    this.inProjWeight = new Parameter(initialize(Tensor.zeros([3 * E, E]), 'xavierUniform', E, 3 * E, rng), 'inProjWeight'); // U(−a, a), a = √(6/(E + 3E))
    this.inProjBias = bias ? new Parameter(Tensor.zeros([3 * E]), 'inProjBias') : null;
    const outWeight = new Parameter(initialize(Tensor.zeros([E, E]), 'default', E, E, rng), 'outProj.weight'); // U(−1/√E, 1/√E), as Linear(E, E)
    this.outProj = Object.freeze({ weight: outWeight, bias: bias ? new Parameter(Tensor.zeros([E]), 'outProj.bias') : null });
  }

  /**
   * The attention weights of the last forward pass averaged over the heads, [N, T, T] (null
   * before the first): what PyTorch's forward returns second with its defaults; per head,
   * [N, H, T, T], with `averageAttnWeights: false`. A new tensor at each forward, readable after
   * a step has ended.
   */
  get lastAttentionWeights(): Tensor | null {
    return this.lastWeights;
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    const E = this.embedDim;
    if (input.rank !== 3 || input.shape[2] !== E) {
      this.fail('forward', `input has shape ${formatShape(input.shape)}, expected ${this.batchFirst ? '[N,T' : '[T,N'},${E}] (${this.batchFirst ? 'batchFirst: batch, position' : 'position, batch'}, features)`);
    }
    const [N, T] = this.batchFirst ? [input.shape[0], input.shape[1]] : [input.shape[1], input.shape[0]];
    const x = input.reshape([N * T, E]); //                                      one row per (position, sample)
    const qkv = projectRows(x, this.inProjWeight.value, this.inProjBias); //   [Q K V] = X·W_inᵀ + b_in   [rows, 3E]
    const [q, k, v] = [0, 1, 2].map((part) => this.splitHeads(qkv, part, N, T)); // Q_h, K_h, V_h   [N·H, T, d]
    const attention = scaledDotProductAttention(q, k, v, { causal: this.causal }); // softmax(Q_h·K_hᵀ/√d + M)·V_h
    const heads = this.mergeHeads(attention.output, N, T); //                   A = [head_1 … head_H]   [rows, E]
    const y = projectRows(heads, this.outProj.weight.value, this.outProj.bias); // Y = A·W_Oᵀ + b_O
    this.inputRows = x;
    this.heads = heads;
    this.attention = attention;
    this.lastWeights = this.averageAttnWeights
      ? averageOverHeads(attention.weights, N, this.numHeads, T) //               (1/H)·Σ_h P_h   [N, T, T]
      : keptTensor([N, this.numHeads, T, T], attention.weights.data.slice()); //  P_h            [N, H, T, T]
    return this.rememberOutput(y.reshape(input.shape));
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const E = this.embedDim;
    const x = this.inputRows as Tensor, heads = this.heads as Tensor, attention = this.attention as ScaledDotProductAttentionResult;
    const [N, T] = [attention.q.shape[0] / this.numHeads, attention.q.shape[1]];
    const g = gradOut.reshape([N * T, E]);
    matmulTransA(g, heads, { into: this.outProj.weight.grad, accumulate: true }); //  ∂L/∂W_O += Gᵀ·A
    if (this.outProj.bias) sumRows(g, { into: this.outProj.bias.grad, accumulate: true }); // ∂L/∂b_O += Σ_rows G
    const gradHeads = matmul(g, this.outProj.weight.value); //                         ∂L/∂A = G·W_O
    const { gradQ, gradK, gradV } = scaledDotProductAttentionBackward(this.splitHeads(gradHeads, 0, N, T), attention);
    const d = new Tensor([N * T, 3 * E]); //                                          D = [∂L/∂Q ∂L/∂K ∂L/∂V]
    [gradQ, gradK, gradV].forEach((part, i) => this.mergeHeads(part, N, T, d, i));
    matmulTransA(d, x, { into: this.inProjWeight.grad, accumulate: true }); //        ∂L/∂W_in += Dᵀ·X
    if (this.inProjBias) sumRows(d, { into: this.inProjBias.grad, accumulate: true }); // ∂L/∂b_in += Σ_rows D
    return matmul(d, this.inProjWeight.value).reshape(gradOut.shape); //             ∂L/∂X = D·W_in
  }

  /**
   * Row of position t of sample n in the [N·T, …] view of the input: t·N + n for [T, N, E]
   * (PyTorch's layout), n·T + t with batchFirst.
   */
  private row(n: number, t: number, N: number, T: number): number {
    return this.batchFirst ? n * T + t : t * N + n;
  }

  /**
   * The columns part·E + h·d … part·E + h·d + d − 1 of `rows` [N·T, width], as [N·H, T, d]:
   * out[n·H + h, t, c] = rows[row(n, t), part·E + h·d + c] (PyTorch's order of the N·H problems).
   */
  private splitHeads(rows: Tensor, part: number, N: number, T: number): Tensor {
    const H = this.numHeads, d = this.headDim, width = rows.shape[1];
    const out = new Tensor([N * H, T, d]);
    const src = rows.data, dst = out.data;
    for (let n = 0; n < N; n++) {
      for (let h = 0; h < H; h++) {
        for (let t = 0; t < T; t++) {
          const from = this.row(n, t, N, T) * width + part * this.embedDim + h * d, to = ((n * H + h) * T + t) * d;
          for (let c = 0; c < d; c++) dst[to + c] = src[from + c];
        }
      }
    }
    return out;
  }

  /**
   * The inverse of splitHeads: writes `perHead` [N·H, T, d] into the columns part·E … part·E + E − 1
   * of `into` [N·T, width] (a new [N·T, E] when not given), and returns it.
   */
  private mergeHeads(perHead: Tensor, N: number, T: number, into = new Tensor([N * T, this.embedDim]), part = 0): Tensor {
    const H = this.numHeads, d = this.headDim, width = into.shape[1];
    const src = perHead.data, dst = into.data;
    for (let n = 0; n < N; n++) {
      for (let h = 0; h < H; h++) {
        for (let t = 0; t < T; t++) {
          const to = this.row(n, t, N, T) * width + part * this.embedDim + h * d, from = ((n * H + h) * T + t) * d;
          for (let c = 0; c < d; c++) dst[to + c] = src[from + c];
        }
      }
    }
    return into;
  }

  override params(): Parameter[] {
    const list = [this.inProjWeight];
    if (this.inProjBias) list.push(this.inProjBias);
    list.push(this.outProj.weight);
    if (this.outProj.bias) list.push(this.outProj.bias);
    return list;
  }

  toString(): string {
    const extra: string[] = [];
    if (this.inProjBias === null) extra.push('bias=false');
    if (this.batchFirst) extra.push('batchFirst=true');
    if (this.causal) extra.push('causal=true');
    if (!this.averageAttnWeights) extra.push('averageAttnWeights=false');
    return `MultiheadAttention(${[this.embedDim, `heads=${this.numHeads}`, ...extra].join(', ')})`;
  }

  /** The sizes and settings: `{ embedDim, numHeads, bias, batchFirst, causal }` (the weights are saved apart). */
  override config(): Record<string, unknown> {
    return { embedDim: this.embedDim, numHeads: this.numHeads, bias: this.inProjBias !== null, batchFirst: this.batchFirst, causal: this.causal };
  }

  /** A MultiheadAttention from `config()`'s values. */
  static fromConfig(config: Record<string, unknown>): MultiheadAttention {
    return new MultiheadAttention(configNumber(config, 'embedDim'), configNumber(config, 'numHeads'), {
      bias: configBoolean(config, 'bias'), batchFirst: configBoolean(config, 'batchFirst'), causal: configBoolean(config, 'causal'),
    });
  }
}
registerModule(MultiheadAttention, 'MultiheadAttention');

/** The options MultiheadAttention reads. */
const MULTIHEAD_ATTENTION_OPTIONS: OptionSpec<MultiheadAttentionOptions> = {
  bias: aBoolean,
  averageAttnWeights: aBoolean,
  batchFirst: aBoolean,
  causal: aBoolean,
  rng: instanceOf(Rng, 'an Rng such as new Rng(42)'),
};

/** X·Wᵀ (+ b): a projection with a weight in PyTorch's layout [out, in]. */
function projectRows(x: Tensor, weight: Tensor, bias: Parameter | null): Tensor {
  const xw = matmulTransB(x, weight); //  X·Wᵀ
  return bias ? addRowVector(xw, bias.value) : xw;
}

/**
 * The weights P [N·H, T, T] averaged over the heads: out[n, i, j] = (1/H)·Σ_h P[n·H + h, i, j].
 * An ordinary tensor (not a step's temporary), so it can still be read, to draw it, after a step.
 */
function averageOverHeads(weights: Tensor, N: number, H: number, T: number): Tensor {
  const out = keptTensor([N, T, T], new Float64Array(N * T * T));
  const P = weights.data, A = out.data, block = T * T;
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      const from = (n * H + h) * block;
      for (let e = 0; e < block; e++) A[n * block + e] += P[from + e];
    }
  }
  for (let e = 0; e < A.length; e++) A[e] /= H;
  return out;
}
