import * as fs from 'node:fs';
import * as path from 'node:path';
import { KERNELS_BYTES_FILE, compileKernels, renderBytesModule } from '../demos/build-kernels';
import { KERNELS_WASM_BASE64 } from '../lib/tensor/wasm/kernels-wasm-bytes';

/*
 * The committed lib/tensor/wasm/kernels-wasm-bytes.ts must be what the AssemblyScript sources
 * compile to today: a change to lib/tensor/wasm/assembly/*.ts without `npm run build:kernels`
 * fails here. (One compilation, a few seconds.)
 */
describe('the committed WebAssembly kernel bytes', () => {
  test('equal a fresh compilation of lib/tensor/wasm/assembly', () => {
    const fresh = compileKernels();
    const committed = Buffer.from(KERNELS_WASM_BASE64, 'base64');
    const sameBytes = committed.equals(Buffer.from(fresh));
    expect(sameBytes ? 'up to date' : `${KERNELS_BYTES_FILE} is out of date (${committed.length} committed bytes, ${fresh.length} compiled): run npm run build:kernels`).toBe('up to date');
    // and the whole generated file, header included, is what the build script writes
    expect(fs.readFileSync(path.join(__dirname, '..', KERNELS_BYTES_FILE), 'utf8')).toBe(renderBytesModule(fresh));
  }, 120_000);
});
