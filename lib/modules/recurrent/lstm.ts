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

/** Options of `LSTM`: those of every recurrent layer (PyTorch's `proj_size` is not supported). */
export type LSTMOptions = RecurrentOptions;

/** The state of an LSTM: the hidden state and the cell state of every layer. */
export interface LSTMState {
  /** h [numLayers, N, H] (zeros when left out). */
  h0?: Tensor;
  /** c [numLayers, N, H] (zeros when left out). */
  c0?: Tensor;
}

/** The gradients `backwardWithState` receives for the final state; each left out counts as zero. */
export interface LSTMStateGrad {
  /** ∂L/∂hN [numLayers, N, H]. */
  hN?: Tensor;
  /** ∂L/∂cN [numLayers, N, H]. */
  cN?: Tensor;
}

/** What `LSTM.forwardWithState` returns. */
export interface LSTMForwardResult {
  /** The output [T, N, H] ([N, T, H] with batchFirst): the last layer's h_t at every step. */
  output: Tensor;
  /** The final hidden state h_{T−1} of every layer [numLayers, N, H]. */
  hN: Tensor;
  /** The final cell state c_{T−1} of every layer [numLayers, N, H]. */
  cN: Tensor;
}

/** What `LSTM.backwardWithState` returns. */
export interface LSTMBackwardResult {
  /** ∂L/∂input, of the input's shape. */
  gradInput: Tensor;
  /** ∂L/∂h0 [numLayers, N, H]. */
  gradH0: Tensor;
  /** ∂L/∂c0 [numLayers, N, H]. */
  gradC0: Tensor;
}

/** What the cell keeps of a layer's steps for backward (the states h and c are kept by the driver). */
interface LSTMKept {
  /** The pre-activations a_t of every step, overwritten by the gates i, f, g, o side by side, rows [T·N, 4H]. */
  gates: Tensor;
  /** tanh(c_t) of every step, rows [T·N, H]. */
  tanhC: Tensor;
}

