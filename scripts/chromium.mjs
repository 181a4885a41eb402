// Launches Debian's Chromium headless through playwright-core (never a
// downloaded browser), with the flags this sandbox needs and a fresh profile.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {chromium} from 'playwright-core';

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** -> {browser, context, close()} with a new empty user-data-dir */
export async function launchChromium(options = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-lab-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: chromiumArgs,
    headless: true,
    ...options,
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, {recursive: true, force: true});
    },
  };
}
