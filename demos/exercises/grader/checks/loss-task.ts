import { Loss, Rng, Tensor, gradcheck } from '../minidl';
import { CaseConfig, CaseRecord, REFERENCE_FORMAT, ReferenceFile, caseTensor, storeTensor } from '../reference-data';
import { largestMagnitude, sameBits, tensorDifference } from '../compare';
import { lossGradientMissingMean, softmaxOverflow } from '../mistakes';
import { TaskReport, errorMessage, stubInError } from '../task-report';

/**
 * The checks every loss gets, on fixed seeded cases (pred, target):
 *
 *   loss value            forward(pred, target) against the reference
 *   gradient              backward() against the reference
 *   gradcheck             the library's gradcheck of pred
 *   inputs not modified   pred and target left as they were
 *   shapes                the loss is a number, the gradient has pred's shape
 *
 * Mistakes looked for: the gradient N× the reference (the mean's 1/N left out); non-finite
 * values on large logits (no max shift in the log-softmax).
 */

/** What a case's target is made of. */
export type TargetKind = 'values' | 'binary' | 'unit' | 'indices' | 'probabilities';

/** One fixed case of a loss task. */
export interface LossCaseSpec {
  name: string;
  /** `reduction` ('mean' or 'sum'), `target` (a TargetKind), `gradcheck`. */
  config: CaseConfig;
  predShape: number[];
  /** pred = shift + scale·N(0, 1), or uniform in (0.05, 0.95) for `probabilities: true`. */
  predScale?: number;
  predShift?: number;
  probabilities?: boolean;
}

export interface LossTask {
  id: string;
  build(config: CaseConfig): Loss;
  cases: LossCaseSpec[];
  /** How many numbers the mean divides by: the entries of pred, or its rows (cross-entropy). */
  meanOver: 'entries' | 'rows';
}

/** What running one case gave. */
interface LossRun {
  value: unknown;
  gradient: unknown;
  error: unknown;
  predChanged: boolean;
  targetChanged: boolean;
}

function runLossCase(task: LossTask, c: CaseRecord): LossRun {
  const run: LossRun = { value: undefined, gradient: undefined, error: null, predChanged: false, targetChanged: false };
  const pred = caseTensor(c, 'pred'), target = caseTensor(c, 'target');
  try {
    const loss = task.build(c.config);
    run.value = loss.forward(pred, target);
    run.gradient = loss.backward();
  } catch (err) {
    run.error = err ?? new Error('threw');
  }
  run.predChanged = !sameBits(pred.data, caseTensor(c, 'pred').data);
  run.targetChanged = !sameBits(target.data, caseTensor(c, 'target').data);
  return run;
}

function drawTarget(kind: string, predShape: number[], rng: Rng): Tensor {
  const [n, k] = predShape;
  switch (kind) {
    case 'indices': {
      const t = new Tensor([n]);
      for (let i = 0; i < n; i++) t.data[i] = rng.int(k);
      return t;
    }
    case 'probabilities': {
      const t = new Tensor(predShape);
      rng.fillUniform(t.data, 0.05, 1);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < k; j++) s += t.data[i * k + j];
        for (let j = 0; j < k; j++) t.data[i * k + j] /= s;
      }
      return t;
    }
    case 'binary': {
      const t = new Tensor(predShape);
      for (let i = 0; i < t.size; i++) t.data[i] = rng.int(2);
      return t;
    }
    case 'unit':
      return new Tensor(predShape, rng.fillUniform(new Float64Array(predShape.reduce((a, b) => a * b, 1))));
    default:
      return new Tensor(predShape, rng.fillNormal(new Float64Array(predShape.reduce((a, b) => a * b, 1))));
  }
}

export function recordLossTask(task: LossTask): ReferenceFile {
  const cases = task.cases.map((spec): CaseRecord => {
    const rng = new Rng(`${task.id}/${spec.name}`);
    const pred = new Tensor(spec.predShape);
    if (spec.probabilities) rng.fillUniform(pred.data, 0.05, 0.95);
    else for (let i = 0; i < pred.size; i++) pred.data[i] = (spec.predShift ?? 0) + (spec.predScale ?? 1) * rng.normal();
    const target = drawTarget(String(spec.config.target), spec.predShape, rng);
    const c: CaseRecord = { name: spec.name, config: spec.config, tensors: { pred: storeTensor(pred), target: storeTensor(target) } };
    const run = runLossCase(task, c);
    if (run.error !== null) throw run.error;
    c.tensors.value = storeTensor(Tensor.from([run.value as number]));
    c.tensors.gradient = storeTensor(run.gradient as Tensor);
    return c;
  });
  return { task: task.id, format: REFERENCE_FORMAT, cases };
}

