/** Jest setup for the 'js' project: every spec file of it runs on the TypeScript kernels. */
import { setBackend } from '../../lib/tensor/backend/select';

setBackend('js');
