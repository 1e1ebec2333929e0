import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MSELoss } from '../lib/losses/mse';
import { Sequential } from '../lib/modules/containers/sequential';
import { Linear } from '../lib/modules/linear';
import { Module } from '../lib/modules/module';
import { GRU } from '../lib/modules/recurrent/gru';
import { LSTM } from '../lib/modules/recurrent/lstm';
import { RNN } from '../lib/modules/recurrent/rnn';
import { loadModel, saveModel } from '../lib/node';
import { Adam } from '../lib/optim/adam';
import { Rng } from '../lib/random/rng';
import { Tensor } from '../lib/tensor/tensor';
import { gradcheck } from '../lib/tools/gradcheck';
import { isLibraryModel } from '../lib/training/library-code';
import { NeuralNet } from '../lib/training/neural-net';
import { bits, randn } from './helpers';

/*
 * The recurrent layers RNN (tanh, relu), LSTM and GRU. Backward passes: gradcheck (input and
 * every parameter, zero state) and a finite-difference check written here of the state path
 * (input, every parameter, h0 and c0, with ∂L/∂hN and ∂L/∂cN not zero), on several shapes.
 * Forward passes: an independent float64 transcription of PyTorch's documented equations
 * (torch.nn.RNN / LSTM / GRU), and an LSTM with H = 1 worked out by hand. Then the
 * initialisation (bounds, PyTorch's draw order), saving and loading, and training with
 * NeuralNet.fit on a task that needs memory.
 */

type Recurrent = RNN | LSTM | GRU;

/** Every parameter set to draws from U(−0.6, 0.6), so that no formula hides behind a small weight. */
function randomizeParams(module: Module, rng: Rng): void {
  for (const p of module.params()) rng.fillUniform(p.value.data, -0.6, 0.6);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** max |a − b| / max(1e-8, largest |a| or |b|), CS231n's relative error over a tensor. */
function relError(a: Float64Array, b: Float64Array): number {
  let scale = 0, err = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(a[i]), Math.abs(b[i]));
    err = Math.max(err, Math.abs(a[i] - b[i]));
  }
  return err / Math.max(1e-8, scale);
}

/** Central differences of f with respect to every entry of `values` (changed in place, then put back). */
function numericGradient(values: Float64Array, f: () => number, h = 1e-6): Float64Array {
  const grad = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const saved = values[i];
    values[i] = saved + h;
    const plus = f();
    values[i] = saved - h;
    const minus = f();
    values[i] = saved;
    grad[i] = (plus - minus) / (2 * h);
  }
  return grad;
}

/**
 * The state path checked by finite differences, in float64: with random R, S_h, S_c,
 *   f = Σ R ⊙ output + Σ S_h ⊙ hN (+ Σ S_c ⊙ cN for an LSTM),
 * so backwardWithState(R, { hN: S_h, cN: S_c }) gives ∂f/∂input, ∂f/∂h0, ∂f/∂c0 and adds ∂f/∂θ to
 * every θ.grad. Returns the worst relative error of each tensor.
 */
function stateCheck(module: Recurrent, input: Tensor, seed: string): Record<string, number> {
  const rng = new Rng(seed);
  const [T, N] = module.batchFirst ? [input.shape[1], input.shape[0]] : [input.shape[0], input.shape[1]];
  const stateShape = [module.numLayers, N, module.hiddenSize];
  const isLSTM = module instanceof LSTM;
  const h0 = randn(rng, stateShape), c0 = randn(rng, stateShape);
  const state = isLSTM ? { h0, c0 } : { h0 };
  const outShape = module.batchFirst ? [N, T, module.hiddenSize] : [T, N, module.hiddenSize];
  const R = randn(rng, outShape), SH = randn(rng, stateShape), SC = randn(rng, stateShape);
  const f = (): number => {
    const r = module.forwardWithState(input, state) as { output: Tensor; hN: Tensor; cN?: Tensor };
    return dot(R.data, r.output.data) + dot(SH.data, r.hN.data) + (r.cN ? dot(SC.data, r.cN.data) : 0);
  };
  module.zeroGrad();
  module.forwardWithState(input, state);
  const back = module.backwardWithState(R, isLSTM ? { hN: SH, cN: SC } : { hN: SH }) as { gradInput: Tensor; gradH0: Tensor; gradC0?: Tensor };
  const analyticParams = module.params().map((p) => p.grad.data.slice());
  const errors: Record<string, number> = {
    input: relError(back.gradInput.data, numericGradient(input.data, f)),
    h0: relError(back.gradH0.data, numericGradient(h0.data, f)),
  };
  if (isLSTM) errors.c0 = relError((back.gradC0 as Tensor).data, numericGradient(c0.data, f));
  module.params().forEach((p, k) => { errors[p.name] = relError(analyticParams[k], numericGradient(p.value.data, f)); });
  module.zeroGrad();
  return errors;
}

