// "Teach it your handwriting": keep the digit on the pad, as the models see it, with the
// digit it really is; list, remove, download and load those digits (IDX files, as MNIST
// ships); and fine-tune both networks on them. The model (lab.myDigits, lab.finetuning)
// keeps the digits and runs the fine-tune; this view builds the panel and fills it in.
import {SLOTS} from '../../lab.js';
import {INK, paint} from '../../ui/color.js';
import {download, field, h, uid} from '../../ui/dom.js';
import {bytes, int, pct} from '../../ui/format.js';
import {errorText, SLOT_TITLE} from '../words.js';

/** What the two downloads are called (MNIST's own names, with "my-digits" in front). */
const FILE_NAMES = {images: 'my-digits-images-idx3-ubyte', labels: 'my-digits-labels-idx1-ubyte'};
/** Thumbnails drawn at most (a list imported from a big file says how many more there are). */
const SHOWN = 300;

export function mount(el, lab) {
  const correct = h(
    'select',
    {},
    Array.from({length: 10}, (_, d) => h('option', {value: String(d)}, String(d))),
  );
  const add = h('button', {type: 'button', class: 'btn', onclick: addDigit}, 'Add to my digits');
  const status = h('p', {class: 'status-line', role: 'status'});
  const count = h('span', {class: 'muted small'});
  const list = h('ul', {class: 'mydigits-list', 'aria-label': 'My digits'});
  const more = h('p', {class: 'muted small', hidden: true});
  const empty = h('p', {class: 'muted small'}, 'None yet. Draw a digit, pick the digit it really is, and add it.');

  const fineTune = h(
    'button',
    {type: 'button', class: 'btn btn-primary', onclick: runFineTune},
    'Fine-tune on my digits',
  );
  const saveImages = h(
    'button',
    {type: 'button', class: 'btn btn-sm', onclick: () => save('images')},
    'Download images (IDX)',
  );
  const saveLabels = h(
    'button',
    {type: 'button', class: 'btn btn-sm', onclick: () => save('labels')},
    'Download labels (IDX)',
  );
  const picker = h('input', {
    type: 'file',
    multiple: true,
    class: 'sr-only',
    tabindex: -1,
    'aria-label': 'IDX files of digits to load (images and labels)',
  });
  const load = h('button', {type: 'button', class: 'btn btn-sm', onclick: () => picker.click()}, 'Load IDX files…');
  const models = Object.fromEntries(SLOTS.map((n) => [n, modelRow(n)]));

  const titleId = uid('exp');
  el.append(
    h(
      'section',
      {class: 'card exp mydigits', 'aria-labelledby': titleId},
      h('h3', {id: titleId}, 'Teach it your handwriting'),
      h(
        'p',
        {class: 'muted small'},
        'Draw a digit the networks misread, say which digit it is, and keep it. With a few of each, fine-tune both ' +
          'networks on them: each learns from batches half yours and half MNIST training digits, so it keeps reading MNIST.',
      ),
      h('div', {class: 'row gap mydigits-add'}, field('Correct digit', correct).wrap, add),
      status,
      h('h4', {}, 'My digits ', count),
      empty,
      list,
      more,
      h('div', {class: 'row gap'}, fineTune, saveImages, saveLabels, load, picker),
      h(
        'div',
        {class: 'mydigits-models'},
        SLOTS.map((n) => models[n].el),
      ),
    ),
  );

  const say = (text, error = false) => {
    status.textContent = text;
    status.classList.toggle('error', error);
  };

  async function addDigit() {
    const label = Number(correct.value);
    add.disabled = true;
    try {
      await lab.addMyDigit(label);
      say(`Added a ${label}.`);
    } catch (e) {
      say(errorText(e), true);
    } finally {
      refreshButtons();
    }
  }

  function save(which) {
    download(lab.myDigits.idx()[which], FILE_NAMES[which]);
  }

  picker.addEventListener('change', async () => {
    const files = [...picker.files];
    picker.value = '';
    if (files.length !== 2) {
      say(
        `Choose both files of a pair at once: the images (…idx3-ubyte) and the labels (…idx1-ubyte); you chose ${files.length}.`,
        true,
      );
      return;
    }
    // The image file is the bigger of the two (784 bytes a digit against 1); the core checks both.
    files.sort((a, b) => b.size - a.size);
    const names = files.map((f) => f.name).join(' and ');
    try {
      const [images, labels] = await Promise.all(files.map(async (f) => new Uint8Array(await f.arrayBuffer())));
      const added = await lab.importMyDigits(images, labels, names);
      say(`Added ${int(added.length)} digits from ${names}.`);
    } catch (e) {
      say(errorText(e), true);
    }
  });

  async function runFineTune() {
    say('');
    try {
      await lab.fineTune();
      const failed = SLOTS.filter((n) => lab.finetuning.runs[n]?.state === 'failed');
      if (!failed.length) say('Both networks are fine-tuned: the pad now reads with them.');
    } catch (e) {
      say(errorText(e), true);
    }
    refreshButtons();
  }

  function refreshButtons() {
    const n = lab.myDigits.count;
    add.disabled = lab.focus.source === 'none';
    fineTune.disabled = n === 0 || lab.finetuning.busy;
    saveImages.disabled = saveLabels.disabled = n === 0;
  }

  function showDigits() {
    const digits = lab.myDigits.digits;
    const perLabel = lab.myDigits.counts();
    count.textContent = digits.length
      ? `(${int(digits.length)}: ${perLabel.flatMap((c, d) => (c ? [`${c} × ${d}`] : [])).join(', ')})`
      : '';
    empty.hidden = digits.length > 0;
    const shown = [...digits].sort((a, b) => a.label - b.label || a.time - b.time).slice(0, SHOWN);
    list.replaceChildren(...shown.map((d, i) => thumbnail(d, i + 1)));
    more.hidden = digits.length <= SHOWN;
    more.textContent = `and ${int(digits.length - SHOWN)} more`;
    refreshButtons();
  }

  /** Digit d, the k-th listed, with its button to remove it (named by place, so no two share a name). */
  function thumbnail(d, k) {
    const canvas = h('canvas', {class: 'px', width: 28, height: 28, 'aria-hidden': 'true'});
    paint(canvas, d.image, 28, 28, INK, 255);
    const remove = h(
      'button',
      {type: 'button', class: 'mydigit-remove', 'aria-label': `Remove digit ${k}, a ${d.label}`, title: 'Remove'},
      h('span', {'aria-hidden': 'true'}, '×'),
    );
    remove.addEventListener('click', async () => {
      // Keyboard users keep their place: the next digit's button takes the focus.
      const next = remove.closest('li')?.nextElementSibling?.querySelector('button');
      const before = remove.closest('li')?.previousElementSibling?.querySelector('button');
      await lab.removeMyDigit(d.id).catch((e) => say(errorText(e), true));
      (next?.isConnected ? next : before?.isConnected ? before : fineTune).focus();
    });
    return h(
      'li',
      {class: 'mydigit', dataset: {label: String(d.label)}},
      canvas,
      h('span', {}, String(d.label)),
      remove,
    );
  }

  function showRun(name) {
    models[name].show(lab.finetuning.runs[name], lab.finetuning.current(name), lab.downloadProgress(['train', 'test']));
    refreshButtons();
  }

  lab.on('digits', showDigits);
  lab.on('focus', refreshButtons);
  lab.on('finetune', ({slot}) => showRun(slot));
  lab.on('finetune-progress', ({slot}) => showRun(slot));
  lab.on('data', () => {
    for (const n of SLOTS) if (lab.finetuning.runs[n]?.state === 'preparing') showRun(n);
  });
  lab.on('model', ({slot}) => showRun(slot));
  lab.myDigits.loaded.then(showDigits);
  if (!lab.myDigits.stored)
    say('This browser keeps no storage for the page: your digits last until it is closed. Download them to keep them.');
  for (const n of SLOTS) showRun(n);
}

