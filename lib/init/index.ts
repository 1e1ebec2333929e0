/**
 * Initialisation: the distributions the first weights are drawn from.
 *
 * Everything here is imported from `minidl` (lib/index.ts exports every chapter); this file
 * lists one chapter of it, as the API reference shows it.
 *
 * @module Initialisation
 */
export { initialize, calculateGain, uniformInit, normalInit } from './init';
export type { Init, InitName, InitSpec, Nonlinearity } from './init';
