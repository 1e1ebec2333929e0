import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * `npm run docs` builds the API reference with TypeDoc from the doc comments. typedoc.json
 * turns on `validation.notDocumented` and `treatWarningsAsErrors`, so this fails as soon as an
 * exported class, function, type or member lacks a doc comment, or a doc link is broken.
 */
test('every exported symbol has a doc comment (TypeDoc validation, no output written)', () => {
  const root = path.join(__dirname, '..');
  const run = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--emit', 'none'], {
    cwd: root,
    encoding: 'utf8',
  });
  const output = (run.stdout + run.stderr).replace(/\x1b\[[0-9;]*m/g, '');
  expect(output.split('\n').filter((line) => /warning|error/i.test(line) && !/Found 0 errors and 0 warnings/.test(line))).toEqual([]);
  expect(run.status).toBe(0);
}, 90_000);
