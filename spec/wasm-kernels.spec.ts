import { Rng } from '../lib/random/rng';
import { slidingOutputSize } from '../lib/modules/convolution/window';
import { avgPoolBackward, avgPoolForward } from '../lib/modules/pooling/avg-pool2d';
import { maxPoolBackward, maxPoolForward } from '../lib/modules/pooling/max-pool2d';
import * as kernels from '../lib/tensor/kernels';
import { Tensor } from '../lib/tensor/tensor';
import { LeakyReLU } from '../lib/modules/activations/leaky-relu';
import { ReLU } from '../lib/modules/activations/relu';
import { Sigmoid } from '../lib/modules/activations/sigmoid';
import { Tanh } from '../lib/modules/activations/tanh';
import { Module } from '../lib/modules/module';
import { Parameter } from '../lib/modules/parameter';
import { Adam, AdamOptions } from '../lib/optim/adam';
import { SGD, SGDOptions } from '../lib/optim/sgd';
import { KERNELS_WASM_BASE64 } from '../lib/tensor/wasm/kernels-wasm-bytes';
import {
  WasmKernels, WebAssemblyApi, decodeBase64, loadWasmKernels, loadWasmKernelsAsync, wasmKernelBytes,
  wasmKernelsUnavailableReason, wasmSimdUnavailableReason,
} from '../lib/tensor/wasm/wasm-kernels';
import { GrowableMemory, WASM_PAGE_BYTES, WasmMemory, isShared } from '../lib/tensor/wasm/wasm-memory';
import { wasmBackend } from '../lib/tensor/wasm/wasm-backend';
import { TRANSPOSE_B_ROWS } from '../lib/tensor/wasm/wasm-scratch';
import { referenceKernels } from '../lib/tensor/backend/reference';
import { expectMinidlError } from './helpers';

/*
 * Every WebAssembly kernel against the TypeScript it replaces: the products, sumRows and
 * addRowVector of lib/tensor/backend/reference.ts (im2col, col2im and the channel bias kernels among them), max
 * and average pooling, the activation layers' forward and backward passes, and the SGD
 * and Adam classes. All of them are required to agree BIT FOR BIT (the kernels
 * use the same operations in the same order), except the forward passes of Tanh and Sigmoid,
 * whose tanh and exp come from another math library: those must agree to 1e-15 relative.
 */

const loaded = loadWasmKernels();
if (loaded === null) throw new Error(`the WebAssembly kernels did not load: ${wasmKernelsUnavailableReason()}`);
const wasm: WasmKernels = loaded;
const mem = wasm.memory;

/** The first index where the two arrays differ in any bit (−0 ≠ +0, NaN = NaN of the same bits), or −1. */
function firstBitDifference(actual: Float64Array, expected: Float64Array): number {
  if (actual.length !== expected.length) return 0;
  const a = new BigUint64Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new BigUint64Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== e[i]) return i;
  return -1;
}

function expectBitIdentical(actual: Float64Array, expected: Float64Array, what: string): void {
  const i = firstBitDifference(actual, expected);
  const message = i < 0 ? 'identical' : `${what}: entry ${i} is ${actual[i]}, expected ${expected[i]}`;
  expect(message).toBe('identical');
}

/** The largest |a − e| / max(|e|, tiny) over the entries. */
function maxRelativeError(actual: Float64Array, expected: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), 1e-300);
    worst = Math.max(worst, err);
  }
  return worst;
}

/** Copies the values into the module's memory; frees every block made this way after each test. */
const blocks: number[] = [];
function put(values: ArrayLike<number>): number {
  const offset = mem.allocateFrom(values);
  blocks.push(offset);
  return offset;
}
afterEach(() => {
  while (blocks.length > 0) mem.free(blocks.pop() as number);
});

function randomArray(rng: Rng, n: number, low = -2, high = 2): Float64Array {
  return rng.fillUniform(new Float64Array(n), low, high);
}

