// The drawing pad: draw with mouse, touch or pen; both models predict while you
// draw (at most once per animation frame and one request in flight per worker).
// Shows the 28x28 image the models actually saw, all ten probabilities of each, the
// controls that move the digit, and under the card the experiments on it (EXPERIMENTS).
import {SLOTS} from '../lab.js';
import {INK, paint} from '../ui/color.js';
import {h, rafThrottle} from '../ui/dom.js';
import {drawExample} from '../ui/example.js';
import {argmax, int, pct} from '../ui/format.js';
import {answerPanel, notADigit, SCALE_NOTE} from './draw/bars.js';
import * as controls from './draw/controls.js';
import * as fool from './draw/fool.js';
import * as move from './draw/move.js';
import * as mydigits from './draw/mydigits.js';
import * as saliency from './draw/saliency.js';
import * as step from './draw/step.js';
import {errorText, SLOT_TITLE} from './words.js';

/**
 * The experiments under the pad, in page order: each module's mount(el, lab, {inDrawpad: true})
 * fills its own section (each is also a single view of its own, see mount.js).
 */
export const EXPERIMENTS = [move, saliency, fool, mydigits, step];

const SIZE = 560; // the pad's backing store in pixels (its CSS size varies)
const BRUSH = SIZE / 11; // MNIST strokes are 2-3 px of 28 once the digit is scaled into 20x20
const INK_RES = 112; // the drawing is sent at this resolution; the core crops and rescales it
const SPECK = 16; // ink spanning fewer pixels of INK_RES than this, both ways, is a dot, not a digit

