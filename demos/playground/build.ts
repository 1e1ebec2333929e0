/**
 * Builds the playground into a folder a browser can open: the page's TypeScript (page/main.ts
 * and everything it imports, minidl's lib/ included) bundled by esbuild into playground.js,
 * next to copies of index.html and style.css.
 *
 * The page runs the very files of lib/ a student reads. Should a lib file import a Node
 * built-in (a file reader, say), the bundle gets an empty module in its place: the page never
 * calls those functions.
 */
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

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
  /** Size of playground.js in bytes. */
  bundleBytes: number;
}

/** Bundles the page into `outDir` (created if needed). */
export async function buildPlayground(outDir: string = DEFAULT_OUT_DIR): Promise<BuildResult> {
  fs.mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'page', 'main.ts')],
    outfile: path.join(outDir, 'playground.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    sourcemap: true,
    logLevel: 'silent',
    plugins: [stubNodeBuiltins],
  });
  for (const file of ['index.html', 'style.css']) {
    fs.copyFileSync(path.join(__dirname, file), path.join(outDir, file));
  }
  return {
    outDir,
    files: ['index.html', 'style.css', 'playground.js', 'playground.js.map'],
    bundleBytes: fs.statSync(path.join(outDir, 'playground.js')).size,
  };
}
