/**
 * Writes a student's repository of exercises from the library.
 *
 *   npm run exercises -- --out DIR                      every task of tasks.ts stubbed
 *   npm run exercises -- --out DIR --tasks linear,relu  these tasks only
 *   npm run exercises -- --out DIR --tasks none         nothing stubbed: the solutions
 *
 * DIR receives:
 *
 *   lib/**            the library; every region of a chosen task (regions.ts) replaced by a stub
 *                     that keeps the solution's comments as `// TODO` lines and throws
 *                     `not implemented yet: Linear.backward …` (lib/exercise-stub.ts). Marker
 *                     lines are removed everywhere; lib/tensor/wasm/assembly (the WebAssembly
 *                     twins of the loops, in AssemblyScript) is not copied.
 *   grader/**         the grader (demos/exercises/grader), its import of the library pointed at
 *                     ../lib, and grader/reference/, the reference numbers recorded from this
 *                     checkout's full library (grader/record.ts)
 *   tasks.json        { "tasks": the stubbed task ids, "all": every task id }
 *   package.json      `npm run grade`, `npm run typecheck`; seedrandom, tsx and typescript
 *   tsconfig.json     strict, as the library's
 *   README.md         what to implement and where (file:line of each stub), the formulas, how to grade
 *
 * No spec, demo or doc is copied, and no solution line of a chosen task is left in DIR.
 *
 * Every flag is checked first (common/cli.ts: an unknown flag or task id is refused with the
 * list of known ones), then the output folder (common/out-dir.ts): it may exist, but must not
 * hold any of the files or folders above already (a student's work is never overwritten).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FlagSpec, UsageError, parseFlags, runMain } from '../common/cli';
import { FileError } from '../common/file-errors';
import { prepareOutDir } from '../common/out-dir';
import { MarkerError, Region, Stub, commentOf, findRegions, hasMarkers, stubFile } from './regions';
import { recordReferences } from './grader/record';
import { studentReadme } from './student-readme';
import { ExerciseTask, TASKS, TASK_IDS } from './tasks';

const USAGE = 'Usage: npm run exercises -- --out DIR [--tasks all|none|id,id,…]';

const FLAGS: Record<string, FlagSpec> = {
  out: { type: 'string', value: 'DIR', help: 'the folder to write the student repository into (new or without the files it writes)' },
  tasks: { type: 'string', value: 'IDS', default: 'all', help: `the tasks to stub, comma-separated: ${TASK_IDS.join(', ')}; or all, or none` },
};

/** The checkout this file belongs to. */
const ROOT = path.join(__dirname, '..', '..');
/** The folder of lib/ that is not copied: the AssemblyScript twins of the loops. */
const NOT_COPIED = path.join('tensor', 'wasm', 'assembly');
/** What the generator writes at the top of DIR; none of them may exist there already. */
export const WRITTEN_NAMES = ['lib', 'grader', 'tasks.json', 'package.json', 'tsconfig.json', 'README.md'];

/** What the flags ask for. */
export interface ExercisesRun {
  /** The output folder. */
  out: string;
  /** The tasks to stub, in catalog order. */
  tasks: ExerciseTask[];
}

/** Reads and checks the flags; null after printing the help for --help. Throws a UsageError. */
export function readExercisesFlags(argv: readonly string[]): ExercisesRun | null {
  const flags = parseFlags(argv, USAGE, FLAGS);
  if (flags === null) return null;
  const out = flags.out as string;
  if (out === '') throw new UsageError('--out is required: the folder to write the exercises into, as in --out exercises');
  return { out, tasks: readTaskList(flags.tasks as string) };
}

/** `all`, `none` or a comma-separated list of known task ids, each once. */
export function readTaskList(value: string): ExerciseTask[] {
  const known = `the tasks are ${TASK_IDS.join(', ')} (or all, or none)`;
  if (value === 'all') return TASKS.slice();
  if (value === 'none') return [];
  const ids = value.split(',').map((id) => id.trim());
  const chosen = new Set<string>();
  for (const id of ids) {
    if (id === '') throw new UsageError(`--tasks '${value}' has an empty entry; ${known}`);
    if (id === 'all' || id === 'none') throw new UsageError(`--tasks: '${id}' stands alone, not in a list; ${known}`);
    if (!TASK_IDS.includes(id)) throw new UsageError(`--tasks: unknown task '${id}'; ${known}`);
    if (chosen.has(id)) throw new UsageError(`--tasks: '${id}' is given twice`);
    chosen.add(id);
  }
  return TASKS.filter((t) => chosen.has(t.id));
}

