/**
 * Training: the `NeuralNet` trainer (mini-batch SGD with weight decay, evaluation, prediction).
 *
 * Everything here is imported from `minidl` (lib/index.ts exports every chapter); this file
 * lists one chapter of it, as the API reference shows it.
 *
 * @module Training
 */
export { NeuralNet, labelsFromTargets } from './neural-net';
export type {
  NeuralNetOptions, FitOptions, EpochReport, BatchReport, EarlyStoppingOptions, CheckpointOptions, TrainingState, TrainingHistory, Evaluation,
  Targets, ValidationSet, StepResult,
} from './neural-net';
