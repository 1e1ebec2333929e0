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
export const Tensor = requireNew(TensorClass, 'Tensor');
export type Tensor = TensorClass;
import { Rng as RngClass } from './random/rng';
export const Rng = requireNew(RngClass, 'Rng');
export type Rng = RngClass;
import { MinidlError as MinidlErrorClass } from './errors';
export const MinidlError = requireNew(MinidlErrorClass, 'MinidlError');
export type MinidlError = MinidlErrorClass;
import { Module as ModuleClass } from './modules/module';
export const Module = requireNew(ModuleClass, 'Module');
export type Module = ModuleClass;
import { Parameter as ParameterClass } from './modules/parameter';
export const Parameter = requireNew(ParameterClass, 'Parameter');
export type Parameter = ParameterClass;
import { Linear as LinearClass } from './modules/linear';
export const Linear = requireNew(LinearClass, 'Linear');
export type Linear = LinearClass;
import { ReLU as ReLUClass } from './modules/activations/relu';
export const ReLU = requireNew(ReLUClass, 'ReLU');
export type ReLU = ReLUClass;
import { LeakyReLU as LeakyReLUClass } from './modules/activations/leaky-relu';
export const LeakyReLU = requireNew(LeakyReLUClass, 'LeakyReLU');
export type LeakyReLU = LeakyReLUClass;
import { Tanh as TanhClass } from './modules/activations/tanh';
export const Tanh = requireNew(TanhClass, 'Tanh');
export type Tanh = TanhClass;
import { Sigmoid as SigmoidClass } from './modules/activations/sigmoid';
export const Sigmoid = requireNew(SigmoidClass, 'Sigmoid');
export type Sigmoid = SigmoidClass;
import { Softmax as SoftmaxClass } from './modules/activations/softmax';
export const Softmax = requireNew(SoftmaxClass, 'Softmax');
export type Softmax = SoftmaxClass;
import { ELU as ELUClass } from './modules/activations/elu';
export const ELU = requireNew(ELUClass, 'ELU');
export type ELU = ELUClass;
import { GELU as GELUClass } from './modules/activations/gelu';
export const GELU = requireNew(GELUClass, 'GELU');
export type GELU = GELUClass;
import { Conv2d as Conv2dClass } from './modules/convolution/conv2d';
export const Conv2d = requireNew(Conv2dClass, 'Conv2d');
export type Conv2d = Conv2dClass;
import { MaxPool2d as MaxPool2dClass } from './modules/pooling/max-pool2d';
export const MaxPool2d = requireNew(MaxPool2dClass, 'MaxPool2d');
export type MaxPool2d = MaxPool2dClass;
import { AvgPool2d as AvgPool2dClass } from './modules/pooling/avg-pool2d';
export const AvgPool2d = requireNew(AvgPool2dClass, 'AvgPool2d');
export type AvgPool2d = AvgPool2dClass;
import { Flatten as FlattenClass } from './modules/reshape/flatten';
export const Flatten = requireNew(FlattenClass, 'Flatten');
export type Flatten = FlattenClass;
import { Sequential as SequentialClass } from './modules/containers/sequential';
export const Sequential = requireNew(SequentialClass, 'Sequential');
export type Sequential = SequentialClass;
import { ColumnSplit as ColumnSplitClass } from './modules/containers/column-split';
export const ColumnSplit = requireNew(ColumnSplitClass, 'ColumnSplit');
export type ColumnSplit = ColumnSplitClass;
import { BatchNorm as BatchNormClass } from './modules/normalization/batch-norm';
export const BatchNorm = requireNew(BatchNormClass, 'BatchNorm');
export type BatchNorm = BatchNormClass;
import { BatchNorm1d as BatchNorm1dClass } from './modules/normalization/batch-norm1d';
export const BatchNorm1d = requireNew(BatchNorm1dClass, 'BatchNorm1d');
export type BatchNorm1d = BatchNorm1dClass;
import { BatchNorm2d as BatchNorm2dClass } from './modules/normalization/batch-norm2d';
export const BatchNorm2d = requireNew(BatchNorm2dClass, 'BatchNorm2d');
export type BatchNorm2d = BatchNorm2dClass;
import { Dropout as DropoutClass } from './modules/regularization/dropout';
export const Dropout = requireNew(DropoutClass, 'Dropout');
export type Dropout = DropoutClass;
import { Loss as LossClass } from './losses/loss';
export const Loss = requireNew(LossClass, 'Loss');
export type Loss = LossClass;
import { MSELoss as MSELossClass } from './losses/mse';
export const MSELoss = requireNew(MSELossClass, 'MSELoss');
export type MSELoss = MSELossClass;
import { MAELoss as MAELossClass } from './losses/mae';
export const MAELoss = requireNew(MAELossClass, 'MAELoss');
export type MAELoss = MAELossClass;
import { BCELoss as BCELossClass } from './losses/bce';
export const BCELoss = requireNew(BCELossClass, 'BCELoss');
export type BCELoss = BCELossClass;
import { BCEWithLogitsLoss as BCEWithLogitsLossClass } from './losses/bce-with-logits';
export const BCEWithLogitsLoss = requireNew(BCEWithLogitsLossClass, 'BCEWithLogitsLoss');
export type BCEWithLogitsLoss = BCEWithLogitsLossClass;
import { CrossEntropyLoss as CrossEntropyLossClass } from './losses/cross-entropy';
export const CrossEntropyLoss = requireNew(CrossEntropyLossClass, 'CrossEntropyLoss');
export type CrossEntropyLoss = CrossEntropyLossClass;
import { Optimizer as OptimizerClass } from './optim/optimizer';
export const Optimizer = requireNew(OptimizerClass, 'Optimizer');
export type Optimizer = OptimizerClass;
import { SGD as SGDClass } from './optim/sgd';
export const SGD = requireNew(SGDClass, 'SGD');
export type SGD = SGDClass;
import { Adam as AdamClass } from './optim/adam';
export const Adam = requireNew(AdamClass, 'Adam');
export type Adam = AdamClass;
import { NeuralNet as NeuralNetClass } from './training/neural-net';
export const NeuralNet = requireNew(NeuralNetClass, 'NeuralNet');
export type NeuralNet = NeuralNetClass;
import { L1Loss as L1LossClass } from './losses/l1';
export const L1Loss = requireNew(L1LossClass, 'L1Loss');
export type L1Loss = L1LossClass;
import { HuberLoss as HuberLossClass } from './losses/huber';
export const HuberLoss = requireNew(HuberLossClass, 'HuberLoss');
export type HuberLoss = HuberLossClass;
import { SmoothL1Loss as SmoothL1LossClass } from './losses/smooth-l1';
export const SmoothL1Loss = requireNew(SmoothL1LossClass, 'SmoothL1Loss');
export type SmoothL1Loss = SmoothL1LossClass;
import { KLDivLoss as KLDivLossClass } from './losses/kl-div';
export const KLDivLoss = requireNew(KLDivLossClass, 'KLDivLoss');
export type KLDivLoss = KLDivLossClass;
import { AdamW as AdamWClass } from './optim/adamw';
export const AdamW = requireNew(AdamWClass, 'AdamW');
export type AdamW = AdamWClass;
import { RMSprop as RMSpropClass } from './optim/rmsprop';
export const RMSprop = requireNew(RMSpropClass, 'RMSprop');
export type RMSprop = RMSpropClass;
import { Adagrad as AdagradClass } from './optim/adagrad';
export const Adagrad = requireNew(AdagradClass, 'Adagrad');
export type Adagrad = AdagradClass;
import { LRScheduler as LRSchedulerClass } from './optim/schedulers/lr-scheduler';
export const LRScheduler = requireNew(LRSchedulerClass, 'LRScheduler');
export type LRScheduler = LRSchedulerClass;
import { StepLR as StepLRClass } from './optim/schedulers/step-lr';
export const StepLR = requireNew(StepLRClass, 'StepLR');
export type StepLR = StepLRClass;
import { MultiStepLR as MultiStepLRClass } from './optim/schedulers/multi-step-lr';
export const MultiStepLR = requireNew(MultiStepLRClass, 'MultiStepLR');
export type MultiStepLR = MultiStepLRClass;
import { ExponentialLR as ExponentialLRClass } from './optim/schedulers/exponential-lr';
export const ExponentialLR = requireNew(ExponentialLRClass, 'ExponentialLR');
export type ExponentialLR = ExponentialLRClass;
import { CosineAnnealingLR as CosineAnnealingLRClass } from './optim/schedulers/cosine-annealing-lr';
export const CosineAnnealingLR = requireNew(CosineAnnealingLRClass, 'CosineAnnealingLR');
export type CosineAnnealingLR = CosineAnnealingLRClass;
import { LinearLR as LinearLRClass } from './optim/schedulers/linear-lr';
export const LinearLR = requireNew(LinearLRClass, 'LinearLR');
export type LinearLR = LinearLRClass;
import { OneCycleLR as OneCycleLRClass } from './optim/schedulers/one-cycle-lr';
export const OneCycleLR = requireNew(OneCycleLRClass, 'OneCycleLR');
export type OneCycleLR = OneCycleLRClass;
import { ReduceLROnPlateau as ReduceLROnPlateauClass } from './optim/schedulers/reduce-lr-on-plateau';
export const ReduceLROnPlateau = requireNew(ReduceLROnPlateauClass, 'ReduceLROnPlateau');
export type ReduceLROnPlateau = ReduceLROnPlateauClass;
import { Embedding as EmbeddingClass } from './modules/embedding/embedding';
export const Embedding = requireNew(EmbeddingClass, 'Embedding');
export type Embedding = EmbeddingClass;
import { LayerNorm as LayerNormClass } from './modules/normalization/layer-norm';
export const LayerNorm = requireNew(LayerNormClass, 'LayerNorm');
export type LayerNorm = LayerNormClass;
import { Residual as ResidualClass } from './modules/containers/residual';
export const Residual = requireNew(ResidualClass, 'Residual');
export type Residual = ResidualClass;
import { NLLLoss as NLLLossClass } from './losses/nll';
export const NLLLoss = requireNew(NLLLossClass, 'NLLLoss');
export type NLLLoss = NLLLossClass;
import { MultiheadAttention as MultiheadAttentionClass } from './modules/attention/multihead-attention';
export const MultiheadAttention = requireNew(MultiheadAttentionClass, 'MultiheadAttention');
export type MultiheadAttention = MultiheadAttentionClass;
