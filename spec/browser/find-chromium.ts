import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Finds the Chromium that the browser specs drive through playwright-core, so that
 * `npm ci && npm test` passes on a machine where nothing else was installed.
 *
 * Looked for in this order; the first one found is taken:
 *
 *   1. `MINIDL_CHROMIUM=/path/to/chrome`: that file and no other. A path that is not an
 *      executable file is an error naming the variable (a typo must not silently fall
 *      back to another browser).
 *   2. The system's: `chromium`, `chromium-browser`, `google-chrome`, `google-chrome-stable`
 *      on PATH, then the usual absolute locations of the platform (USUAL_LOCATIONS).
 *   3. The one packaged in the dev dependency `@sparticuz/chromium` (Linux x64 only): a
 *      headless Chromium shipped brotli-compressed inside the npm package; the first call
 *      decompresses it to /tmp/chromium (2 to 4 s here), later ones reuse that file. Nothing
 *      is downloaded.
 *
 * Nothing found: a NoChromiumError that says how to get one.
 */

/** The environment variable that names the browser to use, before any other is looked for. */
export const CHROMIUM_VARIABLE = 'MINIDL_CHROMIUM';

/** The executable names looked for on PATH, in this order (`.exe` is added on Windows). */
export const PATH_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** Where Chromium and Google Chrome are usually installed, by `process.platform`; looked at after PATH. */
export const USUAL_LOCATIONS: Partial<Record<NodeJS.Platform, string[]>> = {
  linux: [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/snap/bin/chromium',
    '/opt/google/chrome/chrome',
  ],
  darwin: [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
  ],
  win32: [
    path.join(process.env.PROGRAMFILES ?? 'C:\\Program Files', 'Google', 'Chrome', 'Application', 'chrome.exe'),
    path.join(process.env['PROGRAMFILES(X86)'] ?? 'C:\\Program Files (x86)', 'Google', 'Chrome', 'Application', 'chrome.exe'),
    ...(process.env.LOCALAPPDATA ? [path.join(process.env.LOCALAPPDATA, 'Google', 'Chrome', 'Application', 'chrome.exe')] : []),
  ],
};

/** A browser to launch: `chromium.launch({ executablePath })`. */
export interface FoundChromium {
  /** Path of the executable. */
  executablePath: string;
  /** Where it was found: the variable, the system, or the npm package. */
  source: 'MINIDL_CHROMIUM' | 'system' | '@sparticuz/chromium';
}

/** Where to look; every field defaults to this machine's (the finder's spec replaces them with fakes). */
export interface ChromiumSearch {
  /** Read for MINIDL_CHROMIUM and PATH. Default: process.env. */
  env: NodeJS.ProcessEnv;
  /** Absolute paths looked at after PATH. Default: USUAL_LOCATIONS of this platform. */
  usualLocations: string[];
  /** Unpacks the packaged Chromium; null where it cannot run. Default: packagedChromium on Linux x64, else null. */
  packaged: (() => Promise<FoundChromium>) | null;
}

/** No Chromium the specs can use (none found, or the one found does not start): the message says how to get one. */
export class NoChromiumError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoChromiumError';
    // Jest prints an error's stack; this one's would only show the finder's own lines.
    this.stack = `${this.name}: ${message}`;
  }
}

/** The two ways to get a browser, ending every message of a NoChromiumError. */
export const HOW_TO_GET_ONE =
  `To run the browser specs, either\n` +
  `  - set ${CHROMIUM_VARIABLE}=/path/to/chrome (a Chromium or Google Chrome executable), or\n` +
  `  - install Chromium or Google Chrome (Debian/Ubuntu: apt-get install chromium; macOS: brew install --cask chromium, or Google Chrome).`;

/** True if `file` is a regular file this process may execute. */
function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first of PATH_NAMES found in the directories of `pathVariable`, or null. */
function findOnPath(pathVariable: string | undefined): string | null {
  const dirs = (pathVariable ?? '').split(path.delimiter).filter((dir) => dir !== '');
  const suffix = process.platform === 'win32' ? '.exe' : '';
  for (const name of PATH_NAMES) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name + suffix);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return null;
}

/**
 * The Chromium of `@sparticuz/chromium` (a headless shell). `executablePath()` decompresses it
 * to /tmp/chromium on the first call, with its fonts and software GL libraries beside it; it
 * reuses a /tmp/chromium already there, whatever version made it.
 *
 * It is launched with playwright-core's own flags, as a system Chromium is, and not with the
 * package's `args`: those are for serverless sandboxes (`--single-process`, site isolation
 * off), under which the playground's page is not cross-origin isolated (no shared WebAssembly
 * memory) and 300 training steps took 15 s instead of 1 s.
 */
export async function packagedChromium(): Promise<FoundChromium> {
  const { default: Chromium } = await import('@sparticuz/chromium');
  return { executablePath: await Chromium.executablePath(), source: '@sparticuz/chromium' };
}

/**
 * The Chromium to drive, looked for in the order given at the top of this file.
 *
 * @throws NoChromiumError if MINIDL_CHROMIUM names no executable file, or if no
 *   Chromium is found at all; the message says what was looked at and how to get one.
 */
export async function findChromium(search: Partial<ChromiumSearch> = {}): Promise<FoundChromium> {
  const env = search.env ?? process.env;
  const usualLocations = search.usualLocations ?? USUAL_LOCATIONS[process.platform] ?? [];
  const packaged = search.packaged !== undefined ? search.packaged : process.platform === 'linux' && process.arch === 'x64' ? packagedChromium : null;

  const fromVariable = env[CHROMIUM_VARIABLE];
  if (fromVariable) {
    if (!isExecutableFile(fromVariable)) {
      const what = fs.existsSync(fromVariable) ? 'is not an executable file' : 'does not exist';
      throw new NoChromiumError(
        `${CHROMIUM_VARIABLE}=${fromVariable}: that path ${what}. ` +
          `Set ${CHROMIUM_VARIABLE} to the path of a Chromium or Google Chrome executable, or unset it to let the browser specs look for one.`,
      );
    }
    return { executablePath: fromVariable, source: 'MINIDL_CHROMIUM' };
  }

  const system = findOnPath(env.PATH) ?? usualLocations.find(isExecutableFile) ?? null;
  if (system !== null) return { executablePath: system, source: 'system' };

  if (packaged !== null) return packaged();

  throw new NoChromiumError(
    `No Chromium found. Looked at: ${CHROMIUM_VARIABLE} (unset); ${PATH_NAMES.join(', ')} on PATH; ` +
      `${usualLocations.length > 0 ? usualLocations.join(', ') : 'no usual location on this platform'}; ` +
      `the Chromium packaged in @sparticuz/chromium, not used here: it runs on Linux x64 only (this machine: ${process.platform} ${process.arch}).\n` +
      HOW_TO_GET_ONE,
  );
}
