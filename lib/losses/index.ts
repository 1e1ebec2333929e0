/**
 * Losses: how far predictions are from targets, and the gradient that starts the backward pass.
 *
 * Everything here is imported from `minidl` (lib/index.ts exports every chapter); this file
 * lists one chapter of it, as the API reference shows it.
 *
 * @module Losses
 */
export { Loss } from './loss';
export type { Reduction, ReductionOptions } from './loss';
export { MSELoss } from './mse';
export { MAELoss } from './mae';
export { BCELoss } from './bce';
export { BCEWithLogitsLoss } from './bce-with-logits';
export { CrossEntropyLoss, logSoftmaxRows } from './cross-entropy';
export type { CrossEntropyLossOptions } from './cross-entropy';
export { NLLLoss } from './nll';
export type { NLLLossOptions } from './nll';
export { L1Loss } from './l1';
export { HuberLoss } from './huber';
export type { HuberLossOptions } from './huber';
export { SmoothL1Loss } from './smooth-l1';
export type { SmoothL1LossOptions } from './smooth-l1';
export { KLDivLoss } from './kl-div';
export type { KLDivLossOptions } from './kl-div';
