/**
 * Data: the disk task of the course, standardisation, one-hot targets, the IDX format and MNIST
 * (reading the files from a folder is `loadMnist` in `minidl/node`).
 *
 * Everything here is imported from `minidl` (lib/index.ts exports every chapter); this file
 * lists one chapter of it, as the API reference shows it.
 *
 * @module Data
 */
export { generateDisk, diskLabel, DISK_RADIUS, DISK_CENTER } from './disk';
export type { LabelledData } from './disk';
export { standardize, featureStats, applyStandardization } from './standardize';
export type { FeatureStats, StandardizedTrain, StandardizedSplit } from './standardize';
export { oneHot, labelColumn } from './one-hot';
export { parseIdx, encodeIdx, IDX_TYPES } from './idx';
export type { IdxArray, IdxData, IdxType, IdxTypeInfo } from './idx';
export { mnistSplitFromIdx, asImageBatch, MNIST_FILES, MNIST_CLASSES } from './mnist';
export type { ImageSplit, MnistData } from './mnist';
