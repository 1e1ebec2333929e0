import * as fs from 'node:fs';
import * as path from 'node:path';
import { KERNELS_BYTES_FILE, compileAllKernels, renderBytesModule } from '../demos/build-kernels';
import { KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64 } from '../lib/tensor/wasm/kernels-wasm-bytes';

/*
 * The committed lib/tensor/wasm/kernels-wasm-bytes.ts must be what the AssemblyScript sources
 * compile to today: a change to lib/tensor/wasm/assembly/*.ts without `npm run build:kernels`
 * fails here. (Two compilations, the shared-memory and the plain build, a few seconds each.)
 */
describe('the committed WebAssembly kernel bytes', () => {
  test('equal a fresh compilation of lib/tensor/wasm/assembly', () => {
    const fresh = compileAllKernels();
    for (const [build, base64] of [['shared', KERNELS_SHARED_WASM_BASE64], ['plain', KERNELS_WASM_BASE64]] as const) {
      const committed = Buffer.from(base64, 'base64');
      const sameBytes = committed.equals(Buffer.from(fresh[build]));
      expect(sameBytes ? 'up to date' : `${KERNELS_BYTES_FILE} (${build} build) is out of date (${committed.length} committed bytes, ${fresh[build].length} compiled): run npm run build:kernels`).toBe('up to date');
    }
    // and the whole generated file, header included, is what the build script writes
    expect(fs.readFileSync(path.join(__dirname, '..', KERNELS_BYTES_FILE), 'utf8')).toBe(renderBytesModule(fresh));
  }, 120_000);
});
