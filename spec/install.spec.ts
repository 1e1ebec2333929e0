import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';

/**
 * minidl used as a student uses it in a project of their own: `npm pack` of this checkout (which
 * runs the `prepare` build), installed with npm into a fresh temporary project, then
 *
 *   a CommonJS script      require('minidl'), require('minidl/node')
 *   an ES module script    import { … } from 'minidl'
 *   strict TypeScript      module resolution node16 (an ES module project) and bundler
 *   a browser bundle       esbuild, platform browser, run where no Node built-in exists
 *   the README's example and every snippet of the tutorial docs/write-a-layer.md, as written
 *
 * each of which trains a tiny network. The install takes seedrandom from npm's cache when it is
 * there (`--prefer-offline`); TypeScript and esbuild are this checkout's own.
 */
const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let work = '';
let project = '';
let tarball = '';

function run(command: string, args: string[], cwd: string, timeout = 120_000): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' } });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited with ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

/** A tiny network trained on 64 disk points; prints what a student would check. */
const TRAIN_BODY = `
const rng = new Rng(7);
const data = generateDisk(64, rng);
const model = new Sequential(new Linear(2, 8, { rng }), new ReLU(), new Linear(8, 2, { rng }));
const net = new NeuralNet(model, { loss: new CrossEntropyLoss(), lr: 0.1, rng });
const history = net.fit(data.inputs, data.labels, { epochs: 3, batchSize: 16 });
let withoutNew = '';
try { (Linear as unknown as (a: number, b: number) => unknown)(2, 3); } catch (err) { withoutNew = (err as Error).message; }
const result = { epochs: history.loss.length, finite: history.loss.every((v: number) => Number.isFinite(v)), model: String(model), withoutNew };
`;

const EXPECTED = {
  epochs: 3,
  finite: true,
  model: 'Sequential(Linear(2→8), ReLU, Linear(8→2))',
  withoutNew: 'Linear(…) was called without new: Linear is a class, create one with new Linear(…)',
};

/** TRAIN_BODY without its TypeScript casts, for the JavaScript scripts. */
function javascript(body: string): string {
  return body.replace(/ as unknown as \([^)]*\) => unknown/g, '').replace(/\(err as Error\)/g, 'err').replace(/\(v: number\)/g, '(v)');
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-install-'));
  run(NPM, ['pack', '--pack-destination', work], ROOT, 180_000);
  tarball = path.join(work, fs.readdirSync(work).find((f) => f.endsWith('.tgz')) as string);
  project = path.join(work, 'student-project');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'student-project', version: '1.0.0', private: true }, null, 2));
  run(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], project, 180_000);
}, 360_000);

afterAll(() => {
  if (work !== '') fs.rmSync(work, { recursive: true, force: true });
});

