import { MinidlError, checkInteger, describeValue, formatShape } from '../../errors';
import { uniformInit } from '../../init/init';
import { OptionCheck, OptionSpec, aBoolean, aNumber, instanceOf, readOptions } from '../../options';
import { Rng, defaultRng } from '../../random/rng';
import { matmul, matmulTransA, sumRows } from '../../tensor/ops';
import { Tensor } from '../../tensor/tensor';
import { Parameter } from '../parameter';

/*
 * What RNN, LSTM and GRU share and is not their mathematics: the options, the parameters and
 * their initialisation, the checks of inputs and states, the change between the batch-first
 * layout and the time-major layout the loops run on, and the driver (`RecurrentDriver`, at the
 * end) that runs a layer's cell over the steps of a sequence and the stacked layers, forward and
 * backward through time. Each layer's file keeps its cell: the formulas of one step.
 */

/** Options of `RNN`, `LSTM` and `GRU` (PyTorch's, in camelCase). */
export interface RecurrentOptions {
  /** Number of stacked layers: layer k > 0 reads the hidden states of layer k − 1 (default 1). */
  numLayers?: number;
  /** Learn the biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input and output as [N, T, features] instead of [T, N, features] (default false; the states stay [numLayers, N, H]). */
  batchFirst?: boolean;
  /** The generator to draw the initial values from (default: the one `manualSeed` seeds). */
  rng?: Rng;
  /** Dropout between stacked layers: only 0 (the default) is supported for now. */
  dropout?: number;
  /** Run a second layer over the reversed sequence: only false (the default) is supported for now. */
  bidirectional?: boolean;
}

/** The options every recurrent layer reads (RNN adds `nonlinearity`). */
export const RECURRENT_OPTIONS: OptionSpec<RecurrentOptions> = {
  numLayers: aNumber, // checkInteger says what is wrong
  bias: aBoolean,
  batchFirst: aBoolean,
  rng: instanceOf(Rng, 'an Rng such as new Rng(42)'),
  dropout: aNumber,
  bidirectional: aBoolean,
};

/** The settings read from `RecurrentOptions`, defaults applied. */
export interface RecurrentSettings {
  /** Number of stacked layers (default 1). */
  numLayers: number;
  /** Whether the layers have biases (default true). */
  bias: boolean;
  /** Whether input and output are [N, T, features] (default false). */
  batchFirst: boolean;
  /** The generator the initial values are drawn from. */
  rng: Rng;
}

/**
 * Reads the options (`spec` is RECURRENT_OPTIONS, with `nonlinearity` for RNN) and applies the
 * defaults; refuses a numLayers that is not a whole number ≥ 1, a non-zero dropout and
 * bidirectional: true, each with a MinidlError naming `who`.
 */
export function readRecurrentOptions<T extends RecurrentOptions>(who: string, options: unknown, spec: OptionSpec<T>): { settings: RecurrentSettings; read: Partial<T> } {
  const read = readOptions(who, options, spec);
  const numLayers = checkInteger(who, 'numLayers', read.numLayers ?? 1);
  if (read.dropout !== undefined && read.dropout !== 0) {
    throw new MinidlError(`${who}: dropout between layers is not supported yet, got dropout: ${read.dropout}; leave it out (or pass 0), or put a Dropout module after the layer`);
  }
  if (read.bidirectional === true) {
    throw new MinidlError(`${who}: bidirectional: true is not supported yet; leave it out (or pass false)`);
  }
  return { settings: { numLayers, bias: read.bias ?? true, batchFirst: read.batchFirst ?? false, rng: read.rng ?? defaultRng() }, read };
}

/** The parameters of one layer k, named as PyTorch's state_dict names them, in camelCase. */
export interface RecurrentLayerParams {
  /** weight_ih_l{k}: the gates' input weights stacked, [G·H, in] (in = inputSize for k = 0, H above). */
  weightIh: Parameter;
  /** weight_hh_l{k}: the gates' hidden-state weights stacked, [G·H, H]. */
  weightHh: Parameter;
  /** bias_ih_l{k} [G·H], or null with bias: false. */
  biasIh: Parameter | null;
  /** bias_hh_l{k} [G·H], or null with bias: false. */
  biasHh: Parameter | null;
}

