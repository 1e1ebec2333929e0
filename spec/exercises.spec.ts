import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runExercises } from '../demos/exercises/generate';
import { TASKS } from '../demos/exercises/tasks';
import { MISTAKE_NAMES } from '../demos/exercises/grader/mistakes';
import { readNumber, storeNumber } from '../demos/exercises/grader/reference-data';

/**
 * The exercises end to end, as a teacher and a student use them:
 *
 * - `npm run exercises` with every task stubbed, then `npm run grade` in that repository: every
 *   task gets 0 with the hint "not implemented yet: <one of its regions>" (exit code 0, as
 *   Gradescope wants), and results.json has Gradescope's fields;
 * - `--tasks none` (the solutions): full marks; so does this checkout's library, graded in place
 *   against references recorded into a folder (and an unknown task is a usage error, exit 2);
 * - which tasks are graded: by default those tasks.json assigns (all of them when it assigns
 *   none), every task with `--tasks all`;
 * - a lib/ with a syntax error: each task graded gets 0 with one message naming file:line, the
 *   reports are written and the exit code is 0;
 * - each classic mistake made by a small edit of the solution in a generated repository's lib:
 *   the grader names it.
 *
 * Each repository gets a symlink to this checkout's node_modules, so nothing is downloaded.
 * The grader runs once per repository, on the tasks concerned only (about 15 s in all).
 */
const ROOT = path.join(__dirname, '..');

let work = '';

