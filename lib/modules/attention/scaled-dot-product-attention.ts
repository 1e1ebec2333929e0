import { MinidlError, checkArgumentCount, checkPositive, describeValue, formatShape, sameShape } from '../../errors';
import { OptionSpec, aBoolean, aNumber, readOptions } from '../../options';
import { Tensor } from '../../tensor/tensor';

/** Options of `scaledDotProductAttention` (PyTorch's `is_causal` and `scale`). */
export interface ScaledDotProductAttentionOptions {
  /** Mask the future: query i attends only to keys j ≤ i (PyTorch's `is_causal`; default false). */
  causal?: boolean;
  /** The factor s the scores are multiplied by: a finite number > 0 (default 1/√d, d = the size of a query). */
  scale?: number;
}

/**
 * What `scaledDotProductAttention` returns, and what its backward needs (pass it back as it is).
 * Its tensors are the ones the backward reads, not copies: change none of them in place (to
 * draw P, say, `weights.clone()` first), as a module's input must not change before `backward`.
 */
export interface ScaledDotProductAttentionResult {
  /** O = P·V [B, Tq, dv]. */
  output: Tensor;
  /** P = softmax(S) [B, Tq, Tk]: row i of batch b is how much query i attends to each key (sums to 1). */
  weights: Tensor;
  /** The queries Q [B, Tq, d] it was given. */
  q: Tensor;
  /** The keys K [B, Tk, d] it was given. */
  k: Tensor;
  /** The values V [B, Tk, dv] it was given. */
  v: Tensor;
  /** The factor s the scores were multiplied by. */
  scale: number;
}

/** What `scaledDotProductAttentionBackward` returns: the gradient of the loss with respect to each input. */
export interface ScaledDotProductAttentionGrads {
  /** ∂L/∂Q [B, Tq, d]. */
  gradQ: Tensor;
  /** ∂L/∂K [B, Tk, d]. */
  gradK: Tensor;
  /** ∂L/∂V [B, Tk, dv]. */
  gradV: Tensor;
}

