import { checkArgumentCount, checkInteger } from '../../errors';
import { configBoolean, configNumber } from '../../serialization/config-values';
import { registerModule } from '../../serialization/module-registry';
import { addRowVector, matmul, matmulTransA, matmulTransB, sumRows } from '../../tensor/ops';
import { Tensor } from '../../tensor/tensor';
import { Module } from '../module';
import { Parameter } from '../parameter';
import {
  RECURRENT_OPTIONS, RecurrentLayerParams, RecurrentOptions, SequenceSizes, checkSequence, describeSettings, flattenParams,
  layerState, makeRecurrentParams, readRecurrentOptions, readStateTensors, rowsOf, sequenceFromRows, sigmoid, timeMajorRows,
} from './recurrent-shared';

/** Options of `GRU`: those of every recurrent layer. */
export type GRUOptions = RecurrentOptions;

/** The state of a GRU: the hidden state of every layer. */
export interface GRUState {
  /** h [numLayers, N, H] (zeros when left out). */
  h0?: Tensor;
}

/** The gradients `backwardWithState` receives for the final state; each left out counts as zero. */
export interface GRUStateGrad {
  /** ∂L/∂hN [numLayers, N, H]. */
  hN?: Tensor;
}

/** What `GRU.forwardWithState` returns. */
export interface GRUForwardResult {
  /** The output [T, N, H] ([N, T, H] with batchFirst): the last layer's h_t at every step. */
  output: Tensor;
  /** The final hidden state h_{T−1} of every layer [numLayers, N, H]. */
  hN: Tensor;
}

/** What `GRU.backwardWithState` returns. */
export interface GRUBackwardResult {
  /** ∂L/∂input, of the input's shape. */
  gradInput: Tensor;
  /** ∂L/∂h0 [numLayers, N, H]. */
  gradH0: Tensor;
}

/** What a layer's forward pass keeps for its backward pass. */
interface GRULayerCache {
  /** The layer's input x_0 … x_{T−1} as rows [T·N, in] (row t·N + n: step t of sequence n). */
  input: Tensor;
  /** h_{−1} (the initial state) then h_0 … h_{T−1}, as rows [(T+1)·N, H]. */
  hs: Tensor;
  /** The gates r, z, n of every step side by side, rows [T·N, 3H]. */
  gates: Tensor;
  /** h_{t−1}·W_hhᵀ + b_hh of every step, rows [T·N, 3H] (its n part is what r multiplies). */
  hiddenPre: Tensor;
}

