/**
 * The worker thread of `npm run disk -- --jobs N`: runs the disk rounds it is sent
 * (demos/common/parallel-rounds.ts, demos/disk/round-task.ts).
 */
import { serveTasks } from '../common/parallel-rounds';
import { runDiskRoundTask } from './round-task';

serveTasks(runDiskRoundTask);
