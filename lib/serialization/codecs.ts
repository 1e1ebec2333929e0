import { MinidlError } from '../errors';
import { LeakyReLU } from '../modules/activations/leaky-relu';
import { ReLU } from '../modules/activations/relu';
import { Sigmoid } from '../modules/activations/sigmoid';
import { Tanh } from '../modules/activations/tanh';
import { ColumnSplit } from '../modules/containers/column-split';
import { Sequential } from '../modules/containers/sequential';
import { Linear } from '../modules/linear';
import { BatchNorm1d } from '../modules/normalization/batch-norm1d';
import { BatchNorm2d } from '../modules/normalization/batch-norm2d';
import { BatchNorm } from '../modules/normalization/batch-norm';
import { Dropout } from '../modules/regularization/dropout';
import { ELU } from '../modules/activations/elu';
import { GELU } from '../modules/activations/gelu';
import { Softmax } from '../modules/activations/softmax';
import { Conv2d } from '../modules/convolution/conv2d';
import { AvgPool2d } from '../modules/pooling/avg-pool2d';
import { MaxPool2d } from '../modules/pooling/max-pool2d';
import { Flatten } from '../modules/reshape/flatten';
import { Module } from '../modules/module';
import { Rng } from '../random/rng';

/**
 * How one module class is written to and rebuilt from a saved model.
 *
 * Only the architecture lives here: the class name, the constructor's arguments (`config`)
 * and, for containers, the modules inside. Parameter values (`params()`, by their names) and
 * state (`buffers()`) are read and written the same way for every layer by model-json.ts.
 */
export interface ModuleCodec {
  /** The name written into the file, e.g. `Linear`. */
  type: string;
  /** True when `m` is exactly this class (a user's subclass is not silently saved as its parent). */
  matches(m: Module): boolean;
  /** The constructor's arguments, as plain JSON values. */
  config(m: Module): Record<string, unknown>;
  /** For containers: the modules inside, in order. */
  children?(m: Module): Module[];
  /**
   * Builds the module from its config and its already rebuilt children. `shareWith` is the
   * module already rebuilt whose parameters this one shares in the file (weight sharing), or null.
   */
  create(config: Record<string, unknown>, children: Module[], shareWith: Module | null): Module;
}

/**
 * The generator layers draw their initial values from while being rebuilt. Those values are
 * overwritten by the saved ones at once; a private generator keeps loading a model from
 * consuming numbers of the generator `manualSeed` seeds, so loading never changes a seeded run.
 */
function throwawayRng(): Rng {
  return new Rng('minidl-load');
}

/**
 * The codec of class `cls`, written into files as `type` (spelled out rather than read from
 * `cls.name`, which a minifying bundler may rename).
 */
function codec<M extends Module>(
  type: string,
  cls: new (...args: never[]) => M,
  parts: {
    config(m: M): Record<string, unknown>;
    create(config: Record<string, unknown>, children: Module[], shareWith: Module | null): M;
    children?(m: M): Module[];
  },
): ModuleCodec {
  return {
    type,
    matches: (m) => Object.getPrototypeOf(m) === cls.prototype,
    config: (m) => parts.config(m as M),
    children: parts.children ? (m) => (parts.children as (m: M) => Module[])(m as M) : undefined,
    create: parts.create,
  };
}

/** A number from a saved config (the constructor then checks its range). */
function num(config: Record<string, unknown>, key: string): number {
  const value = config[key];
  if (typeof value !== 'number') throw new MinidlError(`config.${key} must be a number, got ${JSON.stringify(value)}`);
  return value;
}