interface Case {
  name: string;
  T: number;
  N: number;
  inputSize: number;
  hiddenSize: number;
  numLayers?: number;
  batchFirst?: boolean;
  bias?: boolean;
}

const CASES: Case[] = [
  { name: 'T=3, N=2, in=3, H=4', T: 3, N: 2, inputSize: 3, hiddenSize: 4 },
  { name: 'batch of 1', T: 4, N: 1, inputSize: 2, hiddenSize: 3 },
  { name: 'sequence of length 1', T: 1, N: 3, inputSize: 2, hiddenSize: 3 },
  { name: '2 layers', T: 3, N: 2, inputSize: 3, hiddenSize: 4, numLayers: 2 },
  { name: '2 layers, batchFirst', T: 3, N: 2, inputSize: 2, hiddenSize: 3, numLayers: 2, batchFirst: true },
  { name: 'batchFirst, N ≠ T', T: 2, N: 3, inputSize: 2, hiddenSize: 3, batchFirst: true },
  { name: 'bias: false, 2 layers', T: 3, N: 2, inputSize: 2, hiddenSize: 3, numLayers: 2, bias: false },
];

const KINDS: [string, (c: Case, rng: Rng) => Recurrent][] = [
  ['RNN tanh', (c, rng) => new RNN(c.inputSize, c.hiddenSize, { numLayers: c.numLayers, batchFirst: c.batchFirst, bias: c.bias, rng })],
  ['RNN relu', (c, rng) => new RNN(c.inputSize, c.hiddenSize, { numLayers: c.numLayers, batchFirst: c.batchFirst, bias: c.bias, nonlinearity: 'relu', rng })],
  ['LSTM', (c, rng) => new LSTM(c.inputSize, c.hiddenSize, { numLayers: c.numLayers, batchFirst: c.batchFirst, bias: c.bias, rng })],
  ['GRU', (c, rng) => new GRU(c.inputSize, c.hiddenSize, { numLayers: c.numLayers, batchFirst: c.batchFirst, bias: c.bias, rng })],
];

function inputFor(c: Case, rng: Rng): Tensor {
  return randn(rng, c.batchFirst ? [c.N, c.T, c.inputSize] : [c.T, c.N, c.inputSize]);
}

