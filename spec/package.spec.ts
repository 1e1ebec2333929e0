import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('the package', () => {
  test('its only runtime dependency is seedrandom', () => {
    expect(Object.keys(pkg.dependencies)).toEqual(['seedrandom']);
  });

  test('builds with type declarations and imports from plain JavaScript', () => {
    // Built inside the project so that the compiled code finds node_modules/seedrandom.
    const out = fs.mkdtempSync(path.join(root, '.spec-build-'));
    try {
      const tsc = spawnSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', path.join(root, 'tsconfig.build.json'), '--outDir', out], { encoding: 'utf8' });
      expect(tsc.stdout + tsc.stderr).toBe('');
      expect(tsc.status).toBe(0);
      // package.json's main and types point into dist/ with the same layout as this build.
      expect(fs.existsSync(path.join(out, path.relative('dist', pkg.main)))).toBe(true);
      expect(fs.existsSync(path.join(out, path.relative('dist', pkg.types)))).toBe(true);
      const script = `
        const m = require(${JSON.stringify(out)});
        const rng = new m.Rng(1);
        const data = m.generateDisk(200, rng);
        const net = new m.NeuralNet(new m.Sequential(new m.Linear(2, 16, { rng }), new m.ReLU(), new m.Linear(16, 2, { rng })), { lr: 0.1, rng });
        const history = net.fit(data.inputs, m.oneHot(data.labels, 2), { epochs: 5, batchSize: 20 });
        console.log(JSON.stringify({ epochs: history.loss.length, model: String(net.model) }));
      `;
      const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: root });
      expect(run.stderr).toBe('');
      expect(JSON.parse(run.stdout)).toEqual({ epochs: 5, model: 'Sequential(Linear(2→16), ReLU, Linear(16→2))' });
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  test('library, specs and demos type-check under strict TypeScript', () => {
    const tsconfig = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
    expect(tsconfig.compilerOptions.strict).toBe(true);
    const tsc = spawnSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', path.join(root, 'tsconfig.json'), '--noEmit'], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 60_000);
});
