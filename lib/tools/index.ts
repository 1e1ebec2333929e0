/**
 * Tools: checking a backward pass against finite differences.
 *
 * Everything here is exported by the entry point `minidl` (lib/index.ts); this file groups
 * one chapter of it for the API reference.
 *
 * @module tools
 */
export { gradcheck } from './gradcheck';
export type { GradcheckOptions, GradcheckReport, GradcheckEntry } from './gradcheck';
