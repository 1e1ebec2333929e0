import { MinidlError, checkArgumentCount, checkInteger } from '../../errors';
import { OptionSpec, oneOf } from '../../options';
import { configBoolean, configNumber } from '../../serialization/config-values';
import { registerModule } from '../../serialization/module-registry';
import { addRowVector, matmul, matmulTransB } from '../../tensor/ops';
import { Tensor } from '../../tensor/tensor';
import { Module } from '../module';
import { Parameter } from '../parameter';
import {
  RECURRENT_OPTIONS, RecurrentCell, RecurrentDriver, RecurrentLayerParams, RecurrentOptions, describeSettings, flattenParams,
  makeRecurrentParams, readRecurrentOptions, rowsOf,
} from './recurrent-shared';

/** Options of `RNN`: those of every recurrent layer, and the nonlinearity. */
export interface RNNOptions extends RecurrentOptions {
  /** `'tanh'` (the default) or `'relu'`. */
  nonlinearity?: 'tanh' | 'relu';
}

/** The state of an RNN: the hidden state of every layer. */
export interface RNNState {
  /** h [numLayers, N, H] (zeros when left out). */
  h0?: Tensor;
}

/** The gradients `backwardWithState` receives for the final state; each left out counts as zero. */
export interface RNNStateGrad {
  /** ∂L/∂hN [numLayers, N, H]. */
  hN?: Tensor;
}

/** What `RNN.forwardWithState` returns. */
export interface RNNForwardResult {
  /** The output [T, N, H] ([N, T, H] with batchFirst): the last layer's h_t at every step. */
  output: Tensor;
  /** The final hidden state h_{T−1} of every layer [numLayers, N, H]. */
  hN: Tensor;
}

/** What `RNN.backwardWithState` returns. */
export interface RNNBackwardResult {
  /** ∂L/∂input, of the input's shape. */
  gradInput: Tensor;
  /** ∂L/∂h0 [numLayers, N, H]. */
  gradH0: Tensor;
}

/** What the cell keeps of a layer's steps (the states h are kept by the driver). */
interface RNNKept {
  /** The pre-activations a_t of every step, rows [T·N, H]. */
  pre: Tensor;
}

/**
 * Elman recurrent layer (PyTorch's `nn.RNN`): for each step t and each layer,
 *
 *   h_t = act(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)          act = tanh (default) or relu
 *
 * where x_t is the input at step t (layer 0) or the h_t of the layer below (layer k > 0), and
 * h_{−1} is the initial state h0 (zeros unless given).
 *
 * Shapes: input [T, N, in] (or [N, T, in] with batchFirst) → output [T, N, H] (or [N, T, H]),
 * the last layer's h_t at every step; h0 and hN [numLayers, N, H] (batchFirst does not change
 * them, as in PyTorch).
 *
 * Parameters, layer k (PyTorch's names in camelCase; `params()` lists them in this order):
 *   weightIhL{k} [H, in] (in = H for k > 0),  weightHhL{k} [H, H],  biasIhL{k} [H],  biasHhL{k} [H]
 * **Layout:** the weights are stored [out, in], PyTorch's layout, so a state_dict copies across
 * entry by entry — unlike minidl's Linear, whose W is [in, out].
 *
 * Init: every weight and bias ~ U(−1/√H, 1/√H) (PyTorch's), drawn from `rng` in the order of
 * `params()`: layer 0's weightIh (row by row), weightHh, biasIh, biasHh, then layer 1's, …
 *
 * Backward through time, for each layer from the top, with a_t the pre-activation,
 * G_t = ∂L/∂output_t (or the gradient the layer above sends back), and dh what flows back from
 * step t+1 (∂L/∂hN at t = T−1):
 *
 *   for t = T−1 … 0:
 *     dh   += G_t                            (now dh = ∂L/∂h_t)
 *     da_t  = dh ⊙ (1 − h_t²)                (tanh)   or  dh ⊙ 1[h_t > 0]  (relu)
 *     dh    = da_t·W_hh                      (→ ∂L/∂h_{t−1}; at t = 0, ∂L/∂h0)
 *   ∂L/∂W_ih += Σ_t da_tᵀ·x_t     ∂L/∂W_hh += Σ_t da_tᵀ·h_{t−1}     ∂L/∂b_ih += Σ_t Σₙ da_t     ∂L/∂b_hh += the same
 *   ∂L/∂x_t   = da_t·W_ih
 *
 * **A state in and out.** `forward(input)` starts from h0 = 0 and returns the output only, so an
 * RNN stands in a `Sequential` and trains with `NeuralNet`; `backward(gradOut)` returns ∂L/∂input.
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
 * const rnn = new RNN(3, 8, { numLayers: 2 });             // 3 input features, H = 8
 * const { output, hN } = rnn.forwardWithState(x);         // x [T, N, 3] → output [T, N, 8], hN [2, N, 8]
 * ```
 */
