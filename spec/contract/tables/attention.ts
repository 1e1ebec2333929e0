import { MultiheadAttention } from '../../../lib/modules/attention/multihead-attention';
import { scaledDotProductAttention, scaledDotProductAttentionBackward } from '../../../lib/modules/attention/scaled-dot-product-attention';
import { Rng } from '../../../lib/random/rng';
import { Tensor } from '../../../lib/tensor/tensor';
import { ContractRow, ContractTable, any, constructorRow, row } from '../harness';

/*
 * Attention: MultiheadAttention (sizes, embedDim not divisible by numHeads, options, inputs of
 * other ranks or widths, non-finite inputs, backward before forward or with a gradOut of another
 * shape) and scaledDotProductAttention with its backward (ranks, sizes that do not match, scale,
 * options, non-finite operands, gradOutput of another shape, a `saved` that is not the forward's
 * result). A refused call leaves the module (parameters, gradients), its input, the operands and
 * every generator as they were; a refused constructor draws nothing.
 */


/** A constructor call with its own generator, which must not move (nor the global one). */
const build = (name: string, make: (rng: Rng) => unknown, ...message: RegExp[]): ContractRow => constructorRow('attention', name, make, ...message);

/** A MultiheadAttention(4, 2) ([T, N, 4] inputs) with non-zero biases and gradients. */
function attention(options: { batchFirst?: boolean; causal?: boolean } = {}): MultiheadAttention {
  const m = new MultiheadAttention(4, 2, { ...options, rng: new Rng(7) });
  m.inProjBias!.value.data.fill(0.1);
  for (const p of m.params()) p.grad.data.fill(0.25);
  return m;
}

/** A call on a fresh module, which must leave it and `input` as they were. */
function on(name: string, make: () => MultiheadAttention, act: (m: MultiheadAttention, x: Tensor) => unknown, input: () => Tensor, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const m = make();
    const x = input();
    return { act: () => act(m, x), keeps: { modules: [m], tensors: [x] } };
  }, ...message);
}

/** A backward on a module that ran forward on [3, 2, 4]: it must leave the gradients as they were. */
function afterForward(name: string, act: (m: MultiheadAttention) => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const m = attention();
    m.forward(seq());
    return { act: () => act(m), keeps: { modules: [m] } };
  }, ...message);
}

/** q, k, v [2, 3, 4] of fixed values: a call on them must leave them as they were. */
function sdpa(name: string, act: (q: Tensor, k: Tensor, v: Tensor) => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const q = operand(1), k = operand(2), v = operand(3);
    return { act: () => act(q, k, v), keeps: { tensors: [q, k, v] } };
  }, ...message);
}

/** A backward on the saved result of a forward on fixed q, k, v: it must leave them and the saved tensors as they were. */
function sdpaBackward(name: string, act: (saved: ReturnType<typeof scaledDotProductAttention>) => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const saved = scaledDotProductAttention(operand(1), operand(2), operand(3), { causal: true });
    return { act: () => act(saved), keeps: { tensors: [saved.q, saved.k, saved.v, saved.output, saved.weights] } };
  }, ...message);
}

/** A [3, 2, 4] sequence ([T, N, E]) of fixed values. */
const seq = (): Tensor => Tensor.fromArray(Array.from({ length: 24 }, (_, i) => Math.sin(i)), [3, 2, 4]);
/** A [2, 3, 4] operand of fixed values. */
const operand = (seed: number): Tensor => Tensor.fromArray(Array.from({ length: 24 }, (_, i) => Math.cos(seed * i)), [2, 3, 4]);
const shaped = (shape: number[]): Tensor => Tensor.zeros(shape);

