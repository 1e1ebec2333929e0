import { Module, Rng, Tensor, gradcheck } from '../minidl';
import { CaseConfig, CaseRecord, REFERENCE_FORMAT, ReferenceFile, caseTensor, hasTensor, storeTensor } from '../reference-data';
import { closeValues, sameBits, tensorDifference } from '../compare';
import { gradientsOverwritten } from '../mistakes';
import { TaskReport, errorMessage, stubInError } from '../task-report';

/**
 * The checks every layer and activation gets, on fixed seeded cases:
 *
 *   forward values              output against the reference, every case
 *   gradient of the input       backward(gradOut) against the reference
 *   parameter gradients         each parameter's grad after one backward (from zero grads)
 *   running statistics          buffers after the forward (BatchNorm), when the module has any
 *   gradcheck                   the library's gradcheck of the input and every parameter
 *   backward accumulates        a second backward doubles the parameter gradients
 *   inputs not modified         forward's input and backward's gradOut are left as they were
 *   shapes                      output [as the reference], gradient of the input [input's shape]
 *
 * The parameters (and buffers) of each case are stored in the reference, so the student's
 * initialisation plays no part.
 */

/** One fixed case of a module task. */
export interface ModuleCaseSpec {
  /** Readable, used in hints: `N=1, 3→4`. */
  name: string;
  /** The module's settings, given to `build`; `training: false` for evaluation mode. */
  config: CaseConfig;
  inputShape: number[];
  /** The input is shift + scale·N(0, 1) (default 0 and 1), entries nearer 0 than `gap` pushed out to ±gap. */
  inputScale?: number;
  inputShift?: number;
  gap?: number;
  /** Run gradcheck on this case (small cases only: it runs 2 forwards per number). */
  gradcheck?: boolean;
  /** Draw the running statistics at random (evaluation-mode BatchNorm), else keep the module's own. */
  drawBuffers?: boolean;
}

/** What one module task gives the generic checks. */
export interface ModuleTask {
  id: string;
  /** Makes the module for a case's config (parameters are then loaded from the reference). */
  build(config: CaseConfig): Module;
  cases: ModuleCaseSpec[];
  /** Hints of classic mistakes recognised in one case's results (null: none). */
  mistakes?(c: CaseRecord, run: ModuleRun): (string | null)[];
  /** Checks of this task only, run after the generic ones (on the same reference cases, or on inputs of their own). */
  extraChecks?(ref: ReferenceFile, report: TaskReport): void;
}

/** What running one case gave: each phase's result or its error. */
export interface ModuleRun {
  module: Module | null;
  output: unknown;
  forwardError: unknown;
  gradInput: unknown;
  backwardError: unknown;
  /** Each parameter's grad after the backward (copies). */
  paramGrads: Tensor[];
  /** Each buffer after the forward (copies). */
  buffers: Tensor[];
  inputChanged: boolean;
  gradOutChanged: boolean;
}

/** True when `config.training` is not false. */
export function isTraining(config: CaseConfig): boolean {
  return config.training !== false;
}

/** The module of a case, with the case's parameters and buffers loaded and its mode set. */
export function moduleOfCase(task: ModuleTask, c: CaseRecord): Module {
  const module = task.build(c.config);
  module.params().forEach((p, i) => {
    const stored = caseTensor(c, `param:${i}`);
    if (stored.size !== p.value.size) throw new Error(`parameter ${i} (${p}) has ${p.value.size} numbers, expected ${stored.size}`);
    p.value.data.set(stored.data);
    p.grad.data.fill(0);
  });
  module.buffers().forEach((b, i) => {
    if (hasTensor(c, `buffer:${i}`)) b.value.data.set(caseTensor(c, `buffer:${i}`).data);
  });
  module.train(isTraining(c.config));
  return module;
}

/** Runs one case: forward on the stored input, backward of the stored gradOut; errors are kept, not thrown. */
export function runModuleCase(task: ModuleTask, c: CaseRecord): ModuleRun {
  const run: ModuleRun = {
    module: null, output: undefined, forwardError: null, gradInput: undefined, backwardError: null,
    paramGrads: [], buffers: [], inputChanged: false, gradOutChanged: false,
  };
  const input = caseTensor(c, 'input');
  const gradOut = caseTensor(c, 'gradOut');
  try {
    run.module = moduleOfCase(task, c);
    run.output = run.module.forward(input);
    run.buffers = run.module.buffers().map((b) => b.value.clone());
  } catch (err) {
    run.forwardError = err ?? new Error('forward threw');
    return run;
  }
  try {
    run.gradInput = run.module.backward(gradOut);
    run.paramGrads = run.module.params().map((p) => p.grad.clone());
  } catch (err) {
    run.backwardError = err ?? new Error('backward threw');
  }
  run.inputChanged = !sameBits(input.data, caseTensor(c, 'input').data);
  run.gradOutChanged = !sameBits(gradOut.data, caseTensor(c, 'gradOut').data);
  return run;
}

