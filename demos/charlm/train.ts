/**
 * Training a character-level language model, written out step by step (no NeuralNet), so that a
 * reader sees each part of a step:
 *
 *   for each epoch:  a new order of the training windows, from the run's seeded generator
 *     for each mini-batch of windows, x [N, T] and y [N, T]:
 *       1. optimizer.zeroGrad()                        gradients add up (+=): clear them
 *       2. logits = model.forward(x)                   [N, T, C]
 *       3. loss = CrossEntropyLoss(logits, y)          over the N·T positions, given as rows [N·T, C]
 *       4. model.backward(∂loss/∂logits)               every parameter's gradient
 *       5. clipGradNorm(model.params(), maxNorm)       one bad batch cannot throw the weights far
 *       6. optimizer.step()                            AdamW: w ← w − η·(m̂/(√v̂ + ε) + λ·w)
 *   then the loss on the validation windows, in evaluation mode, without steps.
 *
 * Losses are reported in bits per character: the mean cross-entropy in nats divided by ln 2, the
 * number of yes/no questions the model needs, on average, to pin down the next character (a
 * uniform guess among C characters needs log₂ C; English text compressed well, about 1–2).
 *
 * One generator, seeded by the run's seed and the model's name, draws the initial weights, then
 * the order of every epoch, then the sample: the same flags give the same numbers, to the bit.
 * Each step runs inside `withTemporaryTensors`, so the kernels reuse the same memory every step.
 */
import { AdamW, CrossEntropyLoss, MinidlError, Rng, Sequential, Tensor, clipGradNorm, takeRows, withTemporaryTensors } from '../../lib';
import { CharData, Windows } from './data';
import { buildModel } from './models';
import { CharLMModelName, CharLMSettings } from './settings';

/** One epoch's numbers. */
export interface EpochResult {
  epoch: number;
  /** Mean cross-entropy over the epoch's training positions, each with the weights of its batch's step, in bits per character. */
  trainBits: number;
  /** Mean cross-entropy over the validation positions after the epoch, in bits per character. */
  validationBits: number;
  /** Seconds of training (the steps; not the validation), on the clock. */
  seconds: number;
  /** The CPU seconds this process used for them (user + system): less than `seconds` when other programs share the cores. */
  cpuSeconds: number;
}

/** What one run of a model records, for `--export` (PyTorch replays the same run from it). */
export interface RunRecord {
  /** Every parameter's values before the first step, in `model.params()` order. */
  initialParams: Float64Array[];
  /** The order of the training windows in each epoch. */
  orders: Int32Array[];
}

/** A trained model and its history. */
export interface CharLMRun {
  name: CharLMModelName;
  model: Sequential;
  epochs: EpochResult[];
  /** The run's generator, after training: the sample draws from it next. */
  rng: Rng;
  record: RunRecord;
}

/** 1 / ln 2: nats → bits. */
export const BITS_PER_NAT = 1 / Math.LN2;

/** The generator of model `name` in a run with seed `seed`. */
export function runGenerator(seed: string, name: CharLMModelName): Rng {
  return new Rng(`charlm-${seed}-${name}`);
}

/**
 * Trains model `name` on `data` for `epochs` epochs (see the file's comment); calls `onEpoch`
 * after each. Throws a MinidlError naming the epoch and the batch at the first non-finite loss.
 */
export function trainCharLM(
  name: CharLMModelName, data: CharData, settings: CharLMSettings,
  options: { seed: string; epochs: number; onEpoch?: (e: EpochResult) => void },
): CharLMRun {
  const rng = runGenerator(options.seed, name);
  const model = buildModel(name, data.vocabulary.size, settings, rng);
  const lossFn = new CrossEntropyLoss();
  const optimizer = new AdamW(model.params(), { lr: settings.lr, weightDecay: settings.weightDecay });
  const record: RunRecord = { initialParams: model.params().map((p) => p.value.data.slice()), orders: [] };
  const { inputs, targets } = data.train;
  const windows = inputs.shape[0], T = data.sequenceLength, C = data.vocabulary.size;
  const batches = Math.ceil(windows / settings.batchSize);
  const epochs: EpochResult[] = [];

  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const start = performance.now(), cpuStart = process.cpuUsage();
    model.train();
    const order = rng.permutation(windows);
    record.orders.push(order);
    let nats = 0;
    for (let batch = 1; batch <= batches; batch++) {
      const indices = order.subarray((batch - 1) * settings.batchSize, Math.min(batch * settings.batchSize, windows));
      const N = indices.length;
      const loss = withTemporaryTensors(() => {
        const x = takeRows(inputs, indices), y = takeRows(targets, indices); //   [N, T] each
        optimizer.zeroGrad(); //                                                  1. clear the gradients
        const logits = model.forward(x); //                                       2. [N, T, C]
        const value = lossFn.forward(logits.reshape([N * T, C]), y.reshape([N * T])); // 3. mean over N·T positions
        model.backward(lossFn.backward().reshape([N, T, C])); //                  4. ∂L/∂θ for every parameter
        clipGradNorm(model.params(), settings.maxGradNorm); //                    5. ‖g‖ ≤ maxGradNorm
        optimizer.step(); //                                                      6. AdamW update
        return value;
      });
      if (!Number.isFinite(loss)) {
        throw new MinidlError(`${name}: the loss of epoch ${epoch}, batch ${batch} is ${loss}; lower the learning rate (${settings.lr})`);
      }
      nats += loss * N; //                                                        the loss is a mean over N windows of T positions
    }
    const seconds = (performance.now() - start) / 1000, cpu = process.cpuUsage(cpuStart);
    const result: EpochResult = {
      epoch,
      trainBits: (nats / windows) * BITS_PER_NAT,
      validationBits: evaluateBits(model, data.validation, settings.batchSize),
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
    epochs.push(result);
    options.onEpoch?.(result);
  }
  return { name, model, epochs, rng, record };
}

/**
 * The mean cross-entropy of `model` over every position of `windows`, in bits per character, in
 * evaluation mode, batch by batch (no gradient, no step).
 */
export function evaluateBits(model: Sequential, windows: Windows, batchSize: number): number {
  model.eval();
  const lossFn = new CrossEntropyLoss();
  const W = windows.inputs.shape[0], T = windows.inputs.shape[1];
  let nats = 0;
  for (let start = 0; start < W; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, W - start) }, (_, i) => start + i);
    nats += indices.length * withTemporaryTensors(() => {
      const logits = model.forward(takeRows(windows.inputs, indices));
      const C = logits.shape[2];
      return lossFn.forward(logits.reshape([indices.length * T, C]), takeRows(windows.targets, indices).reshape([indices.length * T]));
    });
  }
  model.train();
  return (nats / W) * BITS_PER_NAT;
}

/** The logits of the last position for one sequence of ids [1, t] (a copy, outside any step). */
export function lastLogits(model: Sequential, ids: ArrayLike<number>): Float64Array {
  return withTemporaryTensors(() => {
    const logits = model.forward(Tensor.fromArray(ids, [1, ids.length])); // [1, t, C]
    const C = logits.shape[2];
    return logits.data.slice((ids.length - 1) * C, ids.length * C);
  });
}
