import * as fs from 'node:fs';
import * as path from 'node:path';
import { setBackend } from './minidl';
import { REFERENCE_FORMAT, ReferenceFile } from './reference-data';
import { TASK_CHECKS, taskCheck } from './checks';
import { TaskReport, TaskResult, errorMessage, stubInError, stubResult } from './task-report';

/**
 * The grader: checks each task of the exercises against the reference numbers and prints a
 * score per task, with a hint for every failure.
 *
 *   npm run grade                         every task (tasks.json "all")
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
 * Each task is scored out of 10 (see task-report.ts): a stub still in place gives 0 with the
 * hint "not implemented yet: <Region>"; an exception gives 0 with its message.
 */

/** The flags, read. */
export interface GradeFlags {
  tasks: string[] | null;
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
      case '--tasks': flags.tasks = value().split(',').map((t) => t.trim()).filter((t) => t !== ''); break;
      case '--out': flags.out = path.resolve(value()); break;
      case '--reference-dir': flags.referenceDir = path.resolve(value()); break;
      case '--help': case '-h': throw new UsageError('');
      default: throw new UsageError(`unknown flag ${arg}`);
    }
  }
  return flags;
}

class UsageError extends Error {}

const USAGE = 'usage: npm run grade -- [--tasks a,b] [--out DIR] [--reference-dir DIR]';

/** The task ids to grade: --tasks, else tasks.json's "all" next to grader/, else every task the grader knows. */
export function tasksToGrade(flags: GradeFlags): string[] {
  let ids = flags.tasks;
  if (ids === null) {
    const catalog = path.join(REPOSITORY, 'tasks.json');
    ids = fs.existsSync(catalog) ? (JSON.parse(fs.readFileSync(catalog, 'utf8')) as { all: string[] }).all : TASK_CHECKS.map((t) => t.id);
  }
  const unknown = ids.filter((id) => taskCheck(id) === undefined);
  if (unknown.length > 0) throw new UsageError(`unknown task ${unknown.join(', ')}; the tasks are ${TASK_CHECKS.map((t) => t.id).join(', ')}`);
  return ids;
}

/** Grades one task; never throws. */
export function gradeTask(id: string, referenceDir: string): TaskResult {
  const check = taskCheck(id);
  if (check === undefined) throw new UsageError(`unknown task ${id}`);
  const report = new TaskReport();
  try {
    const file = path.join(referenceDir, `${id}.json`);
    const ref = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as ReferenceFile) : null;
    if (ref !== null && ref.format !== REFERENCE_FORMAT) throw new Error(`${file} is in format ${ref.format}; this grader reads format ${REFERENCE_FORMAT} (record the reference numbers again)`);
    check.grade(ref, report);
  } catch (err) {
    const stub = stubInError(err);
    if (stub) return stubResult(id, check.title, stub);
    report.errors.push(errorMessage(err));
    report.items.push({ name: 'grading', points: 0, maxPoints: 0, hints: [errorMessage(err)] });
  }
  return report.result(id, check.title);
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

/** results.json for Gradescope: one test per task. */
export function gradescopeResults(results: TaskResult[], seconds: number): object {
  return {
    score: round(results.reduce((s, r) => s + r.score, 0)),
    execution_time: Math.round(seconds),
    output: `minidl exercises: ${results.filter((r) => r.score === r.maxScore).length} of ${results.length} tasks with full marks`,
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

/** The console table: one line per task, its hints under it. */
function consoleTable(results: TaskResult[]): string {
  const width = Math.max(...results.map((r) => r.id.length), 4);
  const lines = [`${'task'.padEnd(width)}  score`];
  for (const r of results) {
    lines.push(`${r.id.padEnd(width)}  ${String(round(r.score)).padStart(5)} / ${r.maxScore}`);
    for (const h of r.hints) lines.push(`${' '.repeat(width)}    - ${h}`);
  }
  const total = results.reduce((s, r) => s + r.score, 0), max = results.reduce((s, r) => s + r.maxScore, 0);
  lines.push(`${'total'.padEnd(width)}  ${round(total)} / ${max}`);
  return `${lines.join('\n')}\n`;
}

export function main(argv: readonly string[]): number {
  let flags: GradeFlags;
  let ids: string[];
  try {
    flags = readFlags(argv);
    ids = tasksToGrade(flags);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message ? `grade: ${err.message}\n` : ''}${USAGE}\n`);
    return 2;
  }
  setBackend('js');
  const start = Date.now();
  const results = ids.map((id) => gradeTask(id, flags.referenceDir));
  process.stdout.write(consoleTable(results));
  fs.mkdirSync(flags.out, { recursive: true });
  fs.writeFileSync(path.join(flags.out, 'grade-report.md'), markdownReport(results));
  fs.writeFileSync(path.join(flags.out, 'results.json'), `${JSON.stringify(gradescopeResults(results, (Date.now() - start) / 1000), null, 2)}\n`);
  process.stdout.write(`wrote ${path.join(flags.out, 'grade-report.md')} and results.json\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