/**
 * Long short-term memory layer (PyTorch's `nn.LSTM`): for each step t and each layer,
 *
 *   i_t = σ(W_ii·x_t + b_ii + W_hi·h_{t−1} + b_hi)        input gate
 *   f_t = σ(W_if·x_t + b_if + W_hf·h_{t−1} + b_hf)        forget gate
 *   g_t = tanh(W_ig·x_t + b_ig + W_hg·h_{t−1} + b_hg)     cell candidate
 *   o_t = σ(W_io·x_t + b_io + W_ho·h_{t−1} + b_ho)        output gate
 *   c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t
 *   h_t = o_t ⊙ tanh(c_t)
 *
 * where σ is the sigmoid, ⊙ the entrywise product, x_t the input at step t (layer 0) or the h_t
 * of the layer below (layer k > 0), and h_{−1}, c_{−1} the initial states h0, c0 (zeros unless
 * given). In rows (one per sequence), the four pre-activations are computed at once:
 * a_t = x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh [N, 4H], i, f, g, o side by side.
 *
 * Shapes: input [T, N, in] (or [N, T, in] with batchFirst) → output [T, N, H] (or [N, T, H]),
 * the last layer's h_t at every step; h0, c0, hN, cN [numLayers, N, H] (batchFirst does not
 * change them, as in PyTorch).
 *
 * Parameters, layer k (PyTorch's names in camelCase; `params()` lists them in this order):
 *   weightIhL{k} [4H, in] = [W_ii; W_if; W_ig; W_io]  (in = H for k > 0)
 *   weightHhL{k} [4H, H]  = [W_hi; W_hf; W_hg; W_ho]
 *   biasIhL{k} [4H] = [b_ii; b_if; b_ig; b_io],  biasHhL{k} [4H] = [b_hi; b_hf; b_hg; b_ho]
 * **Layout:** the weights are stored [out, in], PyTorch's layout with its gate order i, f, g, o,
 * so a state_dict copies across entry by entry — unlike minidl's Linear, whose W is [in, out].
 *
 * Init: every weight and bias ~ U(−1/√H, 1/√H) (PyTorch's), drawn from `rng` in the order of
 * `params()`: layer 0's weightIh (row by row), weightHh, biasIh, biasHh, then layer 1's, …
 *
 * Backward through time, for each layer from the top, with G_t = ∂L/∂output_t (or the
 * gradient the layer above sends back), dh and dc what flows back from step t+1
 * (∂L/∂hN and ∂L/∂cN at t = T−1):
 *
 *   for t = T−1 … 0:
 *     dh   += G_t
 *     do    = dh ⊙ tanh(c_t)                  da_o = do ⊙ o(1 − o)
 *     dc   += dh ⊙ o ⊙ (1 − tanh²(c_t))
 *     di    = dc ⊙ g                          da_i = di ⊙ i(1 − i)
 *     df    = dc ⊙ c_{t−1}                    da_f = df ⊙ f(1 − f)
 *     dg    = dc ⊙ i                          da_g = dg ⊙ (1 − g²)
 *     dc    = dc ⊙ f                          (→ ∂L/∂c_{t−1}; at t = 0, ∂L/∂c0)
 *     dh    = da_t·W_hh                       (→ ∂L/∂h_{t−1}; at t = 0, ∂L/∂h0)
 *   ∂L/∂W_ih += Σ_t da_tᵀ·x_t     ∂L/∂W_hh += Σ_t da_tᵀ·h_{t−1}     ∂L/∂b_ih += Σ_t Σₙ da_t     ∂L/∂b_hh += the same
 *   ∂L/∂x_t   = da_t·W_ih                     (da_t = [da_i, da_f, da_g, da_o] [N, 4H])
 *
 * **A state in and out.** `forward(input)` starts from zero states and returns the output only,
 * so an LSTM stands in a `Sequential` and trains with `NeuralNet`; `backward(gradOut)` returns
 * ∂L/∂input. `forwardWithState(input, { h0, c0 })` returns `{ output, hN, cN }`, and
 * `backwardWithState(gradOut, { hN, cN })` takes ∂L/∂hN and ∂L/∂cN too and returns
 * `{ gradInput, gradH0, gradC0 }`.
 *
 * Not supported yet: dropout ≠ 0 and bidirectional: true (refused with a MinidlError), PyTorch's
 * `proj_size`, packed sequences, inputs without a batch axis.
 *
 * Errors: sizes that are not whole numbers ≥ 1, unknown or mistyped options, an input that is not
 * a finite Tensor [T, N, in] ([N, T, in] with batchFirst), a state or a state gradient that is not
 * a finite Tensor [numLayers, N, H], `backward` before `forward` and a gradOut whose shape is not
 * the last output's all throw a MinidlError before anything is drawn or changed.
 *
 * ```ts
 * const lstm = new LSTM(3, 8);                               // 3 input features, H = 8
 * const { output, hN, cN } = lstm.forwardWithState(x);       // x [T, N, 3] → output [T, N, 8], hN, cN [1, N, 8]
 * ```
 */
export class LSTM extends Module {
  /** Number of input features (the last axis of the input). */
  readonly inputSize: number;
  /** H, the number of features of the hidden state and of the cell state. */
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
  private readonly driver: RecurrentDriver<LSTMKept>;

  constructor(inputSize: number, hiddenSize: number, options: LSTMOptions = {}) {
    super();
    checkArgumentCount('LSTM', arguments.length, ['inputSize', 'hiddenSize', 'options']);
    this.inputSize = checkInteger('LSTM', 'inputSize', inputSize);
    this.hiddenSize = checkInteger('LSTM', 'hiddenSize', hiddenSize);
    const { settings } = readRecurrentOptions(`LSTM(${inputSize}, ${hiddenSize})`, options, RECURRENT_OPTIONS);
    this.numLayers = settings.numLayers;
    this.bias = settings.bias;
    this.batchFirst = settings.batchFirst;
    this.layers = makeRecurrentParams(4, inputSize, hiddenSize, settings);
    this.driver = new RecurrentDriver(LSTM_CELL, { inputSize, hiddenSize, numLayers: this.numLayers, batchFirst: this.batchFirst }, this.layers);
  }