/**
 * The parameters of every layer, for G gates (RNN 1, GRU 3, LSTM 4), drawn from
 * U(−1/√H, 1/√H) in PyTorch's order: layer 0's weightIh (row by row), weightHh, biasIh, biasHh,
 * then layer 1's, and so on — the order of `params()`, and of PyTorch's `parameters()`, which
 * its `reset_parameters` fills one after the other.
 */
export function makeRecurrentParams(gates: number, inputSize: number, hiddenSize: number, settings: RecurrentSettings): RecurrentLayerParams[] {
  const bound = 1 / Math.sqrt(hiddenSize);
  const layers: RecurrentLayerParams[] = [];
  const draw = (shape: number[], name: string): Parameter => {
    const p = new Parameter(Tensor.zeros(shape), name);
    uniformInit(p.value, -bound, bound, settings.rng);
    return p;
  };
  for (let k = 0; k < settings.numLayers; k++) {
    const layerInput = k === 0 ? inputSize : hiddenSize;
    const weightIh = draw([gates * hiddenSize, layerInput], `weightIhL${k}`);
    const weightHh = draw([gates * hiddenSize, hiddenSize], `weightHhL${k}`);
    const biasIh = settings.bias ? draw([gates * hiddenSize], `biasIhL${k}`) : null;
    const biasHh = settings.bias ? draw([gates * hiddenSize], `biasHhL${k}`) : null;
    layers.push({ weightIh, weightHh, biasIh, biasHh });
  }
  return layers;
}

/** Every parameter, in PyTorch's order (layer by layer: weightIh, weightHh, biasIh, biasHh). */
export function flattenParams(layers: readonly RecurrentLayerParams[]): Parameter[] {
  const out: Parameter[] = [];
  for (const l of layers) {
    out.push(l.weightIh, l.weightHh);
    if (l.biasIh !== null && l.biasHh !== null) out.push(l.biasIh, l.biasHh);
  }
  return out;
}

/** The options part of a recurrent layer's name: `, numLayers=2, bias=false, batchFirst=true` (defaults left out). */
export function describeSettings(numLayers: number, bias: boolean, batchFirst: boolean): string {
  return (numLayers !== 1 ? `, numLayers=${numLayers}` : '') + (bias ? '' : ', bias=false') + (batchFirst ? ', batchFirst=true' : '');
}

/** The sizes of a sequence: T steps, N sequences, F features. */
export interface SequenceSizes {
  T: number;
  N: number;
  F: number;
}

/**
 * Refuses an input that is not a readable Tensor of finite values, of rank 3, whose last axis
 * is `inputSize`; returns its sizes. `who` is the module and method, e.g. `LSTM(3, 5).forward`.
 */
export function checkSequence(who: string, input: Tensor, inputSize: number, batchFirst: boolean): SequenceSizes {
  if (!(input instanceof Tensor)) {
    const hint = Array.isArray(input) ? ' (make one with Tensor.from, e.g. Tensor.from([[[1, 2]]]))' : '';
    throw new MinidlError(`${who}: input must be a Tensor, got ${describeValue(input)}${hint}`);
  }
  if (!input.readable) throw new MinidlError(`${who}: input ${input} was a temporary of a step that has ended; its values can no longer be read`);
  const layout = batchFirst ? `[N,T,${inputSize}] (batchFirst)` : `[T,N,${inputSize}]`;
  if (input.rank !== 3 || input.shape[2] !== inputSize) {
    throw new MinidlError(`${who}: input has shape ${formatShape(input.shape)}, expected ${layout}`);
  }
  const bad = input.firstNonFinite();
  if (bad >= 0) throw new MinidlError(`${who}: input holds a non-finite value (${input.data[bad]}) at flat index ${bad} of shape ${formatShape(input.shape)}`);
  const [a, b] = input.shape;
  return batchFirst ? { T: b, N: a, F: inputSize } : { T: a, N: b, F: inputSize };
}

/**
 * The values of a sequence in time-major order, [T·N, F] (row t·N + n is step t of sequence n):
 * the same values for a time-major tensor, a transposed copy for a batch-first one [N, T, F].
 */
