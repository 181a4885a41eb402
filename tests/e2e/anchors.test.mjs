// The section links: a click on one lands on its section and stays there while the
// sections above it fill in (the convolution view draws its maps as it comes into view).
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {LONG, openPage} from './support/browser.js';
import {useSite} from './support/setup.js';

const site = useSite();

for (const [width, height] of [
  [1366, 900],
  [390, 844],
]) {
  test(`at ${width}x${height}, the first click on "Train" lands on the Train section`, async () => {
    const page = await openPage(site.context, site.url, {width, height});
    await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
    await page.getByRole('navigation', {name: 'Sections'}).getByRole('link', {name: 'Train', exact: true}).click();
    // The sections above have filled in: the CNN's maps are painted for the example digit,
    // the pooling card shows one of them.
    await page.locator('#conv .fmap-stage').first().waitFor(LONG);
    await page.locator('#conv .pool-card figcaption', {hasText: 'after ReLU'}).waitFor(LONG);
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

test('every section link shown in the top bar is on screen, and the page no wider than the screen, from 320 px phones to desktops', async () => {
  // The nav scrolls sideways with its scrollbar hidden, so a link past its edge would be out of
  // reach with nothing to say it is there; the bar sheds the brand's name, then the Embed link,
  // and below 360 px lets the links wrap instead.
  for (const width of [320, 360, 390, 440, 520, 640, 800, 1366]) {
    const page = await openPage(site.context, site.url, {width, height: 800});
    const nav = page.getByRole('navigation', {name: 'Sections'});
    await nav.waitFor();
    const r = await nav.evaluate((el) => ({
      overflow: el.scrollWidth - el.clientWidth,
      shown: [...el.querySelectorAll('a')]
        .filter((a) => getComputedStyle(a).display !== 'none')
        .map((a) => {
          const b = a.getBoundingClientRect();
          return {text: a.textContent, left: b.left, right: b.right};
        }),
    }));
    assert.ok(r.overflow <= 0, `${width} px: the section links overflow their bar by ${r.overflow} px`);
    for (const link of r.shown)
      assert.ok(link.left >= 0 && link.right <= width, `${width} px: "${link.text}" spans ${link.left}..${link.right}`);
    const names = r.shown.map((l) => l.text);
    for (const name of ['Draw', 'Network', 'Convolution', 'Train', 'Results'])
      assert.ok(names.includes(name), `${width} px: "${name}" is shown (${names.join(', ')})`);
    if (width > 480) assert.ok(names.includes('Embed'), `${width} px: "Embed" is shown too`);
    // Nor does anything else widen the page past the screen (a sideways-scrolling page on a phone).
    const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(pageWidth <= width, `${width} px: the page is ${pageWidth} px wide`);
    assert.deepEqual(page.errors, []);
    await page.close();
  }
});