/** Runs `node --require tsx/cjs <script> …args` in `cwd`; returns stdout, failing on a non-zero exit. */
function runTs(cwd: string, script: string, args: string[]): string {
  const result = spawnSync(process.execPath, ['--require', 'tsx/cjs', script, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`${script} ${args.join(' ')} exited with ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/**
 * Generates an exercise repository into work/<name> with `--tasks tasks`, linked to our
 * node_modules: `npm run exercises`'s own function, in this process (its line on stderr muted).
 */
function generate(name: string, tasks: string | null): string {
  const dir = path.join(work, name);
  const said = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    runExercises(['--out', dir, ...(tasks === null ? [] : ['--tasks', tasks])]);
  } finally {
    said.mockRestore();
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/** A copy of a generated repository (its lib and grader; node_modules linked again). */
function copyRepository(from: string, name: string): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  for (const entry of fs.readdirSync(from)) {
    if (entry === 'node_modules') continue;
    fs.cpSync(path.join(from, entry), path.join(dir, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

interface GradescopeTest { name: string; score: number; max_score: number; output: string; visibility: string }
interface GradescopeResults { score: number; tests: GradescopeTest[] }

/**
 * Runs the repository's grader (on `tasks`, on all with 'all', or by default on the tasks
 * tasks.json assigns) and returns its results.json, by task id, and what it printed.
 */
function grade(dir: string, tasks: string[] | 'all' | null): { results: GradescopeResults; byTask: Map<string, GradescopeTest>; report: string; printed: string } {
  const out = path.join(dir, 'grade-out');
  const printed = runTs(dir, path.join('grader', 'grade.ts'), ['--out', out, ...(tasks === null ? [] : ['--tasks', tasks === 'all' ? 'all' : tasks.join(',')])]);
  const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as GradescopeResults;
  const byTask = new Map(results.tests.map((t) => [t.name.split(':')[0], t]));
  return { results, byTask, report: fs.readFileSync(path.join(out, 'grade-report.md'), 'utf8'), printed };
}

/** Replaces the one occurrence of `before` in `dir`/lib/`file` by `after`. */
function edit(dir: string, file: string, before: string, after: string): void {
  const full = path.join(dir, 'lib', file);
  const text = fs.readFileSync(full, 'utf8');
  expect(text.split(before)).toHaveLength(2); // exactly one occurrence: the edit is where we think
  fs.writeFileSync(full, text.replace(before, after));
}

let solutions = '';

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-exercises-'));
  solutions = generate('solutions', 'none');
}, 60_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('reference numbers keep −0 and the non-finite numbers through JSON', () => {
  for (const x of [-0, NaN, Infinity, -Infinity, 0, 1e-310, -1.5, 0.1 + 0.2, Number.MAX_VALUE]) {
    expect(Object.is(readNumber(JSON.parse(JSON.stringify(storeNumber(x)))), x)).toBe(true);
  }
});

test('in this checkout, the grader gives full marks to the full library from references recorded into a folder of its own', () => {
  const references = path.join(work, 'references');
  runTs(ROOT, path.join('demos', 'exercises', 'grader', 'record.ts'), [references]);
  expect(fs.readdirSync(references)).toContain('linear.json');
  const out = path.join(work, 'checkout-grade');
  const grader = path.join('demos', 'exercises', 'grader', 'grade.ts');
  runTs(ROOT, grader, ['--tasks', 'linear,sgd', '--reference-dir', references, '--out', out]);
  const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as GradescopeResults;
  expect(results.tests.map((t) => [t.score, t.max_score])).toEqual([[10, 10], [10, 10]]);
  const unknown = spawnSync(process.execPath, ['--require', 'tsx/cjs', grader, '--tasks', 'lineer', '--reference-dir', references, '--out', out], { cwd: ROOT, encoding: 'utf8' });
  expect({ status: unknown.status, stderr: unknown.stderr }).toEqual({ status: 2, stderr: expect.stringContaining('unknown task lineer') });
}, 60_000);

test('every task stubbed: each gets 0 with the hint "not implemented yet: <its region>"', () => {
  const stubbed = generate('stubbed', null);
  const { results, byTask, report } = grade(stubbed, null);
  expect(results.score).toBe(0);
  expect([...byTask.keys()]).toEqual(TASKS.map((t) => t.id));
  for (const task of TASKS) {
    const test = byTask.get(task.id) as GradescopeTest;
    expect({ task: task.id, score: test.score }).toEqual({ task: task.id, score: 0 });
    expect(task.regions.map((r) => `not implemented yet: ${r}`)).toContain(test.output);
    expect(test).toEqual({ name: expect.any(String), score: 0, max_score: 10, output: test.output, visibility: 'visible' });
  }
  expect(report).toContain('| linear | 0 / 10 | not implemented yet: Linear.forward |');
}, 60_000);

test('the solutions: full marks on every task (tasks.json assigns none, so the default is all)', () => {
  const { results, printed } = grade(solutions, null);
  expect(printed.split('\n')[0]).toBe(`grading all ${TASKS.length} tasks (tasks.json assigns none)`);
  for (const t of results.tests) expect({ name: t.name, score: t.score, output: t.output }).toEqual({ name: t.name, score: t.max_score, output: 'all checks passed' });
  expect(results.score).toBe(10 * TASKS.length);
}, 60_000);

/** A classic mistake: the edit that makes it, and the task whose hints must name it. */
interface Mistake { task: string; file: string; before: string; after: string; name: string }

const LINEAR = 'modules/linear.ts';
const LINEAR_WEIGHT_GRAD = 'matmulTransA(input, gradOut, { into: this.weight.grad, accumulate: true })';

/** Mistakes in different files, made together in one repository. */
const MISTAKES: Mistake[] = [
  { task: 'linear', file: LINEAR, before: LINEAR_WEIGHT_GRAD, after: 'matmulTransA(input, gradOut, { into: this.weight.grad })', name: MISTAKE_NAMES.overwritten },
  { task: 'relu', file: 'modules/activations/relu.ts', before: 'dx[i] = g[i] * +(x[i] > 0) + 0', after: 'dx[i] = g[i] * +(g[i] > 0) + 0', name: MISTAKE_NAMES.reluSign },
  { task: 'mse', file: 'losses/mse.ts', before: "this.reduction === 'mean' ? 2 / diff.size : 2", after: "this.reduction === 'mean' ? 2 : 2", name: MISTAKE_NAMES.lossMissingMean },
  {
    task: 'batch-norm', file: 'modules/normalization/batch-norm.ts',
    // the last argument of updateRunningAverage(this.runningVar.data, sqDev, …, 1 / (m - 1)): the factor S/(m−1) made S/m
    before: ', 1 / (m - 1));', after: ', 1 / m);',
    name: MISTAKE_NAMES.biasedRunningVar,
  },
  { task: 'softmax', file: 'modules/activations/softmax.ts', before: 'Math.exp(x[j] - max)', after: 'Math.exp(x[j])', name: MISTAKE_NAMES.softmaxOverflow },
  { task: 'adam', file: 'optim/adam.ts', before: 'const stepSize = lr / biasCorrection1', after: 'const stepSize = lr * biasCorrection1', name: MISTAKE_NAMES.adamMultiplied },
  { task: 'adam', file: 'optim/adam.ts', before: 'Math.sqrt(v[i]) / biasCorrection2Sqrt', after: 'Math.sqrt(v[i]) * biasCorrection2Sqrt', name: MISTAKE_NAMES.adamMultiplied },
  { task: 'dropout', file: 'modules/regularization/dropout.ts', before: '+(rng.uniform() < keep) * scale', after: '+(rng.uniform() < keep) * 1', name: MISTAKE_NAMES.dropoutNotRescaled },
];

/** Two more mistakes of Linear, each in a repository of its own. */
const LINEAR_MISTAKES: Mistake[] = [
  {
    task: 'linear', file: LINEAR, before: 'if (this.bias) sumRows(gradOut, { into: this.bias.grad, accumulate: true })',
    after: 'if (this.bias) for (let j = 0; j < this.outFeatures; j++) this.bias.grad.data[j] += gradOut.data[j]', name: MISTAKE_NAMES.biasNotSummed,
  },
  { task: 'linear', file: LINEAR, before: LINEAR_WEIGHT_GRAD, after: 'matmulTransA(gradOut, input, { into: this.weight.grad, accumulate: true })', name: MISTAKE_NAMES.weightTransposed },
];

test('each classic mistake, made as a small edit of the solution, is named by the grader', () => {
  const groups = [MISTAKES, ...LINEAR_MISTAKES.map((m) => [m])];
  groups.forEach((mistakes, k) => {
    const dir = copyRepository(solutions, `mistakes-${k}`);
    for (const m of mistakes) edit(dir, m.file, m.before, m.after);
    const tasks = [...new Set(mistakes.map((m) => m.task))];
    const { byTask } = grade(dir, tasks);
    for (const m of mistakes) {
      const test = byTask.get(m.task) as GradescopeTest;
      expect({ task: m.task, fullMarks: test.score === test.max_score }).toEqual({ task: m.task, fullMarks: false });
      expect({ task: m.task, named: test.output.split('\n').some((line) => line.startsWith(`${m.name}:`)) }).toEqual({ task: m.task, named: true });
    }
  });
}, 60_000);

test('by default the grader grades the tasks assigned (tasks.json "tasks"); --tasks all grades every task, the others passing', () => {
  const dir = generate('linear-relu', 'linear,relu');
  const assigned = grade(dir, null);
  expect(assigned.printed.split('\n')[0]).toBe('grading the 2 tasks assigned in tasks.json: linear, relu (npm run grade -- --tasks all grades every task)');
  expect(assigned.results.tests.map((t) => [t.name.split(':')[0], t.score])).toEqual([['linear', 0], ['relu', 0]]);
  const all = grade(dir, 'all');
  expect(all.printed.split('\n')[0]).toMatch(/^grading all 18 tasks \(--tasks all\)/);
  expect([...all.byTask.keys()]).toEqual(TASKS.map((t) => t.id));
  // training-step trains a network of Linear and ReLU layers: 0 too, with a hint to do those first.
  for (const t of all.results.tests) {
    const zero = ['linear', 'relu', 'training-step'].includes(t.name.split(':')[0]);
    expect({ name: t.name, score: t.score }).toEqual({ name: t.name, score: zero ? 0 : t.max_score });
  }
  expect(all.byTask.get('training-step')?.output).toMatch(/\(task (linear|relu), which this task uses: do it first\)$/);
}, 60_000);

test('a lib/ that does not load: every task graded gets 0 with one message that gives file:line, the reports are written, the exit code is 0', () => {
  const dir = copyRepository(solutions, 'syntax-error');
  const file = path.join(dir, 'lib', 'modules', 'linear.ts');
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const at = lines.findIndex((l) => l.trim().startsWith('forward(input: Tensor): Tensor {')) + 1;
  lines.splice(at, 0, '    const x = ;');
  fs.writeFileSync(file, lines.join('\n'));
  const out = path.join(dir, 'grade-out');
  const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join('grader', 'grade.ts'), '--tasks', 'relu,mse', '--out', out], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  const message = `your lib/ does not load: lib/modules/linear.ts:${at + 1}:`;
  expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  expect(run.stdout.split('\n').filter((l) => l.startsWith(message))).toHaveLength(1);
  const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as GradescopeResults;
  expect(results.score).toBe(0);
  expect(results.tests.map((t) => t.name.split(':')[0])).toEqual(['relu', 'mse']);
  const messageWithColumn = new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\d+ — \\S`);
  for (const t of results.tests) expect(t).toEqual({ name: t.name, score: 0, max_score: 10, output: expect.stringMatching(messageWithColumn), visibility: 'visible' });
  expect(fs.readFileSync(path.join(out, 'grade-report.md'), 'utf8')).toContain(`| relu | 0 / 10 | ${message}`);
}, 60_000);
