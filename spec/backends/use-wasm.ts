/** Jest setup for the 'wasm' project: the spec files of it run again, on the WebAssembly kernels. */
import { setBackend } from '../../lib/tensor/backend/select';
import { setMemoryChecks } from '../../lib/tensor/memory';

setBackend('wasm');
// every misuse of released memory fails loudly: released step memory is NaN, kernels refuse released arrays
setMemoryChecks(true);