/**
 * Gated recurrent unit layer (PyTorch's `nn.GRU`): for each step t and each layer,
 *
 *   r_t = σ(W_ir·x_t + b_ir + W_hr·h_{t−1} + b_hr)                 reset gate
 *   z_t = σ(W_iz·x_t + b_iz + W_hz·h_{t−1} + b_hz)                 update gate
 *   n_t = tanh(W_in·x_t + b_in + r_t ⊙ (W_hn·h_{t−1} + b_hn))      new gate
 *   h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}
 *
 * where σ is the sigmoid, ⊙ the entrywise product, x_t the input at step t (layer 0) or the h_t
 * of the layer below (layer k > 0), and h_{−1} the initial state h0 (zeros unless given). Note
 * where r_t stands: it multiplies W_hn·h_{t−1} + b_hn, bias included (PyTorch's and cuDNN's
 * formula; the original paper applies r_t to h_{t−1} before the product). In rows, the input
 * part ai_t = x_t·W_ihᵀ + b_ih and the hidden part ah_t = h_{t−1}·W_hhᵀ + b_hh [N, 3H] (r, z, n
 * side by side) are computed apart, since r_t multiplies only ah_t's n part.
 *
 * Shapes: input [T, N, in] (or [N, T, in] with batchFirst) → output [T, N, H] (or [N, T, H]),
 * the last layer's h_t at every step; h0 and hN [numLayers, N, H] (batchFirst does not change
 * them, as in PyTorch).
 *
 * Parameters, layer k (PyTorch's names in camelCase; `params()` lists them in this order):
 *   weightIhL{k} [3H, in] = [W_ir; W_iz; W_in]  (in = H for k > 0)
 *   weightHhL{k} [3H, H]  = [W_hr; W_hz; W_hn]
 *   biasIhL{k} [3H] = [b_ir; b_iz; b_in],  biasHhL{k} [3H] = [b_hr; b_hz; b_hn]
 * **Layout:** the weights are stored [out, in], PyTorch's layout with its gate order r, z, n,
 * so a state_dict copies across entry by entry — unlike minidl's Linear, whose W is [in, out].
 *
 * Init: every weight and bias ~ U(−1/√H, 1/√H) (PyTorch's), drawn from `rng` in the order of
 * `params()`: layer 0's weightIh (row by row), weightHh, biasIh, biasHh, then layer 1's, …
 *
 * Backward through time, for each layer from the top, with G_t = ∂L/∂output_t (or the
 * gradient the layer above sends back), dh what flows back from step t+1 (∂L/∂hN at t = T−1),
 * and ahₙ the n part of ah_t:
 *
 *   for t = T−1 … 0:
 *     dh   += G_t
 *     dn    = dh ⊙ (1 − z)                     dai_n = dn ⊙ (1 − n²)       dah_n = dai_n ⊙ r
 *     dz    = dh ⊙ (h_{t−1} − n)               dai_z = dah_z = dz ⊙ z(1 − z)
 *     dr    = dai_n ⊙ ahₙ                      dai_r = dah_r = dr ⊙ r(1 − r)
 *     dh    = dh ⊙ z + dah_t·W_hh              (→ ∂L/∂h_{t−1}; at t = 0, ∂L/∂h0)
 *   ∂L/∂W_ih += Σ_t dai_tᵀ·x_t     ∂L/∂b_ih += Σ_t Σₙ dai_t
 *   ∂L/∂W_hh += Σ_t dah_tᵀ·h_{t−1}  ∂L/∂b_hh += Σ_t Σₙ dah_t
 *   ∂L/∂x_t   = dai_t·W_ih                     (dai_t = [dai_r, dai_z, dai_n], dah_t = [dah_r, dah_z, dah_n] [N, 3H])
 *
 * **A state in and out.** `forward(input)` starts from h0 = 0 and returns the output only, so a
 * GRU stands in a `Sequential` and trains with `NeuralNet`; `backward(gradOut)` returns ∂L/∂input.
 * `forwardWithState(input, { h0 })` returns `{ output, hN }`, and
 * `backwardWithState(gradOut, { hN })` takes ∂L/∂hN too and returns `{ gradInput, gradH0 }`.
 *
 * Not supported yet: dropout ≠ 0 and bidirectional: true (refused with a MinidlError), PyTorch's
 * packed sequences, inputs without a batch axis.
 *
 * Errors: sizes that are not whole numbers ≥ 1, unknown or mistyped options, an input that is not
 * a finite Tensor [T, N, in] ([N, T, in] with batchFirst), a state or a state gradient that is not
 * a finite Tensor [numLayers, N, H], `backward` before `forward` and a gradOut whose shape is not
 * the last output's all throw a MinidlError before anything is drawn or changed.
 *
 * ```ts
 * const gru = new GRU(3, 8, { batchFirst: true });       // 3 input features, H = 8
 * const { output, hN } = gru.forwardWithState(x);        // x [N, T, 3] → output [N, T, 8], hN [1, N, 8]
 * ```
 */
export class GRU extends Module {
  /** Number of input features (the last axis of the input). */
  readonly inputSize: number;
  /** H, the number of features of the hidden state. */
  readonly hiddenSize: number;
  /** Number of stacked layers. */
  readonly numLayers: number;
  /** Whether the layers have biases. */
  readonly bias: boolean;
  /** Whether input and output are [N, T, features]. */
  readonly batchFirst: boolean;
  /** The parameters of each layer k: weightIhL{k}, weightHhL{k}, biasIhL{k}, biasHhL{k}. */
  readonly layers: readonly RecurrentLayerParams[];
  private caches: GRULayerCache[] | null = null;
  private sizes: SequenceSizes | null = null;