/** Draws the inputs of a case from its seed (`<task>/<case>`), runs the library, and stores everything. */
export function recordModuleCase(task: ModuleTask, spec: ModuleCaseSpec): CaseRecord {
  const rng = new Rng(`${task.id}/${spec.name}`);
  const c: CaseRecord = { name: spec.name, config: spec.config, tensors: {} };
  const input = new Tensor(spec.inputShape);
  const scale = spec.inputScale ?? 1, shift = spec.inputShift ?? 0, gap = spec.gap ?? 0;
  for (let i = 0; i < input.size; i++) {
    let v = rng.normal() * scale;
    if (Math.abs(v) < gap) v = v < 0 ? -gap : gap;
    input.data[i] = shift + v;
  }
  c.tensors.input = storeTensor(input);
  const module = task.build(spec.config);
  module.params().forEach((p, i) => {
    const values = new Tensor(p.shape);
    rng.fillNormal(values.data, 0, 0.5);
    c.tensors[`param:${i}`] = storeTensor(values);
  });
  if (spec.drawBuffers) {
    module.buffers().forEach((b, i) => {
      const values = new Tensor(b.value.shape);
      if (/var/i.test(b.name)) rng.fillUniform(values.data, 0.5, 1.5);
      else rng.fillNormal(values.data, 0, 0.5);
      c.tensors[`buffer:${i}`] = storeTensor(values);
    });
  }
  // gradOut has the output's shape: one forward in evaluation mode on a throwaway copy tells it
  const probe = moduleOfCase(task, c);
  probe.eval();
  const outputShape = probe.forward(input.clone()).shape;
  const gradOut = new Tensor(outputShape);
  rng.fillNormal(gradOut.data);
  c.tensors.gradOut = storeTensor(gradOut);

  const run = runModuleCase(task, c);
  if (run.forwardError || run.backwardError) throw run.forwardError || run.backwardError;
  c.tensors.output = storeTensor(run.output as Tensor);
  c.tensors.gradInput = storeTensor(run.gradInput as Tensor);
  run.paramGrads.forEach((g, i) => { c.tensors[`grad:${i}`] = storeTensor(g); });
  run.buffers.forEach((b, i) => { c.tensors[`bufferAfter:${i}`] = storeTensor(b); });
  return c;
}

/** The reference file of a module task. */
export function recordModuleTask(task: ModuleTask): ReferenceFile {
  return { task: task.id, format: REFERENCE_FORMAT, cases: task.cases.map((spec) => recordModuleCase(task, spec)) };
}

/** Re-throws the first stub reached by any run (forward errors first), so the task ends with its message. */
function throwFirstStub(runs: ModuleRun[]): void {
  for (const phase of ['forwardError', 'backwardError'] as const) {
    for (const run of runs) {
      const stub = stubInError(run[phase]);
      if (stub) throw stub;
    }
  }
}