describe.each(KINDS)('%s: backward through time', (kind, make) => {
  test.each(CASES.map((c) => [c.name, c] as const))('gradcheck of the input and every parameter (zero state): %s', (_name, c) => {
    const rng = new Rng(`${kind} ${c.name}`);
    const module = make(c, rng);
    randomizeParams(module, rng);
    const report = gradcheck(module, inputFor(c, rng));
    if (!report.ok) throw new Error(report.summary);
    expect(report.entries.length).toBe(1 + module.params().length);
    expect(report.accumulates).toBe(true);
  });

  test.each(CASES.map((c) => [c.name, c] as const))('the state path: input, parameters, h0 (c0) with ∂L/∂hN (∂L/∂cN) ≠ 0, by finite differences: %s', (_name, c) => {
    const rng = new Rng(`${kind} state ${c.name}`);
    const module = make(c, rng);
    randomizeParams(module, rng);
    const errors = stateCheck(module, inputFor(c, rng), `${kind} ${c.name}`);
    expect(Object.keys(errors).length).toBe(module.params().length + (module instanceof LSTM ? 3 : 2));
    for (const [name, err] of Object.entries(errors)) {
      if (!(err < 1e-6)) throw new Error(`${name}: relative error ${err}`);
    }
  });

  test('backward is forward and backward with state with zero states and no state gradient', () => {
    const c = CASES[3];
    const rng = new Rng(`${kind} plain`);
    const module = make(c, rng);
    const x = inputFor(c, rng), g = randn(rng, [c.T, c.N, c.hiddenSize]);
    const y1 = module.forward(x);
    const gx1 = module.backward(g);
    const grads1 = module.params().map((p) => p.grad.data.slice());
    module.zeroGrad();
    const zeros = Tensor.zeros([module.numLayers, c.N, c.hiddenSize]);
    const y2 = module.forwardWithState(x, module instanceof LSTM ? { h0: zeros, c0: zeros } : { h0: zeros }).output;
    const gx2 = module.backwardWithState(g, module instanceof LSTM ? { hN: zeros, cN: zeros } : { hN: zeros }).gradInput;
    expect(bits(y2.data)).toEqual(bits(y1.data));
    expect(bits(gx2.data)).toEqual(bits(gx1.data));
    module.params().forEach((p, k) => expect(bits(p.grad.data)).toEqual(bits(grads1[k])));
  });

  test('batchFirst gives the transposed output and gradients of the same layer run time-major', () => {
    const rng = new Rng(`${kind} layout`);
    const c: Case = { name: '', T: 3, N: 2, inputSize: 2, hiddenSize: 3, numLayers: 2 };
    const timeMajor = make(c, new Rng(1));
    const batchFirst = make({ ...c, batchFirst: true }, new Rng(1));
    const x = randn(rng, [3, 2, 2]), g = randn(rng, [3, 2, 3]);
    const transpose = (t: Tensor): Tensor => {
      const [A, B, F] = t.shape;
      const out = new Tensor([B, A, F]);
      for (let a = 0; a < A; a++) for (let b = 0; b < B; b++) for (let f = 0; f < F; f++) out.data[(b * A + a) * F + f] = t.data[(a * B + b) * F + f];
      return out;
    };
    const y = timeMajor.forward(x), yb = batchFirst.forward(transpose(x));
    expect(yb.shape).toEqual([2, 3, 3]);
    expect(bits(yb.data)).toEqual(bits(transpose(y).data));
    const gx = timeMajor.backward(g), gxb = batchFirst.backward(transpose(g));
    expect(bits(gxb.data)).toEqual(bits(transpose(gx).data));
    timeMajor.params().forEach((p, k) => expect(bits(batchFirst.params()[k].grad.data)).toEqual(bits(p.grad.data)));
  });
});

/*
 * PyTorch's documented equations, transcribed independently with nested arrays and plain loops
 * (no minidl code): weights [out][in] as PyTorch stores them, gates stacked in its order.
 */
type Matrix = number[][];
interface RefLayer { wih: Matrix; whh: Matrix; bih: number[]; bhh: number[] }

function toMatrix(values: Float64Array, rows: number, cols: number): Matrix {
  return Array.from({ length: rows }, (_, r) => Array.from(values.subarray(r * cols, (r + 1) * cols)));
}

function refLayers(module: Recurrent, gates: number): RefLayer[] {
  const H = module.hiddenSize;
  return module.layers.map((l) => ({
    wih: toMatrix(l.weightIh.value.data, gates * H, l.weightIh.shape[1]),
    whh: toMatrix(l.weightHh.value.data, gates * H, H),
    bih: l.biasIh ? Array.from(l.biasIh.value.data) : new Array<number>(gates * H).fill(0),
    bhh: l.biasHh ? Array.from(l.biasHh.value.data) : new Array<number>(gates * H).fill(0),
  }));
}

