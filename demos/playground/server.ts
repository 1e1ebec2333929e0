/**
 * The static file server of the built playground, on 127.0.0.1 only: `sirv` (a small,
 * maintained static file server) serves the files of one folder, behind a few checks of our own.
 *
 * Every response carries the two headers that make the page cross-origin isolated
 * (`Cross-Origin-Opener-Policy: same-origin`, `Cross-Origin-Embedder-Policy: require-corp`):
 * only such a page may use a shared WebAssembly memory, where the kernels work on tensors in
 * place (lib/tensor/memory.ts). Elsewhere the library falls back to the kernels' plain build,
 * which copies.
 *
 * No request can stop the server. It answers
 *
 *   405  a method other than GET and HEAD (with `Allow: GET, HEAD`);
 *   400  a target that is not a path (`*`, `http://…`), a path whose %-escapes do not decode
 *        (`/%`, `/%E0%A4%A`) or that holds a NUL character (`/a%00b`);
 *   404  anything that is not one of the folder's files, `/..%2f..%2fetc/passwd` and
 *        `/../../etc/passwd` included: sirv lists the folder's files when the server starts and
 *        serves only those, so no path can reach outside it;
 *   200  a file of the folder (`/` is index.html), never cached (`Cache-Control: no-store`),
 *        since a rebuild changes the files.
 *
 * A file that disappears between the listing and the request ends that response (the reading
 * error is caught), and the server goes on. Node itself refuses requests whose header is
 * larger than 16 KiB with 431.
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import sirv from 'sirv';
import { MinidlError } from '../../lib';

/** A running server. */
export interface StaticServer {
  /** e.g. http://127.0.0.1:8080/ */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The headers of cross-origin isolation, on every response. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** Why a request target cannot be served (400), or null when it is a well-formed path. */
export function badRequestTarget(target: string | undefined): string | null {
  if (target === undefined || !target.startsWith('/')) return 'the request target must be a path such as /index.html';
  const pathname = target.split(/[?#]/, 1)[0];
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return 'the path has a malformed %-escape';
  }
  if (decoded.includes('\0')) return 'the path holds a NUL character';
  return null;
}

/** Serves the files of `root` on 127.0.0.1:`port` (0: any free port). Resolves once listening. */
export function serveStatic(root: string, port: number): Promise<StaticServer> {
  const files = sirv(path.resolve(root), {
    dev: false, // list the files once: only they are served
    etag: false,
    dotfiles: false,
    setHeaders: (res) => res.setHeader('Cache-Control', 'no-store'),
    onNoMatch: (_req, res) => plain(res, 404, 'not found'),
  });
  const server = http.createServer((req, res) => {
    for (const [name, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(name, value);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      plain(res, 405, `method ${req.method} is not allowed; use GET or HEAD`);
      return;
    }
    const problem = badRequestTarget(req.url);
    if (problem !== null) {
      plain(res, 400, `bad request: ${problem}`);
      return;
    }
    // sirv streams a file into the response; a reading error (the file deleted meanwhile)
    // would otherwise be an unhandled 'error' event, which ends the process.
    res.on('pipe', (source: Readable) => source.on('error', () => res.destroy()));
    try {
      files(req, res);
    } catch {
      if (res.headersSent) res.destroy();
      else plain(res, 500, 'the server could not read the file');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const reason = err.code === 'EADDRINUSE' ? 'the port is in use' : err.code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)' : err.message;
      reject(new MinidlError(`serveStatic: cannot listen on 127.0.0.1:${port}: ${reason}`, { cause: err }));
    });
    server.listen(port, '127.0.0.1', () => {
      server.removeAllListeners('error');
      server.on('error', (err) => console.error(`playground server: ${err.message}`));
      const actual = (server.address() as AddressInfo).port;
      resolve({
        url: `http://127.0.0.1:${actual}/`,
        port: actual,
        close: () => new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}

/** Ends `res` with a status and a one-line text body. */
function plain(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }).end(`${text}\n`);
}
