import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

/**
 * `npm run docs` builds the API reference with TypeDoc from the doc comments (typedoc.json).
 * One TypeDoc run here writes the pages into a temporary folder (never docs/api), and the tests
 * read them as a student would see them:
 *
 * - typedoc.json turns on `validation.notDocumented` and `treatWarningsAsErrors`, so the run
 *   fails as soon as an exported class, function, type or member lacks a doc comment, or a doc
 *   link is broken;
 * - formulas keep their lines (docs/typedoc/formula-lines.mjs), and prose, lists and tables
 *   are still rendered as Markdown renders them;
 * - the protected members a layer author calls are shown;
 * - the chapters come in the course's order, under readable names.
 */

const root = path.join(__dirname, '..');

/** The chapters (one `@module` per lib/<chapter>/index.ts, and lib/node.ts), in the course's order. */
const CHAPTERS = [
  'Tensors and random numbers',
  'Modules',
  'Losses',
  'Optimizers',
  'Initialisation',
  'Training',
  'Data',
  'Tools',
  'Saving and loading',
  'Node file helpers',
];

let out = '';
let run: { output: string; status: number | null };

beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-api-docs-'));
  const typedoc = path.join(root, 'node_modules', 'typedoc', 'bin', 'typedoc');
  // --skipErrorChecking: TypeScript's own diagnostics are spec/package.spec.ts's (one strict
  // compiler run for the whole project); TypeDoc's validation (undocumented exports, broken
  // links) still runs and still fails the build.
  const result = spawnSync(process.execPath, [typedoc, '--out', out, '--skipErrorChecking'], { cwd: root, encoding: 'utf8' });
  run = { output: (result.stdout + result.stderr).replace(/\x1b\[[0-9;]*m/g, ''), status: result.status };
}, 120_000);

afterAll(() => {
  if (out !== '') fs.rmSync(out, { recursive: true, force: true });
});

/** The HTML of a generated page, e.g. page('classes/Modules.Linear.html'). */
function page(file: string): string {
  return fs.readFileSync(path.join(out, file), 'utf8');
}

/** The text of an HTML fragment: tags removed, entities and no-break spaces as plain characters. */
function text(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\u00a0/g, ' ');
}

/** The class's own doc comment on its page (the first comment block, before its members). */
function classComment(html: string): string {
  const start = html.indexOf('<section class="tsd-panel tsd-comment">');
  expect(start).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</section>', start));
}

/** The lines shown as formula lines in `html`: the text of each <p> of each <div class="minidl-lines">. */
function formulaLines(html: string): string[] {
  const blocks = [...html.matchAll(/<div class="minidl-lines">([\s\S]*?)<\/div>/g)].map((m) => m[1]);
  return blocks.flatMap((block) => [...block.matchAll(/<p>([\s\S]*?)<\/p>/g)].map((m) => text(m[1])));
}

/** The paragraphs of prose in `html` (outside formula blocks), as text. */
function proseParagraphs(html: string): string[] {
  const prose = html.replace(/<div class="minidl-lines">[\s\S]*?<\/div>/g, '');
  return [...prose.matchAll(/<p>([\s\S]*?)<\/p>/g)].map((m) => text(m[1]));
}

/** The lines of the doc comment just above `export class <name>` in `file`, as written ("* " removed). */
function sourceCommentLines(file: string, name: string): string[] {
  const source = fs.readFileSync(path.join(root, file), 'utf8');
  const end = source.indexOf(`export class ${name} `);
  const start = source.lastIndexOf('/**', end);
  return source
    .slice(start, end)
    .split('\n')
    .map((line) => line.replace(/^\s*\*( |\/|$)/, '').replace(/^\/\*\*/, '').trimEnd());
}

test('every exported symbol has a doc comment (TypeDoc validation: no warning, no error)', () => {
  expect(run.output.split('\n').filter((line) => /warning|error/i.test(line) && !/Found 0 errors and 0 warnings/.test(line))).toEqual([]);
  expect(run.status).toBe(0);
});