/** W[row]·v. */
function rowDot(w: Matrix, row: number, v: number[]): number {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += w[row][j] * v[j];
  return s;
}

const sig = (a: number): number => 1 / (1 + Math.exp(-a));

/** x[t][n] → per layer; returns output[t][n] and the final states [layer][n]. */
function refRun(layers: RefLayer[], x: number[][][], h0: number[][][], c0: number[][][] | null,
  cell: (l: RefLayer, x: number[], h: number[], c: number[]) => { h: number[]; c: number[] }): { out: number[][][]; hN: number[][][]; cN: number[][][] } {
  let seq = x;
  const hN: number[][][] = [], cN: number[][][] = [];
  layers.forEach((l, k) => {
    const next: number[][][] = [];
    let h = h0[k], c = c0 ? c0[k] : h0[k].map((row) => row.map(() => 0));
    for (let t = 0; t < seq.length; t++) {
      const stepH: number[][] = [], stepC: number[][] = [];
      for (let n = 0; n < seq[t].length; n++) {
        const r = cell(l, seq[t][n], h[n], c[n]);
        stepH.push(r.h);
        stepC.push(r.c);
      }
      h = stepH;
      c = stepC;
      next.push(stepH);
    }
    hN.push(h);
    cN.push(c);
    seq = next;
  });
  return { out: seq, hN, cN };
}

/** h' = act(W_ih x + b_ih + W_hh h + b_hh)  (torch.nn.RNN) */
const rnnCell = (relu: boolean) => (l: RefLayer, x: number[], h: number[]): { h: number[]; c: number[] } => {
  const out = h.map((_, j) => {
    const a = rowDot(l.wih, j, x) + l.bih[j] + rowDot(l.whh, j, h) + l.bhh[j];
    return relu ? Math.max(a, 0) : Math.tanh(a);
  });
  return { h: out, c: [] };
};

/** torch.nn.LSTM: i, f, g, o rows 0…H−1, H…2H−1, 2H…3H−1, 3H…4H−1. */
function lstmCell(l: RefLayer, x: number[], h: number[], c: number[]): { h: number[]; c: number[] } {
  const H = h.length;
  const pre = (row: number): number => rowDot(l.wih, row, x) + l.bih[row] + rowDot(l.whh, row, h) + l.bhh[row];
  const cOut: number[] = [], hOut: number[] = [];
  for (let j = 0; j < H; j++) {
    const i = sig(pre(j)), f = sig(pre(H + j)), g = Math.tanh(pre(2 * H + j)), o = sig(pre(3 * H + j));
    cOut.push(f * c[j] + i * g);
    hOut.push(o * Math.tanh(cOut[j]));
  }
  return { h: hOut, c: cOut };
}

/** torch.nn.GRU: r, z, n rows 0…H−1, H…2H−1, 2H…3H−1; n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)). */
function gruCell(l: RefLayer, x: number[], h: number[]): { h: number[]; c: number[] } {
  const H = h.length;
  const out: number[] = [];
  for (let j = 0; j < H; j++) {
    const r = sig(rowDot(l.wih, j, x) + l.bih[j] + rowDot(l.whh, j, h) + l.bhh[j]);
    const z = sig(rowDot(l.wih, H + j, x) + l.bih[H + j] + rowDot(l.whh, H + j, h) + l.bhh[H + j]);
    const n = Math.tanh(rowDot(l.wih, 2 * H + j, x) + l.bih[2 * H + j] + r * (rowDot(l.whh, 2 * H + j, h) + l.bhh[2 * H + j]));
    out.push((1 - z) * n + z * h[j]);
  }
  return { h: out, c: [] };
}

function nested3(t: Tensor): number[][][] {
  return t.toArray() as number[][][];
}

