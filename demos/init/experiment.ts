/**
 * Why initialisation matters, measured: one deep network, four ways to draw its weights, and
 * what the TrainingMonitor (lib/tools/monitor.ts) sees in one forward and backward pass.
 *
 * The network: LAYERS blocks of Linear(WIDTH→WIDTH) then tanh (or ReLU), biases 0, fed SAMPLES
 * random inputs x ~ N(0, 1); the loss is the mean squared error against random targets
 * y ~ N(0, 1), whose gradient is backpropagated once. The four initialisations of every W:
 *
 * | name    | W ~                          | for WIDTH = 100 |
 * |---------|------------------------------|-----------------|
 * | small   | N(0, 0.01²)                  | σ = 0.01        |
 * | large   | N(0, 1)                      | σ = 1           |
 * | xavier  | N(0, 2 / (fanIn + fanOut))   | σ = 0.1         |
 * | kaiming | N(0, 2 / fanIn)              | σ ≈ 0.141       |
 *
 * Each is drawn from a generator seeded alike, so the four networks hold the same standard
 * normal numbers, only scaled: any difference between them is the scale's doing. What it shows
 * (Glorot & Bengio 2010; He et al. 2015): each layer multiplies the spread of its input by about
 * σ·√WIDTH. Too small (0.1 per layer) and the activations shrink tenfold per layer, and the
 * weight gradients with them; too large (10 per layer) and tanh saturates, most of its values
 * beyond ±0.99, while the gradient grows as it goes back, or ReLU's activations grow tenfold per
 * layer. Xavier keeps tanh's spread near its start; ReLU zeroes half of the values, halving the
 * variance, which Kaiming's factor 2 makes up (under Xavier ReLU's spread shrinks by about 1/√2
 * per layer). With biases 0, scaling W changes no sign, so the dead ReLU units are the same
 * units under all four.
 */
import {
  Init, LayerStats, MSELoss, Module, ParamStats, ReLU, Rng, Sequential, Tanh, Tensor, TrainingMonitor, Linear,
} from '../../lib';

/** Blocks of Linear + activation. */
export const LAYERS = 10;
/** Units of every layer (and features of the input). */
export const WIDTH = 100;
/** Random input rows. */
export const SAMPLES = 500;

/** The activations the demo compares. */
export const ACTIVATIONS = ['tanh', 'relu'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** One way of drawing the weights. */
export interface InitScheme {
  name: 'small' | 'large' | 'xavier' | 'kaiming';
  /** The distribution, for tables. */
  description: string;
  /** What Linear's `init` option takes (lib/init/init.ts). */
  init: Init;
}

/** The four initialisations, in the order of the tables. */
export const INIT_SCHEMES: readonly InitScheme[] = [
  { name: 'small', description: 'N(0, 0.01²): too small', init: { kind: 'normal', std: 0.01 } },
  { name: 'large', description: 'N(0, 1): too large', init: { kind: 'normal', std: 1 } },
  { name: 'xavier', description: 'Xavier, N(0, 2/(fanIn + fanOut))', init: 'xavierNormal' },
  { name: 'kaiming', description: 'Kaiming, N(0, 2/fanIn)', init: 'kaimingNormal' },
];

/** What one layer (block) showed. */
export interface BlockStats {
  /** 1 for the first block. */
  layer: number;
  /** The activation's output: mean and standard deviation over every sample and unit. */
  mean: number;
  std: number;
  /** Dead ReLU units or saturated tanh values, as a fraction. */
  deadOrSaturated: number;
  /** ‖∂L/∂h‖₂, h the activation's output (what enters its backward). */
  gradOutputNorm: number;
  /** ‖∂L/∂W‖₂ of the block's Linear. */
  weightGradNorm: number;
}

/** What one (activation, initialisation) run showed. */
export interface InitRun {
  activation: ActivationName;
  scheme: InitScheme;
  /** The loss of the one forward pass. */
  loss: number;
  blocks: BlockStats[];
}

/** The inputs and targets of every run of a seed: SAMPLES rows of WIDTH standard normal numbers each. */
export function initData(seed: string): { x: Tensor; y: Tensor } {
  const rng = new Rng(`init-${seed}-data`);
  const x = new Tensor([SAMPLES, WIDTH]);
  const y = new Tensor([SAMPLES, WIDTH]);
  rng.fillNormal(x.data);
  rng.fillNormal(y.data);
  return { x, y };
}

/** The deep network with the weights of `scheme`, drawn from a generator seeded by `seed` alone. */
export function deepNetwork(activation: ActivationName, scheme: InitScheme, seed: string): Module {
  const rng = new Rng(`init-${seed}-weights`);
  const blocks: Module[] = [];
  for (let l = 0; l < LAYERS; l++) {
    blocks.push(new Linear(WIDTH, WIDTH, { init: scheme.init, biasInit: 'zeros', rng }), activation === 'tanh' ? new Tanh() : new ReLU());
  }
  return new Sequential(...blocks);
}

/** One forward and backward pass of the network of (`activation`, `scheme`) on `data`, watched by a TrainingMonitor. */
export function runInit(activation: ActivationName, scheme: InitScheme, seed: string, data: { x: Tensor; y: Tensor }): InitRun {
  const model = deepNetwork(activation, scheme, seed);
  const monitor = new TrainingMonitor(model);
  const lossFn = new MSELoss();
  const loss = lossFn.forward(model.forward(data.x), data.y);
  model.backward(lossFn.backward());
  const epoch = monitor.endEpoch();
  monitor.detach();
  const blocks: BlockStats[] = [];
  for (let l = 0; l < LAYERS; l++) {
    const act: LayerStats = epoch.layers[2 * l + 1]; //    the layers: Linear, activation, Linear, …
    const weight: ParamStats = epoch.params[2 * l]; //     the parameters: weight, bias, weight, …
    blocks.push({
      layer: l + 1,
      mean: act.mean as number,
      std: act.std as number,
      deadOrSaturated: (act.deadFraction ?? act.saturatedFraction) as number,
      gradOutputNorm: act.gradOutputNorm as number,
      weightGradNorm: weight.gradNorm as number,
    });
  }
  return { activation, scheme, loss, blocks };
}
