/**
 * Tools: checking a backward pass against finite differences, watching a model train (its
 * activations, gradients and updates per layer, through hooks), and the helpers minidl's own
 * classes use to check their arguments, for code of your own written on top of minidl (a layer,
 * a loss, a training script): the options reader with its value checks, the number checks, and
 * how messages write a value or a shape.
 *
 * Everything here is imported from `minidl` (lib/index.ts exports every chapter); this file
 * lists one chapter of it, as the API reference shows it.
 *
 * @module Tools
 */
export { gradcheck } from './gradcheck';
export type { GradcheckOptions, GradcheckReport, GradcheckEntry } from './gradcheck';
export { clipGradNorm, clipGradValue } from './clip-grad';
export type { ClipGradNormOptions } from './clip-grad';
export { TrainingMonitor } from './monitor';
export type { MonitorHistory, MonitorEpoch, LayerStats, ParamStats } from './monitor';

// Reading an options object, as every constructor of minidl does
export {
  readOptions, aNumber, anInteger, aBoolean, aFunction, aString, oneOf, instanceOf, either, orNull, satisfying,
} from '../options';
export type { OptionCheck, OptionSpec, ReadOptionsHelp } from '../options';

// Checking numbers and writing messages, as minidl's errors do
export { checkInteger, checkPositive, checkInRange, checkFinite, describeValue, formatShape } from '../errors';
