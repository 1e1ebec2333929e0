import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KERNELS_BYTES_FILE, SOURCES_LINE, kernelSourcesSha256, renderBytesModule } from '../demos/build-kernels';
import { KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64 } from '../lib/tensor/wasm/kernels-wasm-bytes';

/*
 * The committed lib/tensor/wasm/kernels-wasm-bytes.ts must be what `npm run build:kernels` writes
 * from the AssemblyScript sources of today. The file records the sha256 of what it was compiled
 * from (the compiler's version, the flags, every file of lib/tensor/wasm/assembly), so a change
 * to a kernel without the rebuild fails here at once, without running the compiler (a full
 * recompilation and comparison is `npm run build:kernels -- --check`). That the bytes compute
 * what the TypeScript kernels compute, to the bit, is every spec of the 'wasm' project.
 */
describe('the committed WebAssembly kernel bytes', () => {
  const file = fs.readFileSync(path.join(__dirname, '..', KERNELS_BYTES_FILE), 'utf8');

  test('were compiled from lib/tensor/wasm/assembly as it is now, with the flags and compiler of demos/build-kernels.ts', () => {
    const recorded = SOURCES_LINE.exec(file);
    expect(recorded).not.toBeNull();
    const now = kernelSourcesSha256();
    expect((recorded as RegExpExecArray)[1] === now ? 'up to date' : `${KERNELS_BYTES_FILE} was compiled from other sources (sources sha256 ${(recorded as RegExpExecArray)[1]}, now ${now}): run npm run build:kernels`).toBe('up to date');
  });

  test('are valid WebAssembly, and the file is exactly what the build script writes for them', () => {
    const shared = new Uint8Array(Buffer.from(KERNELS_SHARED_WASM_BASE64, 'base64'));
    const plain = new Uint8Array(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
    expect(WebAssembly.validate(shared)).toBe(true);
    expect(WebAssembly.validate(plain)).toBe(true);
    // header, sizes and sha256 of each build, and the base64 lines: as renderBytesModule writes them
    expect(file).toBe(renderBytesModule({ shared, plain }));
  });

  test('the digest changes with any kernel source: a line added to one file, a file added', () => {
    const sources = path.join(__dirname, '..', 'lib', 'tensor', 'wasm', 'assembly');
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-kernel-sources-'));
    try {
      for (const name of fs.readdirSync(sources)) fs.copyFileSync(path.join(sources, name), path.join(copy, name));
      expect(kernelSourcesSha256(copy)).toBe(kernelSourcesSha256());
      fs.appendFileSync(path.join(copy, 'reductions.ts'), '\n// one more line\n');
      const edited = kernelSourcesSha256(copy);
      expect(edited).not.toBe(kernelSourcesSha256());
      fs.writeFileSync(path.join(copy, 'extra.ts'), 'export function nothing(): void {}\n');
      expect(kernelSourcesSha256(copy)).not.toBe(edited);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});
