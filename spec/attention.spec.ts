import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GELU } from '../lib/modules/activations/gelu';
import { MultiheadAttention } from '../lib/modules/attention/multihead-attention';
import { scaledDotProductAttention, scaledDotProductAttentionBackward } from '../lib/modules/attention/scaled-dot-product-attention';
import { Residual } from '../lib/modules/containers/residual';
import { Sequential } from '../lib/modules/containers/sequential';
import { Linear } from '../lib/modules/linear';
import { Module } from '../lib/modules/module';
import { LayerNorm } from '../lib/modules/normalization/layer-norm';
import { Rng } from '../lib/random/rng';
import { loadModel, saveModel } from '../lib/node';
import { Tensor } from '../lib/tensor/tensor';
import { withTemporaryTensors } from '../lib/tensor/temporaries';
import { gradcheck } from '../lib/tools/gradcheck';
import { bits, expectMinidlError, randn } from './helpers';

/*
 * Attention: scaledDotProductAttention and its backward against central finite differences;
 * MultiheadAttention gradchecked (input and every parameter) over shapes, heads, layouts, the
 * causal mask and no bias; its forward against a float64 transcription of PyTorch's
 * F.multi_head_attention_forward written here independently; its initialisation, its saving and
 * loading, and a pre-norm Transformer block built from it.
 */

/** Every parameter set to N(0, 0.5²) draws, so that zero biases do not hide a wrong formula. */
function randomizeParams(module: Module, rng: Rng): void {
  for (const p of module.params()) {
    rng.fillNormal(p.value.data);
    for (let i = 0; i < p.value.size; i++) p.value.data[i] *= 0.5;
  }
}

function expectGradcheckOk(module: Module, input: Tensor): void {
  const report = gradcheck(module, input);
  if (!report.ok) throw new Error(report.summary);
  expect(report.entries.length).toBe(1 + module.params().length);
  expect(report.accumulates).toBe(true);
}

describe('scaledDotProductAttention', () => {
  test('values by hand: one query, two keys, scale 1/√d', () => {
    const q = Tensor.fromArray([1, 0], [1, 1, 2]);
    const k = Tensor.fromArray([1, 0, 0, 1], [1, 2, 2]);
    const v = Tensor.fromArray([10, 20], [1, 2, 1]);
    const { output, weights } = scaledDotProductAttention(q, k, v);
    // scores s·[1, 0] = [1/√2, 0]; softmax: p₀ = 1/(1 + e^(−1/√2))
    const p0 = 1 / (1 + Math.exp(-1 / Math.sqrt(2)));
    expect(weights.data[0]).toBeCloseTo(p0, 15);
    expect(weights.data[1]).toBeCloseTo(1 - p0, 15);
    expect(output.data[0]).toBeCloseTo(10 * p0 + 20 * (1 - p0), 13);
    const scaled = scaledDotProductAttention(q, k, v, { scale: 2 });
    expect(scaled.weights.data[0]).toBeCloseTo(1 / (1 + Math.exp(-2)), 15);
  });

  test('causal: weights exactly 0 above the diagonal, rows sum to 1, row 0 attends to key 0 alone', () => {
    const rng = new Rng('sdpa causal');
    const B = 3, T = 5, d = 4;
    const { weights, output } = scaledDotProductAttention(randn(rng, [B, T, d]), randn(rng, [B, T, d]), randn(rng, [B, T, 2]), { causal: true });
    const v0 = weights.data;
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < T; i++) {
        let sum = 0;
        for (let j = 0; j < T; j++) {
          const p = v0[(b * T + i) * T + j];
          if (j > i) expect(p).toBe(0);
          else expect(p).toBeGreaterThan(0);
          sum += p;
        }
        expect(Math.abs(sum - 1)).toBeLessThan(1e-15);
      }
      expect(v0[b * T * T]).toBe(1);
    }
    expect(output.shape).toEqual([B, T, 2]);
  });

  test('backward against central finite differences (causal or not, Tq ≠ Tk, dv ≠ d, a given scale)', () => {
    const rng = new Rng('sdpa backward');
    const cases: [number, number, number, number, number, { causal?: boolean; scale?: number }][] = [
      [1, 1, 1, 1, 1, {}],
      [2, 4, 4, 3, 3, {}],
      [2, 4, 4, 3, 2, { causal: true }],
      [3, 3, 5, 2, 4, {}],
      [2, 5, 3, 2, 3, { causal: true, scale: 0.7 }],
    ];
    for (const [B, Tq, Tk, d, dv, options] of cases) {
      const q = randn(rng, [B, Tq, d]), k = randn(rng, [B, Tk, d]), v = randn(rng, [B, Tk, dv]);
      const r = randn(rng, [B, Tq, dv]); // upstream gradient: f = Σ R ⊙ O
      const f = (): number => {
        const o = scaledDotProductAttention(q, k, v, options).output.data;
        let s = 0;
        for (let i = 0; i < o.length; i++) s += r.data[i] * o[i];
        return s;
      };
      const saved = scaledDotProductAttention(q, k, v, options);
      const { gradQ, gradK, gradV } = scaledDotProductAttentionBackward(r, saved);
      for (const [t, grad] of [[q, gradQ], [k, gradK], [v, gradV]] as const) {
        expect(grad.shape).toEqual(t.shape);
        const h = 1e-6;
        let worst = 0, scale = 1e-8;
        for (let i = 0; i < t.size; i++) {
          const x0 = t.data[i];
          t.data[i] = x0 + h;
          const up = f();
          t.data[i] = x0 - h;
          const down = f();
          t.data[i] = x0;
          const numeric = (up - down) / (2 * h);
          worst = Math.max(worst, Math.abs(numeric - grad.data[i]));
          scale = Math.max(scale, Math.abs(numeric), Math.abs(grad.data[i]));
        }
        expect(worst / scale).toBeLessThan(1e-7);
      }
    }
  });

  test('the causal mask takes nothing from later keys: ∂L/∂K and ∂L/∂V of the last key come from the last query alone', () => {
    const rng = new Rng('sdpa mask');
    const q = randn(rng, [1, 3, 2]), k = randn(rng, [1, 3, 2]), v = randn(rng, [1, 3, 2]);
    const saved = scaledDotProductAttention(q, k, v, { causal: true });
    const g = Tensor.fromArray([1, 1, 1, 1, 0, 0], [1, 3, 2]); // nothing from the last query
    const { gradK, gradV } = scaledDotProductAttentionBackward(g, saved);
    expect(Array.from(gradK.data.subarray(4))).toEqual([0, 0]);
    expect(Array.from(gradV.data.subarray(4))).toEqual([0, 0]);
  });
});

