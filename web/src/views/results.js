// Results: the comparison table, both confusion matrices, per-class accuracy
// and a gallery of misclassified test digits, all from real evaluations of the
// two live models on the 10,000 test digits. A confusion cell filters the
// gallery; a digit in the gallery becomes the digit in focus everywhere else.
import {SLOTS} from '../lab.js';
import {INK, paint} from '../ui/color.js';
import {h, reveal} from '../ui/dom.js';
import {duration, fixed, int, pct} from '../ui/format.js';
import {mountReproduce} from './reproduce.js';
import {errorText, SLOT_TITLE} from './words.js';

const PAGE = 48;

export function mount(el, lab) {
  const evalBtn = h(
    'button',
    {type: 'button', class: 'btn btn-primary', onclick: evaluate},
    'Evaluate on the 10,000 test digits',
  );
  const gapBtn = h('button', {type: 'button', class: 'btn', onclick: measureGap}, 'Measure the generalisation gap');
  const status = h('p', {class: 'status-line', role: 'status', 'aria-live': 'polite'});
  const headline = h('div', {class: 'headline', 'aria-live': 'polite'});
  const tbody = h('tbody');
  const matrices = Object.fromEntries(SLOTS.map((n) => [n, h('div', {class: 'confusion-wrap'})]));
  const perClass = h('div', {class: 'per-class'});
  const filters = h('div', {class: 'seg gallery-filter', role: 'group', 'aria-label': 'Which mistakes'});
  const gallery = h('div', {class: 'gallery'});
  const more = h(
    'button',
    {
      type: 'button',
      class: 'btn btn-sm',
      hidden: true,
      onclick: () => {
        shown += PAGE;
        renderGallery();
      },
    },
    'Show more',
  );
  const focusBar = h('div', {class: 'focus-bar', hidden: true, 'aria-live': 'polite'});
  const galleryTitle = h('h3', {}, 'Misclassified test digits');

  el.append(
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
      gallery,
      more,
    ),
  );
  mountReproduce(el, lab);

  let filter = {kind: 'all', cell: null};
  let shown = PAGE;

  // --- actions ---------------------------------------------------------------
  // Runs fn(names of the idle loaded slots) with `button` disabled and `message`
  // in the status line, which then clears or shows the error.
  async function runIdle(button, message, fn) {
    button.disabled = true;
    status.classList.remove('error');
    status.textContent = message;
    try {
      await fn(SLOTS.filter((n) => lab.slots[n].info && !lab.slots[n].training));
      status.textContent = '';
    } catch (e) {
      status.textContent = errorText(e);
      status.classList.add('error');
    } finally {
      button.disabled = false;
    }
  }

  function evaluate() {
    const message = lab.dataState.test.state === 'ready' ? 'Evaluating both networks…' : 'Downloading the test digits…';
    return runIdle(evalBtn, message, (names) => lab.evaluate(names));
  }

  function measureGap() {
    return runIdle(gapBtn, 'Downloading the training digits and measuring…', async (names) => {
      if (names.some((n) => !lab.slots[n].evaluation)) await lab.evaluate(names);
      await lab.measureGap(names);
    });
  }

  // --- table -----------------------------------------------------------------
  function renderTable() {
    const rows = [];
    const live = new Set(SLOTS.map((n) => `${n}:${lab.slots[n].generation}`));
    const records = [...lab.records].reverse();
    for (const n of SLOTS) {
      const slot = lab.slots[n];
      if (!slot.info) continue;
      const r = records.find((x) => x.key === `${n}:${slot.generation}`);
      rows.push(row(r || {slot: n, title: slot.title, params: slot.info.params, origin: slot.origin}, true));
    }
    for (const r of records) if (!live.has(r.key)) rows.push(row(r, false));
    tbody.replaceChildren(...rows);
  }

  function row(r, isLive) {
    const origin =
      {
        shipped: 'pretrained',
        imported: 'from file',
        trained: 'trained here',
        restored: 'trained here, restored',
        training: 'training',
      }[r.origin] || '';
    const gap =
      r.trainAccuracy !== null && r.trainAccuracy !== undefined && r.accuracy !== undefined
        ? r.trainAccuracy - r.accuracy
        : null;
    const time = r.seconds
      ? `${duration(r.seconds)}${r.epochs ? ` · ${r.epochs} ep.` : ''}`
      : r.origin === 'shipped'
        ? 'offline'
        : '—';
    return h(
      'tr',
      {class: isLive ? 'live' : 'past'},
      h(
        'th',
        {scope: 'row'},
        h('span', {class: `chip chip-${r.slot}`}, SLOT_TITLE[r.slot]),
        ' ',
        h('b', {}, r.title),
        h('span', {class: 'small muted'}, ` ${origin}${isLive ? '' : ' (earlier)'}`),
      ),
      h('td', {}, int(r.params)),
      h(
        'td',
        {},
        r.accuracy !== undefined ? h('b', {}, pct(r.accuracy)) : h('span', {class: 'muted'}, 'not evaluated'),
      ),
      h('td', {}, r.loss !== undefined ? fixed(r.loss, 4) : '—'),
      h('td', {}, time),
      h('td', {}, r.trainAccuracy !== null && r.trainAccuracy !== undefined ? pct(r.trainAccuracy) : '—'),
      h('td', {}, gap !== null ? `${(gap * 100).toFixed(2)} pts` : '—'),
    );
  }

  // --- headline, matrices, per-class -------------------------------------------
  function renderHeadline() {
    const m = lab.slots.mlp.evaluation;
    const c = lab.slots.cnn.evaluation;
    if (!m || !c) {
      headline.replaceChildren(
        h('p', {class: 'muted'}, 'Evaluate both networks to compare their mistakes digit by digit.'),
      );
      return;
    }
    const cnnWrong = new Set(c.misclassified);
    const mlpWrong = new Set(m.misclassified);
    const fixedByCnn = m.misclassified.filter((i) => !cnnWrong.has(i)).length;
    const cnnOnly = c.misclassified.filter((i) => !mlpWrong.has(i)).length;
    const both = m.misclassified.length - fixedByCnn;
    headline.replaceChildren(
      h(
        'p',
        {class: 'big'},
        'The CNN corrects ',
        h('b', {class: 'c-cnn'}, int(fixedByCnn)),
        ' of the MLP\u2019s ',
        h('b', {class: 'c-mlp'}, int(m.misclassified.length)),
        ' errors.',
      ),
      h(
        'p',
        {class: 'muted'},
        `Both get ${int(both)} of the same digits wrong, and the CNN makes ${int(cnnOnly)} mistakes of its own that the MLP gets right. ` +
          `Test accuracy: MLP ${pct(m.accuracy)}, CNN ${pct(c.accuracy)}.`,
      ),
    );
  }

  function renderMatrix(n) {
    const ev = lab.slots[n].evaluation;
    const box = matrices[n];
    if (!ev) {
      box.replaceChildren(h('p', {class: 'muted small'}, 'Not evaluated yet.'));
      return;
    }
    const cm = ev.confusion;
    let maxOff = 1;
    let maxDiag = 1;
    for (let t = 0; t < 10; t++) {
      for (let p = 0; p < 10; p++) {
        const v = cm[t * 10 + p];
        if (t === p) maxDiag = Math.max(maxDiag, v);
        else maxOff = Math.max(maxOff, v);
      }
    }
    const head = h(
      'tr',
      {},
      h('th', {class: 'corner', scope: 'col'}, h('span', {class: 'sr-only'}, 'true digit'), 't\\p'),
      Array.from({length: 10}, (_, p) => h('th', {scope: 'col'}, String(p))),
    );
    const body = Array.from({length: 10}, (_, t) =>
      h(
        'tr',
        {},
        h('th', {scope: 'row'}, String(t)),
        Array.from({length: 10}, (_, p) => {
          const v = cm[t * 10 + p];
          const diag = t === p;
          const alpha = diag ? 0.12 + 0.7 * (v / maxDiag) : v ? 0.12 + 0.88 * Math.sqrt(v / maxOff) : 0;
          const selected = filter.cell && filter.cell.slot === n && filter.cell.t === t && filter.cell.p === p;
          const style = {'--a': alpha.toFixed(3)};
          const cls = `${diag ? 'diag' : 'off'}${v ? '' : ' zero'}${selected ? ' sel' : ''}${alpha > 0.5 ? ' hot' : ''}`;
          if (!v) return h('td', {class: cls, style}, '');
          return h(
            'td',
            {class: cls, style},
            h(
              'button',
              {
                type: 'button',
                class: 'cell',
                'aria-label': `true ${t}, predicted ${p}: ${v} digits`,
                onclick: () => selectCell(n, t, p),
              },
              String(v),
            ),
          );
        }),
      ),
    );
    box.replaceChildren(h('table', {class: `confusion confusion-${n}`}, h('thead', {}, head), h('tbody', {}, body)));
  }

  function renderPerClass() {
    const evs = SLOTS.map((n) => lab.slots[n].evaluation);
    if (!evs.some(Boolean)) {
      perClass.replaceChildren(h('p', {class: 'muted small'}, 'Not evaluated yet.'));
      return;
    }
    const all = evs.filter(Boolean).flatMap((e) => e.per_class);
    const lo = Math.max(0, Math.floor(Math.min(...all) * 20) / 20 - 0.05);
    perClass.replaceChildren(
      h('p', {class: 'small muted'}, `Bars start at ${pct(lo, 0)}.`),
      ...Array.from({length: 10}, (_, d) =>
        h(
          'div',
          {class: 'pc-row'},
          h('span', {class: 'pc-d'}, String(d)),
          h(
            'div',
            {class: 'pc-bars'},
            SLOTS.map((n, k) => {
              const ev = evs[k];
              if (!ev) return null;
              const v = ev.per_class[d];
              return h(
                'div',
                {class: `pc-bar pc-${n}`},
                h('span', {class: 'pc-fill', style: {width: `${Math.max(0, ((v - lo) / (1 - lo)) * 100)}%`}}),
                h('span', {class: 'pc-v'}, `${SLOT_TITLE[n]} ${pct(v)}`),
              );
            }),
          ),
        ),
      ),
    );
  }

  // --- gallery ---------------------------------------------------------------
  function selectCell(n, t, p) {
    const same = filter.cell && filter.cell.slot === n && filter.cell.t === t && filter.cell.p === p;
    filter = same ? {kind: 'all', cell: null} : {kind: 'cell', cell: {slot: n, t, p}};
    shown = PAGE;
    SLOTS.forEach(renderMatrix);
    renderFilters();
    renderGallery();
    if (!same) galleryTitle.scrollIntoView({behavior: 'smooth', block: 'nearest'});
  }

  function renderFilters() {
    const m = lab.slots.mlp.evaluation;
    const c = lab.slots.cnn.evaluation;
    const opts = [
      ['all', 'All mistakes'],
      ['mlp', 'MLP wrong'],
      ['cnn', 'CNN wrong'],
      ['both', 'Both wrong'],
      ['fixed', 'Fixed by the CNN'],
    ];
    const buttons = opts
      .filter(([k]) => k === 'all' || (m && c) || (k === 'mlp' && m) || (k === 'cnn' && c))
      .map(([k, label]) =>
        h(
          'button',
          {
            type: 'button',
            'aria-pressed': String(filter.kind === k),
            onclick: () => {
              filter = {kind: k, cell: null};
              shown = PAGE;
              SLOTS.forEach(renderMatrix);
              renderFilters();
              renderGallery();
            },
          },
          label,
        ),
      );
    if (filter.cell) {
      const {slot, t, p} = filter.cell;
      buttons.push(
        h(
          'button',
          {type: 'button', 'aria-pressed': 'true', onclick: () => selectCell(slot, t, p)},
          `${SLOT_TITLE[slot]}: ${t} read as ${p} ✕`,
        ),
      );
    }
    filters.replaceChildren(...buttons);
  }

  async function gatherIndices() {
    const evs = Object.fromEntries(SLOTS.map((n) => [n, lab.slots[n].evaluation]));
    const wrong = Object.fromEntries(SLOTS.map((n) => [n, new Set(evs[n]?.misclassified ?? [])]));
    const labels = await lab.testLabels();
    const cell = filter.cell;
    let indices;
    if (cell && cell.t === cell.p) {
      indices = [];
      for (let i = 0; i < labels.length && indices.length < 240; i++)
        if (labels[i] === cell.t && !wrong[cell.slot].has(i)) indices.push(i);
    } else {
      const union = new Set([...wrong.mlp, ...wrong.cnn]);
      indices = [...union].sort((a, b) => a - b);
    }
    return {indices, wrong, labels};
  }

  let gallerySeq = 0;
  async function renderGallery() {
    const seq = ++gallerySeq;
    if (!SLOTS.some((n) => lab.slots[n].evaluation)) {
      gallery.replaceChildren(
        h('p', {class: 'muted small'}, 'Evaluate the networks to see the digits they get wrong.'),
      );
      more.hidden = true;
      return;
    }
    if (SLOTS.some((n) => lab.slots[n].training)) {
      gallery.replaceChildren(h('p', {class: 'muted small'}, 'The gallery fills in when training ends.'));
      more.hidden = true;
      return;
    }
    try {
      const {indices, wrong, labels} = await gatherIndices();
      // Every evaluation carries each test digit's predicted class; score a slot that has none yet.
      const missing = SLOTS.filter((n) => lab.slots[n].info && !lab.slots[n].evaluation?.predicted?.length);
      if (missing.length) {
        await lab.evaluate(missing);
        return; // the 'evaluation' event renders again
      }
      if (seq !== gallerySeq) return;
      const predictedBy = (n) => ({get: (i) => lab.slots[n].evaluation?.predicted?.[i]});
      const cache = {preds: {mlp: predictedBy('mlp'), cnn: predictedBy('cnn')}};
      const pm = cache.preds.mlp;
      const pc = cache.preds.cnn;
      const cell = filter.cell;
      const keep = indices.filter((i) => {
        const m = wrong.mlp.has(i);
        const c = wrong.cnn.has(i);
        switch (cell ? 'cell' : filter.kind) {
          case 'mlp':
            return m;
          case 'cnn':
            return c;
          case 'both':
            return m && c;
          case 'fixed':
            return m && !c;
          case 'cell':
            return labels[i] === cell.t && cache.preds[cell.slot].get(i) === cell.p;
          default:
            return m || c;
        }
      });
      const page = keep.slice(0, shown);
      const images = await lab.testImages(page);
      if (seq !== gallerySeq) return;
      galleryTitle.textContent = cell
        ? `${SLOT_TITLE[cell.slot]}: true ${cell.t}, predicted ${cell.p} (${int(keep.length)})`
        : `Misclassified test digits (${int(keep.length)})`;
      gallery.replaceChildren(...page.map((i) => tile(i, labels[i], pm.get(i), pc.get(i), images.get(i))));
      if (!page.length) gallery.append(h('p', {class: 'muted small'}, 'No digits here.'));
      more.hidden = keep.length <= shown;
    } catch (e) {
      gallery.replaceChildren(h('p', {class: 'error small'}, errorText(e)));
    }
  }

  function tile(index, label, pm, pc, img) {
    const c = h('canvas', {class: 'px', width: 28, height: 28, 'aria-hidden': 'true'});
    const f = new Float32Array(784);
    for (let k = 0; k < 784; k++) f[k] = img[k] / 255;
    paint(c, f, 28, 28, INK, 1);
    const mark = (n, p) =>
      h('span', {class: `g-pred ${p === label ? 'right' : 'wrong'} g-${n}`}, `${SLOT_TITLE[n]} ${p}`);
    const isFocus = lab.focus.source === 'test' && lab.focus.index === index;
    return h(
      'button',
      {
        type: 'button',
        class: `g-tile${isFocus ? ' focus' : ''}`,
        dataset: {index},
        'aria-label': `Test digit ${index}, labelled ${label}: MLP says ${pm}, CNN says ${pc}`,
        onclick: () => openDigit(index),
      },
      c,
      h('span', {class: 'g-label'}, `true ${label}`),
      h('span', {class: 'g-preds'}, mark('mlp', pm), mark('cnn', pc)),
    );
  }

  async function openDigit(index) {
    try {
      await lab.showTestDigit(index);
    } catch (e) {
      status.textContent = errorText(e);
      return;
    }
    for (const t of gallery.querySelectorAll('.g-tile')) t.classList.toggle('focus', Number(t.dataset.index) === index);
    const target = (name) => document.querySelector(`.mlab-view-${name}`);
    const link = (name, text) =>
      target(name)
        ? h('button', {type: 'button', class: 'btn btn-sm', onclick: () => reveal(target(name))}, text)
        : null;
    focusBar.hidden = false;
    focusBar.replaceChildren(
      h('span', {}, `Test digit #${int(index)} is now in focus everywhere on the page.`),
      link('network', 'Open in the network diagram'),
      link('conv', 'Open in the convolution walkthrough'),
      link('drawpad', 'Show on the pad'),
    );
  }

  const renderAll = () => {
    renderTable();
    renderHeadline();
    SLOTS.forEach(renderMatrix);
    renderPerClass();
    renderFilters();
    renderGallery();
  };

  lab.on('records', renderTable);
  lab.on('model', () => {
    renderTable();
    renderHeadline();
  });
  let evalTimer = 0;
  lab.on('evaluation', () => {
    clearTimeout(evalTimer);
    evalTimer = setTimeout(() => {
      if (filter.cell && !lab.slots[filter.cell.slot].evaluation) filter = {kind: 'all', cell: null};
      renderAll();
    }, 50);
  });
  renderAll();
}
