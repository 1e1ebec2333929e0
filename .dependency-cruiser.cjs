/**
 * The import graph of lib/ and demos/, checked by dependency-cruiser: spec/import-graph.spec.ts
 * cruises both folders; on the command line, `npm run deps -- demos` (the script names lib/).
 *
 * Paths in the rules are relative to the directory the cruise runs in (the repository root).
 *
 * Where tensors live, as lib/tensor/ divides it:
 *   lib/tensor/backend/   the kernel interface (interface.ts), the reference kernels
 *                         (reference.ts) and the one switch between backends (select.ts)
 *   lib/tensor/wasm/      the WebAssembly backend: its kernels, its memory, the arena of step
 *                         temporaries, the blocks of long-lived tensors
 *   lib/tensor/memory.ts  which of these a new tensor's numbers come from, and when they are
 *                         released (steps); its public helpers (setMemoryBudget, …) are
 *                         re-exported by lib/tensor/index.ts
 * Everything else in lib/tensor/ (tensor.ts, ops.ts, kernels.ts, loops.ts, temporaries.ts,
 * snapshot.ts, erf.ts) is what the rest of the library computes with.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycle anywhere in lib/ or demos/, type-only imports included, so that every file can be read (and loaded) after the files it imports.',
      from: { path: '^(lib|demos)/' },
      // No `viaOnly`/`via` filter: an edge of any dependency type, type-only included, closes a cycle.
      to: { circular: true },
    },
    {
      name: 'lib-not-to-demos-or-spec',
      severity: 'error',
      comment: 'The library is what gets published, so it never imports the demos or the specs, which use it and are not shipped.',
      from: { path: '^lib/' },
      to: { path: ['^demos/', '^spec/'] },
    },
    {
      name: 'backend-stays-inside-tensor',
      severity: 'error',
      comment: 'Only the tensor module knows which backend computes, how the WebAssembly kernels are loaded and where their memory is; everything else, the entry points included, goes through tensors (the types it needs, such as WindowGeometry and BackendName, are re-exported by lib/tensor/loops.ts and lib/tensor/index.ts).',
      from: { path: '^lib/', pathNot: '^lib/tensor/' },
      to: { path: '^lib/tensor/(backend|wasm)/' },
    },
    {
      name: 'layers-know-no-storage',
      severity: 'error',
      comment: 'Where a tensor\'s numbers live is the tensor module\'s business: layers, losses, optimizers and the rest use the Module, Parameter and Optimizer helpers for state that outlives a step, and only NeuralNet opens steps.',
      from: {
        path: '^lib/',
        pathNot: [
          '^lib/tensor/',
          '^lib/modules/module\\.ts$', // registerBuffer, workspace
          '^lib/modules/parameter\\.ts$', // a parameter's value and gradient
          '^lib/optim/optimizer\\.ts$', // stateTensor
          '^lib/training/neural-net\\.ts$', // runs each training step and evaluation batch as a step
        ],
      },
      to: { path: '^lib/tensor/memory\\.ts$' },
    },
    {
      name: 'demos-through-entry-points',
      severity: 'error',
      comment: 'The demos use minidl as a student\'s program would: only through its entry points, minidl (lib/index.ts) and minidl/node (lib/node.ts). (demos/build-kernels.ts, which compiles lib/tensor/wasm/assembly into lib/tensor/wasm/kernels-wasm-bytes.ts, reads and writes those files by path and imports nothing of lib.)',
      from: { path: '^demos/' },
      to: { path: '^lib/', pathNot: ['^lib/index\\.ts$', '^lib/node\\.ts$'] },
    },
    {
      name: 'wasm-imports-only-the-leaf',
      severity: 'error',
      comment: 'The WebAssembly backend imports only its own files, the backend interface and the errors (and node builtins), so it can be read, tested and replaced on its own.',
      from: { path: '^lib/tensor/wasm/' },
      to: {
        pathNot: ['^lib/tensor/wasm/', '^lib/tensor/backend/interface\\.ts$', '^lib/errors\\.ts$'],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'reference-imports-only-the-leaf',
      severity: 'error',
      comment: 'The reference backend imports only the backend interface and the errors, so it stays a self-contained statement of what each kernel computes.',
      from: { path: '^lib/tensor/backend/reference\\.ts$' },
      to: { pathNot: ['^lib/tensor/backend/interface\\.ts$', '^lib/errors\\.ts$'] },
    },
    {
      name: 'interface-is-a-leaf',
      severity: 'error',
      comment: 'The backend interface imports nothing from lib, so every backend and the tensor module can depend on it without creating a cycle.',
      from: { path: '^lib/tensor/backend/interface\\.ts$' },
      to: { path: '^lib/' },
    },
  ],
  options: {
    // node_modules is not cruised; an import of a package still shows up as an edge to it, so the
    // "imports only" rules would catch one.
    doNotFollow: { path: 'node_modules' },
    // The AssemblyScript sources compile to WebAssembly, not into the TypeScript program.
    exclude: { path: '^lib/tensor/wasm/assembly/' },
    // Read the TypeScript before it is compiled, so that `import type` and `export type … from`
    // (erased by tsc) are edges too: the cycle rule and every other rule see them.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['cjs', 'es6'],
  },
};
