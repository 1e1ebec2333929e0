/**
 * The worker thread of `npm run reports -- --jobs N`: runs the report rounds it is sent
 * (demos/common/parallel-rounds.ts, demos/reports/round.ts).
 */
import { serveTasks } from '../common/parallel-rounds';
import { runReportRound } from './round';

serveTasks(runReportRound);