const rows: ContractRow[] = [
  // MultiheadAttention: constructor
  build('new MultiheadAttention(0, 1)', (rng) => new MultiheadAttention(0, 1, { rng }), /^MultiheadAttention: embedDim must be an integer ≥ 1, got 0$/),
  build('new MultiheadAttention(4.5, 1)', (rng) => new MultiheadAttention(4.5, 1, { rng }), /MultiheadAttention: embedDim must be an integer ≥ 1, got 4\.5/),
  build('new MultiheadAttention(4, 0)', (rng) => new MultiheadAttention(4, 0, { rng }), /MultiheadAttention: numHeads must be an integer ≥ 1, got 0/),
  build("new MultiheadAttention(4, '2')", (rng) => new MultiheadAttention(4, any('2'), { rng }), /MultiheadAttention: numHeads must be an integer ≥ 1, got/),
  build('new MultiheadAttention(6, 4): not divisible', (rng) => new MultiheadAttention(6, 4, { rng }),
    /MultiheadAttention: embedDim must be divisible by numHeads/, /got embedDim 6 and numHeads 4/),
  build('new MultiheadAttention(4, 8): more heads than features', (rng) => new MultiheadAttention(4, 8, { rng }), /embedDim must be divisible by numHeads/),
  build("new MultiheadAttention(4, 2, { batch_first: true })", (rng) => new MultiheadAttention(4, 2, any({ batch_first: true, rng })),
    /MultiheadAttention\(4, heads=2\): unknown option 'batch_first' \(did you mean 'batchFirst'\?\)/),
  build("new MultiheadAttention(4, 2, { dropout: 0.1 })", (rng) => new MultiheadAttention(4, 2, any({ dropout: 0.1, rng })), /unknown option 'dropout'/),
  build("new MultiheadAttention(4, 2, { causal: 'yes' })", (rng) => new MultiheadAttention(4, 2, any({ causal: 'yes', rng })), /option 'causal' must be true or false/),
  build("new MultiheadAttention(4, 2, { bias: 1 })", (rng) => new MultiheadAttention(4, 2, any({ bias: 1, rng })), /option 'bias' must be true or false/),
  build('new MultiheadAttention(4, 2, { rng: 42 })', () => new MultiheadAttention(4, 2, any({ rng: 42 })), /option 'rng' must be an Rng such as new Rng\(42\)/),
  build('new MultiheadAttention(4, 2, rng): a positional generator', (rng) => new MultiheadAttention(4, 2, any(rng)), /MultiheadAttention\(4, heads=2\): expected an options object/),
  build('new MultiheadAttention(4, 2, {}, extra)', (rng) => new (MultiheadAttention as unknown as new (...a: unknown[]) => unknown)(4, 2, { rng }, true),
    /MultiheadAttention: takes at most 3 arguments \(embedDim, numHeads, options\), got 4/),
  // MultiheadAttention: forward
  on('forward of a [2, 4] matrix', attention, (m, x) => m.forward(x), () => shaped([2, 4]),
    /MultiheadAttention\(4, heads=2\)\.forward: input has shape \[2,4\], expected \[T,N,4\]/),
  on('forward of [3, 2, 5]: another width', attention, (m, x) => m.forward(x), () => shaped([3, 2, 5]), /input has shape \[3,2,5\], expected \[T,N,4\]/),
  on('forward of [1, 3, 2, 4]: rank 4', attention, (m, x) => m.forward(x), () => shaped([1, 3, 2, 4]), /input has shape \[1,3,2,4\], expected \[T,N,4\]/),
  on('forward of [2, 3, 5] with batchFirst', () => attention({ batchFirst: true }), (m, x) => m.forward(x), () => shaped([2, 3, 5]),
    /MultiheadAttention\(4, heads=2, batchFirst=true\)\.forward: input has shape \[2,3,5\], expected \[N,T,4\]/),
  on('forward of an input holding NaN', attention, (m, x) => m.forward(x), () => { const x = seq(); x.data[5] = NaN; return x; },
    /forward: input holds a non-finite value \(NaN\) at flat index 5/),
  on('forward of an input holding Infinity (causal)', () => attention({ causal: true }), (m, x) => m.forward(x), () => { const x = seq(); x.data[0] = Infinity; return x; },
    /causal=true\)\.forward: input holds a non-finite value \(Infinity\)/),
  on('forward of a nested array', attention, (m) => m.forward(any([[[1, 2, 3, 4]]])), seq, /forward: input must be a Tensor, got an array .*\(make one with Tensor\.from/),
  on('forward of null', attention, (m) => m.forward(any(null)), seq, /forward: input must be a Tensor, got null/),
  // MultiheadAttention: backward
  on('backward before any forward', attention, (m) => m.backward(seq()), seq, /MultiheadAttention\(4, heads=2\)\.backward: called before forward/),
  afterForward('backward of a gradOut [2, 3, 4] after a forward of [3, 2, 4]', (m) => m.backward(shaped([2, 3, 4])),
    /backward: gradOut has shape \[2,3,4\], expected \[3,2,4\] \(the shape of the last output\)/),
  afterForward('backward of a gradOut [6, 4]', (m) => m.backward(shaped([6, 4])), /gradOut has shape \[6,4\], expected \[3,2,4\]/),
  afterForward('backward of a number', (m) => m.backward(any(1)), /backward: gradOut must be a Tensor, got number 1/),
  // scaledDotProductAttention
  sdpa('q of rank 2', (q, k, v) => scaledDotProductAttention(q.reshape([6, 4]), k, v),
    /^scaledDotProductAttention: q must have rank 3 \(\[B,T,d\], B = batch·heads\), got shape \[6,4\]$/),
  sdpa('v a number', (q, k) => scaledDotProductAttention(q, k, any(3)), /scaledDotProductAttention: v must be a Tensor of rank 3, got number 3/),
  sdpa('k of another batch size', (q, _k, v) => scaledDotProductAttention(q, shaped([1, 3, 4]), v),
    /scaledDotProductAttention: q \[B,Tq,d\], k \[B,Tk,d\] and v \[B,Tk,dv\] must share B/, /got q \[2,3,4\], k \[1,3,4\], v \[2,3,4\]/),
  sdpa('k of another size d', (q, _k, v) => scaledDotProductAttention(q, shaped([2, 3, 5]), v), /must share B, d \(q and k\) and Tk \(k and v\), got q \[2,3,4\], k \[2,3,5\]/),
  sdpa('v of another length Tk', (q, k) => scaledDotProductAttention(q, k, shaped([2, 2, 4])), /and Tk \(k and v\), got q \[2,3,4\], k \[2,3,4\], v \[2,2,4\]/),
  row('q holding NaN', () => {
    const q = operand(1), k = operand(2), v = operand(3);
    q.data[3] = NaN;
    return { act: () => scaledDotProductAttention(q, k, v), keeps: { tensors: [k, v] } };
  }, /scaledDotProductAttention: q holds a non-finite value \(NaN\) at flat index 3 of shape \[2,3,4\]/),
  sdpa('scale 0', (q, k, v) => scaledDotProductAttention(q, k, v, { scale: 0 }), /scaledDotProductAttention: scale must be a finite number > 0, got 0/),
  sdpa('scale NaN', (q, k, v) => scaledDotProductAttention(q, k, v, { scale: NaN }), /scale must be a finite number > 0, got NaN/),
  sdpa('scale -1', (q, k, v) => scaledDotProductAttention(q, k, v, { scale: -1 }), /scale must be a finite number > 0, got -1/),
  sdpa("scale '0.5'", (q, k, v) => scaledDotProductAttention(q, k, v, any({ scale: '0.5' })), /scaledDotProductAttention: option 'scale' must be a number/),
  sdpa("{ is_causal: true }", (q, k, v) => scaledDotProductAttention(q, k, v, any({ is_causal: true })), /scaledDotProductAttention: unknown option 'is_causal'/),
  sdpa('options true', (q, k, v) => scaledDotProductAttention(q, k, v, any(true)), /scaledDotProductAttention: expected an options object/),
  sdpa('a fifth argument', (q, k, v) => (scaledDotProductAttention as (...a: unknown[]) => unknown)(q, k, v, {}, true),
    /scaledDotProductAttention: takes at most 4 arguments \(q, k, v, options\), got 5/),
  // scaledDotProductAttentionBackward
  sdpaBackward('gradOutput of another shape', (saved) => scaledDotProductAttentionBackward(shaped([2, 4, 4]), saved),
    /^scaledDotProductAttentionBackward: gradOutput has shape \[2,4,4\], expected \[2,3,4\] \(the shape of the output\)$/),
  sdpaBackward('gradOutput holding Infinity', (saved) => { const g = shaped([2, 3, 4]); g.data[0] = -Infinity; return scaledDotProductAttentionBackward(g, saved); },
    /scaledDotProductAttentionBackward: gradOutput holds a non-finite value \(-Infinity\)/),
  sdpaBackward('saved null', () => scaledDotProductAttentionBackward(shaped([2, 3, 4]), any(null)),
    /scaledDotProductAttentionBackward: saved must be what scaledDotProductAttention returned/),
  sdpaBackward('saved without its weights', (saved) => scaledDotProductAttentionBackward(shaped([2, 3, 4]), any({ ...saved, weights: undefined })),
    /saved must be what scaledDotProductAttention returned \(\{ output, weights, q, k, v, scale \}, readable\)/),
  sdpaBackward('gradOutput a nested array', (saved) => scaledDotProductAttentionBackward(any([[[0]]]), saved), /gradOutput must be a Tensor of rank 3, got an array/),
];

export const table: ContractTable = { title: 'attention', rows };