  /** The output [T, N, H] for `input` [T, N, in], from zero initial states. */
  forward(input: Tensor): Tensor {
    return this.run('forward', input, undefined).output;
  }

  /** ∂L/∂input for gradOut = ∂L/∂output; adds every parameter's gradient into its `grad`. */
  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut); // refused under backward's own name
    return this.backwardWithState(gradOut).gradInput;
  }

  /** The output and the final states hN, cN [numLayers, N, H], from `state.h0`, `state.c0` (zeros when left out). */
  forwardWithState(input: Tensor, state?: LSTMState): LSTMForwardResult {
    return this.run('forwardWithState', input, state);
  }

  /**
   * Given ∂L/∂output, ∂L/∂hN and ∂L/∂cN (zero when left out): adds every parameter's gradient
   * into its `grad` and returns ∂L/∂input, ∂L/∂h0 and ∂L/∂c0.
   */
  backwardWithState(gradOut: Tensor, gradState?: LSTMStateGrad): LSTMBackwardResult {
    this.checkGradOut(gradOut, 'backwardWithState');
    const { gradInput, gradInitialStates: [gradH0, gradC0] } = this.driver.backward(`${this}.backwardWithState`, gradOut, gradState);
    return { gradInput, gradH0, gradC0 };
  }

  /** Both forward passes: the driver checks and runs every layer over time; the output's shape is remembered. */
  private run(method: string, input: Tensor, state: LSTMState | undefined): LSTMForwardResult {
    const { output, finalStates: [hN, cN] } = this.driver.forward(`${this}.${method}`, input, state);
    this.rememberOutput(output);
    return { output, hN, cN };
  }

  /** weightIhL0, weightHhL0, biasIhL0, biasHhL0, weightIhL1, … (PyTorch's order). */
  override params(): Parameter[] {
    return flattenParams(this.layers);
  }

  toString(): string {
    return `LSTM(${this.inputSize}, ${this.hiddenSize}${describeSettings(this.numLayers, this.bias, this.batchFirst)})`;
  }

  /** `{ inputSize, hiddenSize, numLayers, bias, batchFirst }` (the values are saved apart). */
  override config(): Record<string, unknown> {
    return { inputSize: this.inputSize, hiddenSize: this.hiddenSize, numLayers: this.numLayers, bias: this.bias, batchFirst: this.batchFirst };
  }

  /** An LSTM from `config()`'s values. */
  static fromConfig(config: Record<string, unknown>): LSTM {
    return new LSTM(configNumber(config, 'inputSize'), configNumber(config, 'hiddenSize'), {
      numLayers: configNumber(config, 'numLayers'), bias: configBoolean(config, 'bias'), batchFirst: configBoolean(config, 'batchFirst'),
    });
  }
}
registerModule(LSTM, 'LSTM');

/**
 * The LSTM cell, run over the steps and the layers by the driver (recurrent-shared.ts): two states
 * h and c, four gates i, f, g, o, and one gradient da_t of the pre-activations for W_ih and W_hh.
 */
