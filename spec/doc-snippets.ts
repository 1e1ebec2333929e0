import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The TypeScript snippets of the README and of docs/*.md, as files: spec/doc-snippets.spec.ts
 * runs them and spec/package.spec.ts type-checks them with the library, specs and demos (one
 * compiler run for all).
 */
const ROOT = path.join(__dirname, '..');

/** One ```ts fenced block of a document: where it is and its code. */
export interface Snippet {
  /** The document, relative to the project root (README.md, docs/x.md). */
  file: string;
  /** The line of its opening fence. */
  line: number;
  code: string;
  /** The file name it is written to (the document and line, so a compiler error names both). */
  name: string;
}

/** The documents whose snippets are checked: the README and every page of docs/. */
export function documents(): string[] {
  return ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => path.join('docs', f))];
}

/** The ```ts (or ```typescript) blocks of one document, in page order. */
export function snippetsOf(file: string): Snippet[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const found: Snippet[] = [];
  const fence = /^```(ts|typescript)\n([\s\S]*?)^```/gm;
  let m: RegExpExecArray | null;
  while ((m = fence.exec(text)) !== null) {
    const line = text.slice(0, m.index).split('\n').length;
    found.push({ file, line, code: m[2], name: `${file.replace(/[/.]/g, '_')}_line${line}.ts` });
  }
  return found;
}

/** Writes every snippet into `dir` as a module of its own (`export {};` first) and returns them. */
export function writeSnippets(dir: string): Snippet[] {
  const snippets = documents().flatMap(snippetsOf);
  for (const s of snippets) fs.writeFileSync(path.join(dir, s.name), `export {};\n${s.code}`);
  return snippets;
}