/** Shapes gradchecked: [E, H, T, N, options]. */
const GRADCHECK_CASES: [number, number, number, number, { batchFirst?: boolean; causal?: boolean; bias?: boolean }][] = [
  [4, 1, 3, 2, {}],
  [4, 2, 3, 2, {}],
  [6, 3, 4, 1, { causal: true }],
  [4, 2, 1, 3, {}],
  [4, 2, 1, 1, { causal: true, batchFirst: true }],
  [6, 2, 3, 2, { batchFirst: true }],
  [6, 3, 5, 2, { batchFirst: true, causal: true }],
  [4, 4, 3, 2, { causal: true }],
  [4, 2, 3, 2, { bias: false }],
  [8, 2, 4, 3, { batchFirst: true, bias: false, causal: true }],
];

describe('MultiheadAttention', () => {
  test("PyTorch's layouts, names and defaults; toString; params in order", () => {
    const attn = new MultiheadAttention(8, 2, { rng: new Rng(1) });
    expect(attn.inProjWeight.shape).toEqual([24, 8]);
    expect(attn.inProjBias!.shape).toEqual([24]);
    expect(attn.outProj.weight.shape).toEqual([8, 8]);
    expect(attn.outProj.bias!.shape).toEqual([8]);
    expect(attn.params().map((p) => p.name)).toEqual(['inProjWeight', 'inProjBias', 'outProj.weight', 'outProj.bias']);
    expect(attn.headDim).toBe(4);
    expect(attn.batchFirst).toBe(false);
    expect(attn.causal).toBe(false);
    expect(attn.lastAttentionWeights).toBeNull();
    expect(String(attn)).toBe('MultiheadAttention(8, heads=2)');
    const other = new MultiheadAttention(4, 4, { bias: false, batchFirst: true, causal: true, rng: new Rng(1) });
    expect(other.inProjBias).toBeNull();
    expect(other.outProj.bias).toBeNull();
    expect(other.params().map((p) => p.name)).toEqual(['inProjWeight', 'outProj.weight']);
    expect(String(other)).toBe('MultiheadAttention(4, heads=4, bias=false, batchFirst=true, causal=true)');
    expect(other.config()).toEqual({ embedDim: 4, numHeads: 4, bias: false, batchFirst: true, causal: true });
  });

  test('init: inProjWeight ~ xavier_uniform_ (bound √(6/(E + 3E))), outProj.weight as Linear (bound 1/√E), biases 0', () => {
    const E = 32;
    const attn = new MultiheadAttention(E, 4, { rng: new Rng('init') });
    const xavier = Math.sqrt(6 / (E + 3 * E));
    const w = attn.inProjWeight.value.data;
    const maxIn = w.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    expect(maxIn).toBeLessThanOrEqual(xavier);
    expect(maxIn).toBeGreaterThan(0.99 * xavier); // 3072 draws reach the bound
    let mean = 0, meanSq = 0;
    for (const x of w) { mean += x / w.length; meanSq += (x * x) / w.length; }
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(meanSq).toBeCloseTo((xavier * xavier) / 3, 2); // the variance of U(−a, a)
    const o = attn.outProj.weight.value.data;
    const maxOut = o.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    expect(maxOut).toBeLessThanOrEqual(1 / Math.sqrt(E));
    expect(maxOut).toBeGreaterThan(0.98 / Math.sqrt(E));
    expect(Array.from(attn.inProjBias!.value.data).every((x) => x === 0)).toBe(true);
    expect(Array.from(attn.outProj.bias!.value.data).every((x) => x === 0)).toBe(true);
    // the same generator state gives the same weights
    const twin = new MultiheadAttention(E, 4, { rng: new Rng('init') });
    expect(bits(twin.inProjWeight.value.data)).toEqual(bits(w));
    expect(bits(twin.outProj.weight.value.data)).toEqual(bits(o));
  });

  test('gradcheck: the input and every parameter (1 and several heads, T = 1, batch 1, causal, batchFirst, no bias)', () => {
    const rng = new Rng('mha gradcheck');
    for (const [E, H, T, N, options] of GRADCHECK_CASES) {
      const attn = new MultiheadAttention(E, H, { ...options, rng });
      randomizeParams(attn, rng);
      const shape = options.batchFirst ? [N, T, E] : [T, N, E];
      expectGradcheckOk(attn, randn(rng, shape));
    }
  });

  test("forward against a float64 transcription of PyTorch's multi_head_attention_forward, to 1e-14", () => {
    const rng = new Rng('mha oracle');
    for (const [E, H, T, N, options] of GRADCHECK_CASES) {
      const attn = new MultiheadAttention(E, H, { ...options, rng });
      randomizeParams(attn, rng);
      const shape = options.batchFirst ? [N, T, E] : [T, N, E];
      const x = randn(rng, shape);
      const y = attn.forward(x);
      const expected = torchMultiHeadAttentionForward(x, attn, options.batchFirst ?? false, options.causal ?? false);
      expect(y.shape).toEqual(shape);
      expect(maxAbsDiff(y.data, expected.output)).toBeLessThan(1e-14);
      expect(attn.lastAttentionWeights!.shape).toEqual([N, T, T]);
      expect(maxAbsDiff(attn.lastAttentionWeights!.data, expected.weights)).toBeLessThan(1e-14);
    }
  });

  test('averageAttnWeights: false gives one map per head, [N, H, T, T] (PyTorch average_attn_weights=False): each a softmax row, their mean the averaged maps', () => {
    const rng = new Rng('mha per head');
    const perHead = new MultiheadAttention(6, 3, { batchFirst: true, causal: true, averageAttnWeights: false, rng });
    randomizeParams(perHead, rng);
    const averaged = new MultiheadAttention(6, 3, { batchFirst: true, causal: true, rng });
    averaged.params().forEach((p, i) => p.value.data.set(perHead.params()[i].value.data));
    const x = randn(rng, [2, 4, 6]);
    const y = withTemporaryTensors(() => perHead.forward(x).clone());
    expect(y.data).toEqual(averaged.forward(x).data); // the output does not depend on the setting
    const maps = perHead.lastAttentionWeights!;
    expect(maps.shape).toEqual([2, 3, 4, 4]);
    expect(maps.readable).toBe(true);
    const mean = averaged.lastAttentionWeights!;
    for (let n = 0; n < 2; n++) {
      for (let i = 0; i < 4; i++) {
        for (let h = 0; h < 3; h++) {
          let sum = 0;
          for (let j = 0; j < 4; j++) sum += maps.get(n, h, i, j);
          expect(Math.abs(sum - 1)).toBeLessThan(1e-15);
          for (let j = i + 1; j < 4; j++) expect(maps.get(n, h, i, j)).toBe(0);
        }
        for (let j = 0; j < 4; j++) {
          const m = (maps.get(n, 0, i, j) + maps.get(n, 1, i, j) + maps.get(n, 2, i, j)) / 3;
          expect(Math.abs(m - mean.get(n, i, j))).toBeLessThan(1e-16);
        }
      }
    }
    expect(perHead.averageAttnWeights).toBe(false);
    expect(() => new MultiheadAttention(6, 3, { averageAttnWeights: 'no' } as never)).toThrow(/averageAttnWeights/);
  });

  test('lastAttentionWeights: causal rows are 0 above the diagonal and sum to 1; readable after a step', () => {
    const rng = new Rng('mha weights');
    const attn = new MultiheadAttention(6, 3, { batchFirst: true, causal: true, rng });
    randomizeParams(attn, rng);
    const x = randn(rng, [2, 4, 6]);
    const w = withTemporaryTensors(() => {
      attn.forward(x);
      return null;
    });
    expect(w).toBeNull();
    const weights = attn.lastAttentionWeights!;
    expect(weights.readable).toBe(true);
    for (let n = 0; n < 2; n++) {
      for (let i = 0; i < 4; i++) {
        let sum = 0;
        for (let j = 0; j < 4; j++) {
          const p = weights.get(n, i, j);
          if (j > i) expect(p).toBe(0);
          sum += p;
        }
        expect(Math.abs(sum - 1)).toBeLessThan(1e-15);
      }
    }
    const before = weights;
    attn.forward(x);
    expect(attn.lastAttentionWeights).not.toBe(before); // a new tensor each forward
  });

  test('the contract: backward before forward and gradOut of another shape are refused; backward accumulates', () => {
    const attn = new MultiheadAttention(4, 2, { rng: new Rng(3) });
    expectMinidlError(() => attn.backward(Tensor.zeros([3, 2, 4])), /MultiheadAttention\(4, heads=2\)\.backward: called before forward/);
    const x = randn(new Rng(4), [3, 2, 4]);
    attn.forward(x);
    expectMinidlError(() => attn.backward(Tensor.zeros([2, 3, 4])), /gradOut has shape \[2,3,4\], expected \[3,2,4\]/);
    const g = randn(new Rng(5), [3, 2, 4]);
    attn.backward(g);
    const once = attn.params().map((p) => Array.from(p.grad.data));
    attn.backward(g);
    attn.params().forEach((p, i) => p.grad.data.forEach((v, j) => expect(v).toBeCloseTo(2 * once[i][j], 14)));
  });

  test('saved and loaded (lib/node.ts): the same settings and parameters, the same output to the bit', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-attention-'));
    try {
      const rng = new Rng('mha save');
      for (const options of [{}, { bias: false, batchFirst: true, causal: true }]) {
        const attn = new MultiheadAttention(6, 2, { ...options, rng });
        randomizeParams(attn, rng);
        const file = path.join(dir, 'attention.json');
        saveModel(attn, file);
        const loaded = loadModel(file) as MultiheadAttention;
        expect(loaded).toBeInstanceOf(MultiheadAttention);
        expect(loaded.config()).toEqual(attn.config());
        loaded.params().forEach((p, i) => expect(bits(p.value.data)).toEqual(bits(attn.params()[i].value.data)));
        const x = randn(rng, [3, 2, 6]);
        expect(bits(loaded.forward(x).data)).toEqual(bits(attn.forward(x).data));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('refuses sizes and inputs by name', () => {
    expectMinidlError(() => new MultiheadAttention(6, 4), /MultiheadAttention: embedDim must be divisible by numHeads .* got embedDim 6 and numHeads 4/);
    const attn = new MultiheadAttention(4, 2, { rng: new Rng(1) });
    expectMinidlError(() => attn.forward(Tensor.zeros([2, 4])), /forward: input has shape \[2,4\], expected \[T,N,4\]/);
    expectMinidlError(() => attn.forward(Tensor.zeros([2, 1, 3])), /expected \[T,N,4\]/);
  });
});

describe('a pre-norm Transformer block', () => {
  test('Residual(Sequential(LayerNorm, MultiheadAttention)) + Residual(Sequential(LayerNorm, Linear, GELU, Linear)), exactly as written: gradcheck of the input and every parameter', () => {
    const rng = new Rng('transformer block');
    const E = 8, T = 4, N = 2;
    const block = new Sequential(
      new Residual(new Sequential(new LayerNorm(E), new MultiheadAttention(E, 2, { causal: true, rng }))),
      new Residual(new Sequential(new LayerNorm(E), new Linear(E, 16, { rng }), new GELU(), new Linear(16, E, { rng }))), // Linear on [T, N, E] as on its T·N rows
    );
    randomizeParams(block, rng);
    expect(block.params().length).toBe(2 + 4 + 2 + 4);
    const x = randn(rng, [T, N, E]);
    expect(block.forward(x).shape).toEqual([T, N, E]);
    expectGradcheckOk(block, x);
  });
});

// ## An independent transcription of PyTorch's F.multi_head_attention_forward (need_weights=True,
// average_attn_weights=True, no dropout, self-attention), on plain arrays, step by step:
//   query [L, N, E] (batch_first: transposed first)
//   proj = F.linear(query, in_proj_weight, in_proj_bias) → q, k, v = its three E-wide chunks
//   q = q.view(L, N·H, d).transpose(0, 1)                 (so problem b = n·H + h)
//   q_scaled = q · √(1/d)
//   w = baddbmm(attn_mask, q_scaled, kᵀ)                   attn_mask: −∞ above the diagonal (causal)
//   w = softmax(w, −1);  o = bmm(w, v)
//   o = o.transpose(0, 1).view(L·N, E);  out = F.linear(o, out_proj.weight, out_proj.bias).view(L, N, E)
//   weights = w.view(N, H, L, L).mean(dim=1)

function torchMultiHeadAttentionForward(x: Tensor, attn: MultiheadAttention, batchFirst: boolean, causal: boolean): { output: Float64Array; weights: Float64Array } {
  const E = attn.embedDim, H = attn.numHeads, d = E / H;
  const [L, N] = batchFirst ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
  const at = (l: number, n: number, e: number): number => (batchFirst ? x.get(n, l, e) : x.get(l, n, e));
  const Win = attn.inProjWeight.value, bIn = attn.inProjBias?.value ?? null;
  const Wout = attn.outProj.weight.value, bOut = attn.outProj.bias?.value ?? null;
  // proj[l][n][o] = Σ_e x[l][n][e]·W_in[o][e] + b_in[o]
  const proj: number[][][] = [];
  for (let l = 0; l < L; l++) {
    proj.push([]);
    for (let n = 0; n < N; n++) {
      const row: number[] = [];
      for (let o = 0; o < 3 * E; o++) {
        let s = 0;
        for (let e = 0; e < E; e++) s += at(l, n, e) * Win.get(o, e);
        row.push(s + (bIn ? bIn.get(o) : 0));
      }
      proj[l].push(row);
    }
  }
  // heads: qh[b][l][c] with b = n·H + h
  const head = (part: number): number[][][] => {
    const out: number[][][] = [];
    for (let n = 0; n < N; n++) for (let h = 0; h < H; h++) out.push(Array.from({ length: L }, (_, l) => Array.from({ length: d }, (_, c) => proj[l][n][part * E + h * d + c])));
    return out;
  };
  const q = head(0), k = head(1), v = head(2);
  const factor = Math.sqrt(1.0 / d);
  const w: number[][][] = [];
  const o: number[][][] = [];
  for (let b = 0; b < N * H; b++) {
    w.push([]);
    o.push([]);
    for (let i = 0; i < L; i++) {
      const scores: number[] = [];
      for (let j = 0; j < L; j++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += q[b][i][c] * factor * k[b][j][c];
        scores.push((causal && j > i ? -Infinity : 0) + s);
      }
      const max = Math.max(...scores);
      const exps = scores.map((s) => Math.exp(s - max));
      const total = exps.reduce((a, c) => a + c, 0);
      const p = exps.map((e) => e / total);
      w[b].push(p);
      o[b].push(Array.from({ length: d }, (_, c) => p.reduce((acc, pj, j) => acc + pj * v[b][j][c], 0)));
    }
  }
  const output = new Float64Array(L * N * E);
  for (let l = 0; l < L; l++) {
    for (let n = 0; n < N; n++) {
      const concat = Array.from({ length: E }, (_, e) => o[n * H + Math.floor(e / d)][l][e % d]);
      for (let f = 0; f < E; f++) {
        let s = 0;
        for (let e = 0; e < E; e++) s += concat[e] * Wout.get(f, e);
        const index = batchFirst ? (n * L + l) * E + f : (l * N + n) * E + f;
        output[index] = s + (bOut ? bOut.get(f) : 0);
      }
    }
  }
  const weights = new Float64Array(N * L * L);
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < L; i++) {
      for (let j = 0; j < L; j++) {
        let s = 0;
        for (let h = 0; h < H; h++) s += w[n * H + h][i][j];
        weights[(n * L + i) * L + j] = s / H;
      }
    }
  }
  return { output, weights };
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
