import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseFlags, runMain } from './common/cli';

/**
 * Compiles the WebAssembly kernels (lib/tensor/wasm/assembly/*.ts, AssemblyScript) and writes
 * their bytes into lib/tensor/wasm/kernels-wasm-bytes.ts, a generated TypeScript file that is
 * committed, so that using the library needs neither the compiler nor a .wasm file on disk.
 *
 *   npm run build:kernels              rebuild and rewrite the file
 *   npm run build:kernels -- --check   rebuild and fail if the committed file differs
 */

const ROOT = path.join(__dirname, '..');
/** The AssemblyScript entry file, relative to the repository root. */
export const KERNELS_ENTRY = 'lib/tensor/wasm/assembly/index.ts';
/** The generated file, relative to the repository root. */
export const KERNELS_BYTES_FILE = 'lib/tensor/wasm/kernels-wasm-bytes.ts';
/**
 * The compiler flags: 128-bit SIMD, full optimisation, no run-time assertions, the smallest
 * runtime (the kernels never allocate), and no `abort` import (nothing can call it).
 */
export const ASC_FLAGS = ['--enable', 'simd', '-O3', '--noAssert', '--runtime', 'stub', '--use', 'abort=', '--noColors'];

/**
 * The two builds of the same sources.
 *
 *   shared  the memory is a shared WebAssembly memory (up to 65536 pages = 4 GiB): growing it
 *           never empties a Float64Array made on it before, so tensors can keep their values
 *           in it (Node.js; browsers on cross-origin-isolated pages). The module imports its
 *           memory (`env.memory`, made by the loader) so that a second instance, in a worker,
 *           can run on the same memory (lib/tensor/wasm/wasm-threads.ts); it has no globals and
 *           no start function, and its one data segment (the constants of `exp`) is rewritten
 *           with the same bytes by the second instantiation
 *   plain   an ordinary memory, for engines that refuse shared memory (the operands are then
 *           copied in and out at each call)
 */
export const KERNEL_BUILDS = {
  shared: ['--enable', 'threads', '--sharedMemory', '--maximumMemory', '65536', '--importMemory'],
  plain: [] as string[],
};

/** The name of a build. */
export type KernelBuild = keyof typeof KERNEL_BUILDS;

/** The version of the AssemblyScript compiler in node_modules. */
export function ascVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'assemblyscript', 'package.json'), 'utf8')).version;
}

/** Runs asc on the kernels and returns the .wasm bytes of one build (compiled in a temporary directory). */
export function compileKernels(build: KernelBuild): Uint8Array {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-kernels-'));
  try {
    const out = path.join(dir, 'kernels.wasm');
    const asc = path.join(ROOT, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
    const run = spawnSync(process.execPath, [asc, KERNELS_ENTRY, ...ASC_FLAGS, ...KERNEL_BUILDS[build], '--outFile', out], { cwd: ROOT, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`asc failed (status ${run.status}):\n${run.stdout}${run.stderr}`);
    return new Uint8Array(fs.readFileSync(out));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The sha256 (hex) of everything the bytes are compiled from: the compiler's version, the flags
 * of both builds, and every file of lib/tensor/wasm/assembly (its name and its text, line ends
 * as \n). The generated file records it, so spec/wasm-bytes.spec.ts finds a source changed
 * without `npm run build:kernels` in a fraction of a second, without compiling. `dir`: the
 * folder of the sources (default lib/tensor/wasm/assembly).
 */
export function kernelSourcesSha256(dir = path.join(ROOT, path.dirname(KERNELS_ENTRY))): string {
  const hash = createHash('sha256');
  hash.update(`asc ${ascVersion()}\n${JSON.stringify({ ASC_FLAGS, KERNEL_BUILDS })}\n`);
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
    hash.update(`${name}\n${fs.readFileSync(path.join(dir, name), 'utf8').replace(/\r\n/g, '\n')}\n`);
  }
  return hash.digest('hex');
}

/** The line of the generated file that records kernelSourcesSha256(). */
export const SOURCES_LINE = /^\/\/ sources sha256 ([0-9a-f]{64})$/m;

/** The text of the generated TypeScript file holding the bytes of both builds. */
export function renderBytesModule(builds: Record<KernelBuild, Uint8Array>, sourcesSha256 = kernelSourcesSha256()): string {
  const constant = (name: string, build: KernelBuild, doc: string): string[] => {
    const bytes = builds[build];
    const base64 = Buffer.from(bytes).toString('base64');
    const lines: string[] = [];
    for (let i = 0; i < base64.length; i += 100) lines.push(`  '${base64.slice(i, i + 100)}',`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return [
      `// ${build}: asc ${KERNELS_ENTRY} ${[...ASC_FLAGS, ...KERNEL_BUILDS[build]].join(' ')}`,
      `// ${bytes.length} bytes, sha256 ${sha256}`,
      `/** ${doc} */`,
      `export const ${name} = [`,
      ...lines,
      "].join('');",
      '',
    ];
  };
  return [
    '// GENERATED FILE: do not edit. Rebuild with `npm run build:kernels` after changing',
    '// lib/tensor/wasm/assembly/*.ts (demos/build-kernels.ts runs the AssemblyScript compiler);',
    '// spec/wasm-bytes.spec.ts fails when this file and the sources disagree.',
    `// asc ${ascVersion()}`,
    `// sources sha256 ${sourcesSha256}`,
    '',
    ...constant('KERNELS_SHARED_WASM_BASE64', 'shared', 'The compiled WebAssembly kernels (lib/tensor/wasm/assembly) with a shared memory, base64-encoded.'),
    ...constant('KERNELS_WASM_BASE64', 'plain', 'The compiled WebAssembly kernels (lib/tensor/wasm/assembly) with an ordinary memory, base64-encoded.'),
  ].join('\n');
}

/** Compiles both builds. */
export function compileAllKernels(): Record<KernelBuild, Uint8Array> {
  return { shared: compileKernels('shared'), plain: compileKernels('plain') };
}

function main(): void {
  const flags = parseFlags(process.argv.slice(2), 'Usage: npm run build:kernels [-- --check]', {
    check: { type: 'boolean', help: 'do not write: exit with status 1 if the committed file is out of date' },
  });
  if (flags === null) return;
  const text = renderBytesModule(compileAllKernels());
  const file = path.join(ROOT, KERNELS_BYTES_FILE);
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (flags.check) {
    if (current !== text) {
      console.error(`${KERNELS_BYTES_FILE} is out of date: run npm run build:kernels`);
      process.exit(1);
    }
    console.log(`${KERNELS_BYTES_FILE} is up to date`);
    return;
  }
  fs.writeFileSync(file, text);
  console.log(`${current === text ? 'unchanged' : 'wrote'} ${KERNELS_BYTES_FILE}`);
}

if (require.main === module) runMain(main);
