// The section links: a click on one lands on its section and stays there while the
// sections above it fill in (the convolution view draws its maps as it comes into view).
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {openPage} from './support/browser.js';
import {useSite} from './support/setup.js';

const site = useSite();

for (const [width, height] of [
  [1366, 900],
  [390, 844],
]) {
  test(`at ${width}x${height}, the first click on "Train" lands on the Train section`, async () => {
    const page = await openPage(site.context, site.url, {width, height});
    await page.locator('[data-model="cnn"][data-digit]').waitFor({timeout: 30000});
    await page.getByRole('navigation', {name: 'Sections'}).getByRole('link', {name: 'Train', exact: true}).click();
    // The sections above have filled in: the CNN's maps are painted for the example digit,
    // the pooling card shows one of them.
    await page.locator('#conv .fmap-stage').first().waitFor({timeout: 30000});
    await page.locator('#conv .pool-card figcaption', {hasText: 'after ReLU'}).waitFor({timeout: 30000});
    await page.waitForLoadState('networkidle');
    // Where the link put it: the section's top just under the sticky header (its scroll-margin).
    const landed = () =>
      page.evaluate(() => {
        const train = document.getElementById('train');
        return train.getBoundingClientRect().top - Number.parseFloat(getComputedStyle(train).scrollMarginTop);
      });
    await page
      .waitForFunction(
        () => {
          const train = document.getElementById('train');
          const off = train.getBoundingClientRect().top - Number.parseFloat(getComputedStyle(train).scrollMarginTop);
          return Math.abs(off) <= 1;
        },
        null,
        {timeout: 20000},
      )
      .catch(() => {});
    assert.ok(Math.abs(await landed()) <= 1, `the Train section is ${await landed()} px from where the link puts it`);
    // The reader scrolls on: the page no longer pulls the section back.
    await page.mouse.wheel(0, 300);
    await page.waitForFunction(() => scrollY > 0 && document.getElementById('train').getBoundingClientRect().top < 0);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}
