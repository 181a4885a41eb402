// Accessibility: axe-core on the full page and on every single view (?view=NAME, for each
// name the page itself lists, so a view added to mount.js's VIEWS is checked too), before
// and after Evaluate; any serious or critical violation fails. Also what axe does not
// check: no two controls share a name, and a grid of choices is one tab stop.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {AxeBuilder} from '@axe-core/playwright';
import {LONG, openPage} from './support/browser.js';
import {useSite} from './support/setup.js';

const site = useSite();
const EVALUATE = 'Evaluate on the 10,000 test digits';

/** The serious and critical violations on the page, one line each: rule, element, why. */
async function violations(page) {
  const {violations} = await new AxeBuilder({page})
    // Off by default (experimental), and one the page had broken: a name that hides the visible text.
    .options({rules: {'label-content-name-mismatch': {enabled: true}}})
    .analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) =>
      v.nodes.map((n) => `${v.id} (${v.impact}) at ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
    );
}

/** Brings every part of the page into view once, so what loads or paints on sight is there. */
async function showEverything(page) {
  await page.evaluate(async () => {
    for (const el of document.querySelectorAll('section, .card')) {
      if (!el.checkVisibility()) continue;
      el.scrollIntoView();
      await new Promise((frame) => requestAnimationFrame(() => requestAnimationFrame(frame)));
    }
  });
  // Its second table, the times to the articles' accuracy: drawn with the first once both files are in.
  const table = page.locator('[data-section="reproduce"] table.repro-time-table');
  if (await page.locator('[data-section="reproduce"]').count()) await table.waitFor(LONG);
  await page.evaluate(() => scrollTo(0, 0));
}

/** Clicks Evaluate and waits until it has measured the networks: its button turns disabled, then enabled again. */
async function evaluate(page) {
  const button = await page.getByRole('button', {name: EVALUATE}).elementHandle();
  const done = page.evaluate(
    (b) =>
      new Promise((resolve) => {
        let busy = false;
        new MutationObserver(() => {
          if (b.disabled) busy = true;
          else if (busy) resolve();
        }).observe(b, {attributes: true, attributeFilter: ['disabled']});
      }),
    button,
  );
  await button.click();
  await done;
}

/** The names given to more than one visible button (a link may share a button's name: "Train"). */
async function sharedNames(page) {
  const names = await page.evaluate(() =>
    [...document.querySelectorAll('button, [role="button"]')]
      .filter((el) => el.checkVisibility() && !el.closest('[role="radiogroup"]'))
      .map((el) => (el.getAttribute('aria-label') || el.textContent).trim().replace(/\s+/g, ' ')),
  );
  return [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
}

test('the full page has no serious accessibility violation, before and after Evaluate', async () => {
  const page = await openPage(site.context, site.url, {width: 1366, height: 900});
  await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
  await showEverything(page);
  assert.deepEqual(await violations(page), [], 'before Evaluate');
  assert.deepEqual(await sharedNames(page), [], 'no two buttons share a name');
  await evaluate(page);
  await showEverything(page);
  assert.deepEqual(await violations(page), [], 'after Evaluate');
  assert.deepEqual(await sharedNames(page), [], 'no two buttons share a name after Evaluate');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('every single view (?view=NAME) has an h1 and no serious accessibility violation', async () => {
  // The page for a name that is no view links every view there is (mount.js's VIEWS).
  const index = await openPage(site.context, `${site.url}index.html?view=%3F`);
  const names = (await index.locator('main a[href^="?view="]').allTextContents()).filter((n) => n !== 'all');
  await index.close();
  assert.ok(names.includes('drawpad') && names.includes('results'), `views found: ${names.join(', ')}`);
  const failures = [];
  for (const name of names) {
    const page = await openPage(site.context, `${site.url}index.html?view=${name}`, {width: 1366, height: 900});
    await page.locator(`.mlab-view-${name}`).waitFor(LONG);
    await page.waitForLoadState('networkidle');
    await showEverything(page);
    assert.equal(await page.locator('h1').count(), 1, `?view=${name} has one h1`);
    for (const v of await violations(page)) failures.push(`?view=${name}: ${v}`);
    if (await page.getByRole('button', {name: EVALUATE}).count()) {
      await evaluate(page);
      await showEverything(page);
      for (const v of await violations(page)) failures.push(`?view=${name} after Evaluate: ${v}`);
    }
    assert.deepEqual(page.errors, [], `?view=${name}: console errors`);
    await page.close();
  }
  assert.deepEqual(failures, []);
});

test('the first layer maps are one tab stop: the arrow keys pick the map to pool', async () => {
  const page = await openPage(site.context, `${site.url}index.html?view=conv`, {width: 1366, height: 900});
  const group = page.getByRole('radiogroup');
  const maps = group.getByRole('radio');
  await maps.nth(31).waitFor(LONG);
  assert.equal(await group.locator('[tabindex="0"]').count(), 1, 'one map takes the tab stop');
  await maps.first().focus();
  assert.equal(await maps.first().getAttribute('aria-checked'), 'true');
  await page.keyboard.press('Tab');
  assert.equal(
    await page.evaluate(() => document.activeElement?.closest('[role="radiogroup"]')),
    null,
    'Tab leaves the maps',
  );
  await maps.first().focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await maps.nth(1).getAttribute('aria-checked'), 'true');
  assert.equal(await maps.first().getAttribute('aria-checked'), 'false');
  assert.equal(
    await page.evaluate(() => document.activeElement?.getAttribute('aria-checked')),
    'true',
    'focus follows',
  );
  await page.locator('.pool-card figcaption', {hasText: 'Map 2 after ReLU'}).waitFor();
  await page.keyboard.press('End');
  assert.equal(await maps.nth(31).getAttribute('aria-checked'), 'true');
  await page.keyboard.press('ArrowDown'); // the last row: stays on the last map
  assert.equal(await maps.nth(31).getAttribute('aria-checked'), 'true');
  assert.deepEqual(page.errors, []);
  await page.close();
});
