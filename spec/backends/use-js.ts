/** Jest setup for the 'js' project: every spec file of it runs on the TypeScript kernels. */
import { setBackend } from '../../lib/tensor/backend/select';
import { setMemoryChecks } from '../../lib/tensor/memory';

setBackend('js');
// every misuse of released memory fails loudly: released step memory is NaN, kernels refuse released arrays
setMemoryChecks(true);
