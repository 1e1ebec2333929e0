/**
 * Saving and loading models as JSON (writing and reading files is `saveModel` / `loadModel` in
 * `minidl/node`), and registering a module class of your own so that it can be saved and loaded.
 *
 * Everything here is imported from `minidl` (lib/index.ts exports every chapter); this file
 * lists one chapter of it, as the API reference shows it.
 *
 * @module Saving and loading
 */
export { modelToJSON, modelFromJSON, loadStateInto, checkSavedModel, MODEL_FORMAT, MODEL_FORMAT_VERSION } from './model-json';
export type { SavedModel, SavedModule, SavedTensor } from './model-json';
export { registerModule, registeredModules } from './module-registry';
export type { SaveableModuleClass } from './module-registry';
