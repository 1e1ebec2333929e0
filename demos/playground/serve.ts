/**
 * The browser playground: a network learns the disk live in the page, trained by minidl.
 *
 *   npm run playground                       build, then serve on http://127.0.0.1:8080/
 *   npm run playground -- --port 9000        another port (0: any free port)
 *   npm run playground -- --build-only       write the page to demos/playground/build/ and exit
 *
 * The flags and the output folder are checked before the build. See docs/playground.md for
 * what the page shows.
 */
import * as path from 'node:path';
import { FlagSpec, intFlag, parseFlags, runMain, textFlag } from '../common/cli';
import { DEFAULT_OUT_DIR, buildPlayground } from './build';
import { serveStatic } from './server';

const FLAGS: Record<string, FlagSpec> = {
  port: { type: 'string', default: '8080', value: 'N', help: 'port to serve on, on 127.0.0.1 (0: any free port)' },
  out: { type: 'string', value: 'DIR', help: `folder to build into (default: ${path.relative(process.cwd(), DEFAULT_OUT_DIR)})` },
  'build-only': { type: 'boolean', help: 'build the page and exit without serving' },
};

/** What the flags of `npm run playground` ask for. */
export interface PlaygroundRun {
  port: number;
  outDir: string;
  buildOnly: boolean;
}

/** Reads and checks every flag of `npm run playground`; null after printing the help for --help. Throws a UsageError. */
export function readPlaygroundFlags(argv: readonly string[]): PlaygroundRun | null {
  const flags = parseFlags(argv, 'Usage: npm run playground -- [flags]', FLAGS);
  if (flags === null) return null;
  const port = intFlag('port', flags.port, 0, 65535);
  const outDir = flags.out === '' ? DEFAULT_OUT_DIR : textFlag('out', flags.out);
  return { port, outDir, buildOnly: flags['build-only'] === true };
}

/** `npm run playground` with the arguments `argv`: builds the page, then serves it until stopped. */
export async function runPlayground(argv: readonly string[]): Promise<void> {
  const run = readPlaygroundFlags(argv);
  if (run === null) return;
  const built = await buildPlayground(run.outDir, '--out');
  console.error(`built ${path.relative(process.cwd(), built.outDir) || '.'}: ${built.files.join(', ')} (bundle ${(built.bundleBytes / 1024).toFixed(0)} KiB)`);
  if (run.buildOnly) return;
  const server = await serveStatic(built.outDir, run.port);
  console.log(`minidl playground: ${server.url}`);
  console.error('press Ctrl+C to stop');
}

if (require.main === module) runMain(() => runPlayground(process.argv.slice(2)));