export class RNN extends Module {
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
  /** `'tanh'` or `'relu'`. */
  readonly nonlinearity: 'tanh' | 'relu';
  /** The parameters of each layer k: weightIhL{k}, weightHhL{k}, biasIhL{k}, biasHhL{k}. */
  readonly layers: readonly RecurrentLayerParams[];
  /** Runs the cell below over the steps and the layers (recurrent-shared.ts), and keeps what backward needs. */
  private readonly driver: RecurrentDriver<RNNKept>;

  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super();
    checkArgumentCount('RNN', arguments.length, ['inputSize', 'hiddenSize', 'options']);
    this.inputSize = checkInteger('RNN', 'inputSize', inputSize);
    this.hiddenSize = checkInteger('RNN', 'hiddenSize', hiddenSize);
    const { settings, read } = readRecurrentOptions(`RNN(${inputSize}, ${hiddenSize})`, options, RNN_OPTIONS);
    this.numLayers = settings.numLayers;
    this.bias = settings.bias;
    this.batchFirst = settings.batchFirst;
    this.nonlinearity = read.nonlinearity ?? 'tanh';
    this.layers = makeRecurrentParams(1, inputSize, hiddenSize, settings);
    this.driver = new RecurrentDriver(rnnCell(this.nonlinearity), { inputSize, hiddenSize, numLayers: this.numLayers, batchFirst: this.batchFirst }, this.layers);
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
  forwardWithState(input: Tensor, state?: RNNState): RNNForwardResult {
    return this.run('forwardWithState', input, state);
  }

  /**
   * Given ∂L/∂output and ∂L/∂hN (zero when left out): adds every parameter's gradient into its
   * `grad` and returns ∂L/∂input and ∂L/∂h0.
   */
  backwardWithState(gradOut: Tensor, gradState?: RNNStateGrad): RNNBackwardResult {
    this.checkGradOut(gradOut, 'backwardWithState');
    const { gradInput, gradInitialStates: [gradH0] } = this.driver.backward(`${this}.backwardWithState`, gradOut, gradState);
    return { gradInput, gradH0 };
  }

  /** Both forward passes: the driver checks and runs every layer over time; the output's shape is remembered. */
  private run(method: string, input: Tensor, state: RNNState | undefined): RNNForwardResult {
    const { output, finalStates: [hN] } = this.driver.forward(`${this}.${method}`, input, state);
    this.rememberOutput(output);
    return { output, hN };
  }

  /** weightIhL0, weightHhL0, biasIhL0, biasHhL0, weightIhL1, … (PyTorch's order). */
  override params(): Parameter[] {
    return flattenParams(this.layers);
  }

  toString(): string {
    return `RNN(${this.inputSize}, ${this.hiddenSize}${describeSettings(this.numLayers, this.bias, this.batchFirst)}${this.nonlinearity === 'relu' ? ', nonlinearity=relu' : ''})`;
  }