export function timeMajorRows(input: Tensor, sizes: SequenceSizes, batchFirst: boolean): Tensor {
  const { T, N, F } = sizes;
  if (!batchFirst) return new Tensor([T * N, F], input.data.slice());
  const out = new Tensor([T * N, F]);
  swapFirstAxes(input.data, N, T, F, out.data);
  return out;
}

/** The inverse of `timeMajorRows`: rows [T·N, F] as a [T, N, F] tensor, or [N, T, F] when batch-first. */
export function sequenceFromRows(rows: Float64Array, sizes: SequenceSizes, batchFirst: boolean): Tensor {
  const { T, N, F } = sizes;
  if (!batchFirst) return new Tensor([T, N, F], rows.slice(0, T * N * F));
  const out = new Tensor([N, T, F]);
  swapFirstAxes(rows, T, N, F, out.data);
  return out;
}

/** out[b, a, :] = x[a, b, :] for x [A, B, F]. */
function swapFirstAxes(x: Float64Array, A: number, B: number, F: number, out: Float64Array): void {
  for (let a = 0; a < A; a++) {
    for (let b = 0; b < B; b++) {
      const from = (a * B + b) * F, to = (b * A + a) * F;
      for (let f = 0; f < F; f++) out[to + f] = x[from + f];
    }
  }
}

/** Rows [start, start + count) of a matrix [*, cols], as a [count, cols] tensor on the same memory (not a copy). */
export function rowsOf(t: Tensor, start: number, count: number): Tensor {
  const cols = t.shape[1];
  return new Tensor([count, cols], t.data.subarray(start * cols, (start + count) * cols));
}

/**
 * Reads a state object — `{ h0 }`, `{ h0, c0 }`, or the gradients `{ hN }`, `{ hN, cN }` — whose
 * keys are `names`: each entry left out is null; each given must be a readable, finite Tensor
 * [numLayers, N, H]. `argument` names the object in messages (`state`, `gradState`). Refuses
 * anything but undefined or a plain object, unknown keys and tensors of another shape.
 */
export function readStateTensors(who: string, argument: string, value: unknown, names: readonly string[], numLayers: number, N: number, H: number): (Tensor | null)[] {
  const spec: Record<string, OptionCheck> = {};
  for (const name of names) spec[name] = instanceOf(Tensor, `a Tensor [numLayers, N, H] = [${numLayers},${N},${H}]`);
  const read = readOptions(who, value, spec, { argument }) as Record<string, Tensor | undefined>;
  return names.map((name) => {
    const t = read[name];
    if (t === undefined) return null;
    if (!t.readable) throw new MinidlError(`${who}: ${argument}.${name} ${t} was a temporary of a step that has ended; its values can no longer be read`);
    if (t.rank !== 3 || t.shape[0] !== numLayers || t.shape[1] !== N || t.shape[2] !== H) {
      throw new MinidlError(`${who}: ${argument}.${name} has shape ${formatShape(t.shape)}, expected [numLayers, N, H] = [${numLayers},${N},${H}]`);
    }
    const bad = t.firstNonFinite();
    if (bad >= 0) throw new MinidlError(`${who}: ${argument}.${name} holds a non-finite value (${t.data[bad]}) at flat index ${bad} of shape ${formatShape(t.shape)}`);
    return t;
  });
}

/** Layer k's rows of a state [numLayers, N, H], as an [N, H] tensor on the same memory; zeros for a state left out. */
export function layerState(state: Tensor | null, k: number, N: number, H: number): Tensor {
  if (state === null) return new Tensor([N, H]);
  return new Tensor([N, H], state.data.subarray(k * N * H, (k + 1) * N * H));
}

/** σ(a) = 1 / (1 + e^(−a)). */
export function sigmoid(a: number): number {
  return 1 / (1 + Math.exp(-a));
}

// ---------------------------------------------------------------------------------------------
// The driver: a cell run over the steps t and the layers k, forward and backward through time
// ---------------------------------------------------------------------------------------------

