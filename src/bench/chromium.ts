import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (DEVELOPERS.md): Playwright's own browser download cannot work on our machines. */
export const CHROMIUM = process.env.CONDUIT_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Headless Chromium for the web bench and the browser tests. Without the networking flags it keeps trying
 * to reach Google's hosts, which this network refuses.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
