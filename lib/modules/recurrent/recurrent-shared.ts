import { MinidlError, checkInteger, describeValue, formatShape } from '../../errors';
import { uniformInit } from '../../init/init';
import { OptionCheck, OptionSpec, aBoolean, aNumber, instanceOf, readOptions } from '../../options';
import { Rng, defaultRng } from '../../random/rng';
import { Tensor } from '../../tensor/tensor';
import { Parameter } from '../parameter';

/*
 * What RNN, LSTM and GRU share and is not their mathematics: the options, the parameters and
 * their initialisation, the checks of inputs and states, and the change between the
 * batch-first layout and the time-major layout the loops run on.
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