describe("the forward pass against an independent transcription of PyTorch's equations (float64)", () => {
  const shapes: Case[] = [CASES[0], CASES[3], CASES[6], { name: 'longer', T: 7, N: 3, inputSize: 4, hiddenSize: 5, numLayers: 3 }];
  const refs: [string, number, (l: RefLayer, x: number[], h: number[], c: number[]) => { h: number[]; c: number[] }][] = [
    ['RNN tanh', 1, rnnCell(false)], ['RNN relu', 1, rnnCell(true)], ['LSTM', 4, lstmCell], ['GRU', 3, gruCell],
  ];
  test.each(refs.flatMap(([kind, gates, cell]) => shapes.map((c) => [kind, c.name, gates, cell, c] as const)))('%s, %s', (kind, _name, gates, cell, c) => {
    const rng = new Rng(`reference ${kind} ${c.name}`);
    const module = KINDS.find(([k]) => k === kind)![1](c, rng);
    randomizeParams(module, rng);
    const x = randn(rng, [c.T, c.N, c.inputSize]);
    const stateShape = [module.numLayers, c.N, c.hiddenSize];
    const h0 = randn(rng, stateShape), c0 = randn(rng, stateShape);
    const got = module instanceof LSTM ? module.forwardWithState(x, { h0, c0 }) : module.forwardWithState(x, { h0 });
    const want = refRun(refLayers(module, gates), nested3(x), nested3(h0), module instanceof LSTM ? nested3(c0) : null, cell);
    const close = (a: Float64Array, b: number[]): void => {
      expect(a.length).toBe(b.length);
      for (let i = 0; i < b.length; i++) if (!(Math.abs(a[i] - b[i]) <= 1e-14)) throw new Error(`entry ${i}: ${a[i]} vs ${b[i]}`);
    };
    close(got.output.data, want.out.flat(2));
    close(got.hN.data, want.hN.flat(2));
    if (module instanceof LSTM) close((got as unknown as { cN: Tensor }).cN.data, want.cN.flat(2));
  });
});

describe('an LSTM with one unit, worked out by hand (H = 1, in = 1, T = 2, N = 1)', () => {
  /*
   * Weights (rows i, f, g, o): W_ih = [0, 1, 0, 0]ᵀ (only the forget gate sees x), W_hh = [0, 0, 0, 1]ᵀ
   * (only the output gate sees h), b_ih = [ln 3, 0, ln 3, ln 3], b_hh = 0; x = [0, ln 3].
   * σ(ln 3) = 3/4, σ(0) = 1/2, tanh(ln 3) = (9 − 1)/(9 + 1) = 0.8.
   *   t = 0: i = 3/4, f = σ(0) = 1/2, g = 0.8, o = 3/4;   c_0 = 1/2·0 + 3/4·0.8 = 0.6,   h_0 = 3/4·tanh(0.6)
   *   t = 1: i = 3/4, f = σ(ln 3) = 3/4, g = 0.8, o = σ(ln 3 + h_0);
   *          c_1 = 3/4·0.6 + 3/4·0.8 = 1.05,   h_1 = o_1·tanh(1.05)
   * With L = h_1 (gradOut = [0, 1]): only o_1 reads h_0 (W_hh), so ∂L/∂h_0 = tanh(1.05)·o_1(1 − o_1), and
   * ∂L/∂c_0 = ∂L/∂c_1·f_1 + ∂L/∂h_0·o_0(1 − tanh²(0.6)) with ∂L/∂c_1 = o_1(1 − tanh²(1.05)); then
   *   ∂L/∂c0 = f_0·∂L/∂c_0 = 1/2·[o_1(1 − tanh²(1.05))·3/4 + ∂L/∂h_0·3/4·(1 − tanh²(0.6))]
   *   ∂L/∂h0 = ∂L/∂h_0·tanh(c_0)·o_0(1 − o_0)·1 = ∂L/∂h_0·tanh(0.6)·3/4·1/4   (only o_0 reads h0; c_0 does not)
   */
  const ln3 = Math.log(3);
  function handLSTM(): LSTM {
    const lstm = new LSTM(1, 1, { rng: new Rng(0) });
    const [weightIh, weightHh, biasIh, biasHh] = lstm.params();
    weightIh.value.data.set([0, 1, 0, 0]);
    weightHh.value.data.set([0, 0, 0, 1]);
    biasIh.value.data.set([ln3, 0, ln3, ln3]);
    biasHh.value.data.set([0, 0, 0, 0]);
    return lstm;
  }
  const h0 = 0.75 * Math.tanh(0.6);
  const o1 = 1 / (1 + Math.exp(-(ln3 + h0)));
  const h1 = o1 * Math.tanh(1.05);

  test('forward: h_0, h_1 and c_1', () => {
    const { output, hN, cN } = handLSTM().forwardWithState(Tensor.from([[[0]], [[ln3]]]));
    expect(output.shape).toEqual([2, 1, 1]);
    expect(output.data[0]).toBeCloseTo(h0, 15);
    expect(output.data[1]).toBeCloseTo(h1, 15);
    expect(hN.data[0]).toBe(output.data[1]);
    expect(cN.data[0]).toBeCloseTo(1.05, 15);
  });

  test('backward: ∂h_1/∂c0 along its two paths, and ∂h_1/∂h0', () => {
    const lstm = handLSTM();
    lstm.forwardWithState(Tensor.from([[[0]], [[ln3]]]));
    const { gradC0, gradH0 } = lstm.backwardWithState(Tensor.from([[[0]], [[1]]]));
    const tc1 = Math.tanh(1.05), tc0 = Math.tanh(0.6);
    const throughCell = o1 * (1 - tc1 * tc1) * 0.75 * 0.5;
    const throughH0 = tc1 * o1 * (1 - o1) * 0.75 * (1 - tc0 * tc0) * 0.5;
    expect(gradC0.data[0]).toBeCloseTo(throughCell + throughH0, 14);
    const dLdh0 = tc1 * o1 * (1 - o1); // ∂L/∂h_0 (only o_1 reads h_0)
    expect(gradH0.data[0]).toBeCloseTo(dLdh0 * tc0 * 0.75 * 0.25, 14); // · ∂h_0/∂o_0 · o_0(1 − o_0) · W_ho
  });
});