/** The generic checks of a module task (see the file comment), then the task's own. */
export function gradeModuleTask(task: ModuleTask, ref: ReferenceFile, report: TaskReport): void {
  const cases = ref.cases;
  const runs = cases.map((c) => runModuleCase(task, c));
  throwFirstStub(runs);
  const where = (c: CaseRecord): string => `case '${c.name}'`;
  runs.forEach((run, k) => {
    for (const [phase, err] of [['forward', run.forwardError], ['backward', run.backwardError]] as const) {
      if (err !== null) report.errors.push(`${where(cases[k])}: ${phase} threw: ${errorMessage(err)}`);
    }
  });

  for (const [k, run] of runs.entries()) {
    if (run.forwardError === null && run.backwardError === null && task.mistakes) {
      for (const hint of task.mistakes(cases[k], run)) report.mistake(hint);
    }
  }

  report.check('forward values', 3, () => runs.flatMap((run, k) => {
    if (run.forwardError !== null) return [`${where(cases[k])}: forward threw: ${errorMessage(run.forwardError)}`];
    return nonNull(tensorDifference(`forward output, ${where(cases[k])}`, run.output, caseTensor(cases[k], 'output')));
  }).slice(0, 2));

  report.check('gradient of the input', 3, () => runs.flatMap((run, k) => {
    if (run.forwardError !== null) return [`${where(cases[k])}: forward failed`];
    if (run.backwardError !== null) return [`${where(cases[k])}: backward threw: ${errorMessage(run.backwardError)}`];
    return nonNull(tensorDifference(`gradient of the input, ${where(cases[k])}`, run.gradInput, caseTensor(cases[k], 'gradInput')));
  }).slice(0, 2));

  const withParams = cases.some((c) => hasTensor(c, 'grad:0'));
  if (withParams) {
    report.check('parameter gradients', 3, () => runs.flatMap((run, k) => {
      const c = cases[k];
      if (run.forwardError !== null || run.backwardError !== null) return [`${where(c)}: forward or backward failed`];
      const hints: string[] = [];
      for (let i = 0; hasTensor(c, `grad:${i}`); i++) {
        const name = run.module?.params()[i]?.name ?? `params[${i}]`;
        hints.push(...nonNull(tensorDifference(`gradient of ${name}, ${where(c)}`, run.paramGrads[i], caseTensor(c, `grad:${i}`))));
      }
      return hints;
    }).slice(0, 3));
  }

  if (cases.some((c) => hasTensor(c, 'bufferAfter:0'))) {
    report.check('running statistics', 2, () => runs.flatMap((run, k) => {
      const c = cases[k];
      if (run.forwardError !== null) return [`${where(c)}: forward failed`];
      const hints: string[] = [];
      for (let i = 0; hasTensor(c, `bufferAfter:${i}`); i++) {
        const name = run.module?.buffers()[i]?.name ?? `buffer ${i}`;
        hints.push(...nonNull(tensorDifference(`${name} after the forward, ${where(c)}`, run.buffers[i], caseTensor(c, `bufferAfter:${i}`))));
      }
      return hints;
    }).slice(0, 2));
  }

  report.check('gradcheck (input and every parameter)', 2, () => cases.flatMap((c) => {
    if (c.config.gradcheck !== true) return [];
    const module = moduleOfCase(task, c);
    const result = gradcheck(module, caseTensor(c, 'input'), { seed: 1 });
    return result.entries.filter((e) => !e.ok).map((e) =>
      `gradcheck, ${where(c)}: ${e.name} disagrees with finite differences (max relative error ${e.maxRelError.toExponential(1)}; at flat index ${e.worstIndex}: backward gives ${e.analyticAtWorst}, finite differences ${e.numericAtWorst})`);
  }).slice(0, 2));

  if (withParams) {
    report.check('backward accumulates (+=)', 1, () => {
      const c = cases.find((x) => hasTensor(x, 'grad:0')) as CaseRecord;
      const module = moduleOfCase(task, c);
      module.forward(caseTensor(c, 'input'));
      module.backward(caseTensor(c, 'gradOut'));
      const once = module.params().map((p) => p.grad.data.slice());
      module.backward(caseTensor(c, 'gradOut'));
      const twice = module.params().map((p) => p.grad.data.slice());
      const overwritten = gradientsOverwritten(once, twice);
      report.mistake(overwritten);
      const doubled = once.every((g, i) => closeValues(twice[i], g.map((v) => 2 * v)));
      return doubled ? null : overwritten ?? `${where(c)}: a second backward with the same gradOut must double every parameter gradient; it did not`;
    });
  }

  report.check('inputs not modified', 1, () => runs.flatMap((run, k) => [
    ...(run.inputChanged ? [`${where(cases[k])}: forward (or backward) changed its input in place; compute into a new Tensor`] : []),
    ...(run.gradOutChanged ? [`${where(cases[k])}: backward changed gradOut in place; compute into a new Tensor`] : []),
  ]).slice(0, 2));

  report.check('shapes', 1, () => runs.flatMap((run, k) => {
    const c = cases[k];
    const hints: string[] = [];
    const expected = c.tensors.output.shape;
    if (run.output instanceof Tensor && run.output.shape.join() !== expected.join()) hints.push(`${where(c)}: output has shape [${run.output.shape}], expected [${expected}]`);
    const inputShape = c.tensors.input.shape;
    if (run.gradInput instanceof Tensor && run.gradInput.shape.join() !== inputShape.join()) hints.push(`${where(c)}: backward returned shape [${run.gradInput.shape}], expected the input's shape [${inputShape}]`);
    for (const p of run.module?.params() ?? []) {
      if (p.grad.shape.join() !== p.value.shape.join()) hints.push(`${where(c)}: ${p.name}.grad has shape [${p.grad.shape}], expected [${p.value.shape}]`);
    }
    return hints;
  }).slice(0, 2));

  if (task.extraChecks) task.extraChecks(ref, report);
}

function nonNull(hint: string | null): string[] {
  return hint === null ? [] : [hint];
}
