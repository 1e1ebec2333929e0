/**
 * One round of the small convolutional task as a task for a worker thread
 * (demos/common/parallel-rounds.ts): the task names its configuration, its round's seed, the
 * round and the epochs; the outcome, `ConvDiskRound`, is plain data (numbers, strings and the
 * per-epoch curves), so it crosses between threads with the same bits.
 *
 * Both `--jobs 1` and `--jobs N` run a round through `runConvDiskRoundTask`.
 */
import { ConvDiskRound, findConvDiskConfig, runConvDiskRound } from './experiment';

/** What one worker runs: round `round` of configuration `config`, seeded by `seed`. */
export interface ConvDiskRoundTask {
  /** A name of CONV_DISK_CONFIGS. */
  config: string;
  /** The round's own seed (`convDiskRoundSeed(runSeed, round)`). */
  seed: string;
  round: number;
  epochs: number;
}

/** Runs the round the task names (with the test accuracy after every epoch, for the curves). Throws for an unknown configuration. */
export function runConvDiskRoundTask(task: ConvDiskRoundTask): ConvDiskRound {
  const config = findConvDiskConfig(task.config);
  if (config === undefined) throw new Error(`no conv-disk configuration named '${task.config}'`);
  return runConvDiskRound(config, task.seed, task.round, task.epochs);
}