describe('initialisation', () => {
  test.each([['RNN', 1], ['GRU', 3], ['LSTM', 4]] as const)("%s: U(−1/√H, 1/√H), drawn in PyTorch's parameter order, names and shapes PyTorch's", (kind, gates) => {
    const H = 5, inputSize = 3;
    const rng = new Rng('init');
    const options = { numLayers: 2, rng };
    const module = kind === 'RNN' ? new RNN(inputSize, H, options) : kind === 'GRU' ? new GRU(inputSize, H, options) : new LSTM(inputSize, H, options);
    const expected: [string, number[]][] = [
      ['weightIhL0', [gates * H, inputSize]], ['weightHhL0', [gates * H, H]], ['biasIhL0', [gates * H]], ['biasHhL0', [gates * H]],
      ['weightIhL1', [gates * H, H]], ['weightHhL1', [gates * H, H]], ['biasIhL1', [gates * H]], ['biasHhL1', [gates * H]],
    ];
    const params = module.params();
    expect(params.map((p) => [p.name, p.shape])).toEqual(expected);
    const bound = 1 / Math.sqrt(H);
    const replay = new Rng('init');
    for (const p of params) {
      expect(bits(p.value.data)).toEqual(bits(replay.fillUniform(new Float64Array(p.value.size), -bound, bound)));
      for (const v of p.value.data) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    }
    expect(rng.state()).toEqual(replay.state()); // nothing else drawn
  });

  test('bias: false has no biases; the weights are drawn as with biases, in order', () => {
    const a = new LSTM(2, 3, { bias: false, rng: new Rng(5) });
    expect(a.params().map((p) => p.name)).toEqual(['weightIhL0', 'weightHhL0']);
    const b = new LSTM(2, 3, { rng: new Rng(5) });
    expect(bits(a.params()[1].value.data)).toEqual(bits(b.params()[1].value.data));
  });

  test('toString names the settings that are not the defaults', () => {
    expect(String(new RNN(3, 4, { rng: new Rng(1) }))).toBe('RNN(3, 4)');
    expect(String(new RNN(3, 4, { nonlinearity: 'relu', numLayers: 2, rng: new Rng(1) }))).toBe('RNN(3, 4, numLayers=2, nonlinearity=relu)');
    expect(String(new LSTM(3, 4, { batchFirst: true, bias: false, rng: new Rng(1) }))).toBe('LSTM(3, 4, bias=false, batchFirst=true)');
    expect(String(new GRU(3, 4, { dropout: 0, bidirectional: false, rng: new Rng(1) }))).toBe('GRU(3, 4)');
  });
});

