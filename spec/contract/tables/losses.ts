import { BCELoss } from '../../../lib/losses/bce';
import { BCEWithLogitsLoss } from '../../../lib/losses/bce-with-logits';
import { CrossEntropyLoss } from '../../../lib/losses/cross-entropy';
import { HuberLoss } from '../../../lib/losses/huber';
import { KLDivLoss } from '../../../lib/losses/kl-div';
import { L1Loss } from '../../../lib/losses/l1';
import { Loss } from '../../../lib/losses/loss';
import { MAELoss } from '../../../lib/losses/mae';
import { MSELoss } from '../../../lib/losses/mse';
import { NLLLoss } from '../../../lib/losses/nll';
import { SmoothL1Loss } from '../../../lib/losses/smooth-l1';
import { withTemporaryTensors } from '../../../lib/tensor/temporaries';
import { Tensor } from '../../../lib/tensor/tensor';
import { ContractRow, ContractTable, row } from '../harness';

/*
 * Losses: the options of their constructors (read by lib/options.ts: `{ reduction }`, and
 * HuberLoss's delta, SmoothL1Loss's beta, KLDivLoss's 'batchmean' and logTarget), and
 * forward's pred and target — not Tensors, of another shape, not finite, not probabilities for
 * BCELoss, and for CrossEntropyLoss class indices that are not whole numbers in 0..C−1 (strings,
 * NaN, negative, fractional, too large), a label column [N, 1], nested arrays; CrossEntropyLoss's
 * and NLLLoss's class weights (not finite, negative, of the wrong length), ignoreIndex (not a
 * whole number; with probability targets), labelSmoothing (outside [0, 1]), layouts that are
 * ambiguous ([N,T,C] read as [N,C,d1]; probabilities of rank 3), a mean over no target. A refused call
 * leaves pred and target as they were (and backward refuses to run on a forward that failed).
 */

type LossClass = new (options?: unknown) => Loss;
const LOSSES: [string, LossClass][] = [
  ['MSELoss', MSELoss as LossClass],
  ['MAELoss', MAELoss as LossClass],
  ['BCELoss', BCELoss as LossClass],
  ['BCEWithLogitsLoss', BCEWithLogitsLoss as LossClass],
  ['CrossEntropyLoss', CrossEntropyLoss as LossClass],
  ['L1Loss', L1Loss as LossClass],
  ['NLLLoss', NLLLoss as LossClass],
];

/** The end of the message for an unknown option 'label_smoothing', for the losses that know more options than reduction. */
const UNKNOWN_LABEL_SMOOTHING: Record<string, string> = {
  CrossEntropyLoss: " \\(did you mean 'labelSmoothing'\\?\\); known options: reduction, weight, ignoreIndex, labelSmoothing",
  NLLLoss: '; known options: reduction, weight, ignoreIndex',
};

/** The losses whose target has pred's shape, checked alike (after the first four of LOSSES). */
const SAME_SHAPE_TOO: [string, LossClass][] = [
  ['L1Loss', L1Loss as LossClass],
  ['HuberLoss', HuberLoss as LossClass],
  ['SmoothL1Loss', SmoothL1Loss as LossClass],
  ['KLDivLoss', KLDivLoss as LossClass],
];

/** A constructor call. */
function build(name: string, act: () => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => ({ act }), ...message);
}

/** A forward of `loss` on fresh pred and target, which must stay as they were. */
function forward(name: string, loss: () => Loss, pred: () => unknown, target: () => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const l = loss(), p = pred(), t = target();
    const tensors = [p, t].filter((v): v is Tensor => v instanceof Tensor);
    return { act: () => l.forward(p as Tensor, t as Tensor), keeps: { tensors } };
  }, ...message);
}