describe('loading', () => {
  test('Node has WebAssembly SIMD; the bytes decode to the module', () => {
    expect(wasmSimdUnavailableReason()).toBeNull();
    expect(wasmKernelsUnavailableReason()).toBeNull();
    const bytes = wasmKernelBytes();
    expect(Buffer.from(bytes).equals(Buffer.from(KERNELS_WASM_BASE64, 'base64'))).toBe(true);
    expect(Array.from(bytes.slice(0, 4))).toEqual([0x00, 0x61, 0x73, 0x6d]); // \0asm
  });

  test('decodeBase64 agrees with Buffer on every length and padding', () => {
    const rng = new Rng('base64');
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, () => rng.int(256));
      expect(Array.from(decodeBase64(Buffer.from(bytes).toString('base64')))).toEqual(Array.from(bytes));
    }
    expect(() => decodeBase64('ab$d')).toThrow(/invalid character "\$"/);
  });

  test('each load makes an instance with its own memory; the async loader works too', async () => {
    const other = loadWasmKernels();
    expect(other).not.toBeNull();
    expect(other?.exports.memory).not.toBe(wasm.exports.memory);
    const asyncKernels = await loadWasmKernelsAsync();
    expect(asyncKernels).toBeInstanceOf(WasmKernels);
    const k = asyncKernels as WasmKernels;
    const a = k.memory.allocateFrom([1, 2, 3, 4]), b = k.memory.allocateFrom([5, 6, 7, 8]), c = k.memory.allocate(4);
    k.matmul(a, b, c, 2, 2, 2);
    expect(Array.from(k.memory.read(c, 4))).toEqual([19, 22, 43, 50]);
  });

  test('without WebAssembly, or without SIMD, the loaders return null and say why', async () => {
    expect(wasmSimdUnavailableReason({})).toBe('this JavaScript engine has no WebAssembly');
    expect(loadWasmKernels({})).toBeNull();
    expect(wasmKernelsUnavailableReason()).toBe('this JavaScript engine has no WebAssembly');

    const real = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
    const noSimd: WebAssemblyApi = {
      validate: () => false,
      Module: real.Module,
      Instance: real.Instance,
      compile: (bytes) => real.compile(bytes),
      instantiate: (module, imports) => real.instantiate(module, imports),
    };
    expect(wasmSimdUnavailableReason({ WebAssembly: noSimd })).toMatch(/no SIMD/);
    expect(loadWasmKernels({ WebAssembly: noSimd })).toBeNull();
    expect(await loadWasmKernelsAsync({ WebAssembly: noSimd })).toBeNull();
    expect(wasmKernelsUnavailableReason()).toMatch(/no SIMD/);

    // An engine that validates the probe but refuses to compile (a browser's main thread refuses
    // synchronous compilation of large modules): null, not an exception.
    const refusing: WebAssemblyApi = { ...noSimd, validate: () => true, Module: class { constructor() { throw new RangeError('too large to compile synchronously'); } } };
    expect(loadWasmKernels({ WebAssembly: refusing })).toBeNull();
    expect(wasmKernelsUnavailableReason()).toMatch(/did not compile: too large/);

    // The real engine again.
    expect(loadWasmKernels()).not.toBeNull();
    expect(wasmKernelsUnavailableReason()).toBeNull();
  });
});

type Form = 'matmul' | 'matmulTransB' | 'matmulTransA';
const FORMS: Form[] = ['matmul', 'matmulTransB', 'matmulTransA'];
const SIZES = [1, 2, 3, 4, 5, 7, 8, 13, 16, 17];

/** Seeded (M, K, N) triples: every remainder modulo 4 (and K odd or even), narrow shapes, and one large one. */
function productShapes(seed: string): Array<[number, number, number]> {
  const rng = new Rng(seed);
  const out: Array<[number, number, number]> = [
    [1, 1, 1], [2, 2, 2], [3, 5, 7], [13, 7, 5], [100, 2, 25], [100, 25, 2], [2, 100, 2], [100, 2, 1], [5, 13, 3], [64, 784, 100],
  ];
  while (out.length < 40) out.push([SIZES[rng.int(SIZES.length)], SIZES[rng.int(SIZES.length)], SIZES[rng.int(SIZES.length)]]);
  return out;
}

/** The ReLU layer's forward pass on an [M,N] array, as the reference for the fused epilogue. */
function reluLayer(values: Float64Array, M: number, N: number): Float64Array {
  return new ReLU().forward(new Tensor([M, N], values.slice())).data;
}

const TAIL = 3; // entries after C (and before it) that a kernel must not touch
const SENTINEL = -777.25;

describe.each(FORMS)('%s', (form) => {
  const rng = new Rng(`wasm-${form}`);

  test.each(productShapes(`wasm-shapes-${form}`))('M=%i K=%i N=%i: overwrite, accumulate and the fused epilogues are bit-identical to the TypeScript kernel', (M, K, N) => {
    const A = randomArray(rng, M * K), B = randomArray(rng, K * N), C0 = randomArray(rng, M * N), bias = randomArray(rng, N);
    const a = put(A), b = put(B), biasAt = put(bias);
    const guarded = put(new Float64Array(M * N + 2 * TAIL).fill(SENTINEL));
    const c = guarded + TAIL * 8;

    const cases: Array<{ accumulate: boolean; withBias: boolean; relu: boolean }> = [
      { accumulate: false, withBias: false, relu: false },
      { accumulate: true, withBias: false, relu: false },
      { accumulate: false, withBias: true, relu: false },
      { accumulate: false, withBias: true, relu: true },
      { accumulate: false, withBias: false, relu: true },
      { accumulate: true, withBias: true, relu: true },
    ];
    for (const { accumulate, withBias, relu } of cases) {
      // reference: TypeScript kernel, then addRowVector, then the ReLU layer
      let expected: Float64Array = C0.slice();
      kernels[form](A, B, expected, M, K, N, accumulate);
      if (withBias) kernels.addRowVector(expected, bias, M, N);
      if (relu) expected = reluLayer(expected, M, N);

      mem.write(c, C0);
      wasm[form](a, b, c, M, K, N, accumulate, withBias ? biasAt : 0, relu);
      expectBitIdentical(mem.read(c, M * N), expected, `${form} accumulate=${accumulate} bias=${withBias} relu=${relu}`);
    }
    expect(Array.from(mem.read(guarded, TAIL))).toEqual(new Array(TAIL).fill(SENTINEL));
    expect(Array.from(mem.read(c + M * N * 8, TAIL))).toEqual(new Array(TAIL).fill(SENTINEL));
    expectBitIdentical(mem.read(a, M * K), A, 'A is not changed');
    expectBitIdentical(mem.read(b, K * N), B, 'B is not changed');
  });

  test('K = 0 gives zeros (or leaves C unchanged when accumulating), as the TypeScript kernel', () => {
    const c = put([5, 6, 7, 8]);
    wasm[form](c, c, c, 2, 0, 2, true);
    expect(Array.from(mem.read(c, 4))).toEqual([5, 6, 7, 8]);
    wasm[form](c, c, c, 2, 0, 2);
    expect(Array.from(mem.read(c, 4))).toEqual([0, 0, 0, 0]);
  });
});

