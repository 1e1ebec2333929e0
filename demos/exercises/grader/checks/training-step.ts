import {
  Linear, Loss, MSELoss, Module, NeuralNet, Optimizer, Parameter, ReLU, Rng, SGD, Sequential, Tensor,
  generateDisk, oneHot, standardize,
} from '../minidl';
import { TaskReport } from '../task-report';

/**
 * NeuralNet's training step: zeroGrad → forward → loss → backward → optimizer step.
 *
 * First with spies (a module, a loss and an optimizer of the grader's that only write down
 * what is called, with which tensors), so that the step is checked alone; then by training the
 * course network, 2-25-25-25-2 with ReLU, MSE on one-hot targets and SGD with momentum, on the
 * disk data (3000 training and 1000 test points, standardized): with the student's Linear,
 * ReLU, MSELoss, SGD, Sequential and step, it must end under 5 % test error.
 */

/** The course run's settings (the solution: 1.9 % test error in about a second on the 'js' backend). */
export const COURSE_RUN = { seed: 'grader-disk', trainSize: 3000, testSize: 1000, epochs: 40, batchSize: 50, lr: 0.05, momentum: 0.9, maxTestError: 0.05 } as const;

/** What the spies write down: the name of each call, and the tensors it received. */
interface Call {
  what: string;
  tensors: unknown[];
}

class SpyModule extends Module {
  readonly weight = new Parameter(Tensor.from([[0.5, -0.5]]), 'weight');
  constructor(private readonly calls: Call[]) {
    super();
  }
  forward(input: Tensor): Tensor {
    const output = input.clone();
    this.calls.push({ what: 'model.forward', tensors: [input, output] });
    return this.rememberOutput(output);
  }
  backward(gradOut: Tensor): Tensor {
    this.calls.push({ what: 'model.backward', tensors: [gradOut] });
    return gradOut.clone();
  }
  override zeroGrad(): void {
    this.calls.push({ what: 'zeroGrad', tensors: [] });
    super.zeroGrad();
  }
  override params(): Parameter[] {
    return [this.weight];
  }
  toString(): string {
    return 'SpyModule';
  }
}

class SpyLoss extends Loss {
  readonly reduction = 'mean' as const;
  readonly gradient = Tensor.from([[0.125, -0.25], [0.5, 1]]);
  constructor(private readonly calls: Call[]) {
    super();
  }
  forward(pred: Tensor, target: Tensor): number {
    this.calls.push({ what: 'loss.forward', tensors: [pred, target] });
    return 0.75;
  }
  backward(): Tensor {
    this.calls.push({ what: 'loss.backward', tensors: [this.gradient] });
    return this.gradient;
  }
  toString(): string {
    return 'SpyLoss';
  }
}

class SpyOptimizer extends Optimizer {
  constructor(params: Parameter[], private readonly calls: Call[]) {
    super('SpyOptimizer', params, 0.1);
  }
  step(): void {
    this.calls.push({ what: 'optimizer.step', tensors: [] });
  }
  override zeroGrad(): void {
    this.calls.push({ what: 'zeroGrad', tensors: [] });
    super.zeroGrad();
  }
  toString(): string {
    return 'SpyOptimizer';
  }
}

/** The order and the arguments of one step with spies; hints for what is wrong. */
function checkStepWithSpies(): string[] {
  const calls: Call[] = [];
  const model = new SpyModule(calls);
  const loss = new SpyLoss(calls);
  const net = new NeuralNet(model, { loss, optimizer: new SpyOptimizer(model.params(), calls) });
  const x = Tensor.from([[1, 2], [3, 4]]);
  const y = Tensor.from([[0, 1], [1, 0]]);
  const result = net.step(x, y);
  const order = calls.map((c) => c.what);
  const expected = ['zeroGrad', 'model.forward', 'loss.forward', 'loss.backward', 'model.backward', 'optimizer.step'];
  const hints: string[] = [];
  const seen = order.filter((w, i) => w !== 'zeroGrad' || order.indexOf('zeroGrad') === i);
  if (seen.join() !== expected.join()) {
    hints.push(`a step made the calls ${order.join(' → ') || '(none)'}; expected ${expected.join(' → ')} (zeroGrad of the optimizer or the model first, so that the gradients of the previous batch are not added in)`);
    return hints;
  }
  const forward = calls.find((c) => c.what === 'model.forward') as Call;
  const lossForward = calls.find((c) => c.what === 'loss.forward') as Call;
  const backward = calls.find((c) => c.what === 'model.backward') as Call;
  if (forward.tensors[0] !== x) hints.push('model.forward must receive the batch xBatch');
  if (lossForward.tensors[0] !== forward.tensors[1]) hints.push("loss.forward must receive the model's output");
  if (lossForward.tensors[1] !== y) hints.push('loss.forward must receive the targets yBatch');
  if (backward.tensors[0] !== loss.gradient) hints.push('model.backward must receive what loss.backward() returned');
  if (result === undefined || result === null || result.loss !== 0.75) hints.push(`step must return the loss, 0.75 here; it returned ${result === undefined || result === null ? result : result.loss}`);
  else if (!(result.output instanceof Tensor) || result.output.data.some((v, i) => v !== x.data[i])) hints.push("step must return the model's output on the batch");
  return hints;
}

/** Trains the course network with the student's parts; returns the test error and the seconds it took. */
export function trainCourseNetwork(): { testError: number; seconds: number } {
  const start = Date.now();
  const rng = new Rng(COURSE_RUN.seed);
  const trainSet = generateDisk(COURSE_RUN.trainSize, rng);
  const testSet = generateDisk(COURSE_RUN.testSize, rng);
  const { train, test } = standardize(trainSet.inputs, testSet.inputs);
  const layers: Module[] = [];
  let width = 2;
  for (let i = 0; i < 3; i++) {
    layers.push(new Linear(width, 25, { rng }), new ReLU());
    width = 25;
  }
  layers.push(new Linear(width, 2, { rng }));
  const model = new Sequential(...layers);
  const net = new NeuralNet(model, {
    loss: new MSELoss(), optimizer: new SGD(model.params(), { lr: COURSE_RUN.lr, momentum: COURSE_RUN.momentum }), rng,
  });
  net.fit(train, oneHot(trainSet.labels, 2), { epochs: COURSE_RUN.epochs, batchSize: COURSE_RUN.batchSize, labels: trainSet.labels });
  const { errorRate } = net.evaluate(test, oneHot(testSet.labels, 2), { labels: testSet.labels });
  return { testError: errorRate, seconds: (Date.now() - start) / 1000 };
}

export function gradeTrainingStep(report: TaskReport): void {
  report.check('the steps of a training step, in order', 4, checkStepWithSpies);
  report.check('training the course network on the disk', 6, () => {
    const { testError, seconds } = trainCourseNetwork();
    if (testError < COURSE_RUN.maxTestError) return null;
    return `the course network (2-25-25-25-2, ReLU, MSE, SGD lr ${COURSE_RUN.lr} momentum ${COURSE_RUN.momentum}, ${COURSE_RUN.epochs} epochs of batches of ${COURSE_RUN.batchSize}) ended at ${(100 * testError).toFixed(1)} % test error after ${seconds.toFixed(1)} s; it must be under ${100 * COURSE_RUN.maxTestError} % (check the step, then Linear, ReLU, MSELoss, SGD and Sequential with their own tasks)`;
  });
}
