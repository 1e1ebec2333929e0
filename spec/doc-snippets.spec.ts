import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Every TypeScript snippet in the README and in docs/ is type-checked (strict) and run, so the
 * documentation cannot drift from the library. Snippets import from 'minidl' and 'minidl/node',
 * as a student's file does inside a clone: tsconfig.json's `paths` point those names at
 * lib/index.ts and lib/node.ts, for the type check and for tsx alike (spec/install.spec.ts runs
 * the tutorial again against the installed package).
 */
const root = path.join(__dirname, '..');
const documents = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => path.join('docs', f))];

interface Snippet {
  file: string;
  line: number;
  code: string;
}

function snippetsOf(file: string): Snippet[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const found: Snippet[] = [];
  const fence = /^```(ts|typescript)\n([\s\S]*?)^```/gm;
  let m: RegExpExecArray | null;
  while ((m = fence.exec(text)) !== null) {
    found.push({ file, line: text.slice(0, m.index).split('\n').length, code: m[2] });
  }
  return found;
}

const snippets = documents.flatMap(snippetsOf);

describe('documentation snippets', () => {
  const dir = fs.mkdtempSync(path.join(root, '.spec-build-snippets-'));
  const files = snippets.map((s, i) => {
    const name = `${s.file.replace(/[/.]/g, '_')}_line${s.line}.ts`;
    fs.writeFileSync(path.join(dir, name), `export {};\n${s.code}`);
    return { ...s, name, index: i };
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the README has snippets to check', () => {
    expect(files.filter((f) => f.file === 'README.md').length).toBeGreaterThanOrEqual(2);
  });

  test('every snippet type-checks under strict TypeScript', () => {
    const tsconfig = {
      extends: '../tsconfig.json',
      compilerOptions: { noEmit: true, noUnusedLocals: false },
      include: ['./*.ts'],
    };
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = spawnSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', path.join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
  }, 60_000);

  // The snippets of one document run in one process, in the order of the page, each as its own
  // module (as a reader runs them one after the other); a failure names the snippet's line.
  const runner = path.join(dir, 'run-snippets.cjs');
  fs.writeFileSync(runner, [
    'for (const file of process.argv.slice(2)) {',
    '  try { require(file); } catch (err) { console.error(`${require("path").basename(file)}: ${err && err.stack || err}`); process.exit(1); }',
    '}',
  ].join('\n'));
  const byDocument = [...new Set(files.map((f) => f.file))].map((file) => [file, files.filter((f) => f.file === file)] as const);

  test.each(byDocument.map(([file, its]) => [file, its.length, its]))('%s: its %d snippets run without error', (_file, _count, its) => {
    const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', runner, ...its.map((f) => path.join(dir, f.name))], { encoding: 'utf8', cwd: root, timeout: 240_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 240_000);
});
