// The fused multiply-add engine: Chromium validates relaxed SIMD, so a page served
// like a plain static host runs build/wasm-fma and says so; if that module does not
// load, the page warns on the console and runs plain SIMD, and everything still works.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {LONG, openPage} from './support/browser.js';
import {useSite} from './support/setup.js';

/** Opens the page, collecting console warnings; -> {page, warnings, engine text} once both models predict. */
async function open(site) {
  const page = await openPage(site.context);
  const warnings = [];
  page.on('console', (m) => {
    if (m.type() === 'warning') warnings.push(m.text());
  });
  await page.goto(site.url);
  await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
  await page.locator('[data-model="mlp"][data-digit]').waitFor(LONG);
  await page.locator('[data-engine]').filter({hasText: 'Engine'}).waitFor(LONG);
  return {page, warnings, engine: await page.locator('[data-engine]').textContent()};
}

describe('fused multiply-add engine', () => {
  const site = useSite();

  test('a browser with relaxed SIMD runs the fma build', async () => {
    const {page, engine} = await open(site);
    assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated === true), false);
    assert.equal(engine, 'Engine: WebAssembly SIMD with fused multiply-add · 1 thread');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('if the fma module does not load, the page runs plain SIMD and says so', async () => {
    await site.context.route('**/mnist_lab-fma-*.wasm', (r) => r.fulfill({status: 404, body: 'not found'}));
    try {
      const {page, warnings, engine} = await open(site);
      assert.equal(engine, 'Engine: WebAssembly SIMD · 1 thread');
      assert.ok(
        warnings.some((w) => /fused multiply-add engine did not load/.test(w)),
        warnings.join('\n'),
      );
      // Both models predict a digit on the plain engine (open() waited for them); the
      // only error is the browser's own line about the 404.
      assert.deepEqual(
        page.errors.filter((e) => !/status of 404/.test(e)),
        [],
      );
      await page.close();
    } finally {
      await site.context.unrouteAll();
    }
  });
});
