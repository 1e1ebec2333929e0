/**
 * Optimizers: how parameters move along their gradients.
 *
 * Everything here is imported from `minidl` (lib/index.ts exports every chapter); this file
 * lists one chapter of it, as the API reference shows it.
 *
 * @module Optimizers
 */
export { Optimizer } from './optimizer';
export type { ParamState } from './optimizer';
export type { OptimizerState, ParamGroupState, SavedStateValue, SavedStateTensor, SavedHyperParameter, SavedNumber, HyperParameter, HyperParameters, StateKinds } from './optimizer-state';
export { SGD } from './sgd';
export type { SGDOptions } from './sgd';
export { Adam } from './adam';
export type { AdamOptions } from './adam';
export { AdamW } from './adamw';
export type { AdamWOptions } from './adamw';
export { RMSprop } from './rmsprop';
export type { RMSpropOptions } from './rmsprop';
export { Adagrad } from './adagrad';
export type { AdagradOptions } from './adagrad';
export { LRScheduler } from './schedulers/lr-scheduler';
export type { SchedulerState, SchedulerStateValue } from './schedulers/lr-scheduler';
export { StepLR } from './schedulers/step-lr';
export type { StepLROptions } from './schedulers/step-lr';
export { MultiStepLR } from './schedulers/multi-step-lr';
export type { MultiStepLROptions } from './schedulers/multi-step-lr';
export { ExponentialLR } from './schedulers/exponential-lr';
export type { ExponentialLROptions } from './schedulers/exponential-lr';
export { CosineAnnealingLR } from './schedulers/cosine-annealing-lr';
export type { CosineAnnealingLROptions } from './schedulers/cosine-annealing-lr';
export { LinearLR } from './schedulers/linear-lr';
export type { LinearLROptions } from './schedulers/linear-lr';
export { OneCycleLR } from './schedulers/one-cycle-lr';
export type { OneCycleLROptions } from './schedulers/one-cycle-lr';
export { ReduceLROnPlateau } from './schedulers/reduce-lr-on-plateau';
export type { ReduceLROnPlateauOptions } from './schedulers/reduce-lr-on-plateau';
