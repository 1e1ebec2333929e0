/**
 * minidl — a mini deep-learning framework for teaching.
 *
 * Every layer writes its own forward and backward pass; there is no autograd. The folders
 * follow a first deep-learning course, one chapter each (its index.ts lists what it exports):
 * tensors and random numbers, modules (layers, activations, containers), losses, optimizers,
 * initialisation, training, data, tools, saving and loading.
 *
 * This entry point (`minidl`) is browser-safe: nothing in it uses Node's built-in modules. The
 * helpers that read and write files (`saveModel`, `loadModel`, `readModelFile`, `loadMnist`)
 * are in the second entry point, `minidl/node` (lib/node.ts).
 */
export * from './tensor';
export * from './modules';
export * from './losses';
export * from './optim';
export * from './init';
export * from './training';
export * from './data';
export * from './tools';
export * from './serialization';

/*
 * The classes again, each through `requireNew` (lib/require-new.ts): the same class, except that
 * calling it without `new` from JavaScript throws a MinidlError instead of the engine's TypeError.
 * (These exports take the place of the chapters' exports of the same names.)
 */
import { requireNew } from './require-new';
import { Tensor as TensorClass } from './tensor/tensor';
export const Tensor = requireNew(TensorClass);
export type Tensor = TensorClass;
import { Rng as RngClass } from './random/rng';
export const Rng = requireNew(RngClass);
export type Rng = RngClass;
import { MinidlError as MinidlErrorClass } from './errors';
export const MinidlError = requireNew(MinidlErrorClass);
export type MinidlError = MinidlErrorClass;
import { Module as ModuleClass } from './modules/module';
export const Module = requireNew(ModuleClass);
export type Module = ModuleClass;
import { Parameter as ParameterClass } from './modules/parameter';
export const Parameter = requireNew(ParameterClass);
export type Parameter = ParameterClass;
import { Linear as LinearClass } from './modules/linear';
export const Linear = requireNew(LinearClass);
export type Linear = LinearClass;
import { ReLU as ReLUClass } from './modules/activations/relu';
export const ReLU = requireNew(ReLUClass);
export type ReLU = ReLUClass;
import { LeakyReLU as LeakyReLUClass } from './modules/activations/leaky-relu';
export const LeakyReLU = requireNew(LeakyReLUClass);
export type LeakyReLU = LeakyReLUClass;
import { Tanh as TanhClass } from './modules/activations/tanh';
export const Tanh = requireNew(TanhClass);
export type Tanh = TanhClass;
import { Sigmoid as SigmoidClass } from './modules/activations/sigmoid';
export const Sigmoid = requireNew(SigmoidClass);
export type Sigmoid = SigmoidClass;
import { Softmax as SoftmaxClass } from './modules/activations/softmax';
export const Softmax = requireNew(SoftmaxClass);
export type Softmax = SoftmaxClass;
import { ELU as ELUClass } from './modules/activations/elu';
export const ELU = requireNew(ELUClass);
export type ELU = ELUClass;
import { GELU as GELUClass } from './modules/activations/gelu';
export const GELU = requireNew(GELUClass);
export type GELU = GELUClass;
import { Conv2d as Conv2dClass } from './modules/convolution/conv2d';
export const Conv2d = requireNew(Conv2dClass);
export type Conv2d = Conv2dClass;
import { MaxPool2d as MaxPool2dClass } from './modules/pooling/max-pool2d';
export const MaxPool2d = requireNew(MaxPool2dClass);
export type MaxPool2d = MaxPool2dClass;
import { AvgPool2d as AvgPool2dClass } from './modules/pooling/avg-pool2d';
export const AvgPool2d = requireNew(AvgPool2dClass);
export type AvgPool2d = AvgPool2dClass;
import { Flatten as FlattenClass } from './modules/reshape/flatten';
export const Flatten = requireNew(FlattenClass);
export type Flatten = FlattenClass;
import { Sequential as SequentialClass } from './modules/containers/sequential';
export const Sequential = requireNew(SequentialClass);
export type Sequential = SequentialClass;
import { ColumnSplit as ColumnSplitClass } from './modules/containers/column-split';
export const ColumnSplit = requireNew(ColumnSplitClass);
export type ColumnSplit = ColumnSplitClass;
import { BatchNorm as BatchNormClass } from './modules/normalization/batch-norm';
export const BatchNorm = requireNew(BatchNormClass);
export type BatchNorm = BatchNormClass;
import { BatchNorm1d as BatchNorm1dClass } from './modules/normalization/batch-norm1d';
export const BatchNorm1d = requireNew(BatchNorm1dClass);
export type BatchNorm1d = BatchNorm1dClass;
import { BatchNorm2d as BatchNorm2dClass } from './modules/normalization/batch-norm2d';
export const BatchNorm2d = requireNew(BatchNorm2dClass);
export type BatchNorm2d = BatchNorm2dClass;
import { Dropout as DropoutClass } from './modules/regularization/dropout';
export const Dropout = requireNew(DropoutClass);
export type Dropout = DropoutClass;
import { Loss as LossClass } from './losses/loss';
export const Loss = requireNew(LossClass);
export type Loss = LossClass;
import { MSELoss as MSELossClass } from './losses/mse';
export const MSELoss = requireNew(MSELossClass);
export type MSELoss = MSELossClass;
import { MAELoss as MAELossClass } from './losses/mae';
export const MAELoss = requireNew(MAELossClass);
export type MAELoss = MAELossClass;
import { BCELoss as BCELossClass } from './losses/bce';
export const BCELoss = requireNew(BCELossClass);
export type BCELoss = BCELossClass;
import { BCEWithLogitsLoss as BCEWithLogitsLossClass } from './losses/bce-with-logits';
export const BCEWithLogitsLoss = requireNew(BCEWithLogitsLossClass);
export type BCEWithLogitsLoss = BCEWithLogitsLossClass;
import { CrossEntropyLoss as CrossEntropyLossClass } from './losses/cross-entropy';
export const CrossEntropyLoss = requireNew(CrossEntropyLossClass);
export type CrossEntropyLoss = CrossEntropyLossClass;
import { Optimizer as OptimizerClass } from './optim/optimizer';
export const Optimizer = requireNew(OptimizerClass);
export type Optimizer = OptimizerClass;
import { SGD as SGDClass } from './optim/sgd';
export const SGD = requireNew(SGDClass);
export type SGD = SGDClass;
import { Adam as AdamClass } from './optim/adam';
export const Adam = requireNew(AdamClass);
export type Adam = AdamClass;
import { NeuralNet as NeuralNetClass } from './training/neural-net';
export const NeuralNet = requireNew(NeuralNetClass);
export type NeuralNet = NeuralNetClass;
