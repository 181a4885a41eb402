// The Draw view's experiments, done as a user does them: draw a digit, move it with the
// controls and read both answers, sweep it, open the saliency maps, fool both networks.
// Also each experiment alone as a single view, and the "not a digit" cue.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {barLength, probText} from '../../web/src/views/draw/bars.js';
import {LONG, drawStrokes, openPage, screenshotPath, settled} from './support/browser.js';
import {DIGIT_STROKES} from './support/digits.js';
import {useSite} from './support/setup.js';

const site = useSite();
const SLOTS = ['mlp', 'cnn'];

/** Opens the Draw view alone, clears the pad and draws `digit`; waits for both answers to the whole digit. */
async function drawDigit(page, digit) {
  await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
  await page.getByRole('button', {name: 'Clear', exact: true}).click();
  for (const n of SLOTS) await page.locator(`[data-model="${n}"]:not([data-digit])`).waitFor(LONG);
  await drawStrokes(page, page.locator('canvas[aria-label="Drawing pad"]'), DIGIT_STROKES[digit]);
  await settled(page);
}

/** The Draw view alone with `digit` drawn on its pad. */
async function drawpadWith(digit) {
  const page = await openPage(site.context, `${site.url}index.html?view=drawpad`);
  await drawDigit(page, digit);
  return page;
}

/** The experiment's section of the page, scrolled into view. */
async function experiment(page, name) {
  const section = page.locator(`.exp-${name}`);
  await section.scrollIntoViewIfNeeded();
  return section;
}

/** Keeps a picture of `shown` for people to look at, checks the page logged no error, closes it. */
async function finish(page, shown, file) {
  await shown.screenshot({path: screenshotPath(file)});
  assert.deepEqual(page.errors, []);
  await page.close();
}

/** A shown probability ("99.99%", "<0.01%", ">99.9999%") as a number 0..1. */
const shown = (text) => Number.parseFloat(text.replace(/^[<>]/, '')) / 100;

/** What each panel shows once it is settled: {mlp: {digit, probs}, cnn: ...}. */
async function answers(page) {
  await settled(page);
  const out = {};
  for (const n of SLOTS) {
    const panel = page.locator(`[data-model="${n}"]`);
    out[n] = {
      digit: Number(await panel.getAttribute('data-digit')),
      probs: (await panel.locator('.bars .v').allTextContents()).map(shown),
    };
  }
  return out;
}

/** The 28x28 image "What the models see" shows, as ink 0..1 (red channel of the INK ramp). */
const seenImage = (page) =>
  page.evaluate(() => {
    const c = document.querySelector('.drawpad canvas.px28');
    const d = c.getContext('2d').getImageData(0, 0, 28, 28).data;
    return Array.from({length: 784}, (_, i) => (d[i * 4] - 11) / 244);
  });

const centreX = (img) => {
  let m = 0;
  let sx = 0;
  img.forEach((v, i) => {
    m += v;
    sx += v * (i % 28);
  });
  return sx / m;
};

/** Waits until the picture of what the models see has its ink's centre more than `px` right of `cx0`. */
const seenMovedRight = (page, cx0, px) =>
  page.waitForFunction(
    ({cx0, px}) => {
      const d = document.querySelector('.drawpad canvas.px28').getContext('2d').getImageData(0, 0, 28, 28).data;
      let m = 0;
      let sx = 0;
      for (let i = 0; i < 784; i++) {
        m += d[i * 4] - 11;
        sx += (d[i * 4] - 11) * (i % 28);
      }
      return sx / m - cx0 > px;
    },
    {cx0, px},
    LONG,
  );

test('the bars tell 99.9% from 99.99%, on a log-odds scale', () => {
  assert.equal(probText(0.999, 0.001), '99.9%');
  assert.equal(probText(0.9999, 0.0001), '99.99%');
  assert.equal(probText(0.99997, 0.00003), '99.997%');
  assert.equal(probText(0.5, 0.5), '50.0%');
  assert.equal(probText(0.00001, 0.99999), '<0.01%');
  // Each tenfold of the odds is an eighth of the bar.
  assert.ok(Math.abs(barLength(0.999, 0.001) - barLength(0.9999, 0.0001) + 1 / 8) < 1e-3);
  assert.ok(Math.abs(barLength(0.5, 0.5) - 3 / 8) < 1e-9);
});

