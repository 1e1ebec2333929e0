import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { StaticServer, badRequestTarget, serveStatic } from '../demos/playground/server';

/**
 * The playground's static file server (demos/playground/server.ts) against malformed and hostile
 * requests, on 127.0.0.1 only: each gets its status (400, 404, 405, or Node's own 431), the
 * server keeps serving, and every response carries the cross-origin isolation headers.
 */
interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request to the server, the path sent as it is (no normalisation). */
function request(server: StaticServer, method: string, target: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path: target, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A request written byte for byte on a socket; resolves with the status line. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(text));
    let received = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => { received += chunk; });
    socket.on('close', () => resolve(received.split('\r\n', 1)[0]));
    socket.on('error', reject);
  });
}

describe('the playground server (sirv behind our checks)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-server-'));
  const page = '<!doctype html><title>minidl</title>\n';
  let server: StaticServer;

  beforeAll(async () => {
    fs.writeFileSync(path.join(root, 'index.html'), page);
    fs.writeFileSync(path.join(root, 'style.css'), 'body { margin: 0 }\n');
    fs.writeFileSync(path.join(root, 'gone.js'), 'void 0;\n');
    fs.writeFileSync(path.join(root, '.secret'), 'hidden\n');
    server = await serveStatic(root, 0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
  });

  afterAll(async () => {
    await server.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const expectIsolated = (reply: Reply): void => {
    expect(reply.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(reply.headers['cross-origin-embedder-policy']).toBe('require-corp');
  };

  test('the page: 200, cross-origin isolated, never cached', async () => {
    for (const target of ['/', '/index.html']) {
      const reply = await request(server, 'GET', target);
      expect(reply.status).toBe(200);
      expect(reply.body).toBe(page);
      expect(reply.headers['content-type']).toMatch(/^text\/html/);
      expect(reply.headers['cache-control']).toBe('no-store');
      expectIsolated(reply);
    }
    expect((await request(server, 'GET', '/style.css')).headers['content-type']).toMatch(/^text\/css/);
  });

  test.each([
    ['/%', 'a malformed %-escape'],
    ['/%E0%A4%A', 'a malformed %-escape'],
    ['/a%00b', 'a NUL character'],
    ['/index.html%00.png', 'a NUL character'],
  ])('GET %s: 400 (%s), and the server goes on', async (target, why) => {
    const reply = await request(server, 'GET', target);
    expect(reply.status).toBe(400);
    expect(reply.body).toContain(why.replace(/^a /, ''));
    expectIsolated(reply);
    expect((await request(server, 'GET', '/')).status).toBe(200);
  });

  test.each([
    ['/..%2f..%2fetc/passwd', '/..%2f..%2fetc/passwd'],
    ['/%2e%2e/%2e%2e/etc/passwd', '/%2e%2e/%2e%2e/etc/passwd'],
    ['/../../etc/passwd', '/../../etc/passwd'],
    ['/.secret (a hidden file)', '/.secret'],
    ['/nothing-here.js', '/nothing-here.js'],
    ['a path of 8000 characters', `/${'a'.repeat(8000)}`],
  ])('GET %s: 404', async (_name, target) => {
    const reply = await request(server, 'GET', target);
    expect(reply.status).toBe(404);
    expect(reply.body).toBe('not found\n');
    expectIsolated(reply);
  });

  test('a path beyond Node\'s 16 KiB header limit: 431 from Node, and the server goes on', async () => {
    expect(await rawRequest(server.port, `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect((await request(server, 'GET', '/')).status).toBe(200);
  });

  test('raw targets: a path with ../ unnormalised is 404, a target that is not a path 400, OPTIONS * 405', async () => {
    expect(await rawRequest(server.port, 'GET /../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe('HTTP/1.1 404 Not Found');
    expect(await rawRequest(server.port, 'GET http://127.0.0.1/index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(await rawRequest(server.port, 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe('HTTP/1.1 405 Method Not Allowed');
    expect(await rawRequest(server.port, 'NOT-HTTP\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
  });

  test('HEAD: the headers of GET, no body', async () => {
    const reply = await request(server, 'HEAD', '/');
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('');
    expect(reply.headers['content-length']).toBe(String(Buffer.byteLength(page)));
    expectIsolated(reply);
  });

  test.each(['POST', 'PUT', 'DELETE', 'PATCH'])('%s: 405 with Allow: GET, HEAD', async (method) => {
    const reply = await request(server, method, '/');
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe('GET, HEAD');
    expectIsolated(reply);
  });

  test('a file removed after the server started ends that response only', async () => {
    fs.rmSync(path.join(root, 'gone.js'));
    await expect(request(server, 'GET', '/gone.js')).rejects.toThrow(/socket hang up|aborted|ECONNRESET/);
    const after = await request(server, 'GET', '/');
    expect(after.status).toBe(200);
    expect(after.body).toBe(page);
  });

  test('badRequestTarget names the problem, or null for a well-formed path', () => {
    expect(badRequestTarget('/index.html?x=%')).toBeNull();
    expect(badRequestTarget('/%20a')).toBeNull();
    expect(badRequestTarget('/%')).toBe('the path has a malformed %-escape');
    expect(badRequestTarget('/a%00b')).toBe('the path holds a NUL character');
    expect(badRequestTarget('*')).toBe('the request target must be a path such as /index.html');
    expect(badRequestTarget(undefined)).toBe('the request target must be a path such as /index.html');
  });
});

describe('npm run playground keeps serving after malformed requests', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-playground-serve-'));
  let child: ChildProcess | null = null;

  afterAll(() => {
    if (child !== null && child.exitCode === null) child.kill();
    fs.rmSync(out, { recursive: true, force: true });
  });

  test('GET /% and GET /a%00b get 400; the process is still there and serves the page', async () => {
    const root = path.join(__dirname, '..');
    child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(root, 'demos', 'playground', 'serve.ts'), '--port', '0', '--out', out], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const port = await new Promise<number>((resolve, reject) => {
      let stdout = '', stderr = '';
      const timer = setTimeout(() => reject(new Error(`no URL within 30 s: ${stderr}`)), 30_000);
      child?.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child?.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
      child?.on('exit', (code) => reject(new Error(`the server exited with status ${code}: ${stderr}`)));
    });
    const server = { port } as StaticServer;
    expect((await request(server, 'GET', '/%')).status).toBe(400);
    expect((await request(server, 'GET', '/a%00b')).status).toBe(400);
    await new Promise((r) => setTimeout(r, 200));
    expect(child.exitCode).toBeNull();
    const reply = await request(server, 'GET', '/');
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('<');
    expect(reply.headers['cross-origin-embedder-policy']).toBe('require-corp');
  }, 40_000);
});
