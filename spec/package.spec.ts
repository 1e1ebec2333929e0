import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildExercises, writeExercises } from '../demos/exercises/generate';
import { TASKS } from '../demos/exercises/tasks';
import { writeSnippets } from './doc-snippets';

const root = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/**
 * (Building the package and using it from JavaScript, ES modules, TypeScript and a browser
 * bundle, as a student's project does, is spec/install.spec.ts; running the documentation's
 * snippets is spec/doc-snippets.spec.ts.)
 */
describe('the package', () => {
  test('its only runtime dependency is seedrandom', () => {
    expect(Object.keys(pkg.dependencies)).toEqual(['seedrandom']);
  });

  // One compiler run for the whole project, every TypeScript snippet of the README and docs/ (each
  // snippet a module of its own; 'minidl' resolves to lib/ through tsconfig.json's paths), and the
  // lib/ of the exercise repository with every task stubbed (`npm run exercises`: the stubs must
  // compile where the solutions stood; spec/exercises-generate.spec.ts checks the rest of it). Its
  // tsconfig.json has this project's compiler options. Only the files the stubs change are
  // written: `rootDirs` lets their relative imports find the other files in lib/, which the
  // exercise repository holds word for word (checked here too).
  test('library, specs, demos, the documentation snippets and the stubbed exercises type-check under strict TypeScript', () => {
    const tsconfig = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
    expect(tsconfig.compilerOptions.strict).toBe(true);
    const dir = fs.mkdtempSync(path.join(root, '.spec-build-typecheck-'));
    try {
      const snippets = writeSnippets(dir);
      expect(snippets.filter((s) => s.file === 'README.md').length).toBeGreaterThanOrEqual(2);
      const exercises = buildExercises(TASKS);
      expect(exercises.stubs.size).toBe(TASKS.length);
      const stubbedFiles = new Set([...exercises.stubs.values()].flat().map((s) => s.file));
      const changed: string[] = [];
      for (const file of exercises.files.filter((f) => f.path.startsWith('lib/'))) {
        const original = fs.readFileSync(path.join(root, ...file.path.split('/')), 'utf8');
        if (file.contents === original) continue;
        changed.push(file.path);
        const target = path.join(dir, 'stubbed', ...file.path.split('/'));
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, file.contents);
      }
      expect(changed.sort()).toEqual([...stubbedFiles].sort()); // every other file of the repository's lib/ is this lib/'s
      const repoOptions = JSON.parse((exercises.files.find((f) => f.path === 'tsconfig.json') as { contents: string }).contents).compilerOptions;
      for (const option of ['strict', 'noImplicitOverride', 'target', 'module', 'lib']) expect([option, repoOptions[option]]).toEqual([option, tsconfig.compilerOptions[option]]);
      fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
        extends: '../tsconfig.json',
        compilerOptions: { rootDirs: ['../lib', './stubbed/lib'] },
        include: ['../lib', '../spec', '../demos', './*.ts', './stubbed/lib'],
        exclude: ['../lib/tensor/wasm/assembly'],
      }));
      const tsc = spawnSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', path.join(dir, 'tsconfig.json'), '--noEmit'], { encoding: 'utf8' });
      expect(tsc.stdout + tsc.stderr).toBe('');
      expect(tsc.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
