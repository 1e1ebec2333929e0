import { Adam, Optimizer, Parameter, Rng, SGD, Tensor } from '../minidl';
import { CaseConfig, CaseRecord, REFERENCE_FORMAT, ReferenceFile, caseTensor, storeTensor } from '../reference-data';
import { sameBits, tensorDifference } from '../compare';
import { adamCorrectionMultiplied } from '../mistakes';
import { TaskReport, errorMessage, stubInError } from '../task-report';

/**
 * The optimizers, step by step: parameters of two shapes start from stored values; before each
 * step their gradients are set to stored values; after each step the values are compared with
 * the reference (the first step, then the later ones, where momentum buffers and Adam's bias
 * corrections show). The gradients must be left as they were.
 */
export interface OptimizerCaseSpec {
  name: string;
  /** The optimizer's options (lr, momentum, dampening, nesterov, weightDecay, beta1, beta2, eps). */
  config: CaseConfig;
  shapes: number[][];
  steps: number;
}

export interface OptimizerTask {
  id: string;
  build(params: Parameter[], config: CaseConfig): Optimizer;
  cases: OptimizerCaseSpec[];
  /** Hints of classic mistakes recognised in one case (the values after each step, per parameter). */
  mistakes?(c: CaseRecord, after: Float64Array[][]): (string | null)[];
}

/** What running one case gave: values after each step ([step][param]) and whether a step changed a gradient. */
interface OptimizerRun {
  after: Float64Array[][];
  error: unknown;
  gradChanged: boolean;
}

function runOptimizerCase(task: OptimizerTask, c: CaseRecord): OptimizerRun {
  const run: OptimizerRun = { after: [], error: null, gradChanged: false };
  const count = c.config.params as number, steps = c.config.steps as number;
  try {
    const params = Array.from({ length: count }, (_, k) => new Parameter(caseTensor(c, `value:${k}`), `p${k}`));
    const optimizer = task.build(params, c.config);
    for (let s = 0; s < steps; s++) {
      params.forEach((p, k) => p.grad.data.set(caseTensor(c, `grad:${k}:${s}`).data));
      optimizer.step();
      run.after.push(params.map((p) => p.value.data.slice()));
      params.forEach((p, k) => { if (!sameBits(p.grad.data, caseTensor(c, `grad:${k}:${s}`).data)) run.gradChanged = true; });
    }
  } catch (err) {
    run.error = err ?? new Error('threw');
  }
  return run;
}

export function recordOptimizerTask(task: OptimizerTask): ReferenceFile {
  const cases = task.cases.map((spec): CaseRecord => {
    const rng = new Rng(`${task.id}/${spec.name}`);
    const c: CaseRecord = { name: spec.name, config: { ...spec.config, params: spec.shapes.length, steps: spec.steps }, tensors: {} };
    spec.shapes.forEach((shape, k) => {
      const value = new Tensor(shape);
      rng.fillNormal(value.data);
      c.tensors[`value:${k}`] = storeTensor(value);
      for (let s = 0; s < spec.steps; s++) {
        const grad = new Tensor(shape);
        rng.fillNormal(grad.data);
        c.tensors[`grad:${k}:${s}`] = storeTensor(grad);
      }
    });
    const run = runOptimizerCase(task, c);
    if (run.error !== null) throw run.error;
    run.after.forEach((values, s) => values.forEach((v, k) => {
      c.tensors[`after:${k}:${s}`] = storeTensor(new Tensor(spec.shapes[k], v));
    }));
    return c;
  });
  return { task: task.id, format: REFERENCE_FORMAT, cases };
}

export function gradeOptimizerTask(task: OptimizerTask, ref: ReferenceFile, report: TaskReport): void {
  const cases = ref.cases;
  const runs = cases.map((c) => runOptimizerCase(task, c));
  for (const run of runs) {
    const stub = stubInError(run.error);
    if (stub) throw stub;
  }
  const where = (c: CaseRecord): string => `case '${c.name}'`;
  runs.forEach((run, k) => { if (run.error !== null) report.errors.push(`${where(cases[k])}: step threw: ${errorMessage(run.error)}`); });
  runs.forEach((run, k) => {
    if (task.mistakes && run.after.length > 0) for (const hint of task.mistakes(cases[k], run.after)) report.mistake(hint);
  });

  const compareSteps = (first: boolean): string[] => runs.flatMap((run, k) => {
    const c = cases[k];
    if (run.error !== null) return [`${where(c)}: step threw: ${errorMessage(run.error)}`];
    const hints: string[] = [];
    for (let s = first ? 0 : 1; s < (first ? 1 : (c.config.steps as number)); s++) {
      for (let p = 0; p < (c.config.params as number); p++) {
        const expected = caseTensor(c, `after:${p}:${s}`);
        const hint = tensorDifference(`parameter ${p} after step ${s + 1}, ${where(c)}`, new Tensor(expected.shape, run.after[s][p]), expected);
        if (hint !== null) hints.push(hint);
      }
      if (hints.length > 0) break;
    }
    return hints;
  }).slice(0, 2);

  report.check('first step', 3, () => compareSteps(true));
  report.check('later steps', 3, () => compareSteps(false));
  report.check('gradients left as they were', 1, () => runs.flatMap((run, k) =>
    (run.gradChanged ? [`${where(cases[k])}: step() changed a parameter's grad; it only reads it (weight decay goes into a local copy)`] : [])).slice(0, 1));
}

export const sgdTask: OptimizerTask = {
  id: 'sgd',
  build: (params, c) => new SGD(params, {
    lr: c.lr as number, momentum: c.momentum as number, dampening: c.dampening as number,
    nesterov: c.nesterov === true, weightDecay: c.weightDecay as number,
  }),
  cases: [
    { name: 'lr 0.1, no momentum', config: { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0 }, shapes: [[2, 3], [3]], steps: 3 },
    { name: 'lr 0.05, momentum 0.9', config: { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 0 }, shapes: [[2, 3], [1, 3]], steps: 4 },
    { name: 'lr 0.1, momentum 0.5, dampening 0.2, weight decay 0.01', config: { lr: 0.1, momentum: 0.5, dampening: 0.2, weightDecay: 0.01 }, shapes: [[4], [2, 2]], steps: 4 },
    { name: 'lr 0.02, Nesterov momentum 0.9', config: { lr: 0.02, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: true }, shapes: [[3, 2]], steps: 3 },
  ],
};

export const adamTask: OptimizerTask = {
  id: 'adam',
  build: (params, c) => new Adam(params, {
    lr: c.lr as number, betas: [c.beta1 as number, c.beta2 as number], eps: c.eps as number, weightDecay: c.weightDecay as number,
  }),
  cases: [
    { name: 'lr 0.01, default betas', config: { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 }, shapes: [[2, 3], [3]], steps: 4 },
    { name: 'lr 0.1, betas (0.8, 0.99), weight decay 0.1', config: { lr: 0.1, beta1: 0.8, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 }, shapes: [[3, 2], [1, 2]], steps: 4 },
    { name: 'lr 0.001, eps 0.1', config: { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 0.1, weightDecay: 0 }, shapes: [[5]], steps: 3 },
  ],
  mistakes(c, after) {
    if (c.config.eps as number > 1e-6 || c.config.weightDecay !== 0) return [];
    const start = caseTensor(c, 'value:0').data;
    const expected = caseTensor(c, 'after:0:0').data.map((v, i) => v - start[i]);
    const got = after[0][0].map((v, i) => v - start[i]);
    return [adamCorrectionMultiplied(got, expected, c.config.beta1 as number, c.config.beta2 as number)];
  },
};
