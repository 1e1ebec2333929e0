/**
 * The browser playground: a network learns the disk live in the page, trained by minidl.
 *
 *   npm run playground                       build, then serve on http://127.0.0.1:8080/
 *   npm run playground -- --port 9000        another port (0: any free port)
 *   npm run playground -- --build-only       write the page to demos/playground/build/ and exit
 *
 * See docs/playground.md for what the page shows.
 */
import * as path from 'node:path';
import { FlagSpec, UsageError, intFlag, parseFlags, runMain } from '../common/cli';
import { DEFAULT_OUT_DIR, buildPlayground } from './build';
import { serveStatic } from './server';

const FLAGS: Record<string, FlagSpec> = {
  port: { type: 'string', default: '8080', value: 'N', help: 'port to serve on, on 127.0.0.1 (0: any free port)' },
  out: { type: 'string', value: 'DIR', help: `folder to build into (default: ${path.relative(process.cwd(), DEFAULT_OUT_DIR)})` },
  'build-only': { type: 'boolean', help: 'build the page and exit without serving' },
};

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), 'Usage: npm run playground -- [flags]', FLAGS);
  if (flags === null) return;
  const port = intFlag('port', flags.port, 0);
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
  const outDir = flags.out ? path.resolve(String(flags.out)) : DEFAULT_OUT_DIR;
  const built = await buildPlayground(outDir);
  console.error(`built ${path.relative(process.cwd(), built.outDir) || '.'}: ${built.files.join(', ')} (bundle ${(built.bundleBytes / 1024).toFixed(0)} KiB)`);
  if (flags['build-only']) return;
  const server = await serveStatic(built.outDir, port);
  console.log(`minidl playground: ${server.url}`);
  console.error('press Ctrl+C to stop');
}

runMain(main);