const constructors: ContractRow[] = [];
for (const [name, Cls] of LOSSES) {
  const who = name;
  constructors.push(
    build(`new ${name}({ label_smoothing: 0.1 })`, () => new Cls({ label_smoothing: 0.1 }), new RegExp(`^${who}: unknown option 'label_smoothing'${UNKNOWN_LABEL_SMOOTHING[name] ?? '; known options: reduction'}$`)),
    build(`new ${name}('sum'): a positional reduction`, () => new Cls('sum'), new RegExp(`^${who}: expected an options object such as \\{ reduction: 'sum' \\}, got string 'sum' \\(options are passed by name\\)`)),
    build(`new ${name}({ reduction: null })`, () => new Cls({ reduction: null }), new RegExp(`^${who}: option 'reduction' is null; give one of 'mean', 'sum', or leave it out for the default$`)),
    build(`new ${name}({ reduction: 'none' })`, () => new Cls({ reduction: 'none' }), new RegExp(`^${who}: option 'reduction' must be one of 'mean', 'sum', got string 'none'$`)),
    build(`new ${name}({ Reduction: 'sum' })`, () => new Cls({ Reduction: 'sum' }), new RegExp(`^${who}: unknown option 'Reduction' \\(did you mean 'reduction'\\?\\)`)),
    build(`new ${name}({}, 1): an extra argument`, () => new (Cls as unknown as new (...a: unknown[]) => Loss)({}, 1), new RegExp(`^${who}: takes at most 1 argument \\(options\\), got 2`)),
  );
}

const huber = (o: unknown) => (): unknown => new HuberLoss(o as never);
const smooth = (o: unknown) => (): unknown => new SmoothL1Loss(o as never);
const kl = (o: unknown) => (): unknown => new KLDivLoss(o as never);
constructors.push(
  build('new HuberLoss({ label_smoothing: 0.1 })', huber({ label_smoothing: 0.1 }), /^HuberLoss: unknown option 'label_smoothing'; known options: delta, reduction$/),
  build("new HuberLoss('sum'): a positional reduction", huber('sum'), /^HuberLoss: expected an options object such as \{ reduction: 'sum' \}, got string 'sum' \(options are passed by name\)/),
  build('new HuberLoss(0.5): a positional delta', huber(0.5), /^HuberLoss: expected an options object such as \{ delta: 0\.5 \}, got number 0\.5 \(options are passed by name\)/),
  build('new HuberLoss({ delta: 0 })', huber({ delta: 0 }), /^HuberLoss: delta must be a finite number > 0, got 0$/),
  build('new HuberLoss({ delta: -1 })', huber({ delta: -1 }), /^HuberLoss: delta must be a finite number > 0, got -1$/),
  build('new HuberLoss({ delta: Infinity })', huber({ delta: Infinity }), /^HuberLoss: delta must be a finite number > 0, got Infinity$/),
  build("new HuberLoss({ delta: '1' })", huber({ delta: '1' }), /^HuberLoss: option 'delta' must be a number, got string '1'$/),
  build("new HuberLoss({ reduction: 'none' })", huber({ reduction: 'none' }), /^HuberLoss: option 'reduction' must be one of 'mean', 'sum', got string 'none'$/),
  build('new HuberLoss({}, 1): an extra argument', () => new (HuberLoss as unknown as new (...a: unknown[]) => Loss)({}, 1), /^HuberLoss: takes at most 1 argument \(options\), got 2/),
  build('new SmoothL1Loss({ beta: -0.5 })', smooth({ beta: -0.5 }), /^SmoothL1Loss: beta must be a finite number ≥ 0, got -0\.5$/),
  build('new SmoothL1Loss({ beta: NaN })', smooth({ beta: NaN }), /^SmoothL1Loss: beta must be a finite number ≥ 0, got NaN$/),
  build('new SmoothL1Loss({ beta: null })', smooth({ beta: null }), /^SmoothL1Loss: option 'beta' is null; give a number, or leave it out for the default$/),
  build("new SmoothL1Loss({ delta: 1 }): HuberLoss's option", smooth({ delta: 1 }), /^SmoothL1Loss: unknown option 'delta'; known options: beta, reduction$/),
  build("new SmoothL1Loss('sum'): a positional reduction", smooth('sum'), /^SmoothL1Loss: expected an options object such as \{ reduction: 'sum' \}/),
  build('new SmoothL1Loss({}, 1): an extra argument', () => new (SmoothL1Loss as unknown as new (...a: unknown[]) => Loss)({}, 1), /^SmoothL1Loss: takes at most 1 argument \(options\), got 2/),
  build("new KLDivLoss({ reduction: 'none' })", kl({ reduction: 'none' }), /^KLDivLoss: option 'reduction' must be one of 'mean', 'sum', 'batchmean', got string 'none'$/),
  build('new KLDivLoss({ reduction: null })', kl({ reduction: null }), /^KLDivLoss: option 'reduction' is null; give one of 'mean', 'sum', 'batchmean', or leave it out for the default$/),
  build("new KLDivLoss('batchmean'): a positional reduction", kl('batchmean'), /^KLDivLoss: expected an options object such as \{ reduction: 'batchmean' \}, got string 'batchmean' \(options are passed by name\)/),
  build("new KLDivLoss({ logTarget: 'yes' })", kl({ logTarget: 'yes' }), /^KLDivLoss: option 'logTarget' must be true or false, got string 'yes'$/),
  build('new KLDivLoss({ log_target: true })', kl({ log_target: true }), /^KLDivLoss: unknown option 'log_target' \(did you mean 'logTarget'\?\)/),
  build('new KLDivLoss({}, 1): an extra argument', () => new (KLDivLoss as unknown as new (...a: unknown[]) => Loss)({}, 1), /^KLDivLoss: takes at most 1 argument \(options\), got 2/),
);

