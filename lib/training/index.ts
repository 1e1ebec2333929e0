/**
 * Training: the `NeuralNet` trainer (mini-batch SGD with weight decay, evaluation, prediction).
 *
 * Everything here is exported by the entry point `minidl` (lib/index.ts); this file groups
 * one chapter of it for the API reference.
 *
 * @module training
 */
export { NeuralNet, labelsFromTargets } from './neural-net';
export type {
  NeuralNetOptions, FitOptions, EpochReport, TrainingHistory, Evaluation, Targets, ValidationSet, StepResult,
} from './neural-net';