export function gradeLossTask(task: LossTask, ref: ReferenceFile, report: TaskReport): void {
  const cases = ref.cases;
  const runs = cases.map((c) => runLossCase(task, c));
  for (const run of runs) {
    const stub = stubInError(run.error);
    if (stub) throw stub;
  }
  const where = (c: CaseRecord): string => `case '${c.name}'`;
  runs.forEach((run, k) => {
    if (run.error !== null) report.errors.push(`${where(cases[k])}: ${errorMessage(run.error)}`);
  });

  runs.forEach((run, k) => {
    const c = cases[k];
    if (!(run.gradient instanceof Tensor)) return;
    const pred = caseTensor(c, 'pred');
    if (c.config.reduction !== 'sum') {
      const divisor = task.meanOver === 'rows' ? pred.shape[0] : pred.size;
      report.mistake(lossGradientMissingMean(run.gradient.data, caseTensor(c, 'gradient').data, divisor, task.meanOver === 'rows' ? 'the N rows of the batch' : 'the N entries of pred'));
    }
    if (task.meanOver === 'rows') report.mistake(softmaxOverflow(run.gradient.data, caseTensor(c, 'gradient').data, Math.round(largestMagnitude(pred.data))));
  });
  runs.forEach((run, k) => {
    const expected = caseTensor(cases[k], 'value').data[0];
    if (task.meanOver === 'rows' && typeof run.value === 'number' && Number.isFinite(expected) && !Number.isFinite(run.value)) {
      report.mistake(softmaxOverflow(Float64Array.of(run.value), Float64Array.of(expected), Math.round(largestMagnitude(caseTensor(cases[k], 'pred').data))));
    }
  });

  report.check('loss value', 3, () => runs.flatMap((run, k) => {
    const c = cases[k];
    if (run.error !== null && run.value === undefined) return [`${where(c)}: forward threw: ${errorMessage(run.error)}`];
    if (typeof run.value !== 'number') return [`${where(c)}: forward returned ${typeof run.value}, expected a number`];
    const hint = tensorDifference(`loss, ${where(c)}`, Tensor.from([run.value]), caseTensor(c, 'value'));
    return hint === null ? [] : [hint.replace(': [0] is', ' is')];
  }).slice(0, 2));

  report.check('gradient', 3, () => runs.flatMap((run, k) => {
    const c = cases[k];
    if (run.error !== null) return [`${where(c)}: ${errorMessage(run.error)}`];
    const hint = tensorDifference(`gradient, ${where(c)}`, run.gradient, caseTensor(c, 'gradient'));
    return hint === null ? [] : [hint];
  }).slice(0, 2));

  report.check('gradcheck', 2, () => cases.flatMap((c) => {
    if (c.config.gradcheck !== true) return [];
    const result = gradcheck(task.build(c.config), caseTensor(c, 'pred'), caseTensor(c, 'target'));
    return result.entries.filter((e) => !e.ok).map((e) =>
      `gradcheck, ${where(c)}: backward disagrees with finite differences of forward (max relative error ${e.maxRelError.toExponential(1)}; at flat index ${e.worstIndex}: backward gives ${e.analyticAtWorst}, finite differences ${e.numericAtWorst})`);
  }).slice(0, 2));

  report.check('inputs not modified', 1, () => runs.flatMap((run, k) => [
    ...(run.predChanged ? [`${where(cases[k])}: pred was changed in place`] : []),
    ...(run.targetChanged ? [`${where(cases[k])}: target was changed in place`] : []),
  ]).slice(0, 2));

  report.check('shapes', 1, () => runs.flatMap((run, k) => {
    const c = cases[k];
    const shape = c.tensors.pred.shape;
    return run.gradient instanceof Tensor && run.gradient.shape.join() !== shape.join()
      ? [`${where(c)}: backward returned shape [${run.gradient.shape}], expected pred's shape [${shape}]`] : [];
  }).slice(0, 2));
}
