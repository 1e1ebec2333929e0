/**
 * Initialisation: the distributions the first weights are drawn from.
 *
 * Everything here is exported by the entry point `minidl` (lib/index.ts); this file groups
 * one chapter of it for the API reference.
 *
 * @module init
 */
export { initialize, calculateGain, uniformInit, normalInit } from './init';
export type { Init, InitName, InitSpec, Nonlinearity } from './init';
