import { GELU } from '../../../lib/modules/activations/gelu';
import { ReLU } from '../../../lib/modules/activations/relu';
import { Residual } from '../../../lib/modules/containers/residual';
import { Sequential } from '../../../lib/modules/containers/sequential';
import { Embedding } from '../../../lib/modules/embedding/embedding';
import { Linear } from '../../../lib/modules/linear';
import { Module } from '../../../lib/modules/module';
import { LayerNorm } from '../../../lib/modules/normalization/layer-norm';
import { Parameter } from '../../../lib/modules/parameter';
import { Rng } from '../../../lib/random/rng';
import { Tensor } from '../../../lib/tensor/tensor';
import { clipGradNorm, clipGradValue } from '../../../lib/tools/clip-grad';
import { ContractRow, ContractTable, any, constructorRow, moduleCallRow, row } from '../harness';

/*
 * The layers of sequence models and gradient clipping: Embedding (sizes, paddingIdx, options,
 * initialisers checked before any number is drawn, indices that are not whole numbers in range),
 * LayerNorm (normalizedShape, eps, bias without affine, inputs whose last axes differ), Residual
 * (non-modules, an instance held twice, an inner module that changes the shape, errors inside
 * it), clipGradNorm and clipGradValue (params, maxNorm, clipValue, normType, options, a
 * non-finite norm with errorIfNonfinite). A refused call leaves every module (parameters,
 * gradients, buffers, mode), its input and every generator as they were.
 */


/** A constructor call with its own generator, which must not move (nor the global one). */
const build = (name: string, make: (rng: Rng) => unknown, ...message: RegExp[]): ContractRow => constructorRow('sequence layers', name, make, ...message);

/** A call on a fresh module, which must leave it and `input` as they were. */
const on = moduleCallRow;

/** An Embedding(5, 2) with non-zero gradients. */
function embedding(): Embedding {
  const e = new Embedding(5, 2, { paddingIdx: 0, rng: new Rng(1) });
  e.weight.grad.data.fill(0.25);
  return e;
}

/** A LayerNorm(3) with γ, β and gradients that are not their defaults. */
function layerNorm(): LayerNorm {
  const n = new LayerNorm(3);
  n.weight!.value.data.set([1.5, -0.5, 2]);
  n.bias!.value.data.set([0.1, 0.2, -0.3]);
  for (const p of n.params()) p.grad.data.fill(0.25);
  return n;
}

/** A call on parameters with hand-set gradients [3, -4] and [[12]], and a Linear whose gradients are set: all must be kept. */
function clipRow(name: string, act: (params: Parameter[], model: Linear) => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const model = new Linear(2, 2, { rng: new Rng(2) });
    for (const p of model.params()) p.grad.data.fill(3);
    const holder = new Sequential(new Linear(2, 1, { rng: new Rng(3) }));
    const [a, b] = holder.params();
    a.grad.data.set([3, -4]);
    b.grad.data.set([12]);
    return { act: () => act([a, b], model), keeps: { modules: [model, holder] } };
  }, ...message);
}

const indices = (): Tensor => Tensor.from([[1, 2, 0], [4, 4, 3]]);
const rows3 = (): Tensor => Tensor.from([[1, 2, 3], [0.5, -1, 2]]);