describe('transpose, and matmulTransB as A·(Bᵀ)', () => {
  const rng = new Rng('wasm-transpose');
  const shapes: Array<[number, number]> = [[1, 1], [1, 5], [5, 1], [2, 2], [3, 7], [4, 4], [5, 6], [6, 5], [7, 9], [8, 3], [13, 17], [25, 25], [25, 2], [2, 25], [100, 784]];

  test.each(shapes)('N=%i K=%i: T[k, j] = B[j, k], nothing outside T written', (N, K) => {
    const B = randomArray(rng, N * K);
    const b = put(B);
    const guarded = put(new Float64Array(N * K + 2 * TAIL).fill(SENTINEL));
    const t = guarded + TAIL * 8;
    wasm.exports.transpose(b, t, N, K);
    const expected = new Float64Array(K * N);
    for (let j = 0; j < N; j++) for (let k = 0; k < K; k++) expected[k * N + j] = B[j * K + k];
    expectBitIdentical(mem.read(t, K * N), expected, 'transpose');
    expect(Array.from(mem.read(guarded, TAIL))).toEqual(new Array(TAIL).fill(SENTINEL));
    expect(Array.from(mem.read(t + N * K * 8, TAIL))).toEqual(new Array(TAIL).fill(SENTINEL));
  });

  // the backend transposes B for A of TRANSPOSE_B_ROWS rows or more, and uses matmulTransB's own kernel below
  const products: Array<[number, number, number]> = [
    [1, 25, 25], [TRANSPOSE_B_ROWS - 1, 5, 7], [TRANSPOSE_B_ROWS, 5, 7], [TRANSPOSE_B_ROWS + 1, 3, 2], [100, 25, 25], [100, 2, 25], [100, 25, 2], [64, 100, 10], [13, 7, 1],
  ];
  test.each(products)('M=%i K=%i N=%i: the backend\'s matmulTransB is bit-identical to the TypeScript kernel, in the memory or copied in', (M, K, N) => {
    const backend = wasmBackend(wasm);
    const A = randomArray(rng, M * K), B = randomArray(rng, N * K), C0 = randomArray(rng, M * N);
    for (const accumulate of [false, true]) {
      const expected = C0.slice();
      referenceKernels.matmulTransB(A, B, expected, M, K, N, accumulate);
      // operands outside the module's memory (copied in and out)
      const outside = C0.slice();
      backend.kernels.matmulTransB(A, B, outside, M, K, N, accumulate);
      expectBitIdentical(outside, expected, `copied, accumulate=${accumulate}`);
      // operands in the memory (passed in place; B is left as it was)
      const a = put(A), b = put(B), c = put(C0);
      backend.kernels.matmulTransB(mem.array(a, M * K), mem.array(b, N * K), mem.array(c, M * N), M, K, N, accumulate);
      expectBitIdentical(mem.read(c, M * N), expected, `in place, accumulate=${accumulate}`);
      expectBitIdentical(mem.read(b, N * K), B, 'B is not changed');
    }
  });
});

describe('working space and copies the memory cannot hold', () => {
  const rng = new Rng('wasm-refused-blocks');

  /** matmulTransB on the backend, checked bit for bit against the TypeScript kernel. */
  function checkedProduct(backend: ReturnType<typeof wasmBackend>, M: number, K: number, N: number, inMemory: boolean): void {
    const A = randomArray(rng, M * K), B = randomArray(rng, N * K);
    const expected = new Float64Array(M * N);
    referenceKernels.matmulTransB(A, B, expected, M, K, N, false);
    if (inMemory) {
      const a = put(A), b = put(B), c = put(new Float64Array(M * N));
      backend.kernels.matmulTransB(mem.array(a, M * K), mem.array(b, N * K), mem.array(c, M * N), M, K, N, false);
      expectBitIdentical(mem.read(c, M * N), expected, 'in place');
    } else {
      const C = new Float64Array(M * N);
      backend.kernels.matmulTransB(A, B, C, M, K, N, false);
      expectBitIdentical(C, expected, 'copied');
    }
  }

  test.each([true, false])('operands in the memory: %s — a refused larger block is a MinidlError naming the product, and smaller calls still work', (inMemory) => {
    const backend = wasmBackend(wasm);
    checkedProduct(backend, 8, 3, 5, inMemory); //                 the working space (and the copies' block) now hold a small call
    const refuse = jest.spyOn(mem, 'tryAllocate').mockReturnValue(-1);
    try {
      const A = new Float64Array(8 * 300), B = new Float64Array(500 * 300), C = new Float64Array(8 * 500);
      expectMinidlError(() => backend.kernels.matmulTransB(A, B, C, 8, 300, 500, false),
        /^matmulTransB: (its working space|the copies of its operands) \(\d+ doubles, [\d.]+ GiB\) do not fit in the WebAssembly memory/);
    } finally {
      refuse.mockRestore();
    }
    checkedProduct(backend, 8, 3, 5, inMemory); //                 no stale size stands for a block that is gone
    checkedProduct(backend, 9, 30, 50, inMemory); //               and a larger call gets its block
  });

  test('a call refused after its working space grew for it frees that space: no more memory in use than before, and later calls work', () => {
    const backend = wasmBackend(wasm);
    checkedProduct(backend, 8, 3, 5, false); //                     small blocks now exist
    const before = mem.bytesInUse;
    const allocate = mem.tryAllocate.bind(mem);
    let calls = 0;
    // the working space (Bᵀ, allocated first) is granted, the copies of the operands are not
    const refuse = jest.spyOn(mem, 'tryAllocate').mockImplementation((n: number, overBudget?: boolean) => (++calls === 1 ? allocate(n, overBudget) : -1));
    try {
      const A = new Float64Array(8 * 300), B = new Float64Array(500 * 300), C = new Float64Array(8 * 500);
      expectMinidlError(() => backend.kernels.matmulTransB(A, B, C, 8, 300, 500, false), /^matmulTransB: the copies of its operands/);
      expect(calls).toBeGreaterThan(1);
    } finally {
      refuse.mockRestore();
    }
    expect(mem.bytesInUse).toBeLessThanOrEqual(before); //           the 150,000-double working space is gone
    checkedProduct(backend, 8, 3, 5, false);
    checkedProduct(backend, 9, 30, 50, true);
  });
});

