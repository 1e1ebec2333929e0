import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/*
 * The import graph of lib/ and demos/ obeys the rules in .dependency-cruiser.cjs (no cycles,
 * type-only imports included; nothing outside lib/tensor imports the backends or, but for the
 * owners of long-lived state and steps, tensor memory; lib never imports demos or specs; demos
 * import minidl only through its entry points), checked with dependency-cruiser. Each rule is
 * also shown to fail, on a small tree of fixture files that break it, next to allowed imports
 * that must not be reported.
 */

const root = path.join(__dirname, '..');
const CONFIG = path.join(root, '.dependency-cruiser.cjs');

interface Violation {
  rule: { name: string; severity: string };
  from: string;
  to: string;
  cycle?: { name: string }[];
}

interface Cruise {
  /** The files cruised, relative to the directory cruised in. */
  sources: string[];
  /** How many edges were found only because `import type` / `export type` are read. */
  typeOnlyEdges: number;
  /** Imports dependency-cruiser could not resolve to a file (`from → module`): no rule sees where they go. */
  unresolved: string[];
  violations: Violation[];
}

/** One cruise: a directory, and whether to read type-only imports (the configuration says yes). */
interface CruiseJob {
  dir: string;
  tsPreCompilationDeps?: boolean;
}

/*
 * dependency-cruiser is an ES module, which ts-jest's CommonJS cannot import, so its API runs in a
 * child Node process: one process for all the cruises, since loading the package takes over a
 * second. In each directory it cruises `lib` and `demos` with the rules and options of the
 * configuration and that directory's tsconfig.json, as `npm run deps -- demos` does.
 */
const CRUISE_SCRIPT = `
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
const [config, jobs] = process.argv.slice(1);
const options = await extractDepcruiseOptions(config);
const results = [];
for (const job of JSON.parse(jobs)) {
  process.chdir(job.dir);
  const jobOptions = { ...options, tsPreCompilationDeps: job.tsPreCompilationDeps ?? options.tsPreCompilationDeps };
  const { output } = await cruise(['lib', 'demos'], jobOptions, undefined, { tsConfig: extractTSConfig('tsconfig.json') });
  const edges = output.modules.flatMap((m) => m.dependencies.map((d) => ({ ...d, from: m.source })));
  results.push({
    sources: output.modules.map((m) => m.source),
    typeOnlyEdges: edges.filter((d) => d.dependencyTypes.includes('type-only')).length,
    unresolved: edges.filter((d) => d.couldNotResolve).map((d) => d.from + ' → ' + d.module),
    violations: output.summary.violations,
  });
}
process.stdout.write(JSON.stringify(results));
`;

