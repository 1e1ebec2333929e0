import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/**
 * (Building the package and using it from JavaScript, ES modules, TypeScript and a browser
 * bundle, as a student's project does, is spec/install.spec.ts.)
 */
describe('the package', () => {
  test('its only runtime dependency is seedrandom', () => {
    expect(Object.keys(pkg.dependencies)).toEqual(['seedrandom']);
  });

  test('library, specs and demos type-check under strict TypeScript', () => {
    const tsconfig = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
    expect(tsconfig.compilerOptions.strict).toBe(true);
    const tsc = spawnSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', path.join(root, 'tsconfig.json'), '--noEmit'], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 60_000);
});
