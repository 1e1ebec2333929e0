import { Browser, chromium } from 'playwright-core';
import { FoundChromium, HOW_TO_GET_ONE, NoChromiumError, findChromium } from './find-chromium';

/** Says where a browser was found, for messages. */
function describeSource(found: FoundChromium): string {
  switch (found.source) {
    case 'MINIDL_CHROMIUM': return 'named by MINIDL_CHROMIUM';
    case 'system': return "the system's";
    case '@sparticuz/chromium': return 'the one packaged in @sparticuz/chromium';
  }
}

/**
 * Launches, headless with playwright-core, the Chromium that findChromium picks
 * (spec/browser/find-chromium.ts: MINIDL_CHROMIUM, else the system's, else the packaged one).
 *
 * @throws NoChromiumError as findChromium does, and if the browser found does not start:
 *   the message names it, gives playwright-core's reason and says how to use another.
 */
export async function launchChromium(): Promise<Browser> {
  const found = await findChromium();
  try {
    return await chromium.launch({ executablePath: found.executablePath });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const stale = found.source === '@sparticuz/chromium'
      ? 'If a run was stopped while it decompressed the packaged Chromium, delete /tmp/chromium and run again.\n'
      : '';
    throw new NoChromiumError(`${found.executablePath} (${describeSource(found)}) did not start:\n${reason}\n${stale}${HOW_TO_GET_ONE}`);
  }
}
