/**
 * The catalog of exercises: each task names the regions of lib/ a student writes.
 *
 * A region is delimited in lib/ by two comment lines,
 *
 *   // exercise Linear.backward ▼
 *   …the solution…
 *   // exercise ▲
 *
 * inside a method (the computation only: the input checks before it and the bookkeeping after it,
 * such as `return this.rememberOutput(output)`, stay outside) or around whole helper functions
 * at the bottom of a file that only this region uses (ReLU's loops). One region name may mark
 * several places. `npm run exercises -- --tasks relu` replaces every region of the task by a stub
 * that throws `not implemented yet: ReLU.forward` (demos/exercises/generate.ts).
 */

/** One exercise: a layer, a loss, an optimizer or the training step. */
export interface ExerciseTask {
  /** What `--tasks` takes, e.g. `'linear'`. */
  id: string;
  /** One line for the student's README and the grader's report. */
  title: string;
  /** The region names of the markers in lib/, e.g. `['Linear.forward', 'Linear.backward']`. */
  regions: string[];
  /**
   * Tasks whose regions this task's own code calls, so that a failure there explains a failure
   * here (grade those first). Absent when it calls none.
   */
  dependsOn?: string[];
}

/** Every task, in the order of a course: layers, activations, losses, containers, optimizers, the rest. */
export const TASKS: ExerciseTask[] = [
  { id: 'linear', title: 'Linear layer: Y = X·W + b and its gradients', regions: ['Linear.forward', 'Linear.backward'] },
  { id: 'relu', title: 'ReLU activation', regions: ['ReLU.forward', 'ReLU.backward'] },
  { id: 'tanh', title: 'Tanh activation', regions: ['Tanh.forward', 'Tanh.backward'] },
  { id: 'sigmoid', title: 'Sigmoid activation', regions: ['Sigmoid.forward', 'Sigmoid.backward'] },
  { id: 'leaky-relu', title: 'LeakyReLU activation', regions: ['LeakyReLU.forward', 'LeakyReLU.backward'] },
  { id: 'softmax', title: 'Softmax over the last axis (with the max shift)', regions: ['Softmax.forward', 'Softmax.backward'] },
  { id: 'mse', title: 'Mean squared error loss', regions: ['MSELoss.forward', 'MSELoss.backward'] },
  { id: 'mae', title: 'Mean absolute error (L1) loss', regions: ['MAELoss.forward', 'MAELoss.backward'] },
  { id: 'bce', title: 'Binary cross-entropy loss on probabilities', regions: ['BCELoss.forward', 'BCELoss.backward'] },
  {
    id: 'cross-entropy',
    title: 'Cross-entropy loss from logits (log-softmax, class indices and probabilities)',
    regions: ['logSoftmaxRows', 'CrossEntropyLoss.forward', 'CrossEntropyLoss.backward'],
  },
  { id: 'sequential', title: 'Sequential container: the chain rule through a list of modules', regions: ['Sequential.forward', 'Sequential.backward'] },
  { id: 'sgd', title: 'SGD with momentum, Nesterov and weight decay', regions: ['SGD.step'] },
  { id: 'adam', title: 'Adam with bias correction (and AdamW, Adam with decoupled weight decay)', regions: ['Adam.step', 'AdamW.step'] },
  { id: 'dropout', title: 'Inverted dropout (training and evaluation mode)', regions: ['Dropout.forward', 'Dropout.backward'] },
  { id: 'batch-norm', title: 'Batch normalisation (training and evaluation mode, running statistics)', regions: ['BatchNorm.forward', 'BatchNorm.backward'] },
  { id: 'conv2d', title: '2-D convolution: direct sums for Y and ∂L/∂W, col2im for ∂L/∂X', regions: ['Conv2d.forward', 'Conv2d.backward'] },
  { id: 'max-pool2d', title: '2-D max pooling', regions: ['MaxPool2d.forward', 'MaxPool2d.backward'] },
  {
    id: 'training-step',
    title: 'The training step of NeuralNet: zeroGrad, forward, loss, backward, optimizer step',
    regions: ['NeuralNet.stepOn'],
  },
];

/** The task of this id, or undefined. */
export function taskById(id: string): ExerciseTask | undefined {
  return TASKS.find((t) => t.id === id);
}

/** Every task id, in catalog order. */
export const TASK_IDS: string[] = TASKS.map((t) => t.id);