  constructor(inputSize: number, hiddenSize: number, options: GRUOptions = {}) {
    super();
    checkArgumentCount('GRU', arguments.length, ['inputSize', 'hiddenSize', 'options']);
    this.inputSize = checkInteger('GRU', 'inputSize', inputSize);
    this.hiddenSize = checkInteger('GRU', 'hiddenSize', hiddenSize);
    const { settings } = readRecurrentOptions(`GRU(${inputSize}, ${hiddenSize})`, options, RECURRENT_OPTIONS);
    this.numLayers = settings.numLayers;
    this.bias = settings.bias;
    this.batchFirst = settings.batchFirst;
    this.layers = makeRecurrentParams(3, inputSize, hiddenSize, settings);
  }

  /** The output [T, N, H] for `input` [T, N, in], from a zero initial state. */
  forward(input: Tensor): Tensor {
    return this.run('forward', input, undefined).output;
  }

  /** ∂L/∂input for gradOut = ∂L/∂output; adds every parameter's gradient into its `grad`. */
  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut); // refused under backward's own name
    return this.backwardWithState(gradOut).gradInput;
  }

  /** The output and the final state hN [numLayers, N, H], from `state.h0` (zeros when left out). */
  forwardWithState(input: Tensor, state?: GRUState): GRUForwardResult {
    return this.run('forwardWithState', input, state);
  }

  /**
   * Given ∂L/∂output and ∂L/∂hN (zero when left out): adds every parameter's gradient into its
   * `grad` and returns ∂L/∂input and ∂L/∂h0.
   */
  backwardWithState(gradOut: Tensor, gradState?: GRUStateGrad): GRUBackwardResult {
    this.checkGradOut(gradOut, 'backwardWithState');
    const caches = this.caches as GRULayerCache[], sizes = this.sizes as SequenceSizes;
    const { T, N } = sizes, H = this.hiddenSize, L = this.numLayers;
    const [gradHN] = readStateTensors(`${this}.backwardWithState`, 'gradState', gradState, ['hN'], L, N, H);
    // every check is done: from here on, gradients are added
    let gradRows = timeMajorRows(gradOut, { T, N, F: H }, this.batchFirst); // ∂L/∂h_t of the last layer, rows [T·N, H]
    const gradH0 = new Tensor([L, N, H]);
    for (let k = L - 1; k >= 0; k--) {
      gradRows = this.layerBackward(k, caches[k], gradRows, layerState(gradHN, k, N, H), layerState(gradH0, k, N, H), T, N);
    }
    return { gradInput: sequenceFromRows(gradRows.data, sizes, this.batchFirst), gradH0 };
  }

  /** Both forward passes: checks, runs every layer over time, keeps what backward needs. */
  private run(method: string, input: Tensor, state: GRUState | undefined): GRUForwardResult {
    const who = `${this}.${method}`;
    const sizes = checkSequence(who, input, this.inputSize, this.batchFirst);
    const { T, N } = sizes, H = this.hiddenSize, L = this.numLayers;
    const [h0] = readStateTensors(who, 'state', state, ['h0'], L, N, H);
    let x = timeMajorRows(input, sizes, this.batchFirst);
    const caches: GRULayerCache[] = [];
    const hN = new Tensor([L, N, H]);
    for (let k = 0; k < L; k++) {
      const cache = this.layerForward(k, x, layerState(h0, k, N, H), T, N);
      hN.data.set(rowsOf(cache.hs, T * N, N).data, k * N * H); // hN of layer k = its h_{T−1}
      x = rowsOf(cache.hs, N, T * N); //                          the input of layer k + 1: h_0 … h_{T−1}
      caches.push(cache);
    }
    const output = sequenceFromRows(x.data, { T, N, F: H }, this.batchFirst);
    this.caches = caches;
    this.sizes = sizes;
    this.rememberOutput(output);
    return { output, hN };
  }

  /** Layer k over the whole sequence: x [T·N, in] and h0 [N, H] → what backward needs (hs holds the outputs). */
  private layerForward(k: number, x: Tensor, h0: Tensor, T: number, N: number): GRULayerCache {
    const { weightIh, weightHh, biasIh, biasHh } = this.layers[k];
    const H = this.hiddenSize;
    const hs = new Tensor([(T + 1) * N, H]);
    hs.data.set(h0.data); //                                   h_{−1} = h0
    const gates = matmulTransB(x, weightIh.value); //           ai_t = x_t·W_ihᵀ for every step at once, rows [T·N, 3H]
    if (biasIh !== null) addRowVector(gates, biasIh.value); //  + b_ih
    const hiddenPre = new Tensor([T * N, 3 * H]);
    for (let t = 0; t < T; t++) {
      const ah = rowsOf(hiddenPre, t * N, N);
      matmulTransB(rowsOf(hs, t * N, N), weightHh.value, { into: ah }); // ah_t = h_{t−1}·W_hhᵀ
      if (biasHh !== null) addRowVector(ah, biasHh.value); //              + b_hh
      gruCellForward(rowsOf(gates, t * N, N).data, ah.data, rowsOf(hs, t * N, N).data, rowsOf(hs, (t + 1) * N, N).data, N, H); // ai_t → r, z, n; h_t
    }
    return { input: x, hs, gates, hiddenPre };
  }

  /**
   * Layer k's backward pass through time. gradRows: ∂L/∂h_t from the output or the layer above,
   * rows [T·N, H]; gradHN: ∂L/∂hN of this layer [N, H]; gradH0 receives ∂L/∂h0 [N, H].
   * Returns ∂L/∂x_t, rows [T·N, in].
   */
  private layerBackward(k: number, cache: GRULayerCache, gradRows: Tensor, gradHN: Tensor, gradH0: Tensor, T: number, N: number): Tensor {
    const { weightIh, weightHh, biasIh, biasHh } = this.layers[k];
    const H = this.hiddenSize;
    const dai = new Tensor([T * N, 3 * H]); //             ∂L/∂ai_t for every step, rows [T·N, 3H]
    const dah = new Tensor([T * N, 3 * H]); //             ∂L/∂ah_t for every step, rows [T·N, 3H]
    const dh = new Tensor([N, H], gradHN.data.slice()); // what flows back into h_{T−1}: ∂L/∂hN
    for (let t = T - 1; t >= 0; t--) {
      const dhData = dh.data, g = rowsOf(gradRows, t * N, N).data;
      for (let i = 0; i < dhData.length; i++) dhData[i] += g[i]; //                          dh += G_t
      const daht = rowsOf(dah, t * N, N);
      gruCellBackward(rowsOf(cache.gates, t * N, N).data, rowsOf(cache.hiddenPre, t * N, N).data, rowsOf(cache.hs, t * N, N).data,
        dhData, rowsOf(dai, t * N, N).data, daht.data, N, H); //                             dai_t, dah_t; dh = dh ⊙ z
      matmul(daht, weightHh.value, { into: dh, accumulate: true }); //                       dh += dah_t·W_hh → ∂L/∂h_{t−1}
    }
    gradH0.data.set(dh.data); //                                                             ∂L/∂h0
    matmulTransA(dai, cache.input, { into: weightIh.grad, accumulate: true }); //             ∂L/∂W_ih += Σ_t dai_tᵀ·x_t
    matmulTransA(dah, rowsOf(cache.hs, 0, T * N), { into: weightHh.grad, accumulate: true }); // ∂L/∂W_hh += Σ_t dah_tᵀ·h_{t−1}
    if (biasIh !== null && biasHh !== null) {
      sumRows(dai, { into: biasIh.grad, accumulate: true }); //                                ∂L/∂b_ih += Σ_t Σₙ dai_t
      sumRows(dah, { into: biasHh.grad, accumulate: true }); //                                ∂L/∂b_hh += Σ_t Σₙ dah_t
    }
    return matmul(dai, weightIh.value); //                                                     ∂L/∂x_t = dai_t·W_ih
  }

  /** weightIhL0, weightHhL0, biasIhL0, biasHhL0, weightIhL1, … (PyTorch's order). */
  override params(): Parameter[] {
    return flattenParams(this.layers);
  }

  toString(): string {
    return `GRU(${this.inputSize}, ${this.hiddenSize}${describeSettings(this.numLayers, this.bias, this.batchFirst)})`;
  }

  /** `{ inputSize, hiddenSize, numLayers, bias, batchFirst }` (the values are saved apart). */
  override config(): Record<string, unknown> {
    return { inputSize: this.inputSize, hiddenSize: this.hiddenSize, numLayers: this.numLayers, bias: this.bias, batchFirst: this.batchFirst };
  }

  /** A GRU from `config()`'s values. */
  static fromConfig(config: Record<string, unknown>): GRU {
    return new GRU(configNumber(config, 'inputSize'), configNumber(config, 'hiddenSize'), {
      numLayers: configNumber(config, 'numLayers'), bias: configBoolean(config, 'bias'), batchFirst: configBoolean(config, 'batchFirst'),
    });
  }
}
registerModule(GRU, 'GRU');

