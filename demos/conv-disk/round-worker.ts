/**
 * The worker thread of `npm run conv-disk -- --jobs N`: runs the rounds it is sent
 * (demos/common/parallel-rounds.ts, demos/conv-disk/round-task.ts).
 */
import { serveTasks } from '../common/parallel-rounds';
import { runConvDiskRoundTask } from './round-task';

serveTasks(runConvDiskRoundTask);
