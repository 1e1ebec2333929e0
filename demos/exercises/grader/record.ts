import * as fs from 'node:fs';
import * as path from 'node:path';
import { getBackend, setBackend } from './minidl';
import { TASK_CHECKS } from './checks';

/**
 * Records the reference numbers of every task: runs the fixed seeded cases of the checks
 * (checks/*.ts) through the library and writes `<outDir>/<task>.json` for each task that has
 * cases (see reference-data.ts for the format). Run against the full library, when the
 * exercises are generated; the grader then compares the student's library with these files.
 *
 * Runs on the 'js' backend (the backend the grader uses), and puts back the backend that was
 * selected. Returns the paths written.
 *
 *   node --require tsx/cjs demos/exercises/grader/record.ts DIR     (the same from a shell)
 */
export function recordReferences(outDir: string): string[] {
  const before = getBackend();
  setBackend('js');
  try {
    fs.mkdirSync(outDir, { recursive: true });
    const written: string[] = [];
    for (const check of TASK_CHECKS) {
      const ref = check.record();
      if (ref === null) continue;
      const file = path.join(outDir, `${check.id}.json`);
      fs.writeFileSync(file, `${JSON.stringify(ref)}\n`);
      written.push(file);
    }
    return written;
  } finally {
    setBackend(before);
  }
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: node --require tsx/cjs record.ts OUT_DIR\n');
    process.exit(2);
  }
  for (const file of recordReferences(dir)) process.stdout.write(`${file}\n`);
}
