import { ReferenceFile } from '../reference-data';
import { TaskReport } from '../task-report';
import { taskTitle } from '../task-list';
import { ModuleTask, gradeModuleTask, recordModuleTask } from './module-task';
import { LossTask, gradeLossTask, recordLossTask } from './loss-task';
import { OptimizerTask, adamTask, gradeOptimizerTask, recordOptimizerTask, sgdTask } from './optimizers';
import { linearTask } from './linear';
import { leakyReluTask, reluTask, sigmoidTask, softmaxTask, tanhTask } from './activations';
import { bceTask, crossEntropyTask, maeTask, mseTask } from './losses';
import { sequentialTask } from './sequential';
import { dropoutTask } from './dropout';
import { batchNormTask } from './batch-norm';
import { conv2dTask, maxPool2dTask } from './convolution';
import { gradeTrainingStep } from './training-step';

/** How the grader checks one task: what it records into the reference, and how it grades. */
export interface TaskCheck {
  id: string;
  /** The task's title, from task-list.ts. */
  title: string;
  /** Runs the task's fixed cases through the library: the reference file (null: it needs none). */
  record(): ReferenceFile | null;
  /** Grades the student's library against the reference (null for a task without one). */
  grade(ref: ReferenceFile | null, report: TaskReport): void;
}

function moduleCheck(task: ModuleTask): TaskCheck {
  return { id: task.id, title: taskTitle(task.id), record: () => recordModuleTask(task), grade: (ref, report) => gradeModuleTask(task, needed(task.id, ref), report) };
}

function lossCheck(task: LossTask): TaskCheck {
  return { id: task.id, title: taskTitle(task.id), record: () => recordLossTask(task), grade: (ref, report) => gradeLossTask(task, needed(task.id, ref), report) };
}

function optimizerCheck(task: OptimizerTask): TaskCheck {
  return { id: task.id, title: taskTitle(task.id), record: () => recordOptimizerTask(task), grade: (ref, report) => gradeOptimizerTask(task, needed(task.id, ref), report) };
}

function needed(id: string, ref: ReferenceFile | null): ReferenceFile {
  if (ref === null) throw new Error(`the reference numbers of task ${id} are missing (${id}.json in the reference folder); record them with node --require tsx/cjs grader/record.ts DIR and pass --reference-dir DIR`);
  return ref;
}

/** The checks of every task the grader knows, in the order of task-list.ts (ids and titles come from there). */
export const TASK_CHECKS: TaskCheck[] = [
  moduleCheck(linearTask),
  moduleCheck(reluTask),
  moduleCheck(tanhTask),
  moduleCheck(sigmoidTask),
  moduleCheck(leakyReluTask),
  moduleCheck(softmaxTask),
  lossCheck(mseTask),
  lossCheck(maeTask),
  lossCheck(bceTask),
  lossCheck(crossEntropyTask),
  moduleCheck(sequentialTask),
  optimizerCheck(sgdTask),
  optimizerCheck(adamTask),
  moduleCheck(dropoutTask),
  moduleCheck(batchNormTask),
  moduleCheck(conv2dTask),
  moduleCheck(maxPool2dTask),
  {
    id: 'training-step',
    title: taskTitle('training-step'),
    record: () => null,
    grade: (_ref, report) => gradeTrainingStep(report),
  },
];

/** The check of task `id`, or undefined. */
export function taskCheck(id: string): TaskCheck | undefined {
  return TASK_CHECKS.find((t) => t.id === id);
}