/**
 * One step of every sequence: ai [N, 3H] holds x_t·W_ihᵀ + b_ih (r, z, n side by side) and is
 * overwritten by the gates r, z, n; ah [N, 3H] = h_{t−1}·W_hhᵀ + b_hh; hPrev → h [N, H].
 */
function gruCellForward(ai: Float64Array, ah: Float64Array, hPrev: Float64Array, h: Float64Array, N: number, H: number): void {
  for (let n = 0; n < N; n++) {
    const row = n * 3 * H;
    for (let j = 0; j < H; j++) {
      const r = sigmoid(ai[row + j] + ah[row + j]); //                           r = σ(ai_r + ah_r)
      const z = sigmoid(ai[row + H + j] + ah[row + H + j]); //                   z = σ(ai_z + ah_z)
      const nt = Math.tanh(ai[row + 2 * H + j] + r * ah[row + 2 * H + j]); //   n = tanh(ai_n + r ⊙ ah_n)
      ai[row + j] = r;
      ai[row + H + j] = z;
      ai[row + 2 * H + j] = nt;
      const s = n * H + j;
      h[s] = (1 - z) * nt + z * hPrev[s]; //                                     h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
    }
  }
}

/**
 * One step back: from the gates r, z, n [N, 3H], ah [N, 3H], h_{t−1} and dh = ∂L/∂h_t [N, H],
 * writes dai and dah [N, 3H], and replaces dh by dh ⊙ z (the part of ∂L/∂h_{t−1} that does not
 * go through W_hh).
 */
