import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Minidl from './minidl';
import type * as Checks from './checks';
import type * as ReferenceData from './reference-data';
import { TASK_LIST, taskTitle } from './task-list';
import { TASK_POINTS, TaskReport, TaskResult, errorMessage, stubInError, stubResult } from './task-report';

/**
 * The grader: checks each task of the exercises against the reference numbers and prints a
 * score per task, with a hint for every failure.
 *
 *   npm run grade                         the tasks assigned (tasks.json "tasks"; every task
 *                                         when it lists none, or when there is no tasks.json)
 *   npm run grade -- --tasks all          every task (tasks.json "all"): the parts not assigned
 *                                         pass, which shows the rest of the library works
 *   npm run grade -- --tasks linear,relu  only these
 *   npm run grade -- --out DIR            where to write the reports (default: the repository)
 *   npm run grade -- --reference-dir DIR  the reference numbers (default: grader/reference)
 *
 * Writes two files into the --out folder:
 *   grade-report.md   the table and every hint, in Markdown
 *   results.json      the same in the format Gradescope's autograder reads
 *                     (https://gradescope-autograders.readthedocs.io/en/latest/specs/, "Output format"):
 *                     { "score", "execution_time", "output",
 *                       "tests": [{ "name", "score", "max_score", "output", "visibility" }] }
 *                     one test per task; on Gradescope, run_autograder passes --out /autograder/results
 *
 * The exit code is 0 whenever the grading ran, even when tasks fail (Gradescope's convention:
 * the scores are in results.json; a non-zero exit means the grader itself could not run). It
 * is 2 for bad flags or an unknown task.
 *
 * The student's library is loaded inside main(), after the flags are read, and not when this
 * file is (only types are imported from the files that reach lib/). When lib/ does not load, a
 * syntax error or an exception thrown as its files load, every task graded gets 0 with the one
 * hint `your lib/ does not load: lib/modules/linear.ts:107:10 — Unexpected ";"`, the
 * reports are written all the same, and the exit code is 0.
 *
 * Each task is scored out of 10 (see task-report.ts): a stub still in place gives 0 with the
 * hint "not implemented yet: <Region>"; an exception gives 0 with its message.
 */

/** The flags, read. */
export interface GradeFlags {
  /** --tasks: a list of ids, 'all', or null when not given (then the tasks assigned). */
  tasks: string[] | 'all' | null;
  out: string;
  referenceDir: string;
}

/** The folder above grader/: the exercise repository (in the minidl checkout, demos/exercises). */
const REPOSITORY = path.resolve(__dirname, '..');

export function readFlags(argv: readonly string[]): GradeFlags {
  const flags: GradeFlags = { tasks: null, out: REPOSITORY, referenceDir: path.join(__dirname, 'reference') };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--tasks': {
        const v = value();
        flags.tasks = v === 'all' ? 'all' : v.split(',').map((t) => t.trim()).filter((t) => t !== '');
        break;
      }
      case '--out': flags.out = path.resolve(value()); break;
      case '--reference-dir': flags.referenceDir = path.resolve(value()); break;
      case '--help': case '-h': throw new UsageError('');
      default: throw new UsageError(`unknown flag ${arg}`);
    }
  }
  return flags;
}

class UsageError extends Error {}

const USAGE = 'usage: npm run grade -- [--tasks a,b | --tasks all] [--out DIR] [--reference-dir DIR]';

/** The tasks to grade, and why these (the first line the grader prints). */
export interface TaskSelection {
  ids: string[];
  /** E.g. `grading the 2 tasks assigned in tasks.json: linear, relu (…)`. */
  header: string;
}

/**
 * The tasks to grade:
 *   --tasks a,b   these;
 *   --tasks all   tasks.json's "all" (every task the grader knows when there is no tasks.json);
 *   no --tasks    tasks.json's "tasks", the tasks assigned; when it lists none (a repository
 *                 generated with --tasks none) or there is no tasks.json (this grader run in the
 *                 minidl checkout), every task, as with --tasks all.
 * A UsageError for an id the grader does not know.
 */