/**
 * One step of a recurrent layer, as RNN, GRU and LSTM each write it (their mathematics): what
 * `RecurrentDriver` runs at every step t of every layer k.
 *
 * A layer's states — h for RNN and GRU, h and c for LSTM, h first — are kept as rows
 * [(T+1)·N, H]: rows 0 … N−1 hold the initial state (h_{−1} = h0), rows (t+1)·N … (t+2)·N − 1
 * the state after step t. A step is given them as [N, H] tensors on that memory: `before` the
 * states at t−1, `after` the states at t. h is the layer's output, and the input of the layer above.
 *
 * `Kept` is what the cell computes for all steps at once and keeps for backward (its gates, say),
 * rows [T·N, …] whose rows t·N … t·N + N − 1 belong to step t.
 */
export interface RecurrentCell<Kept> {
  /** The states' names, h first: ['h'] or ['h', 'c'] (the state objects call them h0, c0 and hN, cN). */
  readonly stateNames: readonly string[];
  /** G, the number of gates: the pre-activations of a step are [N, G·H]. */
  readonly gates: number;
  /**
   * True when the hidden part's pre-activation h_{t−1}·W_hhᵀ + b_hh gets a gradient of its own
   * (GRU, where r_t multiplies part of it); false when it is the sum's (RNN, LSTM): one gradient da_t.
   */
  readonly hiddenGradApart: boolean;
  /** Before the steps of a layer with parameters `w`: its input x [T·N, in] → the cell's rows for every step (x_t·W_ihᵀ + b). */
  startForward(w: RecurrentLayerParams, x: Tensor, hiddenSize: number): Kept;
  /** Step t over N sequences: from the states at t−1 (`before`) writes the states at t (`after`) and its rows of `kept`. */
  forwardStep(w: RecurrentLayerParams, kept: Kept, t: number, N: number, before: Tensor[], after: Tensor[]): void;
  /**
   * Step t back: `grads` hold ∂L/∂(the states at t) on entry and ∂L/∂(the states at t−1) on
   * return; writes the gradients of the step's pre-activations, dIn = ∂L/∂(x_t·W_ihᵀ + b_ih) and
   * dHid = ∂L/∂(h_{t−1}·W_hhᵀ + b_hh), [N, G·H] (one tensor when `hiddenGradApart` is false).
   */
  backwardStep(w: RecurrentLayerParams, kept: Kept, t: number, N: number, before: Tensor[], after: Tensor[], grads: Tensor[], dIn: Tensor, dHid: Tensor): void;
}

/** What the forward pass keeps of one layer for its backward pass. */
interface LayerPass<Kept> {
  /** The layer's input x_0 … x_{T−1} as rows [T·N, in] (row t·N + n: step t of sequence n). */
  input: Tensor;
  /** Each state (h, then c for LSTM): its initial value then its value after every step, rows [(T+1)·N, H]. */
  states: Tensor[];
  /** What the cell keeps of every step. */
  kept: Kept;
}

/** The sizes a driver works with: a recurrent layer's. */
export interface RecurrentSizes {
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  batchFirst: boolean;
}

/**
 * Runs a recurrent layer's cell forward and backward through time, over its stacked layers; each
 * of RNN, GRU and LSTM holds one, made with its cell, sizes and parameters, and keeps the
 * checks of `Module` (rememberOutput, checkGradOut) itself.
 *
 *   forward:   x = the input's rows in time order, [T·N, in]  (a copy of a batch-first input's, transposed)
 *              for k = 0 … L−1:  states at −1 = the given state of layer k (zeros when left out)
 *                                 startForward; for t = 0 … T−1: forwardStep
 *                                 x = h_0 … h_{T−1} of layer k   (the input of layer k + 1)
 *              output = the last x, in the input's layout;  hN (cN) = each layer's state after step T−1
 *
 *   backward:  G = ∂L/∂output in rows [T·N, H]
 *              for k = L−1 … 0:  d = ∂L/∂hN (∂L/∂cN) of layer k
 *                                 for t = T−1 … 0:  dh += G_t;  backwardStep  (d → ∂L/∂(states at t−1))
 *                                 ∂L/∂h0 (∂L/∂c0) of layer k = d
 *                                 ∂L/∂W_ih += Σ_t dIn_tᵀ·x_t      ∂L/∂b_ih += Σ_t Σₙ dIn_t
 *                                 ∂L/∂W_hh += Σ_t dHid_tᵀ·h_{t−1}  ∂L/∂b_hh += Σ_t Σₙ dHid_t
 *                                 G = ∂L/∂x_t = dIn_t·W_ih        (what layer k − 1 gets, or ∂L/∂input)
 */