const LSTM_CELL: RecurrentCell<LSTMKept> = {
  stateNames: ['h', 'c'],
  gates: 4,
  hiddenGradApart: false,
  startForward: ({ weightIh, biasIh, biasHh }, x, H) => {
    const gates = matmulTransB(x, weightIh.value); //           x_t·W_ihᵀ for every step at once, rows [T·N, 4H]
    if (biasIh !== null && biasHh !== null) {
      addRowVector(gates, biasIh.value); //                      + b_ih
      addRowVector(gates, biasHh.value); //                      + b_hh
    }
    return { gates, tanhC: new Tensor([x.shape[0], H]) };
  },
  forwardStep: ({ weightHh }, { gates, tanhC }, t, N, [hPrev, cPrev], [h, c]) => {
    const a = rowsOf(gates, t * N, N);
    matmulTransB(hPrev, weightHh.value, { into: a, accumulate: true }); // a_t = … + h_{t−1}·W_hhᵀ
    lstmCellForward(a.data, cPrev.data, c.data, h.data, rowsOf(tanhC, t * N, N).data, N, hPrev.shape[1]); // a_t → i, f, g, o; c_t, h_t
  },
  backwardStep: ({ weightHh }, { gates, tanhC }, t, N, [, cPrev], _after, [dh, dc], da) => {
    lstmCellBackward(rowsOf(gates, t * N, N).data, cPrev.data, rowsOf(tanhC, t * N, N).data,
      dh.data, dc.data, da.data, N, cPrev.shape[1]); //                  da_t; dc → ∂L/∂c_{t−1}
    matmul(da, weightHh.value, { into: dh }); //                         dh = da_t·W_hh → ∂L/∂h_{t−1}
  },
};

/**
 * One step of every sequence: a [N, 4H] holds the pre-activations of i, f, g, o side by side and
 * is overwritten by the gates; cPrev [N, H] → c, h, tanhC [N, H].
 */
function lstmCellForward(a: Float64Array, cPrev: Float64Array, c: Float64Array, h: Float64Array, tanhC: Float64Array, N: number, H: number): void {
  for (let n = 0; n < N; n++) {
    const row = n * 4 * H;
    for (let j = 0; j < H; j++) {
      const i = sigmoid(a[row + j]); //             i = σ(a_i)
      const f = sigmoid(a[row + H + j]); //         f = σ(a_f)
      const g = Math.tanh(a[row + 2 * H + j]); //   g = tanh(a_g)
      const o = sigmoid(a[row + 3 * H + j]); //     o = σ(a_o)
      a[row + j] = i;
      a[row + H + j] = f;
      a[row + 2 * H + j] = g;
      a[row + 3 * H + j] = o;
      const s = n * H + j;
      c[s] = f * cPrev[s] + i * g; //               c_t = f ⊙ c_{t−1} + i ⊙ g
      tanhC[s] = Math.tanh(c[s]);
      h[s] = o * tanhC[s]; //                       h_t = o ⊙ tanh(c_t)
    }
  }
}

/**
 * One step back: from the gates [N, 4H], c_{t−1}, tanh(c_t) and dh = ∂L/∂h_t [N, H], writes
 * da [N, 4H]; dc holds ∂L/∂c_t from step t+1 on entry, ∂L/∂c_{t−1} on return.
 */
function lstmCellBackward(gates: Float64Array, cPrev: Float64Array, tanhC: Float64Array, dh: Float64Array, dc: Float64Array, da: Float64Array, N: number, H: number): void {
  for (let n = 0; n < N; n++) {
    const row = n * 4 * H;
    for (let j = 0; j < H; j++) {
      const i = gates[row + j], f = gates[row + H + j], g = gates[row + 2 * H + j], o = gates[row + 3 * H + j];
      const s = n * H + j;
      const tc = tanhC[s];
      const dO = dh[s] * tc; //                              do = dh ⊙ tanh(c_t)
      const dcTotal = dc[s] + dh[s] * o * (1 - tc * tc); //  dc += dh ⊙ o ⊙ (1 − tanh²(c_t))
      const di = dcTotal * g; //                             di = dc ⊙ g
      const df = dcTotal * cPrev[s]; //                      df = dc ⊙ c_{t−1}
      const dg = dcTotal * i; //                             dg = dc ⊙ i
      da[row + j] = di * i * (1 - i); //                     da_i = di ⊙ i(1 − i)
      da[row + H + j] = df * f * (1 - f); //                 da_f = df ⊙ f(1 − f)
      da[row + 2 * H + j] = dg * (1 - g * g); //             da_g = dg ⊙ (1 − g²)
      da[row + 3 * H + j] = dO * o * (1 - o); //             da_o = do ⊙ o(1 − o)
      dc[s] = dcTotal * f; //                                ∂L/∂c_{t−1} = dc ⊙ f
    }
  }
}