describe('saving and loading', () => {
  test('RNN, GRU and LSTM in a Sequential: same structure, parameter names, values and outputs', () => {
    const rng = new Rng('save');
    const model = new Sequential(
      new RNN(3, 4, { nonlinearity: 'relu', numLayers: 2, batchFirst: true, rng }),
      new GRU(4, 5, { batchFirst: true, bias: false, rng }),
      new LSTM(5, 2, { batchFirst: true, numLayers: 2, rng }),
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-recurrent-'));
    try {
      const file = path.join(dir, 'model.json');
      saveModel(model, file);
      const loaded = loadModel(file);
      expect(String(loaded)).toBe(String(model));
      expect(String(loaded)).toBe('Sequential(RNN(3, 4, numLayers=2, batchFirst=true, nonlinearity=relu), GRU(4, 5, bias=false, batchFirst=true), LSTM(5, 2, numLayers=2, batchFirst=true))');
      const a = model.params(), b = loaded.params();
      expect(b.map((p) => p.name)).toEqual(a.map((p) => p.name));
      a.forEach((p, i) => expect(bits(b[i].value.data)).toEqual(bits(p.value.data)));
      const x = randn(rng, [2, 4, 3]);
      expect(bits(loaded.forward(x).data)).toEqual(bits(model.forward(x).data));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The last step of a batch-first sequence: [N, T, H] → [N, H] (a small module of this spec). */
class LastStep extends Module {
  private inputShape: readonly number[] | null = null;

  forward(input: Tensor): Tensor {
    const [N, T, H] = input.shape;
    this.inputShape = input.shape;
    const out = new Tensor([N, H]);
    for (let n = 0; n < N; n++) for (let j = 0; j < H; j++) out.data[n * H + j] = input.data[(n * T + T - 1) * H + j];
    return this.rememberOutput(out);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const [N, T, H] = this.inputShape as number[];
    const grad = new Tensor([N, T, H]);
    for (let n = 0; n < N; n++) for (let j = 0; j < H; j++) grad.data[(n * T + T - 1) * H + j] = gradOut.data[n * H + j];
    return grad;
  }

  toString(): string {
    return 'LastStep';
  }
}

describe('training with NeuralNet.fit', () => {
  test.each([['LSTM'], ['GRU'], ['RNN']] as const)('%s learns to recall the first number of a sequence of 6', (kind) => {
    const rng = new Rng(`train ${kind}`);
    const N = 64, T = 6;
    const x = randn(rng, [N, T, 1]);
    const y = new Tensor([N, 1]);
    for (let n = 0; n < N; n++) y.data[n] = x.data[n * T];
    const options = { batchFirst: true, rng };
    const recurrent = kind === 'LSTM' ? new LSTM(1, 12, options) : kind === 'GRU' ? new GRU(1, 12, options) : new RNN(1, 12, options);
    const model = new Sequential(recurrent, new LastStep(), new Linear(12, 1, { rng }));
    expect(isLibraryModel(model)).toBe(false); // LastStep is this spec's: the trainer's safe path
    const net = new NeuralNet(model, { loss: new MSELoss(), optimizer: new Adam(model.params(), { lr: 0.02 }), rng });
    const before = net.evaluate(x, y).loss;
    const history = net.fit(x, y, { epochs: 60, batchSize: 16 });
    const after = net.evaluate(x, y).loss;
    expect(history.loss.length).toBe(60);
    expect(after).toBeLessThan(0.05 * before);
  });
});
