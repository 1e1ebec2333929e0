import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from '../demos/common/cli';
import { FileError } from '../demos/common/file-errors';
import {
  ExercisesRepo, WRITTEN_NAMES, buildExercises, checkMarkers, readExercisesFlags, readTaskList, writeExercises,
} from '../demos/exercises/generate';
import { commentOf, findRegions, stubFile } from '../demos/exercises/regions';
import { TASKS, TASK_IDS } from '../demos/exercises/tasks';

/**
 * `npm run exercises` (demos/exercises/generate.ts) writes a student's repository from lib/:
 * the regions of the chosen tasks become stubs, everything else is the library as it is.
 *
 * - The catalog and the markers agree (every region marked, every marker in a task), and no
 *   helper function a region removes is used outside that region: so stubbing any subset of the
 *   tasks changes nothing but the stubbed methods, and type-checking the repository with every
 *   task stubbed and with none covers every subset.
 * - `--tasks none` gives lib/ exactly, without its marker lines (and without the AssemblyScript
 *   sources of the WebAssembly kernels, which are never copied).
 * - With a task stubbed, no line of its solution is left anywhere in the repository.
 * - The repository with every task stubbed type-checks with `tsc` (our node_modules linked in);
 *   the one with none trains a small network; a stubbed Linear.backward throws
 *   "not implemented yet: Linear.backward … npm run grade -- --tasks linear".
 * - The flags: unknown flags and task ids are refused with the list of known ones, and a folder
 *   that already holds what the generator writes is refused before anything is written.
 */

const root = path.join(__dirname, '..');
let tmp = '';
let cachedAll: ExercisesRepo | null = null;

/** The repository with every task stubbed, built once. */
function allStubbed(): ExercisesRepo {
  cachedAll ??= buildExercises(TASKS);
  return cachedAll;
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-exercises-'));
});

afterAll(() => {
  if (tmp !== '') fs.rmSync(tmp, { recursive: true, force: true });
});

/** Our lib/ as the generator copies it: every .ts file but the AssemblyScript sources, marker lines removed. */
function ourLibWithoutMarkers(): Map<string, string> {
  const files = new Map<string, string>();
  const visit = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (child !== 'lib/tensor/wasm/assembly') visit(child);
      } else {
        const text = fs.readFileSync(path.join(root, child), 'utf8');
        files.set(child, text.split('\n').filter((l) => !/^\s*\/\/ exercise (\S+ ▼|▲)\s*$/.test(l)).join('\n'));
      }
    }
  };
  visit('lib');
  return files;
}

/** A line's code: trimmed, without its comment. */
function codeOf(line: string): string {
  return (commentOf(line) === null ? line : line.slice(0, line.indexOf('//'))).trim();
}

/**
 * The code lines of the regions named (trimmed, without their comments), leaving out short lines
 * such as `}` and the lines that lib/ also has outside these regions (a line such as
 * `const grad = new Tensor(diff.shape);` is in MSE's region and in MAE's).
 */
function solutionLines(regions: readonly string[]): string[] {
  const inside: string[] = [];
  const outside = new Set<string>();
  for (const file of ourLibWithoutMarkers().keys()) {
    const text = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
    const mine = findRegions(file, text).filter((r) => regions.includes(r.name));
    text.forEach((line, i) => {
      const code = codeOf(line);
      if (code.length < 12 || code.startsWith('*') || code.startsWith('/**')) return;
      if (mine.some((r) => i > r.begin && i < r.end)) inside.push(code);
      else outside.add(code);
    });
  }
  return inside.filter((code) => !outside.has(code));
}

/** Writes a repository for `tasks` into a new folder under tmp, with our node_modules linked in. */
function writeRepo(name: string, repo: ExercisesRepo): string {
  const dir = path.join(tmp, name);
  writeExercises(dir, repo);
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/** Runs a script (plain JavaScript, requiring the repository's ./lib through tsx) in the repository. */
function runInRepo(dir: string, script: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: dir, encoding: 'utf8' });
  return { status: result.status, output: result.stdout + result.stderr };
}