/** A boolean from a saved config. */
function bool(config: Record<string, unknown>, key: string): boolean {
  const value = config[key];
  if (typeof value !== 'boolean') throw new MinidlError(`config.${key} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

/** A list of numbers from a saved config. */
function numList(config: Record<string, unknown>, key: string): number[] {
  const value = config[key];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number')) {
    throw new MinidlError(`config.${key} must be a list of numbers, got ${JSON.stringify(value)}`);
  }
  return value as number[];
}

/** A module that takes no constructor arguments. */
function plain<M extends Module>(type: string, cls: new () => M): ModuleCodec {
  return codec(type, cls, { config: () => ({}), create: () => new cls() });
}

/** A pair of sizes from a saved config, such as a kernel size `[3, 3]`. */
function pair(config: Record<string, unknown>, key: string): [number, number] {
  const value = numList(config, key);
  if (value.length !== 2) throw new MinidlError(`config.${key} must be a pair of numbers, got ${JSON.stringify(value)}`);
  return [value[0], value[1]];
}

/** MaxPool2d and AvgPool2d: the window's geometry. */
function poolConfig(m: MaxPool2d | AvgPool2d): Record<string, unknown> {
  return { kernelSize: m.kernelSize.slice(), stride: m.stride.slice(), padding: m.padding.slice() };
}

/** BatchNorm1d and BatchNorm2d: the size and the options (running statistics are state, saved by model-json.ts). */
function batchNormConfig(m: BatchNorm): Record<string, unknown> {
  return { numFeatures: m.numFeatures, eps: m.eps, momentum: m.momentum, affine: m.affine };
}

function batchNormOptions(c: Record<string, unknown>): { eps: number; momentum: number; affine: boolean } {
  return { eps: num(c, 'eps'), momentum: num(c, 'momentum'), affine: bool(c, 'affine') };
}

const CODECS: ModuleCodec[] = [
  codec('Linear', Linear, {
    config: (m) => ({ inFeatures: m.inFeatures, outFeatures: m.outFeatures, bias: m.bias !== null }),
    create: (c, _children, shareWith) => {
      const options = { bias: bool(c, 'bias'), rng: throwawayRng() };
      if (shareWith === null) return new Linear(num(c, 'inFeatures'), num(c, 'outFeatures'), options);
      if (!(shareWith instanceof Linear)) throw new MinidlError(`cannot share the parameters of ${shareWith}`);
      return new Linear(num(c, 'inFeatures'), num(c, 'outFeatures'), { ...options, share: shareWith });
    },
  }),
  plain('ReLU', ReLU),
  codec('LeakyReLU', LeakyReLU, {
    config: (m) => ({ negativeSlope: m.negativeSlope }),
    create: (c) => new LeakyReLU(num(c, 'negativeSlope')),
  }),
  codec('Conv2d', Conv2d, {
    config: (m) => ({
      inChannels: m.inChannels, outChannels: m.outChannels, kernelSize: m.kernelSize.slice(),
      stride: m.stride.slice(), padding: m.padding.slice(), bias: m.bias !== null,
    }),
    create: (c) => new Conv2d(num(c, 'inChannels'), num(c, 'outChannels'), pair(c, 'kernelSize'), {
      stride: pair(c, 'stride'), padding: pair(c, 'padding'), bias: bool(c, 'bias'), rng: throwawayRng(),
    }),
  }),
  codec('MaxPool2d', MaxPool2d, {
    config: poolConfig,
    create: (c) => new MaxPool2d(pair(c, 'kernelSize'), pair(c, 'stride'), pair(c, 'padding')),
  }),
  codec('AvgPool2d', AvgPool2d, {
    config: poolConfig,
    create: (c) => new AvgPool2d(pair(c, 'kernelSize'), pair(c, 'stride'), pair(c, 'padding')),
  }),
  plain('Flatten', Flatten),
  codec('BatchNorm1d', BatchNorm1d, {
    config: batchNormConfig,
    create: (c) => new BatchNorm1d(num(c, 'numFeatures'), batchNormOptions(c)),
  }),
  codec('BatchNorm2d', BatchNorm2d, {
    config: batchNormConfig,
    create: (c) => new BatchNorm2d(num(c, 'numFeatures'), batchNormOptions(c)),
  }),
  codec('Dropout', Dropout, {
    config: (m) => ({ p: m.p }),
    create: (c) => new Dropout(num(c, 'p')),
  }),
  plain('Tanh', Tanh),
  plain('Softmax', Softmax),
  codec('ELU', ELU, {
    config: (m) => ({ alpha: m.alpha }),
    create: (c) => new ELU(num(c, 'alpha')),
  }),
  codec('GELU', GELU, {
    config: (m) => ({ approximate: m.approximate }),
    create: (c) => {
      const approximate = c.approximate;
      if (approximate !== 'none' && approximate !== 'tanh') throw new MinidlError(`config.approximate must be "none" or "tanh", got ${JSON.stringify(approximate)}`);
      return new GELU(approximate);
    },
  }),
  plain('Sigmoid', Sigmoid),
  codec('Sequential', Sequential, {
    config: () => ({}),
    children: (m) => m.modules,
    create: (_c, children) => new Sequential(...children),
  }),
  codec('ColumnSplit', ColumnSplit, {
    config: (m) => ({ sizes: m.sizes.slice() }),
    children: (m) => m.modules.slice(),
    create: (c, children) => new ColumnSplit(numList(c, 'sizes'), children),
  }),
];

/** Every module class a model file may contain, by the type name written in the file. */
export const moduleCodecs: ReadonlyMap<string, ModuleCodec> = new Map(CODECS.map((c) => [c.type, c]));