test('a product result is +0 where the TypeScript kernel gives +0, and ReLU turns −0 into +0', () => {
  // 1·(−0) = −0 but 0 + (−0) = +0: every sum starts from +0, in both implementations.
  const a = put([1]), b = put([-0]), c = put([123]);
  wasm.matmul(a, b, c, 1, 1, 1);
  expect(Object.is(mem.read(c, 1)[0], 0)).toBe(true);
  const x = put([-0, -3, 0, 2, -0.5]), y = put(new Float64Array(5));
  wasm.reluForward(x, y, 5);
  expectBitIdentical(mem.read(y, 5), Float64Array.from([0, 0, 0, 2, 0]), 'relu');
});

describe('sumRows and addRowVector', () => {
  const rng = new Rng('wasm-rows');
  const shapes: Array<[number, number]> = [[1, 1], [2, 1], [1, 2], [3, 7], [5, 8], [7, 9], [13, 13], [4, 16], [17, 17], [100, 25], [64, 100], [2, 784]];

  test.each(shapes)('M=%i N=%i: bit-identical, with and without accumulate', (M, N) => {
    const G = randomArray(rng, M * N), out0 = randomArray(rng, N);
    const g = put(G);
    const guarded = put(new Float64Array(N + 2 * TAIL).fill(SENTINEL));
    const out = guarded + TAIL * 8;
    for (const accumulate of [false, true]) {
      const expected = out0.slice();
      kernels.sumRows(G, expected, M, N, accumulate);
      mem.write(out, out0);
      wasm.sumRows(g, out, M, N, accumulate);
      expectBitIdentical(mem.read(out, N), expected, `sumRows accumulate=${accumulate}`);
    }
    expect(Array.from(mem.read(guarded, TAIL))).toEqual(new Array(TAIL).fill(SENTINEL));
    expect(Array.from(mem.read(out + N * 8, TAIL))).toEqual(new Array(TAIL).fill(SENTINEL));

    const bias = randomArray(rng, N);
    const expected = G.slice();
    kernels.addRowVector(expected, bias, M, N);
    wasm.addRowVector(g, put(bias), M, N);
    expectBitIdentical(mem.read(g, M * N), expected, 'addRowVector');
  });
});

