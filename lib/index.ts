/**
 * minidl — a mini deep-learning framework for teaching.
 *
 * Every layer writes its own forward and backward pass; there is no autograd. The folders
 * follow a first deep-learning course: tensors and random numbers, modules (layers,
 * activations, containers), losses, optimizers, initialisation, training, data, tools.
 */

// Tensors and random numbers
export { Tensor } from './tensor/tensor';
export type { NestedArray } from './tensor/tensor';
export {
  matmul, matmulTransA, matmulTransB, sumRows, addRowVector, argmaxRows, takeRows, sliceColumns, concatColumns,
} from './tensor/ops';
export type { MatmulOptions, ProductOptions } from './tensor/ops';
export * as kernels from './tensor/kernels';
export { setBackend, getBackend, loadWasmBackendAsync, backendReason } from './tensor/backend/select';
export { withTemporaryTensors } from './tensor/temporaries';
export { setMemoryBudget, memoryBudget, memoryInUse, setMemoryChecks, memoryChecks, DEFAULT_MEMORY_BUDGET } from './tensor/memory';
export type { BackendName, WindowGeometry } from './tensor/backend/interface';
export { Rng, manualSeed, defaultRng } from './random/rng';
export type { RngState, AleaState } from './random/rng';
export { MinidlError } from './errors';

// Modules
export { Module, runInChild } from './modules/module';
export type { ModuleBuffer } from './modules/module';
export { Parameter } from './modules/parameter';
export { Linear } from './modules/linear';
export type { LinearOptions } from './modules/linear';
export { ReLU } from './modules/activations/relu';
export { LeakyReLU } from './modules/activations/leaky-relu';
export { Tanh } from './modules/activations/tanh';
export { Sigmoid } from './modules/activations/sigmoid';
export { Softmax } from './modules/activations/softmax';
export { ELU } from './modules/activations/elu';
export { GELU } from './modules/activations/gelu';
export type { GeluApproximation } from './modules/activations/gelu';
export { Conv2d } from './modules/convolution/conv2d';
export type { Conv2dOptions } from './modules/convolution/conv2d';
export type { SizePair } from './modules/convolution/window';
export { MaxPool2d } from './modules/pooling/max-pool2d';
export { AvgPool2d } from './modules/pooling/avg-pool2d';
export { Flatten } from './modules/reshape/flatten';
export { Sequential } from './modules/containers/sequential';
export { ColumnSplit } from './modules/containers/column-split';
export { BatchNorm } from './modules/normalization/batch-norm';
export type { BatchNormOptions, ChannelLayout } from './modules/normalization/batch-norm';
export { BatchNorm1d } from './modules/normalization/batch-norm1d';
export { BatchNorm2d } from './modules/normalization/batch-norm2d';
export { Dropout } from './modules/regularization/dropout';
export type { DropoutOptions } from './modules/regularization/dropout';

// Losses
export { Loss } from './losses/loss';
export type { Reduction, ReductionOptions } from './losses/loss';
export { MSELoss } from './losses/mse';
export { MAELoss } from './losses/mae';
export { BCELoss } from './losses/bce';
export { BCEWithLogitsLoss } from './losses/bce-with-logits';
export { CrossEntropyLoss, logSoftmaxRows } from './losses/cross-entropy';

// Optimizers
export { Optimizer } from './optim/optimizer';
export type { ParamState } from './optim/optimizer';
export { SGD } from './optim/sgd';
export type { SGDOptions } from './optim/sgd';
export { Adam } from './optim/adam';
export type { AdamOptions } from './optim/adam';

// Initialisation
export { initialize, calculateGain, uniformInit, normalInit } from './init/init';
export type { Init, InitName, InitSpec, Nonlinearity } from './init/init';

// Training
export { NeuralNet, labelsFromTargets } from './training/neural-net';
export type {
  NeuralNetOptions, FitOptions, EpochReport, TrainingHistory, Evaluation, Targets, ValidationSet, StepResult,
} from './training/neural-net';

// Data
export { generateDisk, diskLabel, DISK_RADIUS, DISK_CENTER } from './data/disk';
export type { LabelledData } from './data/disk';
export { standardize, featureStats, applyStandardization } from './data/standardize';
export type { FeatureStats, StandardizedTrain, StandardizedSplit } from './data/standardize';
export { oneHot, labelColumn } from './data/one-hot';
export { parseIdx, encodeIdx, IDX_TYPES } from './data/idx';
export type { IdxArray, IdxData, IdxType, IdxTypeInfo } from './data/idx';
export { loadMnist, mnistSplitFromIdx, asImageBatch, MNIST_FILES, MNIST_CLASSES } from './data/mnist';
export type { ImageSplit, MnistData } from './data/mnist';

// Tools
export { gradcheck } from './tools/gradcheck';
export type { GradcheckOptions, GradcheckReport, GradcheckEntry } from './tools/gradcheck';

// Saving and loading models
export { modelToJSON, modelFromJSON, loadStateInto, checkSavedModel, MODEL_FORMAT, MODEL_FORMAT_VERSION } from './serialization/model-json';
export type { SavedModel, SavedModule, SavedTensor } from './serialization/model-json';
export { saveModel, loadModel, readModelFile } from './serialization/model-file';
