/**
 * Builds the playground into a folder a browser can open: its two pages' TypeScript bundled by
 * esbuild, each with everything it imports (minidl's lib/ included), next to copies of their
 * HTML files and the shared style.css:
 *
 *   index.html      + playground.js   (page/main.ts)        a network learns the disk
 *   attention.html  + attention.js    (attention/main.ts)   causal self-attention learns a rule
 *
 * The output folder is checked first (created, written to once: common/out-dir.ts); the bundle
 * is made in memory and the seven files are then written all or nothing (common/write-files.ts),
 * so a failed build never leaves a page half old and half new.
 *
 * The page runs the very files of lib/ a student reads. Should a lib file import a Node
 * built-in (a file reader, say), the bundle gets an empty module in its place: the page never
 * calls those functions.
 */
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileError, describeFsError } from '../common/file-errors';
import { prepareOutDir } from '../common/out-dir';
import { OutputFile, writeFilesAtomically } from '../common/write-files';

/** Where `npm run playground` writes the page (git-ignored). */
export const DEFAULT_OUT_DIR = path.join(__dirname, 'build');

/** Node built-ins replaced by an empty module in the browser bundle. */
const NODE_BUILTINS = ['fs', 'fs/promises', 'zlib', 'path', 'os', 'url', 'util', 'crypto', 'stream', 'buffer', 'child_process'];

/** esbuild plugin: `import … from 'fs'` (or 'node:fs', …) resolves to an empty module. */
const stubNodeBuiltins: esbuild.Plugin = {
  name: 'stub-node-builtins',
  setup(build) {
    const filter = new RegExp(`^(node:)?(${NODE_BUILTINS.map((m) => m.replace('/', '\\/')).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'node-builtin-stub' }));
    build.onLoad({ filter: /.*/, namespace: 'node-builtin-stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

export interface BuildResult {
  outDir: string;
  /** Files written, relative to outDir. */
  files: string[];
  /** Size of the bundles (playground.js and attention.js) in bytes. */
  bundleBytes: number;
}

/** Each bundle of the playground and its entry point (relative to this folder). */
const ENTRY_POINTS = { playground: path.join('page', 'main.ts'), attention: path.join('attention', 'main.ts') };

/** The HTML pages and the style sheet, copied as they are. */
const COPIED_FILES = ['index.html', 'attention.html', 'style.css'];

/** The files of a built playground. */
export const PLAYGROUND_FILES = [
  'index.html', 'attention.html', 'style.css', 'playground.js', 'playground.js.map', 'attention.js', 'attention.js.map',
] as const;

/**
 * Bundles the page into `outDir` (created if needed). `flag` names the folder in messages.
 * Throws a FileError naming the path when the folder cannot take the files.
 */
export async function buildPlayground(outDir: string = DEFAULT_OUT_DIR, flag = '--out'): Promise<BuildResult> {
  const out = prepareOutDir(flag, outDir, PLAYGROUND_FILES);
  try {
    const files = await bundle(outDir);
    writeFilesAtomically(outDir, files);
    const bundleBytes = files.filter((f) => f.name.endsWith('.js')).reduce((sum, f) => sum + f.contents.length, 0);
    return { outDir, files: files.map((f) => f.name), bundleBytes };
  } catch (err) {
    out.discardIfEmpty();
    throw err;
  }
}

/** The playground's files, made in memory. */
async function bundle(outDir: string): Promise<OutputFile[]> {
  const entryPoints = Object.fromEntries(Object.entries(ENTRY_POINTS).map(([name, file]) => [name, path.join(__dirname, file)]));
  const result = await esbuild.build({
    entryPoints,
    outdir: outDir,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    sourcemap: true,
    logLevel: 'silent',
    plugins: [stubNodeBuiltins],
    write: false,
  });
  const files: OutputFile[] = [];
  for (const name of COPIED_FILES) {
    const source = path.join(__dirname, name);
    try {
      files.push({ name, contents: fs.readFileSync(source) });
    } catch (err) {
      throw new FileError(`buildPlayground: cannot read '${source}': ${describeFsError(err)}`, { cause: err });
    }
  }
  for (const output of result.outputFiles) files.push({ name: path.basename(output.path), contents: output.contents });
  const names = files.map((f) => f.name).sort();
  if (names.join() !== [...PLAYGROUND_FILES].sort().join()) {
    throw new FileError(`buildPlayground: expected the files ${PLAYGROUND_FILES.join(', ')}, esbuild made ${names.join(', ')}`);
  }
  return files;
}
