/**
 * The solution regions of lib/ and the stubs that replace them (used by generate.ts).
 *
 * A region is the lines between two marker comment lines,
 *
 *   // exercise Linear.backward ▼
 *   …solution lines…
 *   // exercise ▲
 *
 * A region whose markers are indented sits inside a method: its stub keeps the indentation and
 * reads
 *
 *   // TODO ∂L/∂W += Xᵀ·G                              one line per comment of the solution lines
 *   throw notImplemented('Linear.backward', 'linear');
 *
 * (the comments of the removed helper functions of the same region in the same file are added to
 * the first stub of that region, each comment once, and those of one or two characters, such as
 * `t`, are left out; a region without any comment gets "TODO write <Region>: see the formulas in
 * the doc comment above"; a removed `return this.rememberOutput(…)` gets a TODO saying so). The
 * lines after the region stay: they are unreachable until the student replaces the throw, so
 * they may use only names declared before the region, and no narrowing of a type (`x && x.y`,
 * `instanceof`) that the region's lines would have carried: TypeScript checks unreachable code
 * with the declared types.
 *
 * A region whose markers start at column 0 holds whole helper functions (ReLU's loops at the
 * bottom of relu.ts): its stub is nothing at all.
 *
 * The marker lines themselves are always removed, and the regions of the tasks not chosen keep
 * their lines as they are, so with no task chosen a file is the library's file without its
 * marker lines.
 */

/** `// exercise Linear.backward ▼`: the name is group 2. */
const BEGIN = /^(\s*)\/\/ exercise (\S+) ▼\s*$/;
/** `// exercise ▲`. */
const END = /^(\s*)\/\/ exercise ▲\s*$/;

/** One marked region of a file. */
export interface Region {
  /** The region name, e.g. `Linear.backward`. */
  name: string;
  /** Line index (0-based) of the begin marker. */
  begin: number;
  /** Line index (0-based) of the end marker. */
  end: number;
  /** The markers' indentation: '' for a region of whole functions, else the method's. */
  indent: string;
}

/** Thrown for markers that do not pair up, naming the file and the line. */
export class MarkerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MarkerError';
  }
}

/** True when `text` holds a marker line (a quick test before parsing a file). */
export function hasMarkers(text: string): boolean {
  return /^\s*\/\/ exercise (\S+ ▼|▲)\s*$/m.test(text);
}

/**
 * The regions of a file, in order. Throws a MarkerError for a begin marker inside another
 * region, an end marker without a begin, a region left open, or a pair whose indentations differ
 * (`file` names the file in messages).
 */
export function findRegions(file: string, lines: readonly string[]): Region[] {
  const regions: Region[] = [];
  let open: { name: string; begin: number; indent: string } | null = null;
  lines.forEach((line, i) => {
    const begin = BEGIN.exec(line);
    if (begin !== null) {
      if (open !== null) throw new MarkerError(`${file}:${i + 1}: region ${begin[2]} begins inside region ${open.name} (line ${open.begin + 1})`);
      open = { name: begin[2], begin: i, indent: begin[1] };
      return;
    }
    const end = END.exec(line);
    if (end !== null) {
      if (open === null) throw new MarkerError(`${file}:${i + 1}: '// exercise ▲' closes no region`);
      if (end[1] !== open.indent) throw new MarkerError(`${file}:${i + 1}: the end of region ${open.name} is not indented as its begin (line ${open.begin + 1})`);
      regions.push({ ...open, end: i });
      open = null;
    } else if (/\/\/ exercise\b/.test(line) && /[▼▲]/.test(line)) {
      throw new MarkerError(`${file}:${i + 1}: unreadable marker '${line.trim()}' (expected '// exercise <Region> ▼' or '// exercise ▲' alone on its line)`);
    }
  });
  if (open !== null) {
    const left = open as { name: string; begin: number };
    throw new MarkerError(`${file}:${left.begin + 1}: region ${left.name} is never closed with '// exercise ▲'`);
  }
  return regions;
}

/**
 * The comment of a line of code, without the `//`, or null: `x = 1; // y = 2` gives `y = 2`,
 * and a line that is only a comment gives its text. Quotes are followed, so a `//` inside a
 * string is not a comment.
 */
export function commentOf(line: string): string | null {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote !== null) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"' || ch === '`') {
      quote = ch;
    } else if (ch === '/' && line[i + 1] === '/') {
      const text = line.slice(i + 2).trim();
      return text === '' ? null : text;
    }
  }
  return null;
}

