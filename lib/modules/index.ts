/**
 * Modules: the layers, activations and containers a network is built from. Each has
 * `forward(input)`, `backward(gradOut)` and `params()`.
 *
 * Everything here is imported from `minidl` (lib/index.ts exports every chapter); this file
 * lists one chapter of it, as the API reference shows it.
 *
 * @module Modules
 */
export { Module, runInChild } from './module';
export type { ModuleBuffer } from './module';
export { Parameter } from './parameter';
export { Linear } from './linear';
export type { LinearOptions } from './linear';
export { ReLU } from './activations/relu';
export { LeakyReLU } from './activations/leaky-relu';
export { Tanh } from './activations/tanh';
export { Sigmoid } from './activations/sigmoid';
export { Softmax } from './activations/softmax';
export { LogSoftmax } from './activations/log-softmax';
export { ELU } from './activations/elu';
export { GELU } from './activations/gelu';
export type { GeluApproximation } from './activations/gelu';
export { Conv2d } from './convolution/conv2d';
export type { Conv2dOptions } from './convolution/conv2d';
export type { SizePair } from './convolution/window';
// What Linear's and Conv2d's backward return for ∂L/∂input when inputNeedsGrad is false
export { UncomputedGradient } from './uncomputed-gradient';
export { MaxPool2d } from './pooling/max-pool2d';
export { AvgPool2d } from './pooling/avg-pool2d';
export { Flatten } from './reshape/flatten';
export { Sequential } from './containers/sequential';
export { ColumnSplit } from './containers/column-split';
export { Residual } from './containers/residual';
export { BatchNorm } from './normalization/batch-norm';
export type { BatchNormOptions, ChannelLayout } from './normalization/batch-norm';
export { BatchNorm1d } from './normalization/batch-norm1d';
export { BatchNorm2d } from './normalization/batch-norm2d';
export { LayerNorm } from './normalization/layer-norm';
export type { LayerNormOptions } from './normalization/layer-norm';
export { Dropout } from './regularization/dropout';
export type { DropoutOptions } from './regularization/dropout';
export { Embedding } from './embedding/embedding';
export type { EmbeddingOptions } from './embedding/embedding';
export { MultiheadAttention } from './attention/multihead-attention';
export type { MultiheadAttentionOptions, OutProj } from './attention/multihead-attention';
export { scaledDotProductAttention, scaledDotProductAttentionBackward } from './attention/scaled-dot-product-attention';
export type { ScaledDotProductAttentionOptions, ScaledDotProductAttentionResult, ScaledDotProductAttentionGrads } from './attention/scaled-dot-product-attention';
export { RNN } from './recurrent/rnn';
export type { RNNOptions, RNNState, RNNStateGrad, RNNForwardResult, RNNBackwardResult } from './recurrent/rnn';
export { LSTM } from './recurrent/lstm';
export type { LSTMOptions, LSTMState, LSTMStateGrad, LSTMForwardResult, LSTMBackwardResult } from './recurrent/lstm';
export { GRU } from './recurrent/gru';
export type { GRUOptions, GRUState, GRUStateGrad, GRUForwardResult, GRUBackwardResult } from './recurrent/gru';
export type { RecurrentOptions, RecurrentLayerParams } from './recurrent/recurrent-shared';
// Hooks (Module.registerForwardHook and the others): what a hook is given, and the handle that removes it
export type { ForwardPreHook, ForwardHook, FullBackwardHook, RemovableHandle } from './module';