export function tasksToGrade(flags: GradeFlags): TaskSelection {
  const known = TASK_LIST.map((t) => t.id);
  const catalogFile = path.join(REPOSITORY, 'tasks.json');
  const catalog = fs.existsSync(catalogFile) ? (JSON.parse(fs.readFileSync(catalogFile, 'utf8')) as { tasks?: string[]; all?: string[] }) : null;
  const all = catalog?.all ?? known;
  const assigned = catalog?.tasks ?? [];
  let selection: TaskSelection;
  if (flags.tasks === 'all') {
    selection = { ids: all, header: `grading all ${all.length} tasks (--tasks all), those not assigned included: they pass when the rest of the library works` };
  } else if (flags.tasks !== null) {
    selection = { ids: flags.tasks, header: `grading ${count(flags.tasks)} (chosen with --tasks): ${flags.tasks.join(', ')}` };
  } else if (assigned.length > 0) {
    selection = {
      ids: assigned,
      header: `grading the ${count(assigned)} assigned in tasks.json: ${assigned.join(', ')} (npm run grade -- --tasks all grades every task)`,
    };
  } else {
    const why = catalog === null ? 'there is no tasks.json next to grader/' : 'tasks.json assigns none';
    selection = { ids: all, header: `grading all ${all.length} tasks (${why})` };
  }
  const unknown = selection.ids.filter((id) => !known.includes(id));
  if (unknown.length > 0) throw new UsageError(`unknown task ${unknown.join(', ')}; the tasks are ${known.join(', ')} (or --tasks all)`);
  return selection;
}

function count(ids: string[]): string {
  return ids.length === 1 ? '1 task' : `${ids.length} tasks`;
}

/** The parts of the grader that reach the student's library, once it has loaded. */
export interface LoadedGrader {
  minidl: typeof Minidl;
  checks: typeof Checks;
  referenceData: typeof ReferenceData;
}

/**
 * Loads the student's library (through minidl.ts) and the checks that use it. Returns them, or,
 * when lib/ does not load, the hint every task then gets:
 * `your lib/ does not load: lib/modules/linear.ts:107:10 — Unexpected ";"`.
 */
export function loadGrader(): LoadedGrader | string {
  try {
    return {
      minidl: require('./minidl') as typeof Minidl,
      checks: require('./checks') as typeof Checks,
      referenceData: require('./reference-data') as typeof ReferenceData,
    };
  } catch (err) {
    return `your lib/ does not load: ${whyNotLoaded(err)}`;
  }
}

/**
 * Where and why loading lib/ failed, as `file:line[:column] — message`, the file relative to the
 * repository:
 * - a syntax error: tsx's compiler (esbuild) throws "Transform failed with 1 error:" followed by
 *   `/…/lib/modules/linear.ts:107:10: ERROR: Unexpected ";"`; that second line gives both;
 * - a file not found: the file that asked for it (Node's `requireStack`), then the message;
 * - any other exception (a ReferenceError at the top level of a file, …): the first frame of its
 *   stack outside node_modules and Node's internals, then `ReferenceError: x is not defined`.
 */
function whyNotLoaded(err: unknown): string {
  if (!(err instanceof Error)) return `threw ${String(err)}`;
  const syntax = /^(.+?):(\d+):(\d+): ERROR: (.+)$/m.exec(err.message);
  if (syntax) return `${shownPath(syntax[1])}:${syntax[2]}:${syntax[3]} — ${syntax[4]}`;
  const message = `${err.name === 'Error' ? '' : `${err.name}: `}${err.message.split('\n')[0]}`;
  const requireStack = (err as { requireStack?: string[] }).requireStack;
  if (requireStack && requireStack.length > 0) return `${shownPath(requireStack[0])} — ${message}`;
  for (const line of (err.stack ?? '').split('\n').slice(1)) {
    const frame = /\(?([^()\s]+):(\d+):(\d+)\)?\s*$/.exec(line);
    if (frame && path.isAbsolute(frame[1]) && !frame[1].split(path.sep).includes('node_modules')) {
      return `${shownPath(frame[1])}:${frame[2]}:${frame[3]} — ${message}`;
    }
  }
  return message;
}

/** `file` relative to the repository (or, outside it, to the working folder), with forward slashes. */
function shownPath(file: string): string {
  for (const base of [REPOSITORY, process.cwd()]) {
    const rel = path.relative(base, file);
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  }
  return file;
}

/** Grades one task; never throws. */
export function gradeTask(id: string, referenceDir: string, grader: LoadedGrader): TaskResult {
  const check = grader.checks.taskCheck(id);
  if (check === undefined) throw new UsageError(`unknown task ${id}`);
  const report = new TaskReport();
  try {
    const file = path.join(referenceDir, `${id}.json`);
    const ref = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as ReferenceData.ReferenceFile) : null;
    const format = grader.referenceData.REFERENCE_FORMAT;
    if (ref !== null && ref.format !== format) throw new Error(`${file} is in format ${ref.format}; this grader reads format ${format} (record the reference numbers again)`);
    check.grade(ref, report);
  } catch (err) {
    const stub = stubInError(err);
    if (stub) return stubResult(id, check.title, stub);
    report.errors.push(errorMessage(err));
    report.items.push({ name: 'grading', points: 0, maxPoints: 0, hints: [errorMessage(err)] });
  }
  return report.result(id, check.title);
}