/** What a stub says besides the comments: the module contract a removed line fulfilled. */
const CONTRACT_NOTES: { pattern: RegExp; note: string }[] = [
  {
    pattern: /this\.rememberOutput\(/,
    note: "end with return this.rememberOutput(output), which keeps the output's shape for backward's check of gradOut",
  },
];

/** The `// TODO` lines of one region: its comments (and `extra` ones), then the contract notes. */
function todoLines(name: string, solution: readonly string[], extra: readonly string[]): string[] {
  const notes: string[] = [];
  const add = (text: string): void => {
    if (text.length > 2 && !notes.includes(text)) notes.push(text);
  };
  for (const line of solution) {
    const comment = commentOf(line);
    if (comment !== null) add(comment);
  }
  extra.forEach(add);
  for (const { pattern, note } of CONTRACT_NOTES) if (solution.some((l) => pattern.test(l))) add(note);
  if (notes.length === 0) notes.push(`write ${name}: see the formulas in the doc comment above`);
  return notes.map((n) => `TODO ${n}`);
}

/** A stubbed region, for the student's README: where it is in the written file. */
export interface Stub {
  /** The region name. */
  name: string;
  /** Line number (1-based) of its `throw` in the written file. */
  line: number;
}

/** The file as written for the student, and where its stubs are. */
export interface StubbedFile {
  text: string;
  stubs: Stub[];
}

/**
 * Writes a file of lib/ for the student: every marker line removed, every region named in
 * `stubbed` (region name → task id) replaced by its stub, and, when a stub was written, the
 * import of `notImplemented` from `stubImport` (the relative path of lib/exercise-stub) added
 * after the imports. `file` names the file in messages.
 */
export function stubFile(file: string, text: string, stubbed: ReadonlyMap<string, string>, stubImport: string): StubbedFile {
  const lines = text.split('\n');
  const regions = findRegions(file, lines);
  // the comments of removed helper functions go to the first stub of their region in the file
  const helperNotes = new Map<string, string[]>();
  for (const r of regions) {
    if (r.indent !== '' || !stubbed.has(r.name)) continue;
    const notes = helperNotes.get(r.name) ?? [];
    for (const line of lines.slice(r.begin + 1, r.end)) {
      if (/^\s*(\/\*\*|\*)/.test(line)) continue; // the helper's doc comment: the class's says it
      const comment = commentOf(line);
      if (comment !== null) notes.push(comment);
    }
    helperNotes.set(r.name, notes);
  }
  const out: string[] = [];
  const stubs: Stub[] = [];
  const firstStubDone = new Set<string>();
  let i = 0;
  let dropBlank = false;
  for (const r of regions) {
    for (; i < r.begin; i++) {
      if (dropBlank && lines[i].trim() === '' && out.length > 0 && out[out.length - 1].trim() === '') continue;
      dropBlank = false;
      out.push(lines[i]);
    }
    const solution = lines.slice(r.begin + 1, r.end);
    const task = stubbed.get(r.name);
    if (task === undefined) {
      out.push(...solution);
    } else if (r.indent === '') {
      dropBlank = true; // a removed function leaves no run of blank lines behind
    } else {
      const extra = firstStubDone.has(r.name) ? [] : (helperNotes.get(r.name) ?? []);
      firstStubDone.add(r.name);
      for (const todo of todoLines(r.name, solution, extra)) out.push(`${r.indent}// ${todo}`);
      out.push(`${r.indent}throw notImplemented('${r.name}', '${task}');`);
      stubs.push({ name: r.name, line: out.length });
    }
    i = r.end + 1;
  }
  for (; i < lines.length; i++) {
    if (dropBlank && lines[i].trim() === '' && out.length > 0 && out[out.length - 1].trim() === '') continue;
    dropBlank = false;
    out.push(lines[i]);
  }
  while (out.length > 1 && out[out.length - 1] === '' && out[out.length - 2].trim() === '') out.pop();
  if (stubs.length > 0) {
    const at = afterImports(out);
    out.splice(at, 0, `import { notImplemented } from '${stubImport}';`);
    for (const s of stubs) if (s.line > at) s.line++;
  }
  return { text: out.join('\n'), stubs };
}

/** The index of the line after the file's last top-level import statement (0 when it has none). */
function afterImports(lines: readonly string[]): number {
  let after = 0;
  for (let i = 0; i < lines.length; i++) {
    if (!/^import\b/.test(lines[i])) continue;
    let j = i;
    while (j < lines.length && !/;\s*$/.test(lines[j])) j++; // an import over several lines
    after = j + 1;
    i = j;
  }
  return after;
}