/**
 * Scaled dot-product attention (Vaswani et al., 2017, "Attention Is All You Need"), for each of
 * B independent problems (B = batch · heads in MultiheadAttention):
 *
 *   S = s·Q·Kᵀ + M          scores [Tq, Tk]:  S[i, j] = s·Σ_c Q[i, c]·K[j, c] + M[i, j]
 *   P = softmax(S)          row by row (over the keys j): each row of P sums to 1
 *   O = P·V                 O[i, :] = Σ_j P[i, j]·V[j, :], a weighted mean of the values
 *
 * with s = 1/√d unless `scale` is given, and M the causal mask when `causal` is set: −∞ where
 * j > i (query i may not look at later keys), 0 elsewhere, so P[i, j] = 0 exactly above the
 * diagonal. (PyTorch's `F.scaled_dot_product_attention` with `is_causal`: the mask
 * `ones(Tq, Tk).tril(0)`, anchored at the top left when Tq ≠ Tk.) Dividing by √d keeps the scores
 * of order 1 when the entries of Q and K are: a sum of d products has a variance d times theirs.
 *
 * Shapes: Q [B, Tq, d], K [B, Tk, d], V [B, Tk, dv] → output [B, Tq, dv], weights [B, Tq, Tk].
 * The softmax subtracts each row's largest score first (the same value, no overflow).
 *
 * Errors: q, k, v that are not finite Tensors of rank 3 with matching sizes (B shared, d shared
 * by Q and K, Tk shared by K and V), unknown or mistyped options and a scale that is not a finite
 * number > 0 throw a MinidlError naming what came.
 *
 * ```ts
 * const attn = scaledDotProductAttention(q, k, v, { causal: true });   // attn.output, attn.weights
 * const { gradQ, gradK, gradV } = scaledDotProductAttentionBackward(gradOutput, attn);
 * ```
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: ScaledDotProductAttentionOptions = {}): ScaledDotProductAttentionResult {
  const who = 'scaledDotProductAttention';
  checkArgumentCount(who, arguments.length, ['q', 'k', 'v', 'options']);
  const o = readOptions(who, options, SDPA_OPTIONS);
  for (const [name, t] of [['q', q], ['k', k], ['v', v]] as const) checkOperand(who, name, t);
  const [B, Tq, d] = q.shape, [Bk, Tk, dk] = k.shape, [Bv, Tv, dv] = v.shape;
  if (Bk !== B || Bv !== B || dk !== d || Tv !== Tk) {
    throw new MinidlError(`${who}: q [B,Tq,d], k [B,Tk,d] and v [B,Tk,dv] must share B, d (q and k) and Tk (k and v), got q ${formatShape(q.shape)}, k ${formatShape(k.shape)}, v ${formatShape(v.shape)}`);
  }
  const scale = o.scale === undefined ? 1 / Math.sqrt(d) : checkPositive(who, 'scale', o.scale);
  const causal = o.causal ?? false;

  const weights = new Tensor([B, Tq, Tk]);
  const output = new Tensor([B, Tq, dv]);
  const Q = q.data, K = k.data, V = v.data, P = weights.data, O = output.data;
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < Tq; i++) {
      const qi = (b * Tq + i) * d; //                  Q[b, i, :]
      const pi = (b * Tq + i) * Tk; //                 P[b, i, :]
      const lastKey = causal ? Math.min(i, Tk - 1) : Tk - 1; // causal: keys j > i get −∞, so P = 0 there
      let max = -Infinity;
      for (let j = 0; j <= lastKey; j++) {
        const kj = (b * Tk + j) * d;
        let dot = 0;
        for (let c = 0; c < d; c++) dot += Q[qi + c] * K[kj + c];
        P[pi + j] = scale * dot; //                    S[i, j] = s·Q[i, :]·K[j, :]
        if (P[pi + j] > max) max = P[pi + j];
      }
      let sum = 0;
      for (let j = 0; j <= lastKey; j++) sum += P[pi + j] = Math.exp(P[pi + j] - max);
      for (let j = 0; j <= lastKey; j++) P[pi + j] /= sum; // P[i, j] = e^(S[i, j] − max) / Σ_j' e^(S[i, j'] − max)
      const oi = (b * Tq + i) * dv;
      for (let j = 0; j <= lastKey; j++) {
        const vj = (b * Tk + j) * dv, p = P[pi + j];
        for (let c = 0; c < dv; c++) O[oi + c] += p * V[vj + c]; // O[i, :] = Σ_j P[i, j]·V[j, :]
      }
    }
  }
  return { output, weights, q, k, v, scale };
}

/**
 * The backward pass of `scaledDotProductAttention`: given G = ∂L/∂O [B, Tq, dv] and what the
 * forward pass returned (`saved`), the gradients with respect to Q, K and V. Per problem b,
 * following O = P·V, P = softmax(S), S = s·Q·Kᵀ + M backwards:
 *
 *   ∂L/∂V = Pᵀ·G                            dV[j, :] = Σ_i P[i, j]·G[i, :]
 *   dP    = G·Vᵀ                            dP[i, j] = G[i, :]·V[j, :]
 *   dS    = P ⊙ (dP − rowsum(dP ⊙ P))       dS[i, j] = P[i, j]·(dP[i, j] − Σ_j' dP[i, j']·P[i, j'])
 *   ∂L/∂Q = s·dS·K                          dQ[i, :] = s·Σ_j dS[i, j]·K[j, :]
 *   ∂L/∂K = s·dSᵀ·Q                         dK[j, :] = s·Σ_i dS[i, j]·Q[i, :]
 *
 * dS is the softmax's Jacobian-vector product, row by row (as Softmax's backward,
 * lib/modules/activations/softmax.ts): ∂P[i, j]/∂S[i, j'] = P[i, j]·(δ_jj' − P[i, j']). The mask M
 * is a constant: it has no gradient, and where it is −∞, P = 0, so dS = 0 there and the masked
 * keys get nothing from query i.
 *
 * Errors: a gradOutput that is not a finite Tensor of the output's shape, or a `saved` that is
 * not what `scaledDotProductAttention` returned, throws a MinidlError.
 */