  /** `{ inputSize, hiddenSize, numLayers, bias, batchFirst, nonlinearity }` (the values are saved apart). */
  override config(): Record<string, unknown> {
    return { inputSize: this.inputSize, hiddenSize: this.hiddenSize, numLayers: this.numLayers, bias: this.bias, batchFirst: this.batchFirst, nonlinearity: this.nonlinearity };
  }

  /** An RNN from `config()`'s values. */
  static fromConfig(config: Record<string, unknown>): RNN {
    const nonlinearity = config.nonlinearity;
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw new MinidlError(`RNN.fromConfig: nonlinearity must be 'tanh' or 'relu', got ${String(nonlinearity)}`);
    return new RNN(configNumber(config, 'inputSize'), configNumber(config, 'hiddenSize'), {
      numLayers: configNumber(config, 'numLayers'), bias: configBoolean(config, 'bias'), batchFirst: configBoolean(config, 'batchFirst'), nonlinearity,
    });
  }
}
registerModule(RNN, 'RNN');

/** The options RNN reads. */
const RNN_OPTIONS: OptionSpec<RNNOptions> = { ...RECURRENT_OPTIONS, nonlinearity: oneOf('tanh', 'relu') };

/**
 * The Elman cell, run over the steps and the layers by the driver (recurrent-shared.ts): one state h,
 * one gate, and its gradient da_t serves both W_ih and W_hh.
 */
function rnnCell(nonlinearity: 'tanh' | 'relu'): RecurrentCell<RNNKept> {
  return {
    stateNames: ['h'],
    gates: 1,
    hiddenGradApart: false,
    startForward: ({ weightIh, biasIh, biasHh }, x) => {
      const pre = matmulTransB(x, weightIh.value); //                 x_t·W_ihᵀ for every step at once, rows [T·N, H]
      if (biasIh !== null && biasHh !== null) {
        addRowVector(pre, biasIh.value); //                            + b_ih
        addRowVector(pre, biasHh.value); //                            + b_hh
      }
      return { pre };
    },
    forwardStep: ({ weightHh }, { pre }, t, N, [hPrev], [h]) => {
      const a = rowsOf(pre, t * N, N);
      matmulTransB(hPrev, weightHh.value, { into: a, accumulate: true }); // a_t = … + h_{t−1}·W_hhᵀ
      rnnCellForward(a.data, h.data, nonlinearity); //                        h_t = act(a_t)
    },
    backwardStep: ({ weightHh }, _kept, _t, _N, _before, [h], [dh], da) => {
      rnnCellBackward(h.data, dh.data, da.data, nonlinearity); //       da_t = dh ⊙ act′(a_t)
      matmul(da, weightHh.value, { into: dh }); //                       dh = da_t·W_hh → ∂L/∂h_{t−1}
    },
  };
}

/** h = act(a), entry by entry (a holds x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh). */
function rnnCellForward(a: Float64Array, h: Float64Array, nonlinearity: 'tanh' | 'relu'): void {
  if (nonlinearity === 'tanh') {
    for (let i = 0; i < a.length; i++) h[i] = Math.tanh(a[i]); //    h = tanh(a)
  } else {
    for (let i = 0; i < a.length; i++) h[i] = a[i] > 0 ? a[i] : 0; // h = max(a, 0)
  }
}

/** da = dh ⊙ act′(a), written with h = act(a). */
function rnnCellBackward(h: Float64Array, dh: Float64Array, da: Float64Array, nonlinearity: 'tanh' | 'relu'): void {
  if (nonlinearity === 'tanh') {
    for (let i = 0; i < h.length; i++) da[i] = dh[i] * (1 - h[i] * h[i]); // tanh′(a) = 1 − h²
  } else {
    for (let i = 0; i < h.length; i++) da[i] = h[i] > 0 ? dh[i] : 0; //      relu′(a) = 1[a > 0] = 1[h > 0]
  }
}
