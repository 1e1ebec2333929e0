import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { documents, snippetsOf, writeSnippets } from './doc-snippets';

/**
 * Every TypeScript snippet in the README and in docs/ runs, so the documentation cannot drift
 * from the library (spec/package.spec.ts type-checks them, strict, with the rest of the project).
 * Snippets import from 'minidl' and 'minidl/node', as a student's file does inside a clone:
 * tsconfig.json's `paths` point those names at lib/index.ts and lib/node.ts, for the type check
 * and for tsx alike (spec/install.spec.ts runs the tutorial again against the installed package).
 */
const root = path.join(__dirname, '..');

describe('documentation snippets', () => {
  // the list now, for the tests' names; the files only when a test runs (a filtered run that
  // skips them all leaves no folder behind)
  const files = documents().flatMap(snippetsOf);
  let dir = '';
  let runner = '';
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(root, '.spec-build-snippets-'));
    writeSnippets(dir);
    runner = path.join(dir, 'run-snippets.cjs');
    fs.writeFileSync(runner, [
      'for (const file of process.argv.slice(2)) {',
      '  try { require(file); } catch (err) { console.error(`${require("path").basename(file)}: ${err && err.stack || err}`); process.exit(1); }',
      '}',
    ].join('\n'));
  });
  afterAll(() => {
    if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the README has snippets to check', () => {
    expect(files.filter((f) => f.file === 'README.md').length).toBeGreaterThanOrEqual(2);
  });

  // The snippets of one document run in one process, in the order of the page, each as its own
  // module (as a reader runs them one after the other); a failure names the snippet's line.
  const byDocument = [...new Set(files.map((f) => f.file))].map((file) => [file, files.filter((f) => f.file === file)] as const);

  test.each(byDocument.map(([file, its]) => [file, its.length, its]))('%s: its %d snippets run without error', (_file, _count, its) => {
    const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', runner, ...its.map((f) => path.join(dir, f.name))], { encoding: 'utf8', cwd: root, timeout: 240_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 240_000);
});
