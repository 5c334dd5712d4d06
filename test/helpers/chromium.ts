import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); npm downloads no browser here. */
export const CHROMIUM = '/usr/bin/chromium';

/** Whether the browser tests can run; without Chromium, one line says which test skips and why. */
export function chromiumFor(what: string): boolean {
  const present = existsSync(CHROMIUM);
  if (!present) console.log(`skipped: ${what} — ${CHROMIUM} is not installed (apt-get install -y chromium)`);
  return present;
}

/** Headless, as root, and quiet: without the background-networking flags it calls out of a closed network. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