test('an answer panel is busy from the start of a stroke until it answers the whole stroke', async () => {
  const page = await drawpadWith(7);
  const whole = await answers(page);
  await page.getByRole('button', {name: 'Clear', exact: true}).click();
  const pad = page.locator('canvas[aria-label="Drawing pad"]');
  const box = await pad.boundingBox();
  const strokes = DIGIT_STROKES[7];
  const at = ([x, y]) => [box.x + x * box.width, box.y + y * box.height];
  for (const [k, stroke] of strokes.entries()) {
    await page.mouse.move(...at(stroke[0]));
    await page.mouse.down();
    for (const p of stroke.slice(1)) await page.mouse.move(...at(p), {steps: 2});
    if (k === strokes.length - 1) {
      // The button is still down: the models answer the stroke so far, and the panels say
      // that this is not the answer to the finished digit yet.
      for (const n of SLOTS) await page.locator(`[data-model="${n}"][data-digit][aria-busy="true"]`).waitFor(LONG);
    }
    await page.mouse.up();
  }
  // Settled, the panels show the answers to the same whole digit as before.
  assert.deepEqual(await answers(page), whole);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('move the digit with the controls: the models read it moved, both answers follow', async () => {
  const page = await drawpadWith(7);
  const before = await answers(page);
  const seenBefore = await seenImage(page);
  // Centring off, then shift x by +4 with the keyboard, as a keyboard user would.
  await page.getByLabel('MNIST centring').uncheck();
  const shiftX = page.getByLabel('Shift x');
  await shiftX.focus();
  for (let i = 0; i < 4; i++) await shiftX.press('ArrowRight');
  assert.equal(await page.locator('.move-row output').first().textContent(), '+4 px');
  // The picture of what the models see moves right by about 4 pixels (it follows each prediction).
  const cx0 = centreX(seenBefore);
  await seenMovedRight(page, cx0, 2);
  // A large shift: +8 px right and down, with the whole pad read as it is.
  await shiftX.press('End');
  const shiftY = page.getByLabel('Shift y');
  await shiftY.focus();
  await shiftY.press('End');
  await page.waitForFunction(
    () => {
      const d = document.querySelector('.drawpad canvas.px28').getContext('2d').getImageData(0, 0, 28, 28).data;
      // no ink left in the top-left 8x8 corner where the 7's bar began
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) if (d[(y * 28 + x) * 4] > 60) return false;
      return true;
    },
    null,
    LONG,
  );
  // The MLP, which learnt a weight per pixel position, is less sure of its 7 once the 7 sits
  // 8 px off where MNIST puts digits (waits for its answer to the moved digit).
  const p7 = before.mlp.probs[before.mlp.digit];
  await page.waitForFunction(
    ({d, p7}) => {
      const t = document.querySelectorAll('[data-model="mlp"] .bars .v')[d].textContent;
      return Number.parseFloat(t.replace(/^[<>]/, '')) / 100 < p7;
    },
    {d: before.mlp.digit, p7},
    LONG,
  );
  // Reset brings the digit back: the same answers as before, to the shown digit.
  await page.getByRole('button', {name: 'Reset'}).click();
  assert.equal(await page.getByLabel('MNIST centring').isChecked(), true);
  for (const n of SLOTS) {
    await page.locator(`[data-model="${n}"][data-digit="${before[n].digit}"]`).waitFor(LONG);
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a moved digit is the one the Network view shows: its first-layer neurons fire for the moved digit', async () => {
  const page = await openPage(site.context, site.url);
  await drawDigit(page, 7);
  // The page asks for activations while a view that draws them is on screen.
  const card = page.locator('.fl-card');
  await card.scrollIntoViewIfNeeded();
  const firing = () =>
    page
      .locator('.fl-grid [aria-label^="neuron"]')
      .evaluateAll((bs) => bs.slice(0, 16).map((b) => b.getAttribute('aria-label')));
  await page.waitForFunction(
    () => /fires/.test(document.querySelector('.fl-grid [aria-label^="neuron"]')?.getAttribute('aria-label') ?? ''),
    null,
    LONG,
  );
  const before = await firing();
  const cx0 = centreX(await seenImage(page));
  await page.getByLabel('MNIST centring').uncheck();
  const shiftX = page.getByLabel('Shift x');
  await shiftX.focus();
  await shiftX.press('End'); // +8 px: the 7 leaves the place MNIST puts digits
  assert.equal(await page.locator('.move-row output').first().textContent(), '+8 px');
  // Let the move settle first: the picture of what the models see has the 7 well right of
  // where it was, and neither panel is reading a newer input. Every prediction from here on
  // is of the moved digit. (Unchecking the centring alone moves it too, so values that merely
  // differ from the first ones could be of that step: the CI saw the labels change, then
  // lose their values to a later prediction made while the card was off screen.)
  await seenMovedRight(page, cx0, 4);
  await settled(page);
  await card.scrollIntoViewIfNeeded();
  // Back on screen, the view asks for the moved digit's activations if it had none; the labels
  // are read in the same call that finds them all carrying a value, not in a second one.
  const moved = await (
    await page.waitForFunction(
      (b) => {
        const now = [...document.querySelectorAll('.fl-grid [aria-label^="neuron"]')]
          .slice(0, 16)
          .map((x) => x.getAttribute('aria-label') ?? '');
        return now.every((t) => /fires -?\d/.test(t)) && now.some((t, i) => t !== b[i]) && now;
      },
      before,
      LONG,
    )
  ).jsonValue();
  // (The wait is the check: it times out unless all 16 say how strongly they fire, for the moved 7.)
  assert.equal(moved.length, 16);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('Sweep plots each model against the shift and the rotation, 17 and 19 points a curve', async () => {
  const page = await drawpadWith(2);
  await page.getByRole('button', {name: 'Sweep'}).click();
  const chart = (axis) => page.locator(`.sweep-chart[data-axis="${axis}"]`);
  for (const axis of ['Shift x', 'Shift y', 'Rotation']) {
    for (const n of SLOTS) {
      const series = chart(axis).locator(`g[data-slot="${n}"]`);
      await series.waitFor(LONG);
      assert.equal(await series.locator('circle').count(), axis === 'Rotation' ? 19 : 17, `${axis}, ${n}`);
      // The curve is the probability of the model's answer to the digit as drawn, so at 0
      // it is what the panel shows for that answer (unmoved, the same image). The panel
      // may still be showing a prediction made while the stroke was being drawn: wait
      // for the one of the finished drawing, and say what it showed if it never comes.
      const answer = Number(await series.getAttribute('data-answer'));
      const atZero = Number(
        await series
          .locator('circle')
          .nth(axis === 'Rotation' ? 9 : 8)
          .getAttribute('data-p'),
      );
      const agrees = ({n, d, p}) => {
        const panel = document.querySelector(`[data-model="${n}"]`);
        const text = panel?.querySelectorAll('.bars .v')[d]?.textContent ?? '';
        return (
          panel?.dataset.digit === String(d) && Math.abs(Number.parseFloat(text.replace(/^[<>]/, '')) / 100 - p) < 0.002
        );
      };
      await page.waitForFunction(agrees, {n, d: answer, p: atZero}, LONG).catch(async () => {
        const now = (await answers(page))[n];
        assert.fail(
          `${axis}, ${n}: P(${answer}) = ${atZero} at 0; the panel says ${now.digit}, P(${answer}) = ${now.probs[answer]}`,
        );
      });
    }
  }
  assert.match(await chart('Shift x').locator('p').textContent(), /MLP: P\(\d\) .*; CNN: P\(\d\) /);
  await finish(page, await experiment(page, 'move'), 'sweep.png');
});

test('See why: each model’s occlusion map lies on the ink, the gradient map is drawn too', async () => {
  const page = await drawpadWith(4);
  const answered = await answers(page);
  const section = await experiment(page, 'saliency');
  // The section is within a screen of the pad, so it also ran after the 4's first stroke (and
  // may run once more for the whole digit): wait for the maps of the model's answer to the
  // whole 4, not for the first maps shown.
  for (const n of SLOTS) {
    await section.locator(`figure[data-slot="${n}"][data-cls="${answered[n].digit}"]`).waitFor(LONG);
  }
  const read = (method) =>
    page.evaluate((method) => {
      const pixels = (c) => c.getContext('2d').getImageData(0, 0, 28, 28).data;
      return Object.fromEntries(
        [...document.querySelectorAll('.exp-saliency figure[data-slot]')].map((f) => {
          const ink = pixels(f.querySelector('.sal-digit'));
          const heat = pixels(f.querySelector('.sal-heat'));
          // near white (246, 247, 251): no effect; ink: the INK ramp's red above its background
          const strong = [];
          const inked = [];
          for (let i = 0; i < 784; i++) {
            const dev = Math.abs(heat[i * 4] - 246) + Math.abs(heat[i * 4 + 1] - 247) + Math.abs(heat[i * 4 + 2] - 251);
            strong.push(dev > 18);
            inked.push(ink[i * 4] > 40);
          }
          return [f.dataset.slot, {method, cls: Number(f.dataset.cls), strong, inked}];
        }),
      );
    }, method);
  const gradient = await read('gradient');
  for (const n of SLOTS) assert.ok(gradient[n].strong.some(Boolean), `${n}: a gradient map is drawn`);
  await section.getByRole('button', {name: 'Occlusion'}).click();
  const occlusion = await read('occlusion');
  const nearInk = (inked, i) => {
    const x = i % 28;
    const y = (i - x) / 28;
    for (let dy = -4; dy <= 4; dy++)
      for (let dx = -4; dx <= 4; dx++) if (inked[(y + dy) * 28 + x + dx] && x + dx >= 0 && x + dx < 28) return true;
    return false;
  };
  for (const n of SLOTS) {
    const {strong, inked} = occlusion[n];
    const count = strong.filter(Boolean).length;
    assert.ok(count > 0, `${n}: blanking some patch changes the answer`);
    const onInk = strong.filter((s, i) => s && nearInk(inked, i)).length;
    // Blanking a patch with no ink in it changes nothing: every mark lies within a patch of the ink.
    assert.equal(onInk, count, `${n}: ${onInk} of ${count} occlusion pixels near the ink`);
    assert.equal(occlusion[n].cls, answered[n].digit, `${n}: the map is for its answer`);
  }
  assert.match(await section.textContent(), /orange ones support it/);
  await finish(page, section, 'saliency.png');
});

test('Fool it: each model is nudged towards the chosen digit; the page says whether it worked', async () => {
  const page = await drawpadWith(7);
  const section = await experiment(page, 'fool');
  await section.getByLabel('Make it say').selectOption('3');
  await section.getByRole('button', {name: 'Fool them'}).click();
  for (const n of SLOTS) {
    const result = section.locator(`.fool-result[data-slot="${n}"]`);
    await section.locator(`.fool-result[data-slot="${n}"][data-reached]`).waitFor(LONG);
    const reached = (await result.getAttribute('data-reached')) === 'true';
    const said = Number(await result.getAttribute('data-digit'));
    const l1 = Number(await result.getAttribute('data-l1'));
    const linf = Number(await result.getAttribute('data-linf'));
    const verdict = await result.locator('.fool-verdict').textContent();
    // The reply says reached or not, and the numbers shown agree with it.
    assert.equal(reached, said === 3, `${n}: reached ${reached}, says ${said}`);
    assert.match(verdict, reached ? /^Fooled: it now says 3 / : /^Gave up after \d+ steps: it still says \d /);
    assert.ok(linf > 0 && linf <= 0.3 + 1e-6, `${n}: no pixel changed by more than 0.3 (${linf})`);
    assert.ok(l1 >= linf, `${n}: the ink in all (${l1}) is at least the largest change (${linf})`);
    assert.match(await result.textContent(), new RegExp(`Ink it took: ${l1.toFixed(1)} pixels’ worth`));
    const other = n === 'mlp' ? 'CNN' : 'MLP';
    const otherDigit = Number(await result.getAttribute('data-other-digit'));
    assert.match(
      await result.textContent(),
      new RegExp(
        `The same image to the ${other}: it says ${otherDigit} .*${otherDigit === 3 ? 'fooled too' : 'not fooled'}`,
      ),
    );
  }
  assert.match(await section.textContent(), /What it does not say/);
  await section.screenshot({path: screenshotPath('fool.png')});
  // A new digit makes the result stale: it is hidden.
  await drawDigit(page, 1);
  assert.equal(await section.locator('.fool-out').isHidden(), true);
  await finish(page, section, 'fool-stale.png');
});

test('a dot or an empty pad gets a "not a digit" cue', async () => {
  const page = await openPage(site.context, `${site.url}index.html?view=drawpad`);
  await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
  await page.getByRole('button', {name: 'Clear', exact: true}).click();
  await page.locator('.cue[data-cue="empty"]').waitFor(LONG);
  await drawStrokes(page, page.locator('canvas[aria-label="Drawing pad"]'), [[[0.5, 0.5]]]);
  for (const n of SLOTS) await page.locator(`[data-model="${n}"][data-digit]`).waitFor(LONG);
  await page.locator('.cue[data-cue="speck"]').waitFor(LONG);
  assert.match(await page.locator('.cue').textContent(), /Not a digit/);
  // A digit drawn after it is no speck once its strokes are in.
  await drawDigit(page, 7);
  await page.locator('.cue:not([data-cue="speck"])').waitFor({state: 'attached', ...LONG});
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('each experiment is a single view of its own, on the example digit', async () => {
  for (const view of ['move', 'saliency', 'fool']) {
    const page = await openPage(site.context, `${site.url}index.html?view=${view}`);
    await page.locator(`.exp-${view}`).waitFor(LONG);
    if (view === 'move') {
      for (const n of SLOTS) await page.locator(`[data-model="${n}"][data-digit]`).waitFor(LONG);
      await page.getByRole('button', {name: 'Sweep'}).click();
      await page.locator('.sweep-chart[data-axis="Shift x"] g[data-slot="cnn"]').waitFor(LONG);
    } else if (view === 'saliency') {
      for (const n of SLOTS) await page.locator(`figure[data-slot="${n}"][data-cls]`).waitFor(LONG);
    } else {
      await page.getByRole('button', {name: 'Fool them'}).click();
      for (const n of SLOTS) await page.locator(`.fool-result[data-slot="${n}"][data-reached]`).waitFor(LONG);
    }
    assert.deepEqual(page.errors, [], view);
    await page.close();
  }
});

test('the first screen shows the pad and both answers, at 1366x900 and on a phone', async () => {
  for (const viewport of [
    {width: 1366, height: 900},
    {width: 390, height: 844},
  ]) {
    const page = await openPage(site.context, site.url, viewport);
    await page.locator('[data-model="cnn"][data-digit]').waitFor(LONG);
    const inView = async (selector) => {
      const box = await page.locator(selector).first().boundingBox();
      return box && box.y >= 0 && box.y + box.height <= viewport.height;
    };
    const header = await page.locator('header.topbar').boundingBox();
    const pad = await page.locator('canvas[aria-label="Drawing pad"]').boundingBox();
    assert.ok(pad.y >= header.y + header.height, `${viewport.width}: the header does not cover the pad`);
    assert.ok(
      await inView('canvas[aria-label="Drawing pad"]'),
      `${viewport.width}: the whole pad is on the first screen`,
    );
    for (const n of SLOTS) assert.ok(await inView(`[data-model="${n}"]`), `${viewport.width}: the ${n} answer too`);
    await page.screenshot({path: screenshotPath(`first-screen-${viewport.width}.png`)});
    assert.deepEqual(page.errors, []);
    await page.close();
  }
});
