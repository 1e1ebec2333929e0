import { checkArgumentCount, checkInteger } from '../../errors';
import { configBoolean, configNumber } from '../../serialization/config-values';
import { registerModule } from '../../serialization/module-registry';
import { addRowVector, matmul, matmulTransB } from '../../tensor/ops';
import { Tensor } from '../../tensor/tensor';
import { Module } from '../module';
import { Parameter } from '../parameter';
import {
  RECURRENT_OPTIONS, RecurrentCell, RecurrentDriver, RecurrentLayerParams, RecurrentOptions, describeSettings, flattenParams,
  makeRecurrentParams, readRecurrentOptions, rowsOf, sigmoid,
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

/** What the cell keeps of a layer's steps for backward (the states h are kept by the driver). */
interface GRUKept {
  /** ai_t = x_t·W_ihᵀ + b_ih of every step, overwritten by the gates r, z, n side by side, rows [T·N, 3H]. */
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
  /** Runs the cell below over the steps and the layers (recurrent-shared.ts), and keeps what backward needs. */
  private readonly driver: RecurrentDriver<GRUKept>;

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
    this.driver = new RecurrentDriver(GRU_CELL, { inputSize, hiddenSize, numLayers: this.numLayers, batchFirst: this.batchFirst }, this.layers);
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
    const { gradInput, gradInitialStates: [gradH0] } = this.driver.backward(`${this}.backwardWithState`, gradOut, gradState);
    return { gradInput, gradH0 };
  }

  /** Both forward passes: the driver checks and runs every layer over time; the output's shape is remembered. */
  private run(method: string, input: Tensor, state: GRUState | undefined): GRUForwardResult {
    const { output, finalStates: [hN] } = this.driver.forward(`${this}.${method}`, input, state);
    this.rememberOutput(output);
    return { output, hN };
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
 * The GRU cell, run over the steps and the layers by the driver (recurrent-shared.ts): one state
 * h, three gates r, z, n; the input part ai_t and the hidden part ah_t get gradients of their own
 * (dai_t, dah_t), since r_t multiplies ah_t's n part only.
 */
const GRU_CELL: RecurrentCell<GRUKept> = {
  stateNames: ['h'],
  gates: 3,
  hiddenGradApart: true,
  startForward: ({ weightIh, biasIh }, x, H) => {
    const gates = matmulTransB(x, weightIh.value); //           ai_t = x_t·W_ihᵀ for every step at once, rows [T·N, 3H]
    if (biasIh !== null) addRowVector(gates, biasIh.value); //  + b_ih
    return { gates, hiddenPre: new Tensor([x.shape[0], 3 * H]) };
  },
  forwardStep: ({ weightHh, biasHh }, { gates, hiddenPre }, t, N, [hPrev], [h]) => {
    const ah = rowsOf(hiddenPre, t * N, N);
    matmulTransB(hPrev, weightHh.value, { into: ah }); //                ah_t = h_{t−1}·W_hhᵀ
    if (biasHh !== null) addRowVector(ah, biasHh.value); //              + b_hh
    gruCellForward(rowsOf(gates, t * N, N).data, ah.data, hPrev.data, h.data, N, hPrev.shape[1]); // ai_t → r, z, n; h_t
  },
  backwardStep: ({ weightHh }, { gates, hiddenPre }, t, N, [hPrev], _after, [dh], dai, dah) => {
    gruCellBackward(rowsOf(gates, t * N, N).data, rowsOf(hiddenPre, t * N, N).data, hPrev.data,
      dh.data, dai.data, dah.data, N, hPrev.shape[1]); //                dai_t, dah_t; dh = dh ⊙ z
    matmul(dah, weightHh.value, { into: dh, accumulate: true }); //      dh += dah_t·W_hh → ∂L/∂h_{t−1}
  },
};

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