export function mount(el, lab) {
  const pad = h('canvas', {class: 'pad', width: SIZE, height: SIZE, 'aria-label': 'Drawing pad', tabindex: 0});
  const hint = h('p', {class: 'pad-hint'}, '');
  const seen = h('canvas', {class: 'px28', width: 28, height: 28, 'aria-hidden': 'true'});
  const seenCaption = h('figcaption', {}, 'What the models see');
  const live = h('div', {class: 'sr-only', 'aria-live': 'polite', 'aria-atomic': 'true'});
  const status = h('p', {class: 'status-line', role: 'status'});

  const panels = Object.fromEntries(SLOTS.map((name) => [name, answerPanel(name)]));
  // A panel is busy (aria-busy) while a stroke goes on, until the stroke's last drawing is
  // sent, and while its model reads a newer input than the answer it shows.
  let stroking = false;
  let announcing = false; // a stroke's answers are to be said once both panels settle (announceSoon)
  const showBusy = () => {
    for (const n of SLOTS) panels[n].busy(stroking || lab.slots[n].busy);
    announceSettled();
  };
  lab.on('predicting', showBusy);
  showBusy();
  const cue = h('p', {class: 'cue', role: 'status'});
  cue.hidden = true;

  const clear = h('button', {type: 'button', class: 'btn', onclick: () => clearAll(true)}, 'Clear');
  const random = h('button', {type: 'button', class: 'btn btn-ghost', onclick: randomDigit}, 'Random test digit');
  // The pretrained models, one click away from the user's own (trained, fine-tuned or from a file).
  const back = h('button', {type: 'button', class: 'btn btn-ghost', hidden: true}, 'Back to pretrained');
  back.addEventListener('click', () => lab.backToPretrained().catch((e) => (status.textContent = errorText(e))));
  const showBack = () => (back.hidden = !lab.unpretrained.length);
  lab.on('model', showBack);
  lab.on('training', showBack);

  const experiments = h('div', {class: 'draw-experiments'});
  el.append(
    h(
      'div',
      {class: 'card drawpad'},
      h('div', {class: 'pad-frame'}, pad, hint),
      h('div', {class: 'preds'}, panels.mlp.el, panels.cnn.el),
      h('div', {class: 'pad-tools'}, h('div', {class: 'row gap'}, clear, random, back), status),
      h(
        'div',
        {class: 'pad-notes'},
        h('figure', {class: 'seen'}, seen, seenCaption),
        h(
          'div',
          {},
          cue,
          h('p', {class: 'muted small'}, SCALE_NOTE),
          h(
            'p',
            {class: 'muted small'},
            'With MNIST centring on, your strokes are cropped, scaled into 20×20 and centred by their centre of mass on a 28×28 grid, the way MNIST itself was prepared; off, the whole pad is scaled to 28×28 as it is.',
          ),
        ),
      ),
      h('div', {class: 'pad-move'}, controls.build(lab).el),
    ),
    live,
    experiments,
  );
  for (const experiment of EXPERIMENTS) experiment.mount(experiments, lab, {inDrawpad: true});

  // --- drawing ----------------------------------------------------------------
  const ctx = pad.getContext('2d');
  const inkCanvas = document.createElement('canvas');
  inkCanvas.width = inkCanvas.height = INK_RES;
  const inkCtx = inkCanvas.getContext('2d', {willReadFrequently: true});
  let mode = 'empty'; // empty | demo | test | user
  let down = null; // the pointer drawing now
  let last = null;
  let hasInk = false;
  let tiny = false; // the drawing is a dot or a speck

  const setHint = () => {
    hint.textContent =
      mode === 'empty'
        ? 'Draw a digit, 0 to 9'
        : mode === 'demo'
          ? 'An example digit: draw your own over it'
          : mode === 'test'
            ? 'A test digit: draw to replace it'
            : '';
    hint.hidden = mode === 'user';
  };

  const stroke = (from, to) => {
    ctx.strokeStyle = '#fff';
    ctx.fillStyle = '#fff';
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.lineWidth = BRUSH;
    ctx.beginPath();
    if (from.x === to.x && from.y === to.y) {
      ctx.arc(to.x, to.y, BRUSH / 2, 0, Math.PI * 2);
      ctx.fill();
    } else {
      ctx.moveTo(from.x, from.y);
      ctx.lineTo(to.x, to.y);
      ctx.stroke();
    }
    hasInk = true;
  };

  let rect = null; // the pad's box, read once per stroke (reading it per move forces layouts)
  const pos = (e) => {
    const r = rect || pad.getBoundingClientRect();
    return {x: ((e.clientX - r.left) / r.width) * SIZE, y: ((e.clientY - r.top) / r.height) * SIZE};
  };

  const sendDrawing = () => {
    if (!hasInk) return;
    inkCtx.clearRect(0, 0, INK_RES, INK_RES);
    inkCtx.imageSmoothingQuality = 'high';
    inkCtx.drawImage(pad, 0, 0, INK_RES, INK_RES);
    const rgba = inkCtx.getImageData(0, 0, INK_RES, INK_RES).data;
    const pixels = new Float32Array(INK_RES * INK_RES);
    let [x0, y0, x1, y1] = [INK_RES, INK_RES, -1, -1]; // the ink's extent
    for (let i = 0; i < pixels.length; i++) {
      pixels[i] = rgba[i * 4 + 3] / 255; // ink = alpha
      if (pixels[i] < 0.1) continue;
      const x = i % INK_RES;
      const y = (i - x) / INK_RES;
      [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
    tiny = x1 - x0 < SPECK && y1 - y0 < SPECK;
    lab.setDrawing(pixels, INK_RES, INK_RES, {example: mode === 'demo'});
  };
  const send = rafThrottle(() => {
    sendDrawing();
    if (stroking && down === null) {
      stroking = false; // the stroke's last drawing is with the models
      showBusy();
    }
  });

  pad.addEventListener('pointerdown', (e) => {
    if (down !== null || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    pad.focus({preventScroll: true});
    if (mode !== 'user') clearAll(false);
    mode = 'user';
    setHint();
    down = e.pointerId;
    stroking = true;
    showBusy();
    pad.setPointerCapture?.(e.pointerId);
    rect = pad.getBoundingClientRect();
    last = pos(e);
    stroke(last, last);
    send();
  });
  pad.addEventListener('pointermove', (e) => {
    if (e.pointerId !== down) return;
    e.preventDefault();
    const events = e.getCoalescedEvents?.() || [e];
    for (const ev of events.length ? events : [e]) {
      const p = pos(ev);
      stroke(last, p);
      last = p;
    }
    send();
  });
  const end = (e) => {
    if (e.pointerId !== down) return;
    down = null;
    rect = null;
    send();
    lab.feed();
    announceSoon();
  };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  pad.addEventListener('keydown', (e) => {
    if (e.key === 'Delete' || e.key === 'Backspace' || e.key === 'Escape') clearAll(true);
  });

  function clearAll(announce) {
    ctx.clearRect(0, 0, SIZE, SIZE);
    hasInk = false;
    mode = 'empty';
    setHint();
    lab.clearDrawing();
    if (announce) live.textContent = 'Pad cleared.';
  }

  async function randomDigit() {
    random.disabled = true;
    status.textContent = lab.dataState.test.state === 'ready' ? '' : 'Downloading the 10,000 test digits (1.6 MB)…';
    try {
      await lab.randomTestDigit();
      status.textContent = '';
    } catch (e) {
      status.textContent = errorText(e);
      status.classList.add('error');
    } finally {
      random.disabled = false;
    }
  }

  /** Draws the example digit with the same brush, so everything has something to show. */
  function demo() {
    ctx.clearRect(0, 0, SIZE, SIZE);
    drawExample(ctx, SIZE, BRUSH);
    hasInk = true;
    mode = 'demo';
    setHint();
    send();
    lab.feed();
  }

  // --- predictions ------------------------------------------------------------
  let announceTimer = 0;
  // Says both answers a moment after a stroke ends (or a test digit shows), once neither
  // panel is busy: an answer to half a stroke is never read out.
  function announceSoon() {
    clearTimeout(announceTimer);
    announcing = false;
    announceTimer = setTimeout(() => {
      announcing = true;
      announceSettled();
    }, 450);
  }

  function announceSettled() {
    if (!announcing || stroking || SLOTS.some((n) => lab.slots[n].busy)) return;
    announcing = false;
    const parts = SLOTS.map((n) => {
      const p = lab.slots[n].prediction;
      if (!p) return null;
      const d = argmax(p.probs);
      return `${SLOT_TITLE[n]} says ${d} (${pct(p.probs[d], 0)})`;
    }).filter(Boolean);
    if (parts.length) live.textContent = `${parts.join('. ')}.`;
  }

  function showCue() {
    const said = notADigit({
      empty: lab.focus.source === 'none',
      tiny: lab.focus.source === 'drawing' && tiny,
      probs: Object.fromEntries(SLOTS.map((n) => [n, lab.slots[n].prediction?.probs ?? null])),
    });
    cue.hidden = !said;
    cue.textContent = said?.text ?? '';
    if (said) cue.dataset.cue = said.kind;
    else delete cue.dataset.cue;
  }

  lab.on('prediction', ({slot, probs, input}) => {
    panels[slot].show(probs);
    if (slot === 'cnn' || !lab.slots.cnn.prediction) paint(seen, input, 28, 28, INK, 1);
    showCue();
  });
  lab.on('focus', ({focus}) => {
    showCue();
    if (focus.source === 'none') {
      for (const p of Object.values(panels)) p.reset();
      seen.getContext('2d').clearRect(0, 0, 28, 28);
      seenCaption.textContent = 'What the models see';
    } else if (focus.source === 'test') {
      seenCaption.textContent = `Test digit #${int(focus.index)} · labelled ${focus.label}`;
      showTestOnPad(focus.index);
      announceSoon();
    } else {
      seenCaption.textContent = 'What the models see';
    }
  });
  lab.on('model', ({slot}) => panels[slot].describe(lab.slots[slot]));

  async function showTestOnPad(index) {
    const img = (await lab.testImages([index])).get(index);
    if (lab.focus.source !== 'test' || lab.focus.index !== index) return;
    const small = document.createElement('canvas');
    small.width = small.height = 28;
    const sctx = small.getContext('2d');
    const data = sctx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      data.data[i * 4] = data.data[i * 4 + 1] = data.data[i * 4 + 2] = 255;
      data.data[i * 4 + 3] = img[i];
    }
    sctx.putImageData(data, 0, 0);
    ctx.clearRect(0, 0, SIZE, SIZE);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(small, 0, 0, SIZE, SIZE);
    hasInk = false; // the models were given the test image itself, not this picture of it
    mode = 'test';
    setHint();
  }

  for (const n of SLOTS) panels[n].describe(lab.slots[n]);
  setHint();
  // The example appears once the first model is in, so the page is never blank.
  const stopWaiting = lab.on('model', () => {
    stopWaiting();
    if (mode === 'empty' && lab.focus.source === 'none') demo();
  });
}
