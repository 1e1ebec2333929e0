import * as path from 'node:path';
import {
  FeatureStats, MinidlError, Module, SavedModel, Tensor, aString, anInteger, checkInteger, describeValue, modelFromJSON, modelToJSON,
  readOptions,
} from '../../lib';
import { readModelFile } from '../../lib/node';
import { writeFilesAtomically } from '../common/write-files';
import { ConfigResult } from './experiment';

/**
 * How a saved disk network turns its output into a class: the larger of two outputs
 * (one-hot targets), or one output compared with a threshold (0.5 for a probability or an
 * MSE-trained output, 0 for a logit).
 */
export type DecisionRule = { kind: 'argmax' } | { kind: 'threshold'; threshold: number };

/** What the disk demo stores with a saved network, so that `npm run predict` can use it alone. */
export interface DiskModelMetadata {
  experiment: 'disk';
  config: string;
  description: string;
  seed: string;
  epochs: number;
  round: 1;
  /** Inputs are standardized with the training set's statistics before entering the network. */
  standardization: { mean: number[]; std: number[] };
  decision: DecisionRule;
  testError: number;
}

/**
 * Saves the first round's trained network of `result`, with what predicting needs, into an
 * existing folder; the file is replaced all at once (see common/write-files.ts). Throws a FileError.
 */
export function saveDiskModel(file: string, result: ConfigResult, run: { seed: string; epochs: number }): void {
  if (typeof file !== 'string' || file === '') throw new MinidlError(`saveDiskModel: file must be a path, got ${describeValue(file)}`);
  writeFilesAtomically(path.dirname(file), [{ name: path.basename(file), contents: diskModelText(result, run) }]);
}

/** The model file's text (the format of lib's saveModel) for the first round's network of `result`. */
export function diskModelText(result: ConfigResult, run: { seed: string; epochs: number }): string {
  const o = readOptions<{ seed: string; epochs: number }>('diskModelText', run, { seed: aString, epochs: anInteger });
  if (typeof o.seed !== 'string') throw new MinidlError(`diskModelText: run.seed must be the run's seed, got ${describeValue(o.seed)}`);
  checkInteger('diskModelText', 'run.epochs', o.epochs);
  if (result === null || typeof result !== 'object' || result.firstRound === undefined) {
    throw new MinidlError(`diskModelText: expected the result of runConfig, got ${describeValue(result)}`);
  }
  const { net, stats } = result.firstRound;
  const outputs = net.predict(new Tensor([1, 2])).shape[1];
  const decision: DecisionRule = outputs === 2
    ? { kind: 'argmax' }
    : { kind: 'threshold', threshold: result.loss.startsWith('BCEWithLogitsLoss') ? 0 : 0.5 };
  const metadata: DiskModelMetadata = {
    experiment: 'disk',
    config: result.config.name,
    description: result.config.description,
    seed: run.seed,
    epochs: run.epochs,
    round: 1,
    standardization: { mean: Array.from(stats.mean.data), std: Array.from(stats.std.data) },
    decision,
    testError: result.rounds[0].testError,
  };
  return JSON.stringify(modelToJSON(net.model, metadata as unknown as Record<string, unknown>));
}

/** A saved disk network, ready to classify raw points of the unit square. */
export interface LoadedDiskModel {
  model: Module;
  metadata: DiskModelMetadata;
  stats: FeatureStats;
}

/** Loads a file written by `saveDiskModel`; refuses model files that lack the disk demo's metadata. */
export function loadDiskModel(file: string): LoadedDiskModel {
  const saved: SavedModel = readModelFile(file);
  const metadata = saved.metadata as Partial<DiskModelMetadata> | undefined;
  const st = metadata?.standardization;
  const decision = metadata?.decision;
  const validDecision = decision !== undefined
    && (decision.kind === 'argmax' || (decision.kind === 'threshold' && typeof decision.threshold === 'number'));
  const validStats = st !== undefined && Array.isArray(st.mean) && Array.isArray(st.std)
    && st.mean.length === 2 && st.std.length === 2 && [...st.mean, ...st.std].every((v) => typeof v === 'number' && Number.isFinite(v));
  if (metadata?.experiment !== 'disk' || !validStats || !validDecision) {
    throw new MinidlError(`loadDiskModel: ${file} is a minidl model but not one saved by the disk demo (npm run disk -- --save): it lacks the input standardization or the decision rule`);
  }
  const model = modelFromJSON(saved).eval();
  const stats: FeatureStats = {
    mean: Tensor.fromArray(st.mean as number[], [1, 2]),
    std: Tensor.fromArray(st.std as number[], [1, 2]),
  };
  return { model, metadata: metadata as DiskModelMetadata, stats };
}

/** The class (0 outside the disk, 1 inside) of each output row under `rule`. */
export function decide(output: Tensor, rule: DecisionRule): number[] {
  const n = output.shape[0];
  const cols = output.size / n;
  const classes: number[] = [];
  for (let i = 0; i < n; i++) {
    if (rule.kind === 'argmax') {
      let best = 0;
      for (let j = 1; j < cols; j++) if (output.data[i * cols + j] > output.data[i * cols + best]) best = j;
      classes.push(best);
    } else {
      classes.push(output.data[i] > rule.threshold ? 1 : 0);
    }
  }
  return classes;
}
