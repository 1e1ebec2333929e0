import { BCELoss } from '../losses/bce';
import { BCEWithLogitsLoss } from '../losses/bce-with-logits';
import { CrossEntropyLoss } from '../losses/cross-entropy';
import { Loss } from '../losses/loss';
import { MAELoss } from '../losses/mae';
import { L1Loss } from '../losses/l1';
import { HuberLoss } from '../losses/huber';
import { SmoothL1Loss } from '../losses/smooth-l1';
import { KLDivLoss } from '../losses/kl-div';
import { MSELoss } from '../losses/mse';
import { NLLLoss } from '../losses/nll';
import { ELU } from '../modules/activations/elu';
import { GELU } from '../modules/activations/gelu';
import { LeakyReLU } from '../modules/activations/leaky-relu';
import { ReLU } from '../modules/activations/relu';
import { Sigmoid } from '../modules/activations/sigmoid';
import { Softmax } from '../modules/activations/softmax';
import { LogSoftmax } from '../modules/activations/log-softmax';
import { Tanh } from '../modules/activations/tanh';
import { ColumnSplit } from '../modules/containers/column-split';
import { Residual } from '../modules/containers/residual';
import { Sequential } from '../modules/containers/sequential';
import { Conv2d } from '../modules/convolution/conv2d';
import { Embedding } from '../modules/embedding/embedding';
import { Linear } from '../modules/linear';
import { Module } from '../modules/module';
import { BatchNorm1d } from '../modules/normalization/batch-norm1d';
import { BatchNorm2d } from '../modules/normalization/batch-norm2d';
import { LayerNorm } from '../modules/normalization/layer-norm';
import { AvgPool2d } from '../modules/pooling/avg-pool2d';
import { MaxPool2d } from '../modules/pooling/max-pool2d';
import { Dropout } from '../modules/regularization/dropout';
import { Flatten } from '../modules/reshape/flatten';
import { Adam } from '../optim/adam';
import { AdamW } from '../optim/adamw';
import { RMSprop } from '../optim/rmsprop';
import { Adagrad } from '../optim/adagrad';
import { Optimizer } from '../optim/optimizer';
import { SGD } from '../optim/sgd';

/**
 * Whether a training step runs only minidl's own code: then, and only then, `NeuralNet` runs it
 * as a step whose tensors are temporaries (lib/tensor/memory.ts), the fast path.
 *
 * minidl's classes keep nothing a step made past the step, except through the long-lived
 * helpers (`Parameter`, `Module.registerBuffer` / `workspace`, `Optimizer.stateTensor`), so
 * their temporaries can be released when it ends. Code of your own may keep anything — a batch
 * mean in a field, a momentum buffer made with `Tensor.zeros` — so a model, loss or optimizer
 * with any class of yours in it (a subclass too, or an instance whose method was replaced)
 * trains without steps: every tensor ordinary, the same bits, slower.
 *
 * Hooks (`registerForwardHook` and the others, lib/modules/module.ts) are code of yours too: they
 * are given the model's tensors and may keep them, so a model with a hook on any of its modules
 * trains without steps as well, and what a hook keeps stays readable after `fit`.
 */
const LIBRARY_PROTOTYPES: ReadonlySet<unknown> = new Set<unknown>([
  Linear, ReLU, LeakyReLU, Tanh, Sigmoid, Softmax, LogSoftmax, ELU, GELU, Conv2d, MaxPool2d, AvgPool2d, Flatten,
  Sequential, ColumnSplit, BatchNorm1d, BatchNorm2d, Dropout, Embedding, LayerNorm, Residual,
  MSELoss, MAELoss, L1Loss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, SmoothL1Loss, KLDivLoss, NLLLoss,
  SGD, Adam, AdamW, RMSprop, Adagrad,
].map((cls) => cls.prototype));

/** Methods a step calls: an instance that holds its own version of one runs code of yours. */
const STEP_METHODS = ['forward', 'backward', 'step', 'zeroGrad', 'params', 'children', 'train', 'eval', 'reduce'];

/** True when `thing` is an instance of one of minidl's classes exactly, with none of its methods replaced. */
export function isLibraryInstance(thing: object): boolean {
  if (!LIBRARY_PROTOTYPES.has(Object.getPrototypeOf(thing))) return false;
  return STEP_METHODS.every((name) => {
    const own = Object.getOwnPropertyDescriptor(thing, name);
    return own === undefined || (typeof own.value !== 'function' && own.get === undefined);
  });
}

/** True when the model and every module inside it are minidl's own, with no hook registered on any of them. */
export function isLibraryModel(model: Module): boolean {
  return isLibraryInstance(model) && !model.hasHooks() && model.children().every((child) => isLibraryModel(child));
}

/** True when a step of this model, loss (and optimizer, for training) runs only minidl's code. */
export function onlyLibraryCode(model: Module, loss: Loss, optimizer: Optimizer | null): boolean {
  return isLibraryModel(model) && isLibraryInstance(loss) && (optimizer === null || isLibraryInstance(optimizer));
}