/** One file of the student's repository: its path under DIR (with '/') and its contents. */
export interface RepoFile {
  path: string;
  contents: string;
}

/** The student's repository in memory, before anything is written. */
export interface ExercisesRepo {
  files: RepoFile[];
  /** The stubs written, by task id, each with its file (under DIR) and line. */
  stubs: Map<string, { file: string; stub: Stub }[]>;
}

/** Every file under `dir` (relative paths with '/'), sorted, skipping the folder `skip` (relative). */
function filesUnder(dir: string, skip: string | null = null): string[] {
  const found: string[] = [];
  const visit = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : path.join(rel, entry.name);
      if (entry.isDirectory()) {
        if (child !== skip) visit(child);
      } else if (entry.isFile()) {
        found.push(child.split(path.sep).join('/'));
      }
    }
  };
  visit('');
  return found.sort();
}

/**
 * Checks that the markers of lib/ match the catalog: every region name marked is a region of a
 * task; every region of a task is marked inside a method at least once; and a helper function a
 * region removes (a region at column 0) is used by no line outside the regions of that name:
 * neither in its own file nor imported or re-exported by another, so that stubbing any set of
 * tasks leaves every other line of lib/ compiling. Throws a MarkerError.
 */
export function checkMarkers(libFiles: { path: string; text: string }[], catalog: readonly ExerciseTask[] = TASKS): void {
  const taskOf = regionTasks(catalog);
  const inMethod = new Set<string>();
  const helpers: { file: string; region: string; name: string }[] = [];
  const regionsOf = new Map<string, Region[]>();
  for (const { path: file, text } of libFiles) {
    const lines = text.split('\n');
    const regions = hasMarkers(text) ? findRegions(file, lines) : [];
    regionsOf.set(file, regions);
    for (const r of regions) {
      if (!taskOf.has(r.name)) throw new MarkerError(`${file}:${r.begin + 1}: region ${r.name} belongs to no task of demos/exercises/tasks.ts`);
      if (r.indent !== '') inMethod.add(r.name);
      else {
        for (const line of lines.slice(r.begin + 1, r.end)) {
          const declared = /^(?:export )?function (\w+)/.exec(line);
          if (declared !== null) helpers.push({ file, region: r.name, name: declared[1] });
        }
      }
    }
  }
  for (const [name, task] of taskOf) {
    if (!inMethod.has(name)) throw new MarkerError(`task ${task}: region ${name} is marked nowhere inside a method of lib/`);
  }
  for (const { path: file, text } of libFiles) {
    const lines = text.split('\n');
    const regions = regionsOf.get(file) ?? [];
    lines.forEach((line, i) => {
      const code = codeOf(line);
      if (code === '') return;
      for (const h of helpers) {
        const inside = regions.some((r) => r.name === h.region && i > r.begin && i < r.end);
        if (inside || !new RegExp(`\\b${h.name}\\b`).test(code)) continue;
        const from = /\bfrom '(\.[^']*)'/.exec(code);
        const importsIt = from !== null && path.posix.join(path.posix.dirname(file), from[1]) === h.file.replace(/\.ts$/, '');
        if (file === h.file || importsIt) {
          throw new MarkerError(`${file}:${i + 1}: uses ${h.name}, which region ${h.region} removes (${h.file}); mark this line inside a region ${h.region}, or keep ${h.name} out of the region`);
        }
      }
    });
  }
}

/** A line without its comment: '' for a comment line or a doc comment line. */
function codeOf(line: string): string {
  const trimmed = line.trim();
  if (trimmed.startsWith('//') || trimmed.startsWith('*') || trimmed.startsWith('/*')) return '';
  const comment = line.indexOf(' //');
  return comment >= 0 && commentOf(line) !== null ? line.slice(0, comment) : line;
}

/** Region name → task id, for the tasks given. */
function regionTasks(tasks: readonly ExerciseTask[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const t of tasks) for (const r of t.regions) map.set(r, t.id);
  return map;
}

/** The student's package.json: the grader's script, and the library's own versions of what it needs. */
function packageJson(): string {
  const ours = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    allowScripts: Record<string, boolean>;
  };
  const pick = (from: Record<string, string>, names: string[]): Record<string, string> =>
    Object.fromEntries(names.map((n) => [n, from[n]]));
  return `${JSON.stringify({
    name: 'minidl-exercises',
    private: true,
    description: 'Exercises generated from minidl: write the stubbed parts of the library, then run npm run grade.',
    scripts: {
      grade: 'node --require tsx/cjs grader/grade.ts',
      typecheck: 'tsc -p tsconfig.json --noEmit',
    },
    dependencies: pick(ours.dependencies, ['seedrandom']),
    devDependencies: pick(ours.devDependencies, ['@types/node', '@types/seedrandom', 'tsx', 'typescript']),
    allowScripts: ours.allowScripts, // tsx's esbuild installs its binary in a postinstall script
  }, null, 2)}\n`;
}