export class RecurrentDriver<Kept> {
  private readonly cell: RecurrentCell<Kept>;
  private readonly sizes: RecurrentSizes;
  private readonly layers: readonly RecurrentLayerParams[];
  /** What the last forward kept, layer by layer, and its sequence sizes (null before any). */
  private passes: LayerPass<Kept>[] | null = null;
  private sequence: SequenceSizes | null = null;

  /** A driver of `cell` for a layer of these sizes and parameters (one entry of `layers` per stacked layer). */
  constructor(cell: RecurrentCell<Kept>, sizes: RecurrentSizes, layers: readonly RecurrentLayerParams[]) {
    this.cell = cell;
    this.sizes = sizes;
    this.layers = layers;
  }

  /**
   * The forward pass of `input` ([T, N, in], or [N, T, in] batch-first) from `state` (an object of
   * initial states, e.g. `{ h0, c0 }`, each [numLayers, N, H]; zeros for those left out): returns
   * the output and the final states, one [numLayers, N, H] tensor per state (hN, then cN). Throws a
   * MinidlError naming `who` for an input or a state it refuses, before anything is kept.
   */
  forward(who: string, input: Tensor, state: unknown): { output: Tensor; finalStates: Tensor[] } {
    const { inputSize, hiddenSize: H, numLayers: L, batchFirst } = this.sizes;
    const names = this.cell.stateNames;
    const sizes = checkSequence(who, input, inputSize, batchFirst);
    const { T, N } = sizes;
    const initial = readStateTensors(who, 'state', state, names.map((name) => `${name}0`), L, N, H);
    let x = timeMajorRows(input, sizes, batchFirst);
    const passes: LayerPass<Kept>[] = [];
    const finalStates = names.map(() => new Tensor([L, N, H]));
    for (let k = 0; k < L; k++) {
      const pass = this.layerForward(k, x, initial.map((s) => layerState(s, k, N, H)), T, N);
      pass.states.forEach((s, i) => finalStates[i].data.set(rowsOf(s, T * N, N).data, k * N * H)); // hN (cN) of layer k: its state after step T−1
      x = rowsOf(pass.states[0], N, T * N); //                                                         the input of layer k + 1: h_0 … h_{T−1}
      passes.push(pass);
    }
    this.passes = passes;
    this.sequence = sizes;
    return { output: sequenceFromRows(x.data, { T, N, F: H }, batchFirst), finalStates };
  }

  /**
   * The backward pass of the last forward, given gradOut = ∂L/∂output (its shape checked by the
   * module) and `gradState` (an object of final-state gradients, e.g. `{ hN, cN }`; zeros for those
   * left out): adds every parameter's gradient into its `grad` and returns ∂L/∂input and the
   * gradients of the initial states (∂L/∂h0, then ∂L/∂c0). Throws a MinidlError naming `who` for a
   * gradState it refuses, before any gradient is added.
   */
  backward(who: string, gradOut: Tensor, gradState: unknown): { gradInput: Tensor; gradInitialStates: Tensor[] } {
    const passes = this.passes as LayerPass<Kept>[], sizes = this.sequence as SequenceSizes;
    const { hiddenSize: H, numLayers: L, batchFirst } = this.sizes;
    const { T, N } = sizes;
    const gradFinal = readStateTensors(who, 'gradState', gradState, this.cell.stateNames.map((name) => `${name}N`), L, N, H);
    // every check is done: from here on, gradients are added
    let gradRows = timeMajorRows(gradOut, { T, N, F: H }, batchFirst); // ∂L/∂h_t of the last layer, rows [T·N, H]
    const gradInitialStates = this.cell.stateNames.map(() => new Tensor([L, N, H]));
    for (let k = L - 1; k >= 0; k--) {
      gradRows = this.layerBackward(k, passes[k], gradRows, gradFinal.map((g) => layerState(g, k, N, H)),
        gradInitialStates.map((g) => layerState(g, k, N, H)), T, N);
    }
    return { gradInput: sequenceFromRows(gradRows.data, sizes, batchFirst), gradInitialStates };
  }

