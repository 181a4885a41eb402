// Results: the comparison table, both confusion matrices, per-class accuracy
// and a gallery of misclassified test digits, all from real evaluations of the
// two live models on the 10,000 test digits. A confusion cell filters the
// gallery; a digit in the gallery becomes the digit in focus everywhere else.
//
// This module keeps the view's state (the gallery's filter) and wires it to the Lab;
// results/table.js, results/mistakes.js and results/gallery.js build the parts.
import {SLOTS} from '../lab.js';
import {h, reveal} from '../ui/dom.js';
import {int} from '../ui/format.js';
import * as gallery from './results/gallery.js';
import * as mistakes from './results/mistakes.js';
import {rows} from './results/table.js';
import {mountReproduce} from './reproduce.js';
import {errorText, SLOT_TITLE, shippedSourceText} from './words.js';

/** The parts of the view: built once, filled by the render functions. */
function build() {
  const evalBtn = h('button', {type: 'button', class: 'btn btn-primary'}, 'Evaluate on the 10,000 test digits');
  const gapBtn = h('button', {type: 'button', class: 'btn'}, 'Measure the generalisation gap');
  const status = h('p', {class: 'status-line', role: 'status', 'aria-live': 'polite'});
  const headline = h('div', {class: 'headline', 'aria-live': 'polite'});
  // Where the numbers come from: the shipped results file, until the page evaluates the models itself.
  const source = h('p', {class: 'small muted results-source', hidden: true});
  const tbody = h('tbody');
  const matrices = Object.fromEntries(SLOTS.map((n) => [n, h('div', {class: 'confusion-wrap'})]));
  const perClass = h('div', {class: 'per-class'});
  const filters = h('div', {class: 'seg gallery-filter', role: 'group', 'aria-label': 'Which mistakes'});
  const tiles = h('div', {class: 'gallery'});
  const more = h('button', {type: 'button', class: 'btn btn-sm', hidden: true}, 'Show more');
  const focusBar = h('div', {class: 'focus-bar', hidden: true, 'aria-live': 'polite'});
  const galleryTitle = h('h3', {}, 'Misclassified test digits');
  const cards = [
    h(
      'div',
      {class: 'card results'},
      h(
        'div',
        {class: 'row gap results-actions'},
        evalBtn,
        gapBtn,
        h(
          'span',
          {class: 'small muted'},
          'Downloads the test digits (1.6 MB) or, for the gap, the training digits (9.6 MB).',
        ),
      ),
      status,
      headline,
      source,
      h(
        'div',
        {class: 'table-scroll'},
        h(
          'table',
          {class: 'table compare'},
          h('caption', {class: 'sr-only'}, 'Comparison of the evaluated networks'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Network', 'Params', 'Test accuracy', 'Test loss', 'Training time', 'Train accuracy', 'Gap'].map((t) =>
                h('th', {scope: 'col'}, t),
              ),
            ),
          ),
          tbody,
        ),
      ),
      h(
        'p',
        {class: 'small muted'},
        'Train accuracy is measured on 10,000 training digits in inference mode (no dropout, no augmentation); the gap is train minus test accuracy, how much the network learnt its training digits by heart.',
      ),
    ),
    h(
      'div',
      {class: 'results-grid'},
      ...SLOTS.map((n) =>
        h(
          'div',
          {class: 'card'},
          h('h3', {}, h('span', {class: `chip chip-${n}`}, SLOT_TITLE[n]), ' confusion matrix'),
          h(
            'p',
            {class: 'small muted'},
            'Rows: the true digit. Columns: the prediction. Click a cell to see its digits.',
          ),
          matrices[n],
        ),
      ),
      h('div', {class: 'card span-all'}, h('h3', {}, 'Accuracy per digit'), perClass),
    ),
    h(
      'div',
      {class: 'card gallery-card'},
      h('div', {class: 'row gap gallery-head'}, galleryTitle, h('span', {class: 'grow'}), filters),
      focusBar,
      tiles,
      more,
    ),
  ];
  return {
    cards,
    evalBtn,
    gapBtn,
    status,
    headline,
    source,
    tbody,
    matrices,
    perClass,
    filters,
    tiles,
    more,
    focusBar,
    galleryTitle,
  };
}