function gruCellBackward(gates: Float64Array, ah: Float64Array, hPrev: Float64Array, dh: Float64Array, dai: Float64Array, dah: Float64Array, N: number, H: number): void {
  for (let n = 0; n < N; n++) {
    const row = n * 3 * H;
    for (let j = 0; j < H; j++) {
      const r = gates[row + j], z = gates[row + H + j], nt = gates[row + 2 * H + j];
      const s = n * H + j;
      const dn = dh[s] * (1 - z); //                          dn = dh ⊙ (1 − z)
      const daN = dn * (1 - nt * nt); //                      dai_n = dn ⊙ (1 − n²)
      const dz = dh[s] * (hPrev[s] - nt); //                  dz = dh ⊙ (h_{t−1} − n)
      const daZ = dz * z * (1 - z); //                        dai_z = dah_z = dz ⊙ z(1 − z)
      const dr = daN * ah[row + 2 * H + j]; //                dr = dai_n ⊙ ahₙ
      const daR = dr * r * (1 - r); //                        dai_r = dah_r = dr ⊙ r(1 − r)
      dai[row + j] = daR;
      dai[row + H + j] = daZ;
      dai[row + 2 * H + j] = daN;
      dah[row + j] = daR;
      dah[row + H + j] = daZ;
      dah[row + 2 * H + j] = daN * r; //                      dah_n = dai_n ⊙ r
      dh[s] = dh[s] * z; //                                   the direct path: dh ⊙ z
    }
  }
}
