import { describeDiskAccuracy } from './disk-accuracy';

// The course protocol. PyTorch 1.13 reaches 2.1 % ± 0.7 % test error on it.
describeDiskAccuracy('course', 0.025);
