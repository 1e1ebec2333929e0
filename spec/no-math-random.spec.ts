import * as fs from 'fs';
import * as path from 'path';

/** Every .ts file under `dir`, recursively. */
function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

const LIB = path.join(__dirname, '..', 'lib');
const FORBIDDEN = /Math\s*\.\s*random|Math\s*\[\s*['"`]random['"`]\s*\]/;

describe('randomness only comes from the seeded Rng', () => {
  const files = tsFiles(LIB);

  test('the scan finds the library\'s sources', () => {
    const relative = files.map((f) => path.relative(LIB, f).split(path.sep).join('/'));
    // Files at the top and deep inside, so the recursion is exercised.
    expect(relative).toEqual(expect.arrayContaining(['index.ts', 'random/rng.ts', 'modules/containers/sequential.ts']));
    expect(files.length).toBeGreaterThanOrEqual(20);
    expect(fs.readFileSync(path.join(LIB, 'random', 'rng.ts'), 'utf8')).toMatch(/seedrandom/);
  });

  test('the pattern catches the usual spellings', () => {
    // Built from pieces so that this spec does not itself contain the forbidden call.
    const name = 'random';
    for (const text of [`Math.${name}()`, `x = Math . ${name}`, `Math['${name}']()`]) expect(text).toMatch(FORBIDDEN);
    expect('rng.uniform(); // random numbers').not.toMatch(FORBIDDEN);
  });

  test('no file under lib/ uses Math.random', () => {
    const offenders = files.filter((f) => FORBIDDEN.test(fs.readFileSync(f, 'utf8')))
      .map((f) => path.relative(LIB, f));
    expect(offenders).toEqual([]);
  });
});
