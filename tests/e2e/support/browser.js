// Launches the system Chromium through playwright-core with a fresh profile,
// and collects console errors and page errors per page.
import fs from 'node:fs';
import path from 'node:path';
import {launchChromium} from '../../../scripts/chromium.mjs';

/** How long a test waits for a state the page reaches: a loaded machine may take its time. */
export const LONG = {timeout: 60000};

export const SCREENSHOTS = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../screenshots');

/** Debian's Chromium on a fresh temporary profile (scripts/chromium.mjs); close() removes it. */
export function launch(options = {}) {
  return launchChromium({viewport: {width: 1280, height: 900}, ...options});
}

/** Opens a page that records console errors and uncaught exceptions into page.errors. */
export async function openPage(context, url, viewport) {
  const page = await context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  page.errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') page.errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => page.errors.push(`pageerror: ${e.message}`));
  // The pages carry a strict Content-Security-Policy: any violation fails the test that caused it.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(
        `CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`,
      );
    });
  });
  if (url) await page.goto(url);
  return page;
}

/** Draws polyline strokes on a canvas with real mouse events. points: [[x, y], ...] in 0..1 of the canvas. */
export async function drawStrokes(page, canvas, strokes) {
  const box = await canvas.boundingBox();
  for (const stroke of strokes) {
    const at = ([x, y]) => [box.x + x * box.width, box.y + y * box.height];
    await page.mouse.move(...at(stroke[0]));
    await page.mouse.down();
    for (let i = 1; i < stroke.length; i++) await page.mouse.move(...at(stroke[i]), {steps: 2});
    await page.mouse.up();
  }
}

/**
 * Both answer panels (or `slots`) have answered the input shown now: each shows a digit and is not
 * busy (aria-busy lasts from the start of a stroke until its model has read the last drawing).
 * `scope`: a page or a frame.
 */
export async function settled(scope, slots = ['mlp', 'cnn']) {
  for (const n of slots) await scope.locator(`[data-model="${n}"][data-digit][aria-busy="false"]`).waitFor(LONG);
}

export function screenshotPath(name) {
  fs.mkdirSync(SCREENSHOTS, {recursive: true});
  return path.join(SCREENSHOTS, name);
}
