import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FoundChromium, NoChromiumError, findChromium } from './browser/find-chromium';

/**
 * How the browser specs find their Chromium (spec/browser/find-chromium.ts): MINIDL_CHROMIUM,
 * else chromium, chromium-browser, google-chrome, google-chrome-stable on PATH, else the usual
 * absolute locations, else the one packaged in @sparticuz/chromium. Checked with fake
 * executables (shell scripts) in a temporary folder; the packaged one is a stub here, so that
 * nothing is decompressed.
 */
const EXE = process.platform === 'win32' ? '.exe' : '';

describe('findChromium', () => {
  let dir: string;
  /** The stand-in for the packaged Chromium: records that it was asked. */
  let packaged: jest.Mock<Promise<FoundChromium>, []>;

  /** Writes an executable file (or, with `executable: false`, a plain one) at dir/relative. */
  function fake(relative: string, executable = true): string {
    const file = path.join(dir, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '#!/bin/sh\nexit 0\n', { mode: executable ? 0o755 : 0o644 });
    return file;
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-find-chromium-'));
    packaged = jest.fn(async () => ({ executablePath: '/packaged/chromium', source: '@sparticuz/chromium' as const }));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('MINIDL_CHROMIUM wins over PATH, the usual locations and the packaged one', async () => {
    const named = fake('named/chrome');
    const onPath = fake(`bin/chromium${EXE}`);
    const usual = fake('usual/chrome');
    const found = await findChromium({ env: { MINIDL_CHROMIUM: named, PATH: path.dirname(onPath) }, usualLocations: [usual], packaged });
    expect(found).toEqual({ executablePath: named, source: 'MINIDL_CHROMIUM' });
    expect(packaged).not.toHaveBeenCalled();
  });

  test('a MINIDL_CHROMIUM path that does not exist is an error naming the variable, with no fallback', async () => {
    const onPath = fake(`bin/chromium${EXE}`);
    const missing = path.join(dir, 'no-such-chrome');
    const search = findChromium({ env: { MINIDL_CHROMIUM: missing, PATH: path.dirname(onPath) }, usualLocations: [], packaged });
    await expect(search).rejects.toThrow(NoChromiumError);
    await expect(search).rejects.toThrow(`MINIDL_CHROMIUM=${missing}: that path does not exist`);
    expect(packaged).not.toHaveBeenCalled();
  });

  (process.platform === 'win32' ? test.skip : test)('a MINIDL_CHROMIUM path that is not executable is an error naming the variable', async () => {
    const plain = fake('plain-file', false);
    await expect(findChromium({ env: { MINIDL_CHROMIUM: plain }, usualLocations: [], packaged }))
      .rejects.toThrow(`MINIDL_CHROMIUM=${plain}: that path is not an executable file`);
  });

  test('an empty MINIDL_CHROMIUM counts as unset', async () => {
    const onPath = fake(`bin/chromium${EXE}`);
    expect(await findChromium({ env: { MINIDL_CHROMIUM: '', PATH: path.dirname(onPath) }, usualLocations: [], packaged }))
      .toEqual({ executablePath: onPath, source: 'system' });
  });

  test('on PATH the names are tried in order (chromium, chromium-browser, google-chrome, google-chrome-stable), each through every folder', async () => {
    const chrome = fake(`first/google-chrome${EXE}`);
    const chromiumBrowser = fake(`second/chromium-browser${EXE}`);
    const env = { PATH: [path.join(dir, 'empty'), path.dirname(chrome), path.dirname(chromiumBrowser)].join(path.delimiter) };
    expect(await findChromium({ env, usualLocations: [], packaged })).toEqual({ executablePath: chromiumBrowser, source: 'system' });
    fs.rmSync(chromiumBrowser);
    expect(await findChromium({ env, usualLocations: [], packaged })).toEqual({ executablePath: chrome, source: 'system' });
  });

  test('PATH comes before the usual locations, which are tried in order, skipping missing and non-executable files', async () => {
    const notExecutable = fake('usual/a', false);
    const usual = fake('usual/b');
    const usualLocations = [path.join(dir, 'missing'), ...(process.platform === 'win32' ? [] : [notExecutable]), usual];
    expect(await findChromium({ env: { PATH: '' }, usualLocations, packaged })).toEqual({ executablePath: usual, source: 'system' });
    const onPath = fake(`bin/google-chrome-stable${EXE}`);
    expect(await findChromium({ env: { PATH: path.dirname(onPath) }, usualLocations, packaged })).toEqual({ executablePath: onPath, source: 'system' });
    expect(packaged).not.toHaveBeenCalled();
  });

  test('with no system browser, the packaged one is used', async () => {
    const found = await findChromium({ env: { PATH: path.join(dir, 'empty') }, usualLocations: [path.join(dir, 'missing')], packaged });
    expect(found).toEqual({ executablePath: '/packaged/chromium', source: '@sparticuz/chromium' });
    expect(packaged).toHaveBeenCalledTimes(1);
  });

  test('nothing found (no packaged one on this platform): the message says how to get one', async () => {
    const search = findChromium({ env: { PATH: path.join(dir, 'empty') }, usualLocations: [path.join(dir, 'missing')], packaged: null });
    await expect(search).rejects.toThrow(NoChromiumError);
    const message = await search.catch((err: Error) => err.message);
    expect(message).toContain('No Chromium found');
    expect(message).toContain(path.join(dir, 'missing'));
    expect(message).toContain('set MINIDL_CHROMIUM=/path/to/chrome');
    expect(message).toContain('install Chromium or Google Chrome');
    // Jest shows the stack of a failure: this one's is the message alone, not the finder's lines.
    expect(await search.catch((err: Error) => err.stack)).toBe(`NoChromiumError: ${message}`);
  });

  test('the packaged Chromium is shipped inside the dev dependency (nothing to download)', () => {
    const packageDir = path.dirname(require.resolve('@sparticuz/chromium/package.json'));
    expect(fs.statSync(path.join(packageDir, 'bin', 'chromium.br')).size).toBeGreaterThan(30_000_000);
  });
});