describe('activations', () => {
  const rng = new Rng('wasm-activations');
  const SIZES_1D = [1, 2, 3, 5, 7, 13, 100];

  /** Inputs with exact zeros, negative zeros and large values among the random ones. */
  function inputs(n: number): Float64Array {
    const x = randomArray(rng, n, -4, 4);
    for (let i = 0; i < n; i += 5) x[i] = [0, -0, 40, -40, 1e-300][(i / 5) % 5];
    return x;
  }

  /** forward(x) and backward(g) of the layer, for comparison. */
  function layerPasses(layer: Module, x: Float64Array, g: Float64Array): { y: Float64Array; dx: Float64Array } {
    const y = layer.forward(new Tensor([x.length], x.slice())).data;
    const dx = layer.backward(new Tensor([g.length], g.slice())).data;
    return { y, dx };
  }

  test.each(SIZES_1D)('ReLU and LeakyReLU, n=%i: forward and backward bit-identical to the layers, also in place', (n) => {
    const x = inputs(n), g = randomArray(rng, n);
    const xAt = put(x), gAt = put(g), out = put(new Float64Array(n));

    const relu = layerPasses(new ReLU(), x, g);
    wasm.reluForward(xAt, out, n);
    expectBitIdentical(mem.read(out, n), relu.y, 'relu forward');
    wasm.reluBackward(xAt, gAt, out, n);
    expectBitIdentical(mem.read(out, n), relu.dx, 'relu backward');

    for (const slope of [0.01, 0.2, -0.5]) {
      const leaky = layerPasses(new LeakyReLU(slope), x, g);
      wasm.leakyReluForward(xAt, out, n, slope);
      expectBitIdentical(mem.read(out, n), leaky.y, `leaky relu ${slope} forward`);
      wasm.leakyReluBackward(xAt, gAt, out, n, slope);
      expectBitIdentical(mem.read(out, n), leaky.dx, `leaky relu ${slope} backward`);
    }

    const inPlace = put(x);
    wasm.reluForward(inPlace, inPlace, n);
    expectBitIdentical(mem.read(inPlace, n), relu.y, 'relu forward in place');
  });

  test.each(SIZES_1D)('Tanh and Sigmoid, n=%i: backward bit-identical to the layers, forward within 1e-15 relative', (n) => {
    const x = inputs(n), g = randomArray(rng, n);
    const xAt = put(x), gAt = put(g), yAt = put(new Float64Array(n)), dxAt = put(new Float64Array(n));
    for (const [layer, forward, backward] of [
      [new Tanh(), 'tanhForward', 'tanhBackward'],
      [new Sigmoid(), 'sigmoidForward', 'sigmoidBackward'],
    ] as const) {
      const passes = layerPasses(layer, x, g);
      wasm[forward](xAt, yAt, n);
      expect(maxRelativeError(mem.read(yAt, n), passes.y)).toBeLessThanOrEqual(1e-15);
      // the backward pass from the layer's own output y: bit-identical
      mem.write(yAt, passes.y);
      wasm[backward](yAt, gAt, dxAt, n);
      expectBitIdentical(mem.read(dxAt, n), passes.dx, `${backward}`);
    }
  });

  test('Tanh and Sigmoid forward over 10 000 inputs in [−20, 20]: within 1e-15 relative of Math.tanh and Math.exp (a few percent differ by one or two units in the last place)', () => {
    const n = 10000;
    const x = randomArray(rng, n, -20, 20);
    const xAt = put(x), yAt = put(new Float64Array(n));
    wasm.tanhForward(xAt, yAt, n);
    expect(maxRelativeError(mem.read(yAt, n), x.map(Math.tanh))).toBeLessThanOrEqual(1e-15);
    wasm.sigmoidForward(xAt, yAt, n);
    expect(maxRelativeError(mem.read(yAt, n), x.map((v) => 1 / (1 + Math.exp(-v))))).toBeLessThanOrEqual(1e-15);
  });
});

describe('firstNonFinite and fillZeros', () => {
  const rng = new Rng('wasm-finite');

  test.each([0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 63, 64, 65, 100, 128, 200])('n=%i: the first NaN/±Infinity is found at every position, as by kernels.ts', (n) => {
    const x = randomArray(rng, n, -1e300, 1e300);
    const at = mem.allocateFrom(x);
    expect(wasm.exports.firstNonFinite(at, n)).toBe(-1);
    expect(kernels.firstNonFinite(x)).toBe(-1);
    for (let bad = 0; bad < n; bad++) {
      for (const value of [NaN, Infinity, -Infinity]) {
        const y = x.slice();
        y[bad] = value;
        if (bad + 2 < n) y[bad + 2] = NaN; // a later one does not count
        mem.write(at, y);
        expect(wasm.exports.firstNonFinite(at, n)).toBe(bad);
        expect(kernels.firstNonFinite(y)).toBe(bad);
      }
    }
    mem.free(at);
  });

  test.each([0, 1, 2, 3, 17])('fillZeros n=%i clears exactly n doubles', (n) => {
    const at = mem.allocateFrom([...randomArray(rng, n), 5, 6]);
    wasm.exports.fillZeros(at, n);
    expect(Array.from(mem.read(at, n + 2))).toEqual([...new Array(n).fill(0), 5, 6]);
    mem.free(at);
  });
});

describe('optimizer steps', () => {
  const rng = new Rng('wasm-optim');
  const SIZES_1D = [1, 2, 3, 7, 13, 100];

  /** Runs `steps` steps of the TypeScript optimizer and of the WASM kernel on the same gradients. */
  function compare(
    n: number, steps: number,
    makeOptimizer: (p: Parameter) => SGD | Adam,
    wasmStep: (w: number, grad: number, t: number) => void,
  ): void {
    const w0 = randomArray(rng, n, -1, 1);
    const parameter = new Parameter(new Tensor([n], w0.slice()));
    const optimizer = makeOptimizer(parameter);
    const w = put(w0), grad = put(new Float64Array(n));
    for (let t = 1; t <= steps; t++) {
      const g = randomArray(rng, n);
      parameter.grad.data.set(g);
      mem.write(grad, g);
      optimizer.step();
      wasmStep(w, grad, t);
      expectBitIdentical(mem.read(w, n), parameter.value.data, `${optimizer} step ${t}`);
    }
  }

  const sgdConfigs: SGDOptions[] = [
    { lr: 0.1 },
    { lr: 0.1, weightDecay: 0.01 },
    { lr: 0.05, momentum: 0.9 },
    { lr: 0.05, momentum: 0.9, dampening: 0.3, weightDecay: 1e-3 },
    { lr: 0.05, momentum: 0.8, nesterov: true },
    { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.02 },
  ];

  test.each(SIZES_1D)('SGD, n=%i: four steps bit-identical to lib/optim/sgd.ts for every option', (n) => {
    for (const options of sgdConfigs) {
      const momentum = options.momentum ?? 0;
      const buffer = momentum !== 0 ? put(new Float64Array(n)) : 0;
      compare(n, 4, (p) => new SGD([p], options), (w, grad, t) => {
        wasm.sgdStep(w, grad, buffer, n, options.lr as number, momentum, options.dampening ?? 0,
          options.weightDecay ?? 0, options.nesterov ?? false, t === 1);
      });
    }
  });

  const adamConfigs: AdamOptions[] = [
    {},
    { lr: 0.01 },
    { lr: 0.02, betas: [0.8, 0.99], eps: 1e-6 },
    { lr: 0.01, weightDecay: 0.05 },
  ];

  test.each(SIZES_1D)('Adam, n=%i: four steps bit-identical to lib/optim/adam.ts for every option', (n) => {
    for (const options of adamConfigs) {
      const m = put(new Float64Array(n)), v = put(new Float64Array(n));
      const [beta1, beta2] = options.betas ?? [0.9, 0.999];
      compare(n, 4, (p) => new Adam([p], options), (w, grad, t) => {
        wasm.adamStep(w, grad, m, v, n, options.lr ?? 1e-3, beta1, beta2, options.eps ?? 1e-8, options.weightDecay ?? 0, t);
      });
    }
  });
});