/** Runs each cruise (in the order given) with the project's rules. */
function cruise(...jobs: CruiseJob[]): Cruise[] {
  const json = execFileSync(process.execPath, ['--input-type=module', '-e', CRUISE_SCRIPT, CONFIG, JSON.stringify(jobs)], {
    cwd: root, // where node_modules/dependency-cruiser is found
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(json);
}

/** One line per violation: rule, from → to, and the whole loop for a cycle. */
function describeViolation(v: Violation): string {
  const cycle = v.cycle ? ` (cycle: ${[v.from, ...v.cycle.map((step) => step.name)].join(' → ')})` : '';
  return `${v.rule.name}: ${v.from} → ${v.to}${cycle}`;
}

const config = require(CONFIG) as { forbidden: { name: string; severity: string; comment?: string }[] };
const RULES = config.forbidden.map((rule) => rule.name);

/*
 * The fixture tree: for each rule, files that break it, and allowed imports close to the line.
 * Paths mirror lib/ and demos/ (the rules are path patterns); contents are as small as
 * TypeScript allows.
 */
const FIXTURE: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: { target: 'ES2020', module: 'commonjs', moduleResolution: 'node', strict: true, types: [] },
    include: ['lib', 'demos', 'spec'],
  }),
  'lib/errors.ts': 'export class MinidlError extends Error {}\n',
  'lib/index.ts': "export * from './tensor';\n",
  'lib/tensor/index.ts': "export { select } from './backend/select';\nexport { Tensor } from './tensor';\n",

  // no-circular: a cycle made only of type imports, which tsc erases; a cycle among demos.
  'lib/tensor/cycle-a.ts': "import type { B } from './cycle-b';\nexport interface A { b?: B }\n",
  'lib/tensor/cycle-b.ts': "import type { A } from './cycle-a';\nexport interface B { a?: A }\n",
  'demos/common/cycle-c.ts': "import { d } from './cycle-d';\nexport const c = (): number => d();\n",
  'demos/common/cycle-d.ts': "import { c } from './cycle-c';\nexport const d = (): number => c();\n",

  // lib-not-to-demos-or-spec
  'lib/a.ts': "import { b } from '../demos/b';\nexport const a = b;\n",
  'lib/c.ts': "import { d } from '../spec/d';\nexport const c = d;\n",
  'demos/b.ts': 'export const b = 1;\n',
  'spec/d.ts': 'export const d = 1;\n',

  // backend-stays-inside-tensor (files of lib/tensor may import the backend; the entry points may not)
  'lib/tensor/backend/select.ts': 'export function select(): string { return "js"; }\n',
  'lib/tensor/tensor.ts': "import { select } from './backend/select';\nexport class Tensor { backend = select(); }\n",
  'lib/modules/z.ts': "import { select } from '../tensor/backend/select';\nexport const z = select();\n",
  'lib/training/t.ts': "import type { Kernels } from '../tensor/wasm/kernels';\nexport type T = Kernels;\n",
  'lib/node.ts': "import { select } from './tensor/backend/select';\nexport const n = select();\n",

  // layers-know-no-storage (module.ts, parameter.ts, optimizer.ts and neural-net.ts may import memory)
  'lib/tensor/memory.ts': 'export function allocate(n: number): Float64Array { return new Float64Array(n); }\n',
  'lib/modules/x.ts': "import { allocate } from '../tensor/memory';\nexport const x = allocate(1);\n",
  'lib/losses/l.ts': "import type { allocate } from '../tensor/memory';\nexport type L = typeof allocate;\n",
  'lib/serialization/s.ts': "import { allocate } from '../tensor/memory';\nexport const s = allocate(1);\n",
  'lib/modules/module.ts': "import { allocate } from '../tensor/memory';\nexport const m = allocate(1);\n",
  'lib/modules/parameter.ts': "import { allocate } from '../tensor/memory';\nexport const p = allocate(1);\n",
  'lib/optim/optimizer.ts': "import { allocate } from '../tensor/memory';\nexport const o = allocate(1);\n",
  'lib/training/neural-net.ts': "import { allocate } from '../tensor/memory';\nexport const net = allocate(1);\n",

  // demos-through-entry-points (lib/index.ts and lib/node.ts are allowed, named as a folder or a file)
  'demos/e.ts': [
    "import { Tensor } from '../lib';",
    "import { n } from '../lib/node';",
    "import { x } from '../lib/modules/x';",
    'export const e = [Tensor, n, x];',
    '',
  ].join('\n'),
  'demos/playground/page/f.ts': [
    "import { Tensor } from '../../../lib/index';",
    "import type { MinidlError } from '../../../lib/errors';",
    'export type F = [Tensor, MinidlError];',
    '',
  ].join('\n'),

  // wasm-imports-only-the-leaf (its own files, the interface, the errors and node builtins are allowed)
  'lib/tensor/wasm/kernels.ts': 'export interface Kernels { add(n: number): void }\n',
  'lib/tensor/wasm/y.ts': [
    "import * as fs from 'node:fs';",
    "import { MinidlError } from '../../errors';",
    "import type { Backend } from '../backend/interface';",
    "import type { Kernels } from './kernels';",
    "import { Tensor } from '../tensor';",
    'export type Y = [Backend, Kernels, Tensor, MinidlError, typeof fs];',
    '',
  ].join('\n'),

  // reference-imports-only-the-leaf (the interface and the errors are allowed)
  'lib/tensor/loops.ts': 'export function loop(): void {}\n',
  'lib/tensor/backend/reference.ts': [
    "import { MinidlError } from '../../errors';",
    "import type { Backend } from './interface';",
    "import { loop } from '../loops';",
    'export type R = [Backend, MinidlError, typeof loop];',
    '',
  ].join('\n'),

  // Not cruised: the AssemblyScript sources (this import would break wasm-imports-only-the-leaf).
  'lib/tensor/wasm/assembly/index.ts': "import { Tensor } from '../../tensor';\nexport type A = Tensor;\n",

  // interface-is-a-leaf
  'lib/tensor/backend/interface.ts': "import type { MinidlError } from '../../errors';\nexport interface Backend { fail?: MinidlError }\n",
};

/** What the fixture must report, rule by rule: exactly these, and nothing for the allowed imports. */
const EXPECTED: Record<string, string[]> = {
  'no-circular': [
    // One report per cycle.
    'no-circular: demos/common/cycle-c.ts → demos/common/cycle-d.ts (cycle: demos/common/cycle-c.ts → demos/common/cycle-d.ts → demos/common/cycle-c.ts)',
    'no-circular: lib/tensor/cycle-a.ts → lib/tensor/cycle-b.ts (cycle: lib/tensor/cycle-a.ts → lib/tensor/cycle-b.ts → lib/tensor/cycle-a.ts)',
  ],
  'lib-not-to-demos-or-spec': [
    'lib-not-to-demos-or-spec: lib/a.ts → demos/b.ts',
    'lib-not-to-demos-or-spec: lib/c.ts → spec/d.ts',
  ],
  'backend-stays-inside-tensor': [
    'backend-stays-inside-tensor: lib/modules/z.ts → lib/tensor/backend/select.ts',
    'backend-stays-inside-tensor: lib/node.ts → lib/tensor/backend/select.ts',
    'backend-stays-inside-tensor: lib/training/t.ts → lib/tensor/wasm/kernels.ts',
  ],
  'layers-know-no-storage': [
    'layers-know-no-storage: lib/losses/l.ts → lib/tensor/memory.ts',
    'layers-know-no-storage: lib/modules/x.ts → lib/tensor/memory.ts',
    'layers-know-no-storage: lib/serialization/s.ts → lib/tensor/memory.ts',
  ],
  'demos-through-entry-points': [
    'demos-through-entry-points: demos/e.ts → lib/modules/x.ts',
    'demos-through-entry-points: demos/playground/page/f.ts → lib/errors.ts',
  ],
  'wasm-imports-only-the-leaf': ['wasm-imports-only-the-leaf: lib/tensor/wasm/y.ts → lib/tensor/tensor.ts'],
  'reference-imports-only-the-leaf': ['reference-imports-only-the-leaf: lib/tensor/backend/reference.ts → lib/tensor/loops.ts'],
  'interface-is-a-leaf': ['interface-is-a-leaf: lib/tensor/backend/interface.ts → lib/errors.ts'],
};