const p23 = (): Tensor => Tensor.fromArray([0.1, 0.7, 0.2, 0.5, 0.25, 0.25], [2, 3]);
const released = (): Tensor => {
  let inside: Tensor | null = null;
  withTemporaryTensors(() => {
    inside = Tensor.zeros([2, 3]);
    return 0;
  });
  return inside as unknown as Tensor;
};

const sameShape: ContractRow[] = [];
for (const [name, Cls] of [...LOSSES.slice(0, 4), ...SAME_SHAPE_TOO]) {
  const loss = (): Loss => new Cls();
  sameShape.push(
    forward(`${name}.forward(undefined, target)`, loss, () => undefined, p23, new RegExp(`^${name}\\.forward: pred must be a Tensor, got undefined$`)),
    forward(`${name}.forward([[0.5]], target)`, loss, () => [[0.5]], p23, new RegExp(`^${name}\\.forward: pred must be a Tensor, got an array \\[\\[0\\.5\\]\\] \\(make one with Tensor\\.from`)),
    forward(`${name}.forward(pred, undefined)`, loss, p23, () => undefined, new RegExp(`^${name}\\.forward: target must be a Tensor, got undefined$`)),
    forward(`${name}.forward(pred [2,3], target [3,2])`, loss, p23, () => Tensor.full([3, 2], 0.5), new RegExp(`^${name}\\.forward: target has shape \\[3,2\\] but pred has shape \\[2,3\\]; they must match exactly$`)),
    forward(`${name}.forward(pred, target holding NaN)`, loss, p23, () => Tensor.fromArray([0, 1, NaN, 0, 1, 0], [2, 3]), new RegExp(`^${name}\\.forward: target holds a non-finite value \\(NaN\\) at flat index 2$`)),
    forward(`${name}.forward(a released pred)`, loss, released, p23, new RegExp(`^${name}\\.forward: pred Tensor\\[2,3\\] \\(released\\) was a temporary of a step that has ended`)),
  );
}
sameShape.push(
  forward('BCELoss.forward(pred 1.5)', () => new BCELoss(), () => Tensor.from([0.5, 1.5]), () => Tensor.from([0, 1]), /^BCELoss\.forward: every entry of pred must be a probability in \[0, 1\], got 1\.5 at flat index 1 \(apply a Sigmoid first, or use BCEWithLogitsLoss\)$/),
  forward('BCELoss.forward(pred NaN)', () => new BCELoss(), () => Tensor.from([NaN, 0.5]), () => Tensor.from([0, 1]), /^BCELoss\.forward: every entry of pred must be a probability in \[0, 1\], got NaN at flat index 0/),
  forward('BCELoss.forward(target 2)', () => new BCELoss({ reduction: 'sum' }), () => Tensor.from([0.5, 0.5]), () => Tensor.from([1, 2]), /^BCELoss\(reduction='sum'\)\.forward: every entry of target must be in \[0, 1\], got 2 at flat index 1$/),
);