/** The window geometry of C planes of H × W, a kH × kW window, stride (sH, sW), padding (pH, pW). */
function geometry(C: number, H: number, W: number, kH: number, kW: number, sH: number, sW: number, pH: number, pW: number): kernels.WindowGeometry {
  return {
    channels: C, height: H, width: W, kernelH: kH, kernelW: kW, strideH: sH, strideW: sW, padH: pH, padW: pW,
    outH: slidingOutputSize(H, kH, sH, pH), outW: slidingOutputSize(W, kW, sW, pW),
  };
}

describe('image kernels (NCHW)', () => {
  const rng = new Rng('wasm-images');
  // [C, H, W, kH, kW, sH, sW, pH, pW]: unit and larger strides, padding up to the kernel size,
  // non-square windows, 1×1 images whose windows are mostly padding
  const geometries: number[][] = [
    [1, 5, 7, 3, 3, 1, 1, 1, 1], [2, 6, 5, 2, 2, 2, 2, 0, 0], [3, 7, 7, 5, 5, 2, 2, 2, 2], [2, 4, 9, 1, 3, 1, 3, 0, 2],
    [1, 3, 3, 3, 3, 1, 1, 2, 2], [2, 1, 1, 3, 3, 2, 2, 1, 1], [1, 28, 28, 5, 5, 1, 1, 0, 0], [3, 8, 6, 3, 2, 3, 1, 1, 0],
  ];

  test.each(geometries)('C=%i H=%i W=%i k=%i×%i s=%i,%i p=%i,%i: im2col, col2im, channel bias and its gradient bit-identical', (C, H, W, kH, kW, sH, sW, pH, pW) => {
    const g = geometry(C, H, W, kH, kW, sH, sW, pH, pW);
    const N = 2, P = g.outH * g.outW, rows = C * kH * kW, imageSize = C * H * W;
    const images = randomArray(rng, N * imageSize);
    const imagesAt = put(images), colsAt = put(new Float64Array(rows * P).fill(SENTINEL));
    for (let n = 0; n < N; n++) {
      const expected = new Float64Array(rows * P).fill(SENTINEL);
      kernels.im2col(images, n * imageSize, g, expected);
      wasm.im2col(imagesAt, n * imageSize, g, colsAt);
      expectBitIdentical(mem.read(colsAt, rows * P), expected, `im2col of sample ${n}`);

      const cols = randomArray(rng, rows * P);
      const target = images.slice();
      kernels.col2im(cols, g, target, n * imageSize);
      mem.write(colsAt, cols);
      wasm.col2im(colsAt, g, imagesAt, n * imageSize);
      expectBitIdentical(mem.read(imagesAt, N * imageSize), target, `col2im into sample ${n}`);
      images.set(target);
    }

    const F = 3;
    const output = randomArray(rng, N * F * P), bias = randomArray(rng, F);
    const outputAt = put(output), biasAt = put(bias);
    kernels.addChannelBias(output, bias, N, F, P);
    wasm.addChannelBias(outputAt, biasAt, N, F, P);
    expectBitIdentical(mem.read(outputAt, N * F * P), output, 'addChannelBias');
    for (const accumulate of [false, true]) {
      const out = bias.slice();
      kernels.sumChannels(output, out, N, F, P, accumulate);
      mem.write(biasAt, bias);
      wasm.sumChannels(outputAt, biasAt, N, F, P, accumulate);
      expectBitIdentical(mem.read(biasAt, F), out, `sumChannels accumulate=${accumulate}`);
    }
  });

  // [C, H, W, kH, kW, sH, sW, pH, pW] for pooling (padding at most half the window): the MNIST
  // CNN's 2×2 windows (with and without padding), overlapping windows (stride < kernel), non-square windows and strides,
  // sizes that are not multiples of the window, 1×1 images
  const poolGeometries: number[][] = [
    [1, 1, 1, 1, 1, 1, 1, 0, 0], [2, 6, 5, 2, 2, 2, 2, 0, 0], [3, 7, 7, 3, 3, 2, 2, 1, 1], [2, 5, 9, 3, 2, 1, 3, 1, 1],
    [1, 3, 3, 3, 3, 1, 1, 1, 1], [2, 1, 1, 3, 3, 2, 2, 1, 1], [6, 28, 28, 2, 2, 2, 2, 0, 0], [3, 8, 6, 5, 3, 3, 1, 2, 0],
    [2, 7, 9, 2, 2, 2, 2, 1, 1], [2, 8, 11, 3, 2, 1, 2, 1, 0], // two columns two apart (their own loop), padded, taller windows
  ];

  test.each(poolGeometries)('C=%i H=%i W=%i k=%i×%i s=%i,%i p=%i,%i: max and average pooling, forward and backward, bit-identical', (C, H, W, kH, kW, sH, sW, pH, pW) => {
    const g = geometry(C, H, W, kH, kW, sH, sW, pH, pW);
    const N = 3, inputSize = N * C * H * W, outputSize = N * C * g.outH * g.outW;
    // values on a grid of halves: windows often hold their maximum twice (the first must win)
    const input = randomArray(rng, inputSize).map((v) => Math.round(2 * v) / 2);
    const inputAt = put(input), outputAt = put(new Float64Array(outputSize).fill(SENTINEL));
    const argmaxAt = put(new Float64Array((outputSize + 1) >> 1));

    const output = new Float64Array(outputSize), argmax = new Int32Array(outputSize);
    maxPoolForward(input, g, N, output, argmax);
    wasm.maxPoolForward(inputAt, g, N, outputAt, argmaxAt);
    expectBitIdentical(mem.read(outputAt, outputSize), output, 'maxPoolForward');
    expect(Array.from(mem.int32Array(argmaxAt, outputSize))).toEqual(Array.from(argmax));

    const gradOut = randomArray(rng, outputSize), gradInput0 = randomArray(rng, inputSize);
    const gradOutAt = put(gradOut), gradInputAt = put(gradInput0);
    const gradInput = gradInput0.slice();
    maxPoolBackward(gradOut, argmax, gradInput);
    wasm.maxPoolBackward(gradOutAt, argmaxAt, gradInputAt, outputSize);
    expectBitIdentical(mem.read(gradInputAt, inputSize), gradInput, 'maxPoolBackward (accumulating)');

    avgPoolForward(input, g, N, output);
    wasm.avgPoolForward(inputAt, g, N, outputAt);
    expectBitIdentical(mem.read(outputAt, outputSize), output, 'avgPoolForward');

    mem.write(gradInputAt, gradInput0);
    const avgGrad = gradInput0.slice();
    avgPoolBackward(gradOut, g, N, avgGrad);
    wasm.avgPoolBackward(gradOutAt, g, N, gradInputAt);
    expectBitIdentical(mem.read(gradInputAt, inputSize), avgGrad, 'avgPoolBackward (accumulating)');
  });
});

