/**
 * Every task the grader knows, in the catalog's order: its id and the title its score is shown
 * under (results.json names each test `<id>: <title>`).
 *
 * This file imports nothing, the student's library least of all: the grader reads it before it
 * loads lib/, so that it can still check the --tasks flag and give each task its 0 when lib/ does
 * not load. The checks of each task (checks/index.ts) take their titles from here.
 */
export interface GradedTask {
  /** The task's id, as in tasks.json and --tasks, e.g. `linear`. */
  id: string;
  /** What the task is, in a few words. */
  title: string;
}

export const TASK_LIST: GradedTask[] = [
  { id: 'linear', title: 'Linear layer: Y = X·W + b and its gradients' },
  { id: 'relu', title: 'ReLU activation' },
  { id: 'tanh', title: 'Tanh activation' },
  { id: 'sigmoid', title: 'Sigmoid activation' },
  { id: 'leaky-relu', title: 'LeakyReLU activation' },
  { id: 'softmax', title: 'Softmax over the last axis (with the max shift)' },
  { id: 'mse', title: 'Mean squared error loss' },
  { id: 'mae', title: 'Mean absolute error (L1) loss' },
  { id: 'bce', title: 'Binary cross-entropy loss on probabilities' },
  { id: 'cross-entropy', title: 'Cross-entropy loss from logits (log-softmax, class indices and probabilities)' },
  { id: 'sequential', title: 'Sequential container: the chain rule through a list of modules' },
  { id: 'sgd', title: 'SGD with momentum, Nesterov and weight decay' },
  { id: 'adam', title: 'Adam with bias correction' },
  { id: 'dropout', title: 'Inverted dropout (training and evaluation mode)' },
  { id: 'batch-norm', title: 'Batch normalisation (training and evaluation mode, running statistics)' },
  { id: 'conv2d', title: '2-D convolution: direct sums for Y and ∂L/∂W, col2im for ∂L/∂X' },
  { id: 'max-pool2d', title: '2-D max pooling' },
  { id: 'training-step', title: 'The training step of NeuralNet: zeroGrad, forward, loss, backward, optimizer step' },
];

/** The title of task `id`; throws for an id this list does not hold. */
export function taskTitle(id: string): string {
  const task = TASK_LIST.find((t) => t.id === id);
  if (task === undefined) throw new Error(`taskTitle: no task ${id}; the tasks are ${TASK_LIST.map((t) => t.id).join(', ')}`);
  return task.title;
}
