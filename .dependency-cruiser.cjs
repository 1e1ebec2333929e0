/**
 * The import graph of lib/, checked by dependency-cruiser (`npm run deps`, and spec/import-graph.spec.ts).
 *
 * Paths in the rules are relative to the directory the cruise runs in (the repository root).
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycle anywhere in lib/, type-only imports included, so that every file can be read (and loaded) after the files it imports.',
      from: { path: '^lib/' },
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
      comment: 'Only the tensor module (and the package index) knows which backend computes and how the WebAssembly kernels are loaded; everything else goes through tensors.',
      from: { path: '^lib/', pathNot: ['^lib/tensor/', '^lib/index\\.ts$'] },
      to: { path: '^lib/tensor/(backend|wasm)/' },
    },
    {
      name: 'layers-know-no-storage',
      severity: 'error',
      comment: 'Where tensors live is the tensor module\'s business: layers, losses and optimizers use the Module, Parameter and Optimizer helpers instead of tensor memory.',
      from: {
        path: '^lib/(modules|losses|optim)/',
        pathNot: ['^lib/modules/module\\.ts$', '^lib/modules/parameter\\.ts$', '^lib/optim/optimizer\\.ts$'],
      },
      to: { path: '^lib/tensor/memory\\.ts$' },
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
    // Read the TypeScript before it is compiled, so that `import type` (erased by tsc) counts too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['cjs', 'es6'],
  },
};
