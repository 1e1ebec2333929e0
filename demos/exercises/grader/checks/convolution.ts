import { Conv2d, MaxPool2d, Rng } from '../minidl';
import { ModuleTask } from './module-task';

/**
 * Conv2d (cross-correlation, weight [F, C, kH, kW], bias [F]) with strides, padding,
 * rectangular kernels and batch size 1; MaxPool2d with overlapping and padded windows.
 */
export const conv2dTask: ModuleTask = {
  id: 'conv2d',
  build: (c) => new Conv2d(c.in as number, c.out as number, c.kernel as number[] as [number, number], {
    stride: c.stride as number[] as [number, number], padding: c.padding as number[] as [number, number], bias: c.bias !== false, rng: new Rng(0),
  }),
  cases: [
    { name: 'N=2, 1→2 channels, 3×3 kernel on 4×4', config: { in: 1, out: 2, kernel: [3, 3], stride: [1, 1], padding: [0, 0], gradcheck: true }, inputShape: [2, 1, 4, 4] },
    { name: 'N=1, 2→3 channels, 3×3, padding 1', config: { in: 2, out: 3, kernel: [3, 3], stride: [1, 1], padding: [1, 1], gradcheck: true }, inputShape: [1, 2, 4, 4] },
    { name: 'N=2, 2→2 channels, 2×3 kernel, stride 2×1', config: { in: 2, out: 2, kernel: [2, 3], stride: [2, 1], padding: [0, 1], gradcheck: true }, inputShape: [2, 2, 5, 4] },
    { name: 'N=3, 3→1 channels, 1×1 kernel, no bias', config: { in: 3, out: 1, kernel: [1, 1], stride: [1, 1], padding: [0, 0], bias: false }, inputShape: [3, 3, 2, 2] },
  ],
};

export const maxPool2dTask: ModuleTask = {
  id: 'max-pool2d',
  build: (c) => new MaxPool2d(c.kernel as number[] as [number, number], c.stride as number[] as [number, number], c.padding as number[] as [number, number]),
  cases: [
    { name: 'N=2, 2 channels 4×4, 2×2 window', config: { kernel: [2, 2], stride: [2, 2], padding: [0, 0], gradcheck: true }, inputShape: [2, 2, 4, 4] },
    { name: 'N=1, 1 channel 5×5, 3×3 window, stride 2 (overlapping)', config: { kernel: [3, 3], stride: [2, 2], padding: [0, 0], gradcheck: true }, inputShape: [1, 1, 5, 5] },
    { name: 'N=2, 3 channels 3×4, 2×2 window, stride 1, padding 1', config: { kernel: [2, 2], stride: [1, 1], padding: [1, 1], gradcheck: true }, inputShape: [2, 3, 3, 4] },
    { name: 'N=1, 2 channels 6×6, 3×2 window', config: { kernel: [3, 2], stride: [3, 2], padding: [0, 0] }, inputShape: [1, 2, 6, 6] },
  ],
};