/** The result of task `id` when lib/ does not load: 0 points, `hint` (see loadGrader) its only hint. */
export function notLoadedResult(id: string, hint: string): TaskResult {
  return { id, title: taskTitle(id), score: 0, maxScore: TASK_POINTS, items: [], hints: [hint] };
}

/** The table printed and written to grade-report.md. */
export function markdownReport(results: TaskResult[]): string {
  const total = results.reduce((s, r) => s + r.score, 0), max = results.reduce((s, r) => s + r.maxScore, 0);
  const lines = ['# Grade report', '', `Total: ${round(total)} / ${max}`, '', '| task | score | hints |', '|---|---:|---|'];
  for (const r of results) {
    lines.push(`| ${r.id} | ${round(r.score)} / ${r.maxScore} | ${r.hints.length === 0 ? 'all checks passed' : r.hints.map((h) => h.replace(/\|/g, '\\|')).join('<br>')} |`);
  }
  lines.push('', '## Checks', '');
  for (const r of results) {
    lines.push(`### ${r.id}: ${r.title} (${round(r.score)} / ${r.maxScore})`, '');
    if (r.items.length === 0) lines.push(...r.hints.map((h) => `- ${h}`));
    for (const item of r.items) {
      lines.push(`- ${item.points === item.maxPoints ? 'ok  ' : 'FAIL'} ${item.name}${item.hints.map((h) => `\n  - ${h}`).join('')}`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** results.json for Gradescope: one test per task; `output` is the text shown above them (default: how many tasks got full marks). */
export function gradescopeResults(results: TaskResult[], seconds: number, output?: string): object {
  return {
    score: round(results.reduce((s, r) => s + r.score, 0)),
    execution_time: Math.round(seconds),
    output: output ?? `minidl exercises: ${results.filter((r) => r.score === r.maxScore).length} of ${results.length} tasks with full marks`,
    tests: results.map((r) => ({
      name: `${r.id}: ${r.title}`,
      score: r.score,
      max_score: r.maxScore,
      output: r.hints.length === 0 ? 'all checks passed' : r.hints.join('\n'),
      visibility: 'visible',
    })),
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** The console table: one line per task, its hints under it (unless `withHints` is false). */
function consoleTable(results: TaskResult[], withHints: boolean): string {
  const width = Math.max(...results.map((r) => r.id.length), 4);
  const lines = [`${'task'.padEnd(width)}  score`];
  for (const r of results) {
    lines.push(`${r.id.padEnd(width)}  ${String(round(r.score)).padStart(5)} / ${r.maxScore}`);
    if (withHints) for (const h of r.hints) lines.push(`${' '.repeat(width)}    - ${h}`);
  }
  const total = results.reduce((s, r) => s + r.score, 0), max = results.reduce((s, r) => s + r.maxScore, 0);
  lines.push(`${'total'.padEnd(width)}  ${round(total)} / ${max}`);
  return `${lines.join('\n')}\n`;
}

export function main(argv: readonly string[]): number {
  let flags: GradeFlags;
  let selection: TaskSelection;
  try {
    flags = readFlags(argv);
    selection = tasksToGrade(flags);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message ? `grade: ${err.message}\n` : ''}${USAGE}\n`);
    return 2;
  }
  process.stdout.write(`${selection.header}\n`);
  const start = Date.now();
  const grader = loadGrader();
  let results: TaskResult[];
  let summary: string | undefined;
  if (typeof grader === 'string') {
    summary = grader;
    // One clear message, then the table of zeros (each task's hint is this same message).
    process.stdout.write(`\n${grader}\n(no task can be graded until it does; fix it, then run npm run grade again)\n\n`);
    results = selection.ids.map((id) => notLoadedResult(id, grader));
    process.stdout.write(consoleTable(results, false));
  } else {
    grader.minidl.setBackend('js');
    results = selection.ids.map((id) => gradeTask(id, flags.referenceDir, grader));
    process.stdout.write(consoleTable(results, true));
  }
  fs.mkdirSync(flags.out, { recursive: true });
  fs.writeFileSync(path.join(flags.out, 'grade-report.md'), markdownReport(results));
  fs.writeFileSync(path.join(flags.out, 'results.json'), `${JSON.stringify(gradescopeResults(results, (Date.now() - start) / 1000, summary), null, 2)}\n`);
  process.stdout.write(`wrote ${path.join(flags.out, 'grade-report.md')} and results.json\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