describe('minidl installed from a packed tarball into a fresh project', () => {
  test('the package holds the compiled library with its types, and no specs or demos', () => {
    const installed = path.join(project, 'node_modules', 'minidl');
    for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/node.js', 'dist/node.d.ts', 'package.json']) {
      expect(fs.existsSync(path.join(installed, file))).toBe(true);
    }
    expect(fs.existsSync(path.join(installed, 'spec'))).toBe(false);
    expect(fs.existsSync(path.join(installed, 'demos'))).toBe(false);
    const pkg = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies)).toEqual(['seedrandom']);
    expect(Object.keys(pkg.exports)).toEqual(['.', './node', './package.json']);
  });

  test('CommonJS: require("minidl") trains, require("minidl/node") saves and loads', () => {
    const script = `
      const { Rng, generateDisk, Sequential, Linear, ReLU, NeuralNet, CrossEntropyLoss, Tensor } = require('minidl');
      const { saveModel, loadModel } = require('minidl/node');
      ${javascript(TRAIN_BODY)}
      const file = require('path').join(__dirname, 'model.json');
      saveModel(model, file);
      const loaded = loadModel(file);
      const x = Tensor.fromArray([0.5, 0.5], [1, 2]);
      result.reloaded = Array.from(loaded.forward(x).data).join() === Array.from(model.forward(x).data).join();
      console.log(JSON.stringify(result));
    `;
    fs.writeFileSync(path.join(project, 'train.cjs'), script);
    expect(JSON.parse(run(process.execPath, ['train.cjs'], project))).toEqual({ ...EXPECTED, reloaded: true });
  }, 60_000);

  test('ES modules: import { … } from "minidl" and "minidl/node"', () => {
    const script = `
      import { Rng, generateDisk, Sequential, Linear, ReLU, NeuralNet, CrossEntropyLoss } from 'minidl';
      import { loadMnist } from 'minidl/node';
      ${javascript(TRAIN_BODY)}
      result.loadMnist = typeof loadMnist;
      console.log(JSON.stringify(result));
    `;
    fs.writeFileSync(path.join(project, 'esm.mjs'), script);
    expect(JSON.parse(run(process.execPath, ['esm.mjs'], project))).toEqual({ ...EXPECTED, loadMnist: 'function' });
  }, 60_000);

  test('strict TypeScript type-checks and runs, with module resolution node16, bundler and node (CommonJS)', () => {
    const setups = [
      ['node16', { module: 'node16', moduleResolution: 'node16' }, 'module'],
      ['bundler', { module: 'esnext', moduleResolution: 'bundler' }, 'module'],
      ['node', { module: 'commonjs', moduleResolution: 'node' }, 'commonjs'],
    ] as const;
    const dirs = setups.map(([name, resolution, type]) => {
      const dir = path.join(project, `ts-${name}`);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type }));
      fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
        // skipLibCheck false: minidl's own .d.ts files are checked too; TypeScript's default
        // library files (lib.es2020.d.ts, …) are not ours and take half the time (skipDefaultLibCheck)
        compilerOptions: { ...resolution, target: 'ES2020', strict: true, outDir: 'out', types: [], skipLibCheck: false, skipDefaultLibCheck: true, noUncheckedIndexedAccess: true },
        include: ['train.ts'],
      }));
      fs.writeFileSync(path.join(dir, 'train.ts'), `
        import { Rng, generateDisk, Sequential, Linear, ReLU, NeuralNet, CrossEntropyLoss, Tensor, type Module } from 'minidl';
        import { saveModel } from 'minidl/node';
        ${TRAIN_BODY}
        const layer: Linear = new Linear(2, 2);
        const asModule: Module = layer;
        const t: Tensor = layer.weight.value;
        const save: typeof saveModel = saveModel;
        console.log(JSON.stringify({ ...result, types: [asModule === layer, t.shape.length, typeof save] }));
      `);
      return dir;
    });
    // one compiler process builds the three projects (tsc --build), each with its own settings
    run(path.join(BIN, 'tsc'), ['--build', ...dirs], project);
    for (const dir of dirs) {
      const out = run(process.execPath, [path.join(dir, 'out', 'train.js')], dir);
      expect({ dir: path.basename(dir), result: JSON.parse(out) }).toEqual({ dir: path.basename(dir), result: { ...EXPECTED, types: [true, 2, 'function'] } });
    }
  }, 120_000);

  test("the README's example (train.mjs) runs as pasted", () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const snippet = /^```js\n(\/\/ train\.mjs[\s\S]*?)^```/m.exec(readme);
    expect(snippet).not.toBeNull();
    fs.writeFileSync(path.join(project, 'train.mjs'), (snippet as RegExpExecArray)[1]);
    const out = run(process.execPath, ['train.mjs'], project);
    expect(out).toMatch(/^test error: 0\.021$/m); // what the README's comment says
    expect(out).toMatch(/^reloaded: Sequential\(Linear\(2→25\), ReLU, Linear\(25→25\), ReLU, Linear\(25→25\), ReLU, Linear\(25→2\)\)$/m);
  }, 60_000);

  test('the tutorial docs/write-a-layer.md runs as written against the installed package (tsx, as the page says)', () => {
    const tutorial = fs.readFileSync(path.join(ROOT, 'docs', 'write-a-layer.md'), 'utf8');
    const snippets = [...tutorial.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]);
    expect(snippets.length).toBeGreaterThanOrEqual(5);
    const dir = path.join(project, 'tutorial');
    fs.mkdirSync(dir);
    // each snippet a file of its own, run in the order of the page by one process (npx tsx would start one per file)
    const files = snippets.map((code, i) => {
      const file = path.join(dir, `step${i + 1}.ts`);
      fs.writeFileSync(file, code);
      return file;
    });
    fs.writeFileSync(path.join(dir, 'run.cjs'), 'for (const file of process.argv.slice(2)) require(file);');
    run(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(dir, 'run.cjs'), ...files], dir);
  }, 120_000);

  test('a browser bundle (esbuild, platform browser) needs no Node built-in and trains', () => {
    fs.writeFileSync(path.join(project, 'page.ts'), `
      import { Rng, generateDisk, Sequential, Linear, ReLU, NeuralNet, CrossEntropyLoss } from 'minidl';
      ${TRAIN_BODY}
      (globalThis as unknown as { report: string }).report = JSON.stringify(result);
    `);
    run(path.join(BIN, 'esbuild'), ['page.ts', '--bundle', '--platform=browser', '--format=iife', '--outfile=page.js', '--log-level=warning'], project);
    const bundle = fs.readFileSync(path.join(project, 'page.js'), 'utf8');
    // A context with only what every page has: no require, no process, no Buffer.
    const page: Record<string, unknown> = { console, TextDecoder, TextEncoder, WebAssembly, FinalizationRegistry, WeakRef };
    vm.runInNewContext(bundle, page);
    expect(JSON.parse(page.report as string)).toEqual(EXPECTED);
    expect(bundle).not.toMatch(/require\(["'](fs|path|zlib|node:)/);
  }, 60_000);
});