export function scaledDotProductAttentionBackward(gradOutput: Tensor, saved: ScaledDotProductAttentionResult): ScaledDotProductAttentionGrads {
  const who = 'scaledDotProductAttentionBackward';
  checkArgumentCount(who, arguments.length, ['gradOutput', 'saved']);
  checkSaved(who, saved);
  checkOperand(who, 'gradOutput', gradOutput);
  const { q, k, v, weights, scale } = saved;
  if (!sameShape(gradOutput.shape, saved.output.shape)) {
    throw new MinidlError(`${who}: gradOutput has shape ${formatShape(gradOutput.shape)}, expected ${formatShape(saved.output.shape)} (the shape of the output)`);
  }
  const [B, Tq, d] = q.shape, Tk = k.shape[1], dv = v.shape[2];
  const gradQ = new Tensor(q.shape), gradK = new Tensor(k.shape), gradV = new Tensor(v.shape);
  const G = gradOutput.data, Q = q.data, K = k.data, V = v.data, P = weights.data;
  const dQ = gradQ.data, dK = gradK.data, dV = gradV.data;
  const dP = new Float64Array(Tk); // one row of dP, then of dS
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < Tq; i++) {
      const gi = (b * Tq + i) * dv, pi = (b * Tq + i) * Tk, qi = (b * Tq + i) * d;
      let rowSum = 0;
      for (let j = 0; j < Tk; j++) {
        const vj = (b * Tk + j) * dv, p = P[pi + j];
        let dot = 0;
        for (let c = 0; c < dv; c++) {
          dV[vj + c] += p * G[gi + c]; //              dV[j, :] += P[i, j]·G[i, :]
          dot += G[gi + c] * V[vj + c];
        }
        dP[j] = dot; //                                dP[i, j] = G[i, :]·V[j, :]
        rowSum += dot * p; //                          Σ_j dP[i, j]·P[i, j]
      }
      for (let j = 0; j < Tk; j++) {
        const dS = P[pi + j] * (dP[j] - rowSum); //    dS[i, j] = P[i, j]·(dP[i, j] − Σ_j' dP[i, j']·P[i, j'])
        if (dS === 0) continue; //                     (masked keys: P = 0)
        const kj = (b * Tk + j) * d;
        for (let c = 0; c < d; c++) {
          dQ[qi + c] += scale * dS * K[kj + c]; //      dQ[i, :] += s·dS[i, j]·K[j, :]
          dK[kj + c] += scale * dS * Q[qi + c]; //      dK[j, :] += s·dS[i, j]·Q[i, :]
        }
      }
    }
  }
  return { gradQ, gradK, gradV };
}

/** The options scaledDotProductAttention reads (the scale's range is checked apart). */
const SDPA_OPTIONS: OptionSpec<ScaledDotProductAttentionOptions> = { causal: aBoolean, scale: aNumber };

/** Refuses anything but a readable, finite Tensor of rank 3. */
function checkOperand(who: string, name: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new MinidlError(`${who}: ${name} must be a Tensor of rank 3, got ${describeValue(t)}`);
  if (!t.readable) throw new MinidlError(`${who}: ${name} ${t} was a temporary of a step that has ended; its values can no longer be read`);
  if (t.rank !== 3) throw new MinidlError(`${who}: ${name} must have rank 3 ([B,T,d], B = batch·heads), got shape ${formatShape(t.shape)}`);
  const bad = t.firstNonFinite();
  if (bad >= 0) throw new MinidlError(`${who}: ${name} holds a non-finite value (${t.data[bad]}) at flat index ${bad} of shape ${formatShape(t.shape)}`);
}

/** Refuses a `saved` that is not what scaledDotProductAttention returned. */
function checkSaved(who: string, saved: unknown): asserts saved is ScaledDotProductAttentionResult {
  const s = saved as Partial<ScaledDotProductAttentionResult> | null;
  const ok = typeof s === 'object' && s !== null && [s.output, s.weights, s.q, s.k, s.v].every((t) => t instanceof Tensor && t.readable) &&
    typeof s.scale === 'number';
  if (!ok) throw new MinidlError(`${who}: saved must be what scaledDotProductAttention returned ({ output, weights, q, k, v, scale }, readable), got ${describeValue(saved)}`);
}
