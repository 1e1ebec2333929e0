/**
 * Losses: how far predictions are from targets, and the gradient that starts the backward pass.
 *
 * Everything here is exported by the entry point `minidl` (lib/index.ts); this file groups
 * one chapter of it for the API reference.
 *
 * @module losses
 */
export { Loss } from './loss';
export type { Reduction, ReductionOptions } from './loss';
export { MSELoss } from './mse';
export { MAELoss } from './mae';
export { BCELoss } from './bce';
export { BCEWithLogitsLoss } from './bce-with-logits';
export { CrossEntropyLoss, logSoftmaxRows } from './cross-entropy';