/** One network's fine-tune: its progress while it runs, then its MNIST accuracy. */
function modelRow(name) {
  const bar = h('progress', {max: 1, value: 0, 'aria-label': `${SLOT_TITLE[name]} fine-tuning`});
  const text = h('span', {class: 'small'});
  const el = h(
    'div',
    {class: 'mydigits-model', hidden: true},
    h('span', {class: `chip chip-${name}`}, SLOT_TITLE[name]),
    bar,
    text,
  );
  return {
    el,
    /** run: its last fine-tune (or none); current: that run while the slot still holds its model; data: downloadProgress */
    show(run, current, data) {
      el.hidden = !run || (run.state === 'done' && !current);
      if (el.hidden) {
        text.replaceChildren(); // a model that is gone takes its accuracy with it
        return;
      }
      bar.hidden = run.state !== 'preparing' && run.state !== 'running';
      text.classList.toggle('error', run.state === 'failed');
      if (run.state === 'preparing') {
        bar.value = data.total ? data.loaded / data.total : 0;
        text.textContent = `Downloading MNIST: ${bytes(data.loaded)} of ${bytes(data.total)}`;
      } else if (run.state === 'running') {
        const p = run.progress;
        bar.value = p ? p.step / p.total_steps : 0;
        text.textContent = p
          ? `Step ${int(p.step)} of ${int(p.total_steps)} · accuracy on the batches so far ${pct(p.accuracy, 1)}`
          : `Fine-tuning on ${int(run.digits)} of your digits…`;
      } else if (run.state === 'failed') {
        text.textContent = `Fine-tuning failed: ${run.message}`;
      } else {
        const metric = h(
          'strong',
          {dataset: {model: name, metric: 'finetune-mnist-accuracy'}},
          pct(run.evaluation.accuracy, 1),
        );
        text.replaceChildren(
          'fine-tuned on ',
          int(run.digits),
          ' of your digits in ',
          `${run.elapsed.toFixed(1)} s: `,
          metric,
          ' right on the 10,000 MNIST test digits',
          Number.isFinite(run.before) ? ` (before: ${pct(run.before, 1)})` : '',
        );
      }
    },
  };
}