describe('the catalog and the markers', () => {
  test('the task ids are the ones the grader relies on, each region once', () => {
    expect(TASK_IDS).toEqual([
      'linear', 'relu', 'tanh', 'sigmoid', 'leaky-relu', 'softmax', 'mse', 'mae', 'bce', 'cross-entropy',
      'sequential', 'sgd', 'adam', 'dropout', 'batch-norm', 'conv2d', 'max-pool2d', 'training-step',
    ]);
    const regions = TASKS.flatMap((t) => t.regions);
    expect(new Set(regions).size).toBe(regions.length);
  });

  test('lib/ marks every region, and a helper a region removes is used nowhere else', () => {
    const files = [...ourLibWithoutMarkers().keys()].map((file) => ({ path: file, text: fs.readFileSync(path.join(root, file), 'utf8') }));
    expect(() => checkMarkers(files)).not.toThrow();
    const relu = {
      path: 'lib/a.ts',
      text: 'export class ReLU {\n  forward() {\n    // exercise ReLU.forward ▼\n    reluForward();\n    // exercise ▲\n  }\n}\n' +
        '// exercise ReLU.forward ▼\nexport function reluForward(): void {}\n// exercise ▲\n',
    };
    const importer = { path: 'lib/b.ts', text: "import { reluForward } from './a';\nreluForward();\n" };
    const catalog = [{ id: 'relu', title: 'ReLU', regions: ['ReLU.forward'] }];
    expect(() => checkMarkers([relu], catalog)).not.toThrow();
    expect(() => checkMarkers([relu, importer], catalog)).toThrow("lib/b.ts:1: uses reluForward, which region ReLU.forward removes (lib/a.ts)");
    expect(() => checkMarkers([relu], [])).toThrow('lib/a.ts:3: region ReLU.forward belongs to no task');
    expect(() => checkMarkers([], catalog)).toThrow('task relu: region ReLU.forward is marked nowhere inside a method');
  });

  test('markers that do not pair up are refused with the file and the line', () => {
    expect(() => findRegions('f.ts', ['  // exercise A.b ▼', '  x();'])).toThrow('f.ts:1: region A.b is never closed');
    expect(() => findRegions('f.ts', ['  // exercise ▲'])).toThrow("f.ts:1: '// exercise ▲' closes no region");
    expect(() => findRegions('f.ts', ['  // exercise A.b ▼', '  // exercise A.c ▼'])).toThrow('f.ts:2: region A.c begins inside region A.b');
    expect(() => findRegions('f.ts', ['  // exercise A.b ▼', '// exercise ▲'])).toThrow('f.ts:2: the end of region A.b is not indented as its begin');
  });
});

