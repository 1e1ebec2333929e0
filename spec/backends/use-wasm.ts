/** Jest setup for the 'wasm' project: the spec files of it run again, on the WebAssembly kernels. */
import { setBackend } from '../../lib/tensor/backend/select';

setBackend('wasm');