export function mount(el, lab) {
  const v = build();
  el.append(...v.cards);
  mountReproduce(el, lab);

  /** @type {import('./results/gallery.js').Filter} */
  let filter = gallery.ALL;
  let shown = gallery.PAGE;
  const evaluations = () => Object.fromEntries(SLOTS.map((n) => [n, lab.slots[n].evaluation]));

  // --- actions ---------------------------------------------------------------
  // Runs fn(names of the idle loaded slots) with `button` disabled and `message`
  // in the status line, which then clears or shows the error.
  async function runIdle(button, message, fn) {
    button.disabled = true;
    v.status.classList.remove('error');
    v.status.textContent = message;
    try {
      await fn(SLOTS.filter((n) => lab.slots[n].info && !lab.slots[n].training));
      v.status.textContent = '';
    } catch (e) {
      v.status.textContent = errorText(e);
      v.status.classList.add('error');
    } finally {
      button.disabled = false;
    }
  }

  function evaluate() {
    const message = lab.dataState.test.state === 'ready' ? 'Evaluating both networks…' : 'Downloading the test digits…';
    return runIdle(v.evalBtn, message, (names) => lab.evaluate(names));
  }

  function measureGap() {
    return runIdle(v.gapBtn, 'Downloading the training digits and measuring…', async (names) => {
      // The gap compares with the test accuracy measured here too, not the shipped file's.
      if (names.some((n) => !lab.slots[n].evaluation || lab.slots[n].evaluation.shipped)) await lab.evaluate(names);
      await lab.measureGap(names);
    });
  }

  function setFilter(next) {
    filter = next;
    shown = gallery.PAGE;
    renderMatrices();
    renderFilters();
    renderGallery();
  }

  function selectCell(cell) {
    const same = gallery.sameCell(filter.cell, cell);
    setFilter(same ? gallery.ALL : {kind: 'cell', cell});
    if (!same) v.galleryTitle.scrollIntoView({behavior: 'smooth', block: 'nearest'});
  }

  async function openDigit(index) {
    try {
      await lab.showTestDigit(index);
    } catch (e) {
      v.status.textContent = errorText(e);
      return;
    }
    for (const t of v.tiles.querySelectorAll('.g-tile')) t.classList.toggle('focus', Number(t.dataset.index) === index);
    const target = (name) => document.querySelector(`.mlab-view-${name}`);
    const link = (name, text) =>
      target(name)
        ? h('button', {type: 'button', class: 'btn btn-sm', onclick: () => reveal(target(name))}, text)
        : null;
    v.focusBar.hidden = false;
    v.focusBar.replaceChildren(
      h('span', {}, `Test digit #${int(index)} is now in focus everywhere on the page.`),
      link('network', 'Open in the network diagram'),
      link('conv', 'Open in the convolution walkthrough'),
      link('drawpad', 'Show on the pad'),
    );
  }

  // --- state -> DOM ----------------------------------------------------------
  const renderTable = () => v.tbody.replaceChildren(...rows(lab.slots, lab.records));
  const renderHeadline = () => {
    v.headline.replaceChildren(...mistakes.headline(lab.slots.mlp.evaluation, lab.slots.cnn.evaluation));
    const shipped = SLOTS.filter((n) => lab.slots[n].evaluation?.shipped);
    v.source.hidden = !shipped.length;
    if (shipped.length) v.source.textContent = shippedSourceText(shipped, lab.slots[shipped[0]].evaluation.date);
  };
  const renderMatrices = () => {
    for (const n of SLOTS) {
      const cell = filter.cell?.slot === n ? filter.cell : null;
      v.matrices[n].replaceChildren(
        mistakes.matrix(n, lab.slots[n].evaluation, cell, (t, p) => selectCell({slot: n, t, p})),
      );
    }
  };
  const renderPerClass = () => v.perClass.replaceChildren(...mistakes.perClass(evaluations()));
  const renderFilters = () =>
    v.filters.replaceChildren(
      ...gallery.filterButtons(
        filter,
        lab.slots.mlp.evaluation,
        lab.slots.cnn.evaluation,
        (kind) => setFilter({kind, cell: null}),
        selectCell,
      ),
    );

  let gallerySeq = 0;
  async function renderGallery() {
    const seq = ++gallerySeq;
    const empty = (text) => {
      v.tiles.replaceChildren(h('p', {class: 'muted small'}, text));
      v.more.hidden = true;
    };
    if (!SLOTS.some((n) => lab.slots[n].evaluation))
      return empty('Evaluate the networks to see the digits they get wrong.');
    // The shipped file lists each network's mistakes but not every digit's answer, which the tiles show.
    if (SLOTS.every((n) => !lab.slots[n].evaluation || lab.slots[n].evaluation.shipped))
      return empty('Evaluate the networks to see the digits they get wrong, with both answers for each.');
    if (SLOTS.some((n) => lab.slots[n].training)) return empty('The gallery fills in when training ends.');
    try {
      const labels = await lab.testLabels();
      // Every evaluation carries each test digit's predicted class; score a slot that has none yet.
      const missing = SLOTS.filter((n) => lab.slots[n].info && !lab.slots[n].evaluation?.predicted?.length);
      if (missing.length) {
        await lab.evaluate(missing);
        return; // the 'evaluation' event renders again
      }
      if (seq !== gallerySeq) return;
      const evs = evaluations();
      const kept = gallery.keep(filter, labels, evs);
      const page = kept.slice(0, shown);
      const images = await lab.testImages(page);
      if (seq !== gallerySeq) return;
      v.galleryTitle.textContent = gallery.title(filter, int(kept.length));
      const focus = lab.focus;
      v.tiles.replaceChildren(
        ...page.map((i) =>
          gallery.tile({
            index: i,
            label: labels[i],
            pm: evs.mlp?.predicted?.[i],
            pc: evs.cnn?.predicted?.[i],
            img: images.get(i),
            focused: focus.source === 'test' && focus.index === i,
            onOpen: () => openDigit(i),
          }),
        ),
      );
      if (!page.length) v.tiles.append(h('p', {class: 'muted small'}, 'No digits here.'));
      v.more.hidden = kept.length <= shown;
    } catch (e) {
      v.tiles.replaceChildren(h('p', {class: 'error small'}, errorText(e)));
    }
  }

  const renderAll = () => {
    renderTable();
    renderHeadline();
    renderMatrices();
    renderPerClass();
    renderFilters();
    renderGallery();
  };

  // --- wiring ----------------------------------------------------------------
  v.evalBtn.addEventListener('click', evaluate);
  v.gapBtn.addEventListener('click', measureGap);
  v.more.addEventListener('click', () => {
    shown += gallery.PAGE;
    renderGallery();
  });
  lab.on('records', renderTable);
  lab.on('model', () => {
    renderTable();
    renderHeadline();
  });
  let evalTimer = 0;
  lab.on('evaluation', () => {
    clearTimeout(evalTimer);
    evalTimer = setTimeout(() => {
      if (filter.cell && !lab.slots[filter.cell.slot].evaluation) filter = gallery.ALL;
      renderAll();
    }, 50);
  });
  renderAll();
}