describe('the stubs', () => {
  test('a method region becomes its comments as TODO lines and a throw; a helper region disappears', () => {
    const text = [
      "import { Tensor } from './tensor';",
      '',
      'class Linear {',
      '  backward(g: Tensor): Tensor {',
      '    const input = this.input;',
      '    // exercise Linear.backward ▼',
      "    add(input, g, '//'); // ∂L/∂W += Xᵀ·G",
      '    return times(g, w); //   ∂L/∂X = G·Wᵀ',
      '    // exercise ▲',
      '  }',
      '}',
      '',
      '// exercise Linear.backward ▼',
      '/** doc */',
      'function times(a: Tensor, b: Tensor): Tensor {',
      '  return a; // a helper note',
      '}',
      '// exercise ▲',
      '',
    ].join('\n');
    const stubbed = stubFile('lib/linear.ts', text, new Map([['Linear.backward', 'linear']]), './exercise-stub');
    expect(stubbed.text).toBe([
      "import { Tensor } from './tensor';",
      "import { notImplemented } from './exercise-stub';",
      '',
      'class Linear {',
      '  backward(g: Tensor): Tensor {',
      '    const input = this.input;',
      '    // TODO ∂L/∂W += Xᵀ·G',
      '    // TODO ∂L/∂X = G·Wᵀ',
      '    // TODO a helper note',
      "    throw notImplemented('Linear.backward', 'linear');",
      '  }',
      '}',
      '',
    ].join('\n'));
    expect(stubbed.stubs).toEqual([{ name: 'Linear.backward', line: 10 }]);
    const kept = stubFile('lib/linear.ts', text, new Map(), './exercise-stub');
    expect(kept.text).toBe(text.split('\n').filter((l) => !l.includes('// exercise')).join('\n'));
    expect(kept.stubs).toEqual([]);
  });

  test('--tasks none is lib/ without its marker lines', () => {
    const repo = buildExercises([]);
    const ours = ourLibWithoutMarkers();
    const lib = new Map(repo.files.filter((f) => f.path.startsWith('lib/')).map((f) => [f.path, f.contents]));
    expect([...lib.keys()].sort()).toEqual([...ours.keys()].sort());
    for (const [file, text] of ours) expect([file, lib.get(file)]).toEqual([file, text]);
    expect(JSON.parse(repo.files.find((f) => f.path === 'tasks.json')?.contents ?? '')).toEqual({ tasks: [], all: TASK_IDS });
  });

  test('every task stubbed: each region at its throw, listed in the README, and no line of any solution left', () => {
    const repo = allStubbed();
    const text = new Map(repo.files.map((f) => [f.path, f.contents]));
    const everything = repo.files.map((f) => f.contents).join('\n');
    expect(everything).not.toMatch(/\/\/ exercise (\S+ ▼|▲)/);
    const lines = new Set(everything.split('\n').map(codeOf)); // a solution line would appear whole
    for (const task of TASKS) {
      const stubs = repo.stubs.get(task.id) ?? [];
      expect([task.id, new Set(stubs.map((s) => s.stub.name))]).toEqual([task.id, new Set(task.regions)]);
      for (const { file, stub } of stubs) {
        expect(text.get(file)?.split('\n')[stub.line - 1].trim()).toBe(`throw notImplemented('${stub.name}', '${task.id}');`);
        // one README line per method, with every line of its stubs (Linear.backward has two)
        const lines = stubs.filter((s) => s.file === file && s.stub.name === stub.name).map((s) => s.stub.line);
        const at = lines.length === 1 ? `${file}:${lines[0]}` : `${file}:${lines.slice(0, -1).join(', ')} and ${lines[lines.length - 1]} (${lines.length} stubs in one method`;
        expect(text.get('README.md')).toContain(`- \`${stub.name}\`: ${at}`);
        expect(text.get('README.md')?.split('\n').filter((l) => l.startsWith(`- \`${stub.name}\`: `)).length).toBe(1);
      }
      const solution = solutionLines(task.regions);
      expect([task.id, solution.length > 0]).toEqual([task.id, true]);
      for (const line of solution) expect([task.id, line, lines.has(line)]).toEqual([task.id, line, false]);
    }
  });

  test('one task stubbed: only its regions, the import of notImplemented only where a stub is', () => {
    const repo = buildExercises(readTaskList('relu'));
    expect([...repo.stubs.keys()]).toEqual(['relu']);
    const withStub = repo.files.filter((f) => f.contents.includes('notImplemented(')).map((f) => f.path);
    expect(withStub).toEqual(['lib/exercise-stub.ts', 'lib/modules/activations/relu.ts']);
    expect(repo.files.find((f) => f.path === 'lib/modules/linear.ts')?.contents).toBe(ourLibWithoutMarkers().get('lib/modules/linear.ts'));
  });
});

