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

/**
 * The built page at url?query in a new tab of context, ready (both shipped models loaded) and
 * scrolled to its Train view -> {page, errors (the page's uncaught errors, as they come)}.
 */
export async function openTrainView(context, url, query, {timeout = 120000} = {}) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${url}?${query}`);
    await page.locator('[data-model="mlp"][data-digit]').waitFor({timeout});
    await page.locator('#train').scrollIntoViewIfNeeded();
  } catch (e) {
    await page.close();
    throw e;
  }
  return {page, errors};
}

/** Waits until the Train button may be pressed (the settings checked by the engine). */
export const trainReady = (page, timeout = 60000) =>
  page.waitForFunction(() => !document.querySelector('#train button.btn-primary').disabled, null, {timeout});

/** The engine the Train view says it runs ("WebAssembly SIMD with fused multiply-add · 1 thread"). */
export const engineShown = async (page) =>
  (await page.locator('#train [data-engine]').textContent()).replace(/^Engine: /, '');

/** The page's duration text ('4.6 s', '42 s', '1 min 02 s') -> seconds. */
export function secondsOf(text) {
  const m = /^(?:(\d+) min )?([\d.]+) s$/.exec(text.trim());
  if (!m) throw new Error(`the epoch table shows a training time of '${text}', not a duration`);
  return Number(m[1] || 0) * 60 + Number(m[2]);
}
