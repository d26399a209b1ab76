// A real headless Chromium (Debian's, not a downloaded one) driven by playwright-core. No browser is a failure
// with a clear message, never a skipped test: `.ci/run` installs it with apt-get.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const candidates = [process.env.WEBHOOK_SIM_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

export function chromiumPath(): string {
  const found = candidates.find((path): path is string => path !== undefined && path !== '' && existsSync(path));
  if (!found)
    throw new Error(
      'no Chromium for the browser tests: install it (apt-get install -y chromium, as .ci/run does) or set WEBHOOK_SIM_CHROMIUM to its path',
    );
  return found;
}

/** A browser with a fresh empty profile (playwright makes one and removes it). Loopback only: no background networking. */
export async function launchBrowser(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}