let fixtureDir: string;
let real: Cruise;
let fixture: Cruise;
let fixtureWithoutTypeImports: Cruise;

beforeAll(() => {
  fixtureDir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-import-graph-'));
  for (const [file, text] of Object.entries(FIXTURE)) {
    fs.mkdirSync(path.dirname(path.join(fixtureDir, file)), { recursive: true });
    fs.writeFileSync(path.join(fixtureDir, file), text);
  }
  [real, fixture, fixtureWithoutTypeImports] = cruise(
    { dir: root },
    { dir: fixtureDir },
    { dir: fixtureDir, tsPreCompilationDeps: false },
  );
}, 60_000);

afterAll(() => {
  if (fixtureDir) fs.rmSync(fixtureDir, { recursive: true, force: true });
});

describe('the import graph of lib/ and demos/', () => {
  test('the rules are errors, each explained', () => {
    expect(RULES).toEqual([
      'no-circular',
      'lib-not-to-demos-or-spec',
      'backend-stays-inside-tensor',
      'layers-know-no-storage',
      'demos-through-entry-points',
      'wasm-imports-only-the-leaf',
      'reference-imports-only-the-leaf',
      'interface-is-a-leaf',
    ]);
    for (const rule of config.forbidden) {
      expect(rule.severity).toBe('error');
      expect(rule.comment).toMatch(/\S/);
    }
  });

  test('breaks none of the rules', () => {
    // The cruise saw the library and the demos, the playground's page included (and not the AssemblyScript sources).
    expect(real.sources).toEqual(expect.arrayContaining([
      'lib/index.ts', 'lib/node.ts', 'lib/tensor/tensor.ts', 'lib/modules/module.ts',
      'demos/disk.ts', 'demos/build-kernels.ts', 'demos/playground/page/main.ts',
    ]));
    expect(real.sources.filter((s) => s.startsWith('lib/')).length).toBeGreaterThanOrEqual(40);
    expect(real.sources.filter((s) => s.startsWith('demos/')).length).toBeGreaterThanOrEqual(20);
    expect(real.sources.filter((s) => s.startsWith('lib/tensor/wasm/assembly/'))).toEqual([]);
    // Every import was followed to its file, and the type-only imports are in the graph the rules see.
    expect(real.unresolved).toEqual([]);
    expect(real.typeOnlyEdges).toBeGreaterThan(0);
    expect(real.violations.map(describeViolation)).toEqual([]);
  });
});

describe('each rule catches what it forbids', () => {
  let found: string[];

  beforeAll(() => {
    found = fixture.violations.map(describeViolation);
  });

  test('every rule has a fixture that breaks it', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...RULES].sort());
  });

  test.each(RULES)('%s', (rule) => {
    const ofRule = found.filter((line) => line.startsWith(`${rule}: `)).sort();
    expect(ofRule).toEqual([...EXPECTED[rule]].sort());
  });

  test('the allowed imports next to them are not reported, the AssemblyScript sources not cruised', () => {
    expect([...found].sort()).toEqual(Object.values(EXPECTED).flat().sort());
    expect(fixture.unresolved).toEqual([]);
    expect(fixture.sources).toContain('lib/tensor/wasm/y.ts');
    expect(fixture.sources.filter((s) => s.startsWith('lib/tensor/wasm/assembly/'))).toEqual([]);
  });

  test('the type-only cycle is seen only because the configuration reads type-only imports (tsPreCompilationDeps)', () => {
    const cycles = (c: Cruise) => c.violations.filter((v) => v.rule.name === 'no-circular').map((v) => v.from);
    expect(cycles(fixture)).toContain('lib/tensor/cycle-a.ts');
    expect(cycles(fixtureWithoutTypeImports)).not.toContain('lib/tensor/cycle-a.ts');
    expect(cycles(fixtureWithoutTypeImports)).toContain('demos/common/cycle-c.ts');
    expect(fixtureWithoutTypeImports.typeOnlyEdges).toBe(0);
  });
});