/** A stand-in for WebAssembly.Memory: growth replaces the buffer (copying it), up to `maximumPages`. */
class FakeMemory implements GrowableMemory {
  buffer: ArrayBuffer;
  constructor(pages: number, readonly maximumPages: number) {
    this.buffer = new ArrayBuffer(pages * WASM_PAGE_BYTES);
  }
  grow(pages: number): number {
    const before = this.buffer.byteLength / WASM_PAGE_BYTES;
    if (before + pages > this.maximumPages) throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
    const bigger = new ArrayBuffer((before + pages) * WASM_PAGE_BYTES);
    new Uint8Array(bigger).set(new Uint8Array(this.buffer));
    this.buffer = bigger;
    return before;
  }
}

describe('WasmMemory', () => {
  test('blocks start on a 64-byte cache line, above the base, zero-filled, and do not overlap', () => {
    const memory = new WasmMemory(new FakeMemory(1, 10), 1037);
    expect(memory.base).toBe(1088);
    const sizes = [1, 2, 3, 0, 5, 7, 13, 100];
    const offsets = sizes.map((n) => memory.allocate(n));
    for (const offset of offsets) expect(offset % 64).toBe(0);
    expect(Math.min(...offsets)).toBe(1088);
    offsets.forEach((offset, i) => memory.write(offset, new Float64Array(sizes[i]).fill(i + 1)));
    offsets.forEach((offset, i) => expect(Array.from(memory.read(offset, sizes[i]))).toEqual(new Array(sizes[i]).fill(i + 1)));
    expect(new Set(offsets).size).toBe(sizes.length);
    expect(memory.blockCount).toBe(sizes.length);
    expect(memory.bytesInUse).toBe(64 + 64 + 64 + 64 + 64 + 64 + 128 + 832); // each rounded up to whole lines
  });

  test('a freed block is reused, zero-filled again; neighbours merge; the end of the used region moves back', () => {
    const memory = new WasmMemory(new FakeMemory(1, 10));
    const a = memory.allocateFrom([1, 2, 3, 4, 5, 6, 7, 8]), b = memory.allocateFrom([9, 10]), c = memory.allocateFrom([11]);
    memory.free(a);
    expect(memory.bytesFree).toBe(64);
    const d = memory.allocate(7); // fits in a's 64 bytes
    expect(d).toBe(a);
    expect(Array.from(memory.read(d, 8))).toEqual([0, 0, 0, 0, 0, 0, 0, 8]); // the 8th double was not requested: left as it was
    memory.free(d);
    memory.free(b); // a+b merge into one 128-byte block
    expect(memory.bytesFree).toBe(128);
    const e = memory.allocate(12);
    expect(e).toBe(a);
    memory.free(e);
    const end = memory.allocate(1); // placed at the first free byte
    expect(end).toBe(a);
    memory.free(end);
    memory.free(c); // everything free: the used region shrinks to nothing, no free blocks left
    expect(memory.bytesFree).toBe(0);
    expect(memory.blockCount).toBe(0);
    expect(memory.allocate(1)).toBe(a);
  });

  test('the shared build loads by default, the plain one on request', () => {
    const shared = loadWasmKernels() as WasmKernels;
    expect(shared.sharedMemory).toBe(true);
    expect(isShared(shared.exports.memory.buffer)).toBe(true);
    const plain = loadWasmKernels(undefined, { builds: ['plain'] }) as WasmKernels;
    expect(plain.sharedMemory).toBe(false);
    expect(isShared(plain.exports.memory.buffer)).toBe(false);
    // the same kernels: the same product
    for (const k of [shared, plain]) {
      const a = k.memory.allocateFrom([1, 2, 3, 4]), b = k.memory.allocateFrom([5, 6, 7, 8]), c = k.memory.allocate(4);
      k.matmul(a, b, c, 2, 2, 2);
      expect(Array.from(k.memory.read(c, 4))).toEqual([19, 22, 43, 50]);
    }
  });

  test('a shared memory keeps every old view valid when it grows, and holds() recognises them', () => {
    const k = loadWasmKernels() as WasmKernels;
    const memory = k.memory;
    const small = memory.allocateFrom([1, 2, 3]);
    const oldArray = memory.array(small, 3);
    expect(memory.holds(oldArray)).toBe(true);
    expect(memory.holds(new Float64Array(3))).toBe(false);
    const bytes = k.exports.memory.buffer.byteLength;
    memory.allocate(bytes / 8); // larger than the whole memory: it must grow
    expect(k.exports.memory.buffer.byteLength).toBeGreaterThanOrEqual(2 * bytes);
    expect(Array.from(oldArray)).toEqual([1, 2, 3]); // still valid, same numbers
    oldArray[1] = 20; //                                 and still the same memory
    expect(Array.from(memory.read(small, 3))).toEqual([1, 20, 3]);
    expect(memory.holds(oldArray)).toBe(true);
    const c = memory.allocate(1);
    k.matmul(small, small + 8, c, 1, 1, 1);
    expect(memory.read(c, 1)[0]).toBe(20);
  });

  test('growth of an ordinary memory keeps the data, re-creates the view and counts generations', () => {
    const k = loadWasmKernels(undefined, { builds: ['plain'] }) as WasmKernels;
    const memory = k.memory;
    const before = memory.memoryGeneration;
    const small = memory.allocateFrom([1, 2, 3]);
    const oldView = memory.view();
    const oldArray = memory.array(small, 3);
    const bytes = k.exports.memory.buffer.byteLength;
    const big = memory.allocate(bytes / 8); // larger than the whole memory: it must grow
    expect(k.exports.memory.buffer.byteLength).toBeGreaterThanOrEqual(2 * bytes);
    expect(memory.memoryGeneration).toBe(before + 1);
    expect(oldView.length).toBe(0); // the old buffer is detached: a stale view sees nothing
    expect(oldArray.length).toBe(0);
    expect(memory.view()).not.toBe(oldView);
    expect(memory.view().length).toBe(k.exports.memory.buffer.byteLength / 8);
    expect(Array.from(memory.read(small, 3))).toEqual([1, 2, 3]);
    expect(memory.view()[big / 8 + bytes / 8 - 1]).toBe(0);
    // the kernels see the grown memory
    const c = memory.allocate(1);
    k.matmul(small, small + 8, c, 1, 1, 1);
    expect(memory.read(c, 1)[0]).toBe(2);
    // growth by someone else is noticed too
    (k.exports.memory as unknown as { grow(pages: number): number }).grow(1);
    expect(memory.memoryGeneration).toBe(before + 2);
    expect(Array.from(memory.read(small, 3))).toEqual([1, 2, 3]);
  });

  test('growth asks for at least double, or just enough near the maximum, and fails with a MinidlError beyond it', () => {
    const fake = new FakeMemory(1, 5);
    const memory = new WasmMemory(fake);
    memory.allocate(WASM_PAGE_BYTES / 8 + 1); // 1 page → at least 2 (doubling)
    expect(fake.buffer.byteLength).toBe(2 * WASM_PAGE_BYTES);
    memory.allocate((2 * WASM_PAGE_BYTES) / 8); // needs 3+ pages; doubling to 4 fits under the maximum 5
    expect(fake.buffer.byteLength).toBe(4 * WASM_PAGE_BYTES);
    memory.allocate(12500); // needs 5 pages: doubling (to 8) exceeds the maximum 5, so just enough
    expect(fake.buffer.byteLength).toBe(5 * WASM_PAGE_BYTES);
    expectMinidlError(() => memory.allocate(WASM_PAGE_BYTES / 8), /WasmMemory\.allocate: cannot grow the WebAssembly memory from 327680 to \d+ bytes/);
  });

  test('bad requests are MinidlErrors', () => {
    const memory = new WasmMemory(new FakeMemory(1, 1));
    expectMinidlError(() => memory.allocate(-1), /WasmMemory\.allocate: the number of doubles must be an integer ≥ 0, got -1/);
    expectMinidlError(() => memory.allocate(1.5), /got 1\.5/);
    const a = memory.allocate(1);
    memory.free(a);
    expectMinidlError(() => memory.free(a), /WasmMemory\.free: no block is allocated at offset 0 \(never allocated, or already freed\)/);
    expectMinidlError(() => memory.free(8), /offset 8/);
    expectMinidlError(() => new WasmMemory(new FakeMemory(1, 1), -4), /WasmMemory: base must be an integer ≥ 0, got -4/);
  });
});