describe('the repository', () => {
  let all = '';
  let none = '';

  beforeAll(() => {
    all = writeRepo('all', allStubbed());
    none = writeRepo('none', buildExercises([]));
  });

  test('has the files of the design, and the reference numbers of the grader', () => {
    for (const dir of [all, none]) {
      for (const name of WRITTEN_NAMES) expect(fs.existsSync(path.join(dir, name))).toBe(true);
      expect(fs.readdirSync(path.join(dir, 'grader', 'reference')).length).toBeGreaterThan(0);
      expect(fs.readFileSync(path.join(dir, 'grader', 'minidl.ts'), 'utf8')).toContain("'../lib'");
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(all, 'package.json'), 'utf8'));
    const ours = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('minidl-exercises');
    expect(pkg.scripts.grade).toBe('node --require tsx/cjs grader/grade.ts');
    expect(pkg.dependencies.seedrandom).toBe(ours.dependencies.seedrandom);
    expect(pkg.devDependencies.typescript).toBe(ours.devDependencies.typescript);
    expect(JSON.parse(fs.readFileSync(path.join(all, 'tasks.json'), 'utf8'))).toEqual({ tasks: TASK_IDS, all: TASK_IDS });
    expect(fs.existsSync(path.join(all, 'spec'))).toBe(false);
  });

  // That lib/ type-checks with every task stubbed is spec/package.spec.ts's (one compiler run for
  // the project, the snippets and the stubbed repository); with none stubbed, lib/ and grader/ are
  // ours but for comment lines and the grader's path to the library, which `npm run typecheck`
  // covers; the helper check above makes every subset compile when every task stubbed does.

  test('the solutions train a small network; a stub throws the message that names it and the task', () => {
    const train = runInRepo(none, `
      const { Linear, ReLU, Sequential, MSELoss, SGD, Tensor, NeuralNet, manualSeed } = require('./lib');
      manualSeed(1);
      const net = new Sequential(new Linear(2, 8), new ReLU(), new Linear(8, 1));
      const trainer = new NeuralNet(net, { loss: new MSELoss(), optimizer: new SGD(net.params(), { lr: 0.1, momentum: 0.9 }) });
      const x = Tensor.from([[0, 0], [0, 1], [1, 0], [1, 1]]), y = Tensor.from([[0], [1], [1], [0]]);
      const history = trainer.fit(x, y, { epochs: 30, batchSize: 4 });
      const losses = history.loss;
      console.log(losses[losses.length - 1] < losses[0] ? 'trained' : 'not trained');
    `);
    expect(train).toEqual({ status: 0, output: 'trained\n' });
    // only Linear.backward stubbed: forward works, backward throws
    const linearFile = path.join(none, 'lib', 'modules', 'linear.ts');
    const original = fs.readFileSync(path.join(root, 'lib', 'modules', 'linear.ts'), 'utf8');
    fs.writeFileSync(linearFile, stubFile('lib/modules/linear.ts', original, new Map([['Linear.backward', 'linear']]), '../exercise-stub').text);
    const stubbed = runInRepo(none, `
      const { Linear, Tensor } = require('./lib');
      const layer = new Linear(2, 3);
      const y = layer.forward(Tensor.from([[1, 2]]));
      try { layer.backward(Tensor.ones(y.shape)); } catch (err) { console.log(err.name + ': ' + err.message); }
    `);
    expect(stubbed.output).toBe('MinidlError: not implemented yet: Linear.backward — see the formulas in the doc comment above, then run npm run grade -- --tasks linear\n');
  }, 30_000);
});

describe('the flags', () => {
  test('--out is required, --tasks takes all, none or known ids', () => {
    expect(readExercisesFlags(['--out', 'x'])).toEqual({ out: 'x', tasks: TASKS });
    expect(readExercisesFlags(['--out', 'x', '--tasks', 'none'])).toEqual({ out: 'x', tasks: [] });
    expect(readExercisesFlags(['--out', 'x', '--tasks', 'relu,linear'])?.tasks.map((t) => t.id)).toEqual(['linear', 'relu']);
    expect(() => readExercisesFlags([])).toThrow(new UsageError('--out is required: the folder to write the exercises into, as in --out exercises'));
    expect(() => readExercisesFlags(['--out', 'x', '--tasks', 'relu,lstm'])).toThrow(`--tasks: unknown task 'lstm'; the tasks are ${TASK_IDS.join(', ')} (or all, or none)`);
    expect(() => readExercisesFlags(['--out', 'x', '--tasks', 'relu,,mse'])).toThrow("--tasks 'relu,,mse' has an empty entry");
    expect(() => readExercisesFlags(['--out', 'x', '--tasks', 'relu,relu'])).toThrow("--tasks: 'relu' is given twice");
    expect(() => readExercisesFlags(['--out', 'x', '--tasks', 'none,relu'])).toThrow("--tasks: 'none' stands alone, not in a list");
    expect(() => readExercisesFlags(['--out', 'x', '--task', 'relu'])).toThrow(UsageError);
    expect(() => readExercisesFlags(['--out', 'x', '--task', 'relu'])).toThrow('unknown flag --task');
  });

  test('a folder that holds what the generator writes is refused before anything is written', () => {
    const dir = path.join(tmp, 'taken');
    fs.mkdirSync(path.join(dir, 'lib'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'lib', 'mine.ts'), 'my work');
    expect(() => writeExercises(dir, allStubbed())).toThrow(FileError);
    expect(() => writeExercises(dir, allStubbed())).toThrow(`--out '${dir}' already holds lib`);
    expect(fs.readdirSync(dir)).toEqual(['lib']);
    expect(fs.readdirSync(path.join(dir, 'lib'))).toEqual(['mine.ts']);
  });
});