test("Linear's page keeps its formula lines as in the source, and its prose as paragraphs", () => {
  const comment = classComment(page('classes/Modules.Linear.html'));
  const lines = formulaLines(comment);
  const source = sourceCommentLines('lib/modules/linear.ts', 'Linear');

  // Each formula line is a line of the source comment, indentation and aligned gaps kept.
  expect(lines.length).toBeGreaterThanOrEqual(3);
  for (const line of lines) expect(source).toContain(line);
  // The shapes, the initialisation and each backward formula are lines of their own, apart
  // from the sentence that introduces them.
  for (const formula of ['Shapes: X [N, in]', 'Init:   W, b ~', '∂L/∂X = G·Wᵀ', '∂L/∂W += Xᵀ·G', '∂L/∂b += Σₙ G[n, :]']) {
    expect(lines.filter((line) => line.includes(formula))).toHaveLength(1);
  }
  expect(lines.some((line) => line.includes('Shapes:') && line.includes('Init:'))).toBe(false);
  const prose = proseParagraphs(comment);
  expect(prose).toContain('Backward, given G = ∂L/∂Y [N, out]:');
  expect(prose.some((paragraph) => paragraph.includes('∂L/∂X'))).toBe(false);
  // Prose still flows: a paragraph written on two lines is one paragraph.
  expect(prose.some((paragraph) => paragraph.includes('so that the forward pass') && paragraph.includes('reads Y = X·W like the formula.)'))).toBe(true);
});

test("SGD's update rule keeps its nested indentation", () => {
  const lines = formulaLines(classComment(page('classes/Optimizers.SGD.html')));
  const source = sourceCommentLines('lib/optim/sgd.ts', 'SGD');
  for (const line of lines) expect(source).toContain(line);
  expect(lines.find((line) => line.includes('if μ ≠ 0:'))).toBe('  if μ ≠ 0:');
  expect(lines.find((line) => line.includes('at t = 1'))).toMatch(/^    b ← g {2,}at t = 1$/);
});

test('lists and tables in doc comments are still lists and tables', () => {
  const moduleComment = classComment(page('classes/Modules.Module.html'));
  expect(moduleComment).toMatch(/<ul>\s*<li><code>forward\(input\)<\/code>/);
  expect(formulaLines(moduleComment)).toEqual([]);
  expect(page('types/Initialisation.InitName.html')).toMatch(/<table>[\s\S]*xavierUniform[\s\S]*<\/table>/);
});

test("Module's page shows the protected members a layer author calls: rememberOutput, checkGradOut", () => {
  const html = page('classes/Modules.Module.html');
  for (const member of ['rememberOutput', 'checkGradOut']) {
    const anchor = member.toLowerCase();
    expect(html).toMatch(new RegExp(`<section class="tsd-panel tsd-member tsd-is-protected">\\s*<h3 class="tsd-anchor-link" id="${anchor}">`));
    expect(html).toContain(`href="#${anchor}"`); // in the page's table of contents
  }
  // The theme hides protected members when its "Protected" box is unticked: it starts ticked.
  expect(html).toMatch(/<input type="checkbox" id="tsd-filter-protected" name="protected" checked\/>/);
});

test("the navigation lists the chapters in the course's order, each with its members in its index.ts's order", () => {
  const script = fs.readFileSync(path.join(out, 'assets', 'navigation.js'), 'utf8');
  const data = /window\.navigationData = "([^"]+)"/.exec(script);
  expect(data).not.toBeNull();
  const navigation: { text: string; children?: { text: string }[] }[] = JSON.parse(zlib.inflateSync(Buffer.from(data![1], 'base64')).toString('utf8'));
  expect(navigation.map((entry) => entry.text)).toEqual(CHAPTERS);
  const modules = navigation[1].children!.map((entry) => entry.text);
  expect(modules.slice(0, 5)).toEqual(['Module', 'runInChild', 'ModuleBuffer', 'Parameter', 'Linear']);
});

test('the front page says what minidl is and where everything is imported from, and lists the chapters in order', () => {
  const html = page('index.html');
  const body = text(html.slice(html.indexOf('<div class="tsd-panel tsd-typography">')));
  expect(body).toMatch(/minidl is a small deep-learning framework for teaching/);
  expect(body).toMatch(/imported from minidl, except the file helpers, which are imported from minidl\/node/);
  const links = [...html.matchAll(/<li><a href="modules\/[^"]+" class="tsd-kind-module">([^<]+)<\/a>/g)].map((m) => m[1]);
  expect(links).toEqual(CHAPTERS);
});
