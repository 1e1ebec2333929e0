/**
 * The three MNIST models of the demo, from the simplest to the best:
 *
 *   softmax  Linear(784→10): softmax regression (the softmax is inside the cross-entropy loss)
 *   mlp      784-100-100-10 with ReLU
 *   cnn      Conv2d(1→8, 5×5), ReLU, MaxPool2d(2)      [N,1,28,28] → [N,8,24,24] → [N,8,12,12]
 *            Conv2d(8→16, 5×5), ReLU, MaxPool2d(2)     → [N,16,8,8] → [N,16,4,4]
 *            Flatten, Linear(256→10)                   → [N,256] → [N,10]
 *
 * Every layer starts from PyTorch's default initialisation, drawn from the run's generator.
 */
import { Conv2d, Flatten, Linear, MaxPool2d, Module, ReLU, Rng, Sequential } from '../../lib';

/** The names accepted by `--model`. */
export type MnistModelName = 'softmax' | 'mlp' | 'cnn';

/** How to build one model and train it by default. */
export interface MnistModelSpec {
  /** One line for reports. */
  description: string;
  /** Epochs when `--epochs` is not given. */
  defaultEpochs: number;
  /** `'flat'`: reads [N, 784] rows; `'image'`: reads [N, 1, 28, 28] images. */
  input: 'flat' | 'image';
  build(rng: Rng): Module;
}

export const MNIST_MODELS: Record<MnistModelName, MnistModelSpec> = {
  softmax: {
    description: 'softmax regression: Linear(784→10)',
    defaultEpochs: 20,
    input: 'flat',
    build: (rng) => new Sequential(new Linear(784, 10, { rng })),
  },
  mlp: {
    description: 'MLP 784-100-100-10, ReLU',
    defaultEpochs: 20,
    input: 'flat',
    build: (rng) => new Sequential(
      new Linear(784, 100, { rng }), new ReLU(),
      new Linear(100, 100, { rng }), new ReLU(),
      new Linear(100, 10, { rng }),
    ),
  },
  cnn: {
    description: 'CNN: Conv2d(1→8, 5×5), ReLU, MaxPool2d(2), Conv2d(8→16, 5×5), ReLU, MaxPool2d(2), Flatten, Linear(256→10)',
    defaultEpochs: 10,
    input: 'image',
    build: (rng) => new Sequential(
      new Conv2d(1, 8, 5, { rng }), new ReLU(), new MaxPool2d(2),
      new Conv2d(8, 16, 5, { rng }), new ReLU(), new MaxPool2d(2),
      new Flatten(), new Linear(256, 10, { rng }),
    ),
  },
};

/** The model names, in order. */
export const MNIST_MODEL_NAMES = Object.keys(MNIST_MODELS) as MnistModelName[];
