/**
 * Optimizers: how parameters move along their gradients.
 *
 * Everything here is exported by the entry point `minidl` (lib/index.ts); this file groups
 * one chapter of it for the API reference.
 *
 * @module optim
 */
export { Optimizer } from './optimizer';
export type { ParamState } from './optimizer';
export { SGD } from './sgd';
export type { SGDOptions } from './sgd';
export { Adam } from './adam';
export type { AdamOptions } from './adam';
