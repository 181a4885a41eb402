// What every browser benchmark sets up: a folder served by scripts/serve.mjs (a
// plain static host, or cross-origin isolated with isolate) on a free port, and
// headless Chromium (scripts/chromium.mjs); both are closed when fn is done.
import {spawn} from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {launchChromium} from '../scripts/chromium.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const {port} = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** {dir, isolate, launch (launchChromium options)}, fn({url, context}) -> what fn returns */
export async function withServedChromium({dir, isolate = false, launch = {}}, fn) {
  const port = await freePort();
  const server = spawn(
    process.execPath,
    [path.join(root, 'scripts/serve.mjs'), '--dir', dir, '--port', String(port), ...(isolate ? ['--isolate'] : [])],
    {stdio: ['ignore', 'pipe', 'inherit']},
  );
  try {
    await new Promise((resolve) => server.stdout.once('data', resolve));
    const browser = await launchChromium(launch);
    try {
      return await fn({url: `http://127.0.0.1:${port}/`, context: browser.context});
    } finally {
      await browser.close();
    }
  } finally {
    server.kill();
  }
}