  /** Layer k over the whole sequence: x [T·N, in] and its initial states [N, H] → what backward needs (states[0] holds the outputs). */
  private layerForward(k: number, x: Tensor, initial: Tensor[], T: number, N: number): LayerPass<Kept> {
    const w = this.layers[k], H = this.sizes.hiddenSize;
    const states = initial.map((s0) => {
      const rows = new Tensor([(T + 1) * N, H]);
      rows.data.set(s0.data); //                                                     h_{−1} = h0 (c_{−1} = c0)
      return rows;
    });
    const kept = this.cell.startForward(w, x, H);
    for (let t = 0; t < T; t++) {
      const before = states.map((s) => rowsOf(s, t * N, N)), after = states.map((s) => rowsOf(s, (t + 1) * N, N));
      this.cell.forwardStep(w, kept, t, N, before, after); //                          the states at t−1 → the states at t
    }
    return { input: x, states, kept };
  }

  /**
   * Layer k's backward pass through time. gradRows: ∂L/∂h_t from the output or the layer above,
   * rows [T·N, H]; gradFinal: ∂L/∂hN (∂L/∂cN) of this layer [N, H]; gradInitial receives ∂L/∂h0
   * (∂L/∂c0) [N, H]. Returns ∂L/∂x_t, rows [T·N, in].
   */
  private layerBackward(k: number, pass: LayerPass<Kept>, gradRows: Tensor, gradFinal: Tensor[], gradInitial: Tensor[], T: number, N: number): Tensor {
    const { weightIh, weightHh, biasIh, biasHh } = this.layers[k];
    const G = this.cell.gates * this.sizes.hiddenSize;
    const dIn = new Tensor([T * N, G]); //                                           ∂L/∂(x_t·W_ihᵀ + b_ih) for every step, rows [T·N, G·H]
    const dHid = this.cell.hiddenGradApart ? new Tensor([T * N, G]) : dIn; //         ∂L/∂(h_{t−1}·W_hhᵀ + b_hh)
    const grads = gradFinal.map((g) => new Tensor(g.shape, g.data.slice())); //       what flows back into the states at T−1: ∂L/∂hN (∂L/∂cN)
    for (let t = T - 1; t >= 0; t--) {
      const dh = grads[0].data, g = rowsOf(gradRows, t * N, N).data;
      for (let i = 0; i < dh.length; i++) dh[i] += g[i]; //                           dh += G_t
      const before = pass.states.map((s) => rowsOf(s, t * N, N)), after = pass.states.map((s) => rowsOf(s, (t + 1) * N, N));
      this.cell.backwardStep(this.layers[k], pass.kept, t, N, before, after, grads, rowsOf(dIn, t * N, N), rowsOf(dHid, t * N, N));
    }
    grads.forEach((d, i) => gradInitial[i].data.set(d.data)); //                      ∂L/∂h0 (∂L/∂c0)
    matmulTransA(dIn, pass.input, { into: weightIh.grad, accumulate: true }); //                   ∂L/∂W_ih += Σ_t dIn_tᵀ·x_t
    matmulTransA(dHid, rowsOf(pass.states[0], 0, T * N), { into: weightHh.grad, accumulate: true }); // ∂L/∂W_hh += Σ_t dHid_tᵀ·h_{t−1}
    if (biasIh !== null && biasHh !== null) {
      sumRows(dIn, { into: biasIh.grad, accumulate: true }); //                                      ∂L/∂b_ih += Σ_t Σₙ dIn_t
      sumRows(dHid, { into: biasHh.grad, accumulate: true }); //                                     ∂L/∂b_hh += Σ_t Σₙ dHid_t
    }
    return matmul(dIn, weightIh.value); //                                                            ∂L/∂x_t = dIn_t·W_ih
  }
}
