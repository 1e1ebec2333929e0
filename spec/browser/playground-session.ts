import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Browser, Page } from 'playwright-core';
import { launchChromium } from './launch-chromium';

const ROOT = path.join(__dirname, '..', '..');

/** A served playground and a headless Chromium showing one of its pages (see openPlayground). */
export interface PlaygroundSession {
  browser: Browser;
  /** The page opened by openPlayground. */
  page: Page;
  /** The server's root URL, ending in '/'. */
  url: string;
  /** Opens another page whose errors also go to the session's error list. */
  newPage(viewport: { width: number; height: number }): Promise<Page>;
  /** Closes the browser, stops the server and removes the build folder. */
  close(): Promise<void>;
}

/** Starts `npm run playground -- --port 0 --out DIR` and resolves with the URL it prints. */
function startServer(outDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(ROOT, 'demos', 'playground', 'serve.ts'), '--port', '0', '--out', outDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stdout = '', stderr = '';
    const timer = setTimeout(() => reject(new Error(`the playground server printed no URL within 20 s; stderr: ${stderr}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the playground server exited with status ${code}: ${stderr}`));
    });
  });
}

/**
 * Builds and serves the playground (`serve.ts --port 0`, into a temporary folder), launches
 * headless Chromium (spec/browser/launch-chromium.ts) at the same time, and opens `page` (a path
 * under the server's root, '' for the disk page) in a viewport of the given size. Every page
 * error and console error of the session's pages is pushed onto `pageErrors`.
 *
 * If either the server or the browser fails to start, whichever did start is stopped and the
 * failure is thrown.
 */
export async function openPlayground(pagePath: string, viewport: { width: number; height: number }, pageErrors: string[]): Promise<PlaygroundSession> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-playground-'));
  const [started, launched] = await Promise.allSettled([startServer(outDir), launchChromium()]);
  const close = async (): Promise<void> => {
    if (launched.status === 'fulfilled') await launched.value.close();
    if (started.status === 'fulfilled' && started.value.child.exitCode === null) started.value.child.kill();
    fs.rmSync(outDir, { recursive: true, force: true });
  };
  if (launched.status === 'rejected' || started.status === 'rejected') {
    await close();
    throw launched.status === 'rejected' ? launched.reason : (started as PromiseRejectedResult).reason;
  }
  const browser = launched.value;
  const url = started.value.url;
  const newPage = async (size: { width: number; height: number }): Promise<Page> => {
    const opened = await browser.newPage({ viewport: size });
    opened.on('pageerror', (err) => pageErrors.push(err.message));
    opened.on('console', (msg) => { if (msg.type() === 'error') pageErrors.push(msg.text()); });
    return opened;
  };
  const page = await newPage(viewport);
  await page.goto(`${url}${pagePath}`);
  return { browser, page, url, newPage, close };
}