/** The student's tsconfig.json: the library's compiler options, over lib/ and grader/. */
function tsconfigJson(): string {
  const ours = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
  return `${JSON.stringify({
    compilerOptions: { ...ours.compilerOptions, types: ['node'] },
    include: ['lib', 'grader'],
  }, null, 2)}\n`;
}

/**
 * Builds the repository in memory: lib/ with the chosen tasks stubbed, the grader (without its
 * reference numbers, which `writeExercises` records), tasks.json, package.json, tsconfig.json
 * and README.md. Reads this checkout only; writes nothing.
 */
export function buildExercises(tasks: readonly ExerciseTask[]): ExercisesRepo {
  const libDir = path.join(ROOT, 'lib');
  const libFiles = filesUnder(libDir, NOT_COPIED).map((rel) => ({ path: `lib/${rel}`, text: fs.readFileSync(path.join(libDir, rel), 'utf8') }));
  checkMarkers(libFiles);
  const stubbed = regionTasks(tasks);
  const files: RepoFile[] = [];
  const stubs = new Map<string, { file: string; stub: Stub }[]>(tasks.map((t) => [t.id, []]));
  for (const { path: file, text } of libFiles) {
    if (!hasMarkers(text)) {
      files.push({ path: file, contents: text });
      continue;
    }
    let stubImport = path.posix.relative(path.posix.dirname(file), 'lib/exercise-stub');
    if (!stubImport.startsWith('.')) stubImport = `./${stubImport}`;
    const result = stubFile(file, text, stubbed, stubImport);
    files.push({ path: file, contents: result.text });
    for (const stub of result.stubs) stubs.get(stubbed.get(stub.name) as string)?.push({ file, stub });
  }
  const graderDir = path.join(__dirname, 'grader');
  if (fs.existsSync(graderDir)) {
    for (const rel of filesUnder(graderDir, 'reference')) {
      let contents = fs.readFileSync(path.join(graderDir, rel), 'utf8');
      if (rel === 'minidl.ts') contents = contents.split("'../../../lib'").join("'../lib'"); // the library is DIR/lib
      files.push({ path: `grader/${rel}`, contents });
    }
  }
  files.push({ path: 'tasks.json', contents: `${JSON.stringify({ tasks: tasks.map((t) => t.id), all: TASK_IDS }, null, 2)}\n` });
  files.push({ path: 'package.json', contents: packageJson() });
  files.push({ path: 'tsconfig.json', contents: tsconfigJson() });
  files.push({ path: 'README.md', contents: studentReadme(ROOT, tasks, stubs) });
  return { files, stubs };
}

/**
 * Writes the repository into `out` (see the file's comment), then records the reference numbers
 * into `out`/grader/reference. Checks the folder before writing anything: a FileError when it
 * holds one of WRITTEN_NAMES already or cannot be written.
 */
export function writeExercises(out: string, repo: ExercisesRepo): void {
  for (const name of WRITTEN_NAMES) {
    if (fs.existsSync(path.join(out, name))) {
      throw new FileError(`--out '${out}' already holds ${name}: give a new folder, or one without ${WRITTEN_NAMES.join(', ')} (nothing is overwritten)`);
    }
  }
  prepareOutDir('--out', out);
  for (const file of repo.files) {
    const target = path.join(out, ...file.path.split('/'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.contents);
  }
  recordReferences(path.join(out, 'grader', 'reference')); // from this checkout's full library
}

/** `npm run exercises`: reads the flags, builds the repository, writes it and says what it wrote. */
export function runExercises(argv: readonly string[]): void {
  const run = readExercisesFlags(argv);
  if (run === null) return;
  const repo = buildExercises(run.tasks);
  writeExercises(run.out, repo);
  const count = [...repo.stubs.values()].reduce((n, s) => n + s.length, 0);
  const which = run.tasks.length === TASKS.length ? 'every task' : run.tasks.length === 0 ? 'no task (the solutions)' : run.tasks.map((t) => t.id).join(', ');
  console.error(`wrote ${run.out}: ${which} stubbed (${count} stubs); see ${path.join(run.out, 'README.md')}`);
}

if (require.main === module) runMain(() => runExercises(process.argv.slice(2)));