sameShape.push(
  forward('KLDivLoss.forward(target −0.25, a negative probability)', () => new KLDivLoss(), () => Tensor.from([-1, -0.5]), () => Tensor.from([1.25, -0.25]),
    /^KLDivLoss\.forward: every entry of target must be a probability ≥ 0, got -0\.25 at flat index 1 \(for log-probabilities, use \{ logTarget: true \}\)$/),
  forward('KLDivLoss.forward(log-target −Infinity, the log of a probability 0)', () => new KLDivLoss({ logTarget: true }), () => Tensor.from([-1, -0.5]), () => Tensor.from([0, -Infinity]),
    /^KLDivLoss\(logTarget\)\.forward: target holds a non-finite value \(-Infinity\) at flat index 1$/),
);

const ce = (): Loss => new CrossEntropyLoss();
const logits = (): Tensor => Tensor.fromArray([2, -1, 0.5, 0, 1, -2, 0.25, 0.5, 3, -1, -1, 1], [4, 3]);
const crossEntropy: ContractRow[] = [
  forward("CrossEntropyLoss: string labels ['1', '0', '2', '1']", ce, logits, () => ['1', '0', '2', '1'], /^CrossEntropyLoss\.forward: target\[0\] is string '1', expected a class index: a whole number in 0\.\.2$/),
  forward('CrossEntropyLoss: a label column [4,1]', ce, logits, () => Tensor.fromArray([1, 0, 2, 1], [4, 1]),
    /^CrossEntropyLoss\.forward: target must be class indices of shape \[4\] or probabilities \(such as one-hot rows\) of shape \[4,3\], got \[4,1\] \(a column of labels: give the class indices as a Tensor of shape \[4\], e\.g\. labels\.reshape\(\[4\]\), or as an array\)$/),
  forward('CrossEntropyLoss: one-hot rows as nested arrays', ce, logits, () => [[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]],
    /^CrossEntropyLoss\.forward: target\[0\] is an array \[0,1,0\], expected a class index: a whole number in 0\.\.2 \(for one-hot or probability rows, give a Tensor of shape \[N,C\]: Tensor\.from\(rows\)\)$/),
  forward('CrossEntropyLoss: index 1.5', ce, logits, () => [1.5, 0, 2, 1], /^CrossEntropyLoss\.forward: target\[0\] = 1\.5 is not a class index in 0\.\.2$/),
  forward('CrossEntropyLoss: index NaN', ce, logits, () => Tensor.from([0, NaN, 2, 1]), /^CrossEntropyLoss\.forward: target\[1\] = NaN is not a class index in 0\.\.2$/),
  forward('CrossEntropyLoss: index -1', ce, logits, () => Int32Array.from([0, 1, -1, 1]), /^CrossEntropyLoss\.forward: target\[2\] = -1 is not a class index in 0\.\.2$/),
  forward('CrossEntropyLoss: index 3 of 3 classes', ce, logits, () => [0, 1, 2, 3], /^CrossEntropyLoss\.forward: target\[3\] = 3 is not a class index in 0\.\.2$/),
  forward('CrossEntropyLoss: index true', ce, logits, () => [true, 0, 1, 2], /^CrossEntropyLoss\.forward: target\[0\] is boolean true, expected a class index/),
  forward('CrossEntropyLoss: 3 indices for 4 rows', ce, logits, () => [0, 1, 2], /^CrossEntropyLoss\.forward: target has 3 class indices but pred has 4 rows$/),
  forward('CrossEntropyLoss: probabilities [4,2] for 3 classes', ce, logits, () => Tensor.zeros([4, 2]), /^CrossEntropyLoss\.forward: target must be class indices of shape \[4\] or probabilities \(such as one-hot rows\) of shape \[4,3\], got \[4,2\]$/),
  forward('CrossEntropyLoss: target [4,3,1]', ce, logits, () => Tensor.zeros([4, 3, 1]), /^CrossEntropyLoss\.forward: target must be class indices of shape \[4\] .*got \[4,3,1\]$/),
  forward("CrossEntropyLoss: target 'abc'", ce, logits, () => 'abc', /^CrossEntropyLoss\.forward: target must be a Tensor or an array of class indices, got string abc$/),
  forward('CrossEntropyLoss: target { 0: 1 } (array-like object)', ce, logits, () => ({ length: 4, 0: 1 }), /^CrossEntropyLoss\.forward: target must be a Tensor or an array of class indices, got an Object$/),
  forward('CrossEntropyLoss: pred 1-D', ce, () => Tensor.from([1, 2, 3]), () => [0], /^CrossEntropyLoss\.forward: pred must be logits of shape \[N,C\], got \[3\] \(or \[N,C,d1,…\], PyTorch's layout with the classes on axis 1\)$/),
  forward('CrossEntropyLoss: probabilities holding Infinity', ce, logits, () => Tensor.fromArray([1, 0, 0, 0, Infinity, 0, 0, 0, 1, 0, 1, 0], [4, 3]), /^CrossEntropyLoss\.forward: target holds a non-finite value \(Infinity\) at flat index 4$/),
];

/** The options of the classification losses, and their layouts. */
const ceWith = (o: unknown) => (): unknown => new CrossEntropyLoss(o as never);
const nllWith = (o: unknown) => (): unknown => new NLLLoss(o as never);
const classOptions: ContractRow[] = [
  build('new CrossEntropyLoss({ weight: [1, NaN] })', ceWith({ weight: [1, NaN] }), /^CrossEntropyLoss: every class weight must be a finite number ≥ 0, got NaN at index 1$/),
  build('new CrossEntropyLoss({ weight: [1, Infinity] })', ceWith({ weight: [1, Infinity] }), /^CrossEntropyLoss: every class weight must be a finite number ≥ 0, got Infinity at index 1$/),
  build('new CrossEntropyLoss({ weight: [1, -0.5] })', ceWith({ weight: [1, -0.5] }), /^CrossEntropyLoss: every class weight must be a finite number ≥ 0, got -0\.5 at index 1$/),
  build("new CrossEntropyLoss({ weight: [1, '2'] })", ceWith({ weight: [1, '2'] }), /^CrossEntropyLoss: option 'weight' must hold numbers, got string '2' at index 1$/),
  build('new CrossEntropyLoss({ weight: [] })', ceWith({ weight: [] }), /^CrossEntropyLoss: option 'weight' is empty; give one weight per class$/),
  build('new CrossEntropyLoss({ weight: Tensor [1,3] })', ceWith({ weight: Tensor.ones([1, 3]) }), /^CrossEntropyLoss: option 'weight' must be one weight per class, a Tensor of shape \[C\], got shape \[1,3\]$/),
  build('new CrossEntropyLoss({ weight: 2 })', ceWith({ weight: 2 }), /^CrossEntropyLoss: option 'weight' must be a Tensor \[C\] or an array of numbers \(one weight per class\), got number 2$/),
  build('new CrossEntropyLoss({ ignoreIndex: 1.5 })', ceWith({ ignoreIndex: 1.5 }), /^CrossEntropyLoss: option 'ignoreIndex' must be a whole number, got number 1\.5$/),
  build("new CrossEntropyLoss({ ignoreIndex: '-100' })", ceWith({ ignoreIndex: '-100' }), /^CrossEntropyLoss: option 'ignoreIndex' must be a whole number, got string '-100'$/),
  build('new CrossEntropyLoss({ ignoreIndex: NaN })', ceWith({ ignoreIndex: NaN }), /^CrossEntropyLoss: option 'ignoreIndex' must be a whole number, got number NaN$/),
  build('new CrossEntropyLoss({ labelSmoothing: -0.1 })', ceWith({ labelSmoothing: -0.1 }), /^CrossEntropyLoss: labelSmoothing must be a number in \[0, 1\], got -0\.1$/),
  build('new CrossEntropyLoss({ labelSmoothing: 1.5 })', ceWith({ labelSmoothing: 1.5 }), /^CrossEntropyLoss: labelSmoothing must be a number in \[0, 1\], got 1\.5$/),
  build('new CrossEntropyLoss({ labelSmoothing: NaN })', ceWith({ labelSmoothing: NaN }), /^CrossEntropyLoss: labelSmoothing must be a number in \[0, 1\], got NaN$/),
  build("new CrossEntropyLoss({ labelSmoothing: '0.1' })", ceWith({ labelSmoothing: '0.1' }), /^CrossEntropyLoss: option 'labelSmoothing' must be a number, got string '0\.1'$/),
  build('new NLLLoss({ weight: [-1, 1] })', nllWith({ weight: [-1, 1] }), /^NLLLoss: every class weight must be a finite number ≥ 0, got -1 at index 0$/),
  build('new NLLLoss({ ignoreIndex: 0.5 })', nllWith({ ignoreIndex: 0.5 }), /^NLLLoss: option 'ignoreIndex' must be a whole number, got number 0\.5$/),
  build('new NLLLoss({ labelSmoothing: 0.1 }): CrossEntropyLoss\'s option', nllWith({ labelSmoothing: 0.1 }), /^NLLLoss: unknown option 'labelSmoothing'; known options: reduction, weight, ignoreIndex$/),
  forward('CrossEntropyLoss({ weight: 2 weights }) on 3 classes', () => new CrossEntropyLoss({ weight: [1, 2] }), logits, () => [0, 1, 2, 1],
    /^CrossEntropyLoss\(weight=\[1,2\]\)\.forward: option 'weight' has 2 entries but pred has 3 classes \(one weight per class\)$/),
  forward('NLLLoss({ weight: 4 weights }) on 3 classes', () => new NLLLoss({ weight: [1, 2, 3, 4] }), logits, () => [0, 1, 2, 1],
    /^NLLLoss\(weight=\[1,2,3,4\]\)\.forward: option 'weight' has 4 entries but pred has 3 classes \(one weight per class\)$/),
  forward('CrossEntropyLoss({ ignoreIndex: -100 }) with probability targets', () => new CrossEntropyLoss({ ignoreIndex: -100 }), logits, () => Tensor.full([4, 3], 1 / 3),
    /^CrossEntropyLoss\(ignoreIndex=-100\)\.forward: ignoreIndex \(-100\) applies to class-index targets, not to probabilities/),
  forward('CrossEntropyLoss: target -100 without ignoreIndex', ce, logits, () => [0, -100, 2, 1],
    /^CrossEntropyLoss\.forward: target\[1\] = -100 is not a class index in 0\.\.2 \(PyTorch ignores targets of -100 by default; minidl ignores none unless asked: \{ ignoreIndex: -100 \}\)$/),
  forward('CrossEntropyLoss({ ignoreIndex: -100 }): every target ignored, mean', () => new CrossEntropyLoss({ ignoreIndex: -100 }), logits, () => [-100, -100, -100, -100],
    /^CrossEntropyLoss\(ignoreIndex=-100\)\.forward: every target equals the ignoreIndex -100: a mean over no targets is undefined \(PyTorch returns NaN\)/),
  forward('NLLLoss({ weight: [0, 1, 1] }): the counted targets weigh 0, mean', () => new NLLLoss({ weight: [0, 1, 1] }), logits, () => [0, 0, 0, 0],
    /^NLLLoss\(weight=\[0,1,1\]\)\.forward: the class weights of the counted targets sum to 0/),
  forward('CrossEntropyLoss: logits [2,5,3] ([N,T,C]) with targets [2,5]', ce, () => Tensor.zeros([2, 5, 3]), () => Tensor.zeros([2, 5]),
    /^CrossEntropyLoss\.forward: target must be class indices, a Tensor of shape \[2,3\] for logits \[2,5,3\] read as \[N,C,d1,…\] \(PyTorch's layout: C = 5 classes on axis 1\), got \[2,5\]; these shapes look like \[N,T,C\] with the classes last/),
  forward('CrossEntropyLoss: logits [2,4,4] with targets [2,4], read both ways', ce, () => Tensor.zeros([2, 4, 4]), () => Tensor.zeros([2, 4]),
    /^CrossEntropyLoss\.forward: logits \[2,4,4\] with targets \[2,4\] can be read two ways/),
  forward('NLLLoss: log-probabilities [2,3,3,3] with targets [2,3,3], read both ways', () => new NLLLoss(), () => Tensor.zeros([2, 3, 3, 3]), () => Tensor.zeros([2, 3, 3]),
    /^NLLLoss\.forward: log-probabilities \[2,3,3,3\] with targets \[2,3,3\] can be read two ways/),
  forward('CrossEntropyLoss: probabilities [2,3,5] of rank 3', ce, () => Tensor.zeros([2, 3, 5]), () => Tensor.full([2, 3, 5], 1 / 3),
    /^CrossEntropyLoss\.forward: probability targets of pred's shape \[2,3,5\] cannot be read: the shapes do not tell whether the classes are on axis 1/),
  forward('CrossEntropyLoss: logits [2,3,5] with an array of 10 indices', ce, () => Tensor.zeros([2, 3, 5]), () => new Array(10).fill(0),
    /^CrossEntropyLoss\.forward: target must be class indices, a Tensor of shape \[2,5\] for logits \[2,3,5\]/),
  forward('NLLLoss: probability targets [4,3]', () => new NLLLoss(), logits, () => Tensor.full([4, 3], 1 / 3),
    /^NLLLoss\.forward: target must be class indices of shape \[4\], got \[4,3\] \(this loss takes class indices only, as PyTorch's nll_loss; for probability targets use CrossEntropyLoss on logits\)$/),
  forward('NLLLoss: index 3 of 3 classes, ignoreIndex 0', () => new NLLLoss({ ignoreIndex: 0 }), logits, () => [0, 1, 3, 1],
    /^NLLLoss\(ignoreIndex=0\)\.forward: target\[2\] = 3 is not a class index in 0\.\.2 \(nor the ignoreIndex 0\)$/),
];

const backward: ContractRow[] = [...LOSSES, ...SAME_SHAPE_TOO.slice(1)].map(([name, Cls]) => row(`${name}.backward() after a forward that failed`, () => {
  const loss = new Cls();
  try {
    loss.forward(Tensor.zeros([2, 2]), Tensor.zeros([3, 3]));
  } catch {
    // refused: there is no loss to take the gradient of
  }
  return { act: () => loss.backward() };
}, new RegExp(`^${name}\\.backward: called before forward \\(or after a forward that failed\\)`)));

/** The losses: constructors, forward, backward. */
export const table: ContractTable = {
  title: 'losses',
  rows: [...constructors, ...sameShape, ...crossEntropy, ...classOptions, ...backward],
};