const rows: ContractRow[] = [
  // Embedding: constructor
  build('new Embedding(0, 3)', (rng) => new Embedding(0, 3, { rng }), /^Embedding: numEmbeddings must be an integer ≥ 1, got 0$/),
  build('new Embedding(2.5, 3)', (rng) => new Embedding(2.5, 3, { rng }), /Embedding: numEmbeddings must be an integer ≥ 1, got 2\.5/),
  build("new Embedding('10', 3)", (rng) => new Embedding(any('10'), 3, { rng }), /Embedding: numEmbeddings must be an integer ≥ 1, got string '10'/),
  build('new Embedding(10, 0)', (rng) => new Embedding(10, 0, { rng }), /Embedding: embeddingDim must be an integer ≥ 1, got 0/),
  build('new Embedding(10)', () => new (Embedding as unknown as new (...a: unknown[]) => Embedding)(10), /Embedding: embeddingDim must be an integer ≥ 1, got undefined/),
  build('new Embedding(10, 3, { paddingIdx: 10 }): past the last row', (rng) => new Embedding(10, 3, { paddingIdx: 10, rng }),
    /Embedding\(10, 3\): paddingIdx must be within numEmbeddings, a whole number in \[-10, 9\] \(negative counts from the end\), got number 10/),
  build('new Embedding(10, 3, { paddingIdx: -11 })', (rng) => new Embedding(10, 3, { paddingIdx: -11, rng }), /paddingIdx must be within numEmbeddings.*got number -11/),
  build('new Embedding(10, 3, { paddingIdx: 1.5 })', (rng) => new Embedding(10, 3, { paddingIdx: 1.5, rng }), /Embedding\(10, 3\): option 'paddingIdx' must be a whole number or null, got number 1\.5/),
  build('new Embedding(10, 3, { padding_idx: 0 }): the snake_case name', (rng) => new Embedding(10, 3, any({ padding_idx: 0, rng })),
    /Embedding\(10, 3\): unknown option 'padding_idx' \(did you mean 'paddingIdx'\?\); known options: paddingIdx, init, rng/),
  build('new Embedding(10, 3, { maxNorm: 1 }): not supported', (rng) => new Embedding(10, 3, any({ maxNorm: 1, rng })), /unknown option 'maxNorm'/),
  build('new Embedding(10, 3, 0): a positional paddingIdx', () => new Embedding(10, 3, any(0)), /Embedding\(10, 3\): expected an options object such as \{ paddingIdx: 0 \}, got number 0/),
  build("new Embedding(10, 3, { init: 'uniform' }): an unknown initialiser, before any draw", (rng) => new Embedding(10, 3, { init: any('uniform'), rng }),
    /Embedding\(10, 3\): unknown init "uniform"; expected one of default, normal/),
  build("new Embedding(10, 3, { init: { kind: 'normal', std: -1 } })", (rng) => new Embedding(10, 3, { init: { kind: 'normal', std: -1 }, rng }), /Embedding\(10, 3\)/, /std/),
  build('new Embedding(10, 3, {}, extra)', () => new (Embedding as unknown as new (...a: unknown[]) => Embedding)(10, 3, {}, 1),
    /Embedding: takes at most 3 arguments \(numEmbeddings, embeddingDim, options\), got 4/),
  // Embedding: forward and backward
  on('Embedding.forward: an index that is not a whole number', embedding, (e, x) => e.forward(x), () => Tensor.from([[1, 2], [0.5, 3]]),
    /Embedding\(5, 2, paddingIdx=0\)\.forward: input holds 0\.5 at \[1,0\] \(flat index 2\) of shape \[2,2\], not a whole number; expected row indices, whole numbers 0…4 \(the rows of weight \[5,2\]\)/),
  on('Embedding.forward: an index past the last row', embedding, (e, x) => e.forward(x), () => Tensor.from([[1, 5]]), /input holds 5 at \[0,1\] \(flat index 1\) of shape \[1,2\], out of range/),
  on('Embedding.forward: a negative index (PyTorch refuses them too)', embedding, (e, x) => e.forward(x), () => Tensor.from([-1, 2]), /input holds -1 at \[0\] \(flat index 0\) of shape \[2\], out of range/),
  on('Embedding.forward: NaN', embedding, (e, x) => e.forward(x), () => Tensor.from([1, NaN]), /Embedding\(5, 2, paddingIdx=0\)\.forward: input holds a non-finite value \(NaN\) at flat index 1/),
  on('Embedding.forward: a plain array', embedding, (e) => e.forward(any([1, 2])), indices, /Embedding\(5, 2, paddingIdx=0\)\.forward: input must be a Tensor, got an array \[1,2\]/),
  on('Embedding.backward before forward', embedding, (e) => e.backward(Tensor.zeros([2, 3, 2])), indices, /Embedding\(5, 2, paddingIdx=0\)\.backward: called before forward/),
  on('Embedding.backward: gradOut without the embedding axis', embedding, (e, x) => { e.forward(x); return e.backward(Tensor.zeros([2, 3])); }, indices,
    /Embedding\(5, 2, paddingIdx=0\)\.backward: gradOut has shape \[2,3\], expected \[2,3,2\]/),
  // LayerNorm: constructor
  build('new LayerNorm(0)', () => new LayerNorm(0), /^LayerNorm: normalizedShape must be a whole number ≥ 1 or a non-empty list of them \(the sizes of the last axes\), such as 16 or \[4, 4\], got number 0$/),
  build('new LayerNorm([])', () => new LayerNorm([]), /LayerNorm: normalizedShape must be .* got an array \[\]/),
  build('new LayerNorm([4, 2.5])', () => new LayerNorm([4, 2.5]), /LayerNorm: normalizedShape must be .* got an array \[4,2\.5\]/),
  build("new LayerNorm('4')", () => new LayerNorm(any('4')), /LayerNorm: normalizedShape must be .* got string '4'/),
  build('new LayerNorm(4, 1e-3): a positional eps', () => new LayerNorm(4, any(1e-3)), /LayerNorm\(\[4\]\): expected an options object such as \{ eps: 0\.001 \}, got number 0\.001/),
  build('new LayerNorm(4, { eps: 0 })', () => new LayerNorm(4, { eps: 0 }), /LayerNorm\(\[4\]\): eps must be a finite number > 0, got 0/),
  build('new LayerNorm(4, { eps: NaN })', () => new LayerNorm(4, { eps: NaN }), /LayerNorm\(\[4\]\): eps must be a finite number > 0, got NaN/),
  build('new LayerNorm(4, { elementwise_affine: false }): the snake_case name', () => new LayerNorm(4, any({ elementwise_affine: false })),
    /unknown option 'elementwise_affine' \(did you mean 'elementwiseAffine'\?\); known options: eps, elementwiseAffine, bias/),
  build("new LayerNorm(4, { bias: 'no' })", () => new LayerNorm(4, { bias: any('no') }), /LayerNorm\(\[4\]\): option 'bias' must be true or false, got string 'no'/),
  build('new LayerNorm(4, { elementwiseAffine: false, bias: true })', () => new LayerNorm(4, { elementwiseAffine: false, bias: true }),
    /LayerNorm\(\[4\]\): bias: true has no effect with elementwiseAffine: false/),
  build('new LayerNorm(4, {}, extra)', () => new (LayerNorm as unknown as new (...a: unknown[]) => LayerNorm)(4, {}, 1), /LayerNorm: takes at most 2 arguments \(normalizedShape, options\), got 3/),
  // LayerNorm: forward and backward
  on('LayerNorm(3).forward: last axis of another size', layerNorm, (n, x) => n.forward(x), () => Tensor.zeros([2, 4]),
    /LayerNorm\(\[3\]\)\.forward: input has shape \[2,4\], expected \[\*,3\] \(its last 1 axis must be normalizedShape\)/),
  on('LayerNorm([2,3]).forward: fewer axes than normalizedShape', () => new LayerNorm([2, 3]), (n, x) => n.forward(x), () => Tensor.zeros([3]),
    /LayerNorm\(\[2,3\]\)\.forward: input has shape \[3\], expected \[\*,2,3\] \(its last 2 axes must be normalizedShape\)/),
  on('LayerNorm([2,3]).forward: the axes in the other order', () => new LayerNorm([2, 3]), (n, x) => n.forward(x), () => Tensor.zeros([4, 3, 2]), /input has shape \[4,3,2\], expected \[\*,2,3\]/),
  on('LayerNorm.forward: Infinity', layerNorm, (n, x) => n.forward(x), () => Tensor.from([[1, Infinity, 0]]), /LayerNorm\(\[3\]\)\.forward: input holds a non-finite value \(Infinity\) at flat index 1/),
  on('LayerNorm.backward before forward', layerNorm, (n) => n.backward(Tensor.zeros([2, 3])), rows3, /LayerNorm\(\[3\]\)\.backward: called before forward/),
  on('LayerNorm.backward: gradOut of another shape', layerNorm, (n, x) => { n.forward(x); return n.backward(Tensor.zeros([3, 2])); }, rows3,
    /LayerNorm\(\[3\]\)\.backward: gradOut has shape \[3,2\], expected \[2,3\]/),
  // Residual
  build('new Residual(Linear): the class', () => new Residual(any(Linear)), /^Residual: expected a Module, got the class Linear, not an instance \(did you mean new Linear\(…\)\?\)/),
  build('new Residual([lin]): an array', () => new Residual(any([new ReLU()])), /Residual: expected a Module, got an array/),
  build('new Residual(): nothing', () => new Residual(any(undefined)), /Residual: expected a Module, got undefined \(the module to add a skip connection around/),
  build('new Residual(a, b): a second module', () => new (Residual as unknown as new (...a: unknown[]) => Residual)(new ReLU(), new ReLU()),
    /Residual: takes at most 1 argument \(inner\), got 2/),
  row('new Sequential(new Residual(lin), lin): one instance twice', () => {
    const lin = new Linear(2, 2, { rng: new Rng(4) });
    return { act: () => new Sequential(new Residual(lin), lin), keeps: { modules: [lin] } };
  }, /is used twice, at \[0\]\[0\] and at \[1\]/),
  on('Residual(Linear(2→3)).forward: f changes the shape', () => new Residual(new Linear(2, 3, { rng: new Rng(5) })), (r, x) => r.forward(x), () => Tensor.from([[1, 2]]),
    /Residual\(Linear\(2→3\)\)\.forward: Linear\(2→3\) returned shape \[1,3\] for an input of shape \[1,2\]; y = x \+ f\(x\) needs f to keep the shape/),
  on('Residual(Linear(2→2)).forward: an input f refuses, named by its path', () => new Residual(new Linear(2, 2, { rng: new Rng(6) })), (r, x) => r.forward(x), () => Tensor.from([[1, 2, 3]]),
    /^Residual\[0\] Linear\(2→2\)\.forward: input has shape \[1,3\], expected \[N,2\]/),
  on('Residual(Sequential(LayerNorm, Linear, GELU)).forward: deep inside', () => new Residual(new Sequential(new LayerNorm(2), new Linear(3, 2, { rng: new Rng(7) }), new GELU())),
    (r, x) => r.forward(x), () => Tensor.from([[1, 2]]), /^Residual\[0\] Sequential\[1\] Linear\(3→2\)\.forward: input has shape \[1,2\], expected \[N,3\]/),
  on('Residual.forward: NaN', () => new Residual(new ReLU()), (r, x) => r.forward(x), () => Tensor.from([[NaN, 1]]), /Residual\(ReLU\)\.forward: input holds a non-finite value \(NaN\)/),
  on('Residual.backward before forward', () => new Residual(new ReLU()), (r) => r.backward(Tensor.zeros([1, 2])), () => Tensor.from([[1, 2]]), /Residual\(ReLU\)\.backward: called before forward/),
  on('Residual.backward: gradOut of another shape', () => new Residual(new Linear(2, 2, { rng: new Rng(8) })), (r, x) => { r.forward(x); return r.backward(Tensor.zeros([2, 2])); }, () => Tensor.from([[1, 2]]),
    /Residual\(Linear\(2→2\)\)\.backward: gradOut has shape \[2,2\], expected \[1,2\]/),
  // clipGradNorm and clipGradValue
  clipRow('clipGradNorm(model, 1): a Module', (_p, model) => clipGradNorm(any(model), 1),
    /^clipGradNorm: params must be an array of Parameters such as model\.params\(\), got a Linear \(give its parameters: model\.params\(\)\)$/),
  clipRow('clipGradNorm([p, model], 1): a Module in the list', (p, model) => clipGradNorm(any([p[0], model]), 1), /clipGradNorm: params\[1\] must be a Parameter, got a Linear \(give the parameters of a module: model\.params\(\)\)/),
  clipRow('clipGradNorm([p, grad tensor], 1)', (p) => clipGradNorm(any([p[0], p[1].grad]), 1), /clipGradNorm: params\[1\] must be a Parameter, got a Tensor/),
  clipRow('clipGradNorm(params): no maxNorm', (p) => clipGradNorm(p, any(undefined)), /clipGradNorm: maxNorm must be a number ≥ 0 \(the largest norm the gradients may keep\), got undefined/),
  clipRow('clipGradNorm(params, -1)', (p) => clipGradNorm(p, -1), /clipGradNorm: maxNorm must be a number ≥ 0.*got -1/),
  clipRow('clipGradNorm(params, NaN)', (p) => clipGradNorm(p, NaN), /clipGradNorm: maxNorm must be a number ≥ 0.*got NaN/),
  clipRow("clipGradNorm(params, '1')", (p) => clipGradNorm(p, any('1')), /clipGradNorm: maxNorm must be a number ≥ 0.*got string '1'/),
  clipRow('clipGradNorm(params, 1, 2): a positional normType', (p) => clipGradNorm(p, 1, any(2)), /clipGradNorm: expected an options object such as \{ normType: 2 \}, got number 2/),
  clipRow('clipGradNorm(params, 1, { normType: 0 })', (p) => clipGradNorm(p, 1, { normType: 0 }),
    /clipGradNorm: normType must be a number > 0 \(2 for the Euclidean norm, 1\) or Infinity \(the largest \|entry\|\), got 0/),
  clipRow('clipGradNorm(params, 1, { normType: -Infinity })', (p) => clipGradNorm(p, 1, { normType: -Infinity }), /normType must be a number > 0 .* got -Infinity/),
  clipRow('clipGradNorm(params, 1, { normType: NaN })', (p) => clipGradNorm(p, 1, { normType: NaN }), /normType must be a number > 0 .* got NaN/),
  clipRow("clipGradNorm(params, 1, { normType: 'inf' }): PyTorch's spelling", (p) => clipGradNorm(p, 1, { normType: any('inf') }), /clipGradNorm: option 'normType' must be a number, got string 'inf'/),
  clipRow('clipGradNorm(params, 1, { norm_type: 1 }): the snake_case name', (p) => clipGradNorm(p, 1, any({ norm_type: 1 })),
    /clipGradNorm: unknown option 'norm_type' \(did you mean 'normType'\?\); known options: normType, errorIfNonfinite/),
  clipRow("clipGradNorm(params, 1, { errorIfNonfinite: 'yes' })", (p) => clipGradNorm(p, 1, { errorIfNonfinite: any('yes') }), /option 'errorIfNonfinite' must be true or false, got string 'yes'/),
  clipRow('clipGradNorm(params, 1, { foreach: true }): not an option here', (p) => clipGradNorm(p, 1, any({ foreach: true })), /unknown option 'foreach'/),
  clipRow('clipGradNorm(params, 1, {}, extra)', (p) => (clipGradNorm as (...a: unknown[]) => number)(p, 1, {}, 1), /clipGradNorm: takes at most 3 arguments \(params, maxNorm, options\), got 4/),
  clipRow('clipGradNorm with a NaN gradient and errorIfNonfinite: true', (p) => { p[1].grad.data[0] = NaN; try { return clipGradNorm(p, 1, { errorIfNonfinite: true }); } finally { p[1].grad.data[0] = 12; } },
    /clipGradNorm: the total norm of order 2 of the gradients is NaN, so it cannot be clipped \(nothing was changed\)/),
  clipRow('clipGradNorm with an infinite gradient, errorIfNonfinite: true, normType Infinity', (p) => {
    p[0].grad.data[1] = -Infinity;
    try { return clipGradNorm(p, 1, { normType: Infinity, errorIfNonfinite: true }); } finally { p[0].grad.data[1] = -4; }
  }, /the total norm of order Infinity of the gradients is Infinity/),
  clipRow('clipGradValue(model, 1): a Module', (_p, model) => clipGradValue(any(model), 1), /^clipGradValue: params must be an array of Parameters such as model\.params\(\), got a Linear \(give its parameters: model\.params\(\)\)$/),
  clipRow('clipGradValue([p, 3], 1)', (p) => clipGradValue(any([p[0], 3]), 1), /clipGradValue: params\[1\] must be a Parameter, got number 3/),
  clipRow('clipGradValue(params, -0.5)', (p) => clipGradValue(p, -0.5), /clipGradValue: clipValue must be a number ≥ 0 \(gradients are clamped into \[−clipValue, clipValue\]\), got -0\.5/),
  clipRow('clipGradValue(params, NaN)', (p) => clipGradValue(p, NaN), /clipGradValue: clipValue must be a number ≥ 0.*got NaN/),
  clipRow('clipGradValue(params, { clipValue: 1 }): an options object', (p) => clipGradValue(p, any({ clipValue: 1 })), /clipGradValue: clipValue must be a number ≥ 0.*got an Object/),
  clipRow('clipGradValue(params, 1, extra)', (p) => (clipGradValue as (...a: unknown[]) => void)(p, 1, {}), /clipGradValue: takes at most 2 arguments \(params, clipValue\), got 3/),
];

export const table: ContractTable = { title: 'sequence layers', rows };
