/**
 * Jest runs the TypeScript specs in spec/ through ts-jest, in two projects:
 *
 *   js    every spec, on the TypeScript kernels (setBackend('js'))
 *   wasm  the specs of the numerical core again, on the WebAssembly kernels (setBackend('wasm'))
 *
 * The demos' specs start their own processes, which use the default backend ('wasm').
 */
const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'spec/tsconfig.json' }],
  },
};

/** The specs that run on both backends: tensors, kernels, layers, losses, optimizers, training. */
const CORE = [
  'tensor', 'kernels', 'modules', 'activations-extra', 'convolution', 'pooling', 'normalization', 'losses',
  'optim', 'trainer', 'gradcheck', 'weight-sharing', 'dropout', 'serialization', 'memory-safety', 'containers', 'contract',
  'optim-extra', 'losses-extra',
  'sequence-layers',
  'checkpoint',
  'sequence-losses',
  'attention',
  'recurrent',
  'hooks',
  'torch-fixtures',
];

module.exports = {
  // Two workers on the two cores the course machines have: the specs that start demos in child
  // processes and those that compute leave each other room (three workers were slower); the suite
  // takes about 3 minutes on a clean clone.
  maxWorkers: 2,
  projects: [
    { ...common, displayName: 'js', testMatch: ['**/*.spec.ts'], setupFiles: ['<rootDir>/spec/backends/use-js.ts'] },
    {
      ...common,
      displayName: 'wasm',
      testMatch: CORE.map((name) => `**/spec/${name}.spec.ts`),
      setupFiles: ['<rootDir>/spec/backends/use-wasm.ts'],
    },
  ],
};
