// Weights: download either network's weights file, load one back (it goes to
// the network its spec belongs to), or restore the shipped pretrained weights.
// A bad file gives a clear message and leaves both networks as they were.
import {SLOTS} from '../lab.js';
import {download, h, uid} from '../ui/dom.js';
import {int} from '../ui/format.js';
import {errorText, SLOT_KIND, SLOT_TITLE, slotErrorText} from './words.js';

export function mount(el, lab) {
  const file = h('input', {type: 'file', id: uid('wfile'), class: 'sr-only', accept: '.mlw,application/octet-stream'});
  const message = h('p', {class: 'weights-msg', role: 'alert', hidden: true});
  const cards = Object.fromEntries(SLOTS.map((n) => [n, slotCard(n)]));

  el.append(
    h(
      'div',
      {class: 'weights-grid'},
      cards.mlp.el,
      cards.cnn.el,
      h(
        'div',
        {class: 'card weights-load'},
        h('h3', {}, 'Load weights'),
        h(
          'p',
          {class: 'small muted'},
          'A .mlw file saved from this page or from the mnist-lab command line (--save). Dense networks replace the MLP, convolutional ones the CNN.',
        ),
        h('label', {class: 'btn btn-primary', for: file.id}, 'Load a weights file…'),
        file,
        message,
      ),
    ),
  );

  // busy: a file is being read or loaded (aria-busy, so tests and screen readers wait for the outcome).
  function say(text, isError, busy = false) {
    message.hidden = !text;
    message.textContent = text || '';
    message.setAttribute('aria-busy', String(busy));
    message.classList.toggle('error', !!isError);
    message.classList.toggle('ok', !isError && !busy);
  }

  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    file.value = '';
    if (!f) return;
    say(`Reading ${f.name}…`, false, true);
    try {
      // Refused unread when no weights file the engine reads is that large (a file picked by mistake);
      // the engine's limit is known once it has started (one that cannot start refuses the file anyway).
      await lab.ready.catch(() => {});
      const most = lab.maxWeightsBytes;
      if (most && f.size > most)
        throw new Error(
          `"${f.name}" is ${int(f.size / 1e6)} MB: too big to be a weights file (the engine reads up to ${int(most / 1e6)} MB). The current models are unchanged.`,
        );
      const bytes = new Uint8Array(await f.arrayBuffer());
      const r = await lab.importWeights(bytes, f.name);
      say(
        `Loaded "${f.name}" into the ${SLOT_TITLE[r.slot]}: ${r.info.spec} (${int(r.info.params)} parameters).`,
        false,
      );
    } catch (e) {
      say(errorText(e), true);
    }
  });

  function slotCard(n) {
    const title = h('p', {class: 'w-title'});
    const meta = h('p', {class: 'small muted w-meta'});
    const dl = h(
      'button',
      {
        type: 'button',
        class: 'btn btn-sm',
        onclick: async () => {
          try {
            const bytes = await lab.exportWeights(n);
            const slot = lab.slots[n];
            download(bytes, `${slot.title || n}-${slot.origin}.mlw`);
          } catch (e) {
            say(errorText(e), true);
          }
        },
      },
      `Download ${SLOT_TITLE[n]} weights`,
    );
    const reset = h(
      'button',
      {
        type: 'button',
        class: 'btn btn-sm btn-ghost',
        'aria-label': `Back to pretrained ${SLOT_TITLE[n]}`, // one such button per network
        onclick: async () => {
          try {
            await lab.backToPretrained([n]);
            say(`The ${SLOT_TITLE[n]} has its pretrained weights back.`, false);
          } catch (e) {
            say(errorText(e), true);
          }
        },
      },
      'Back to pretrained',
    );
    const el = h(
      'div',
      {class: `card w-card w-${n}`},
      h('h3', {}, h('span', {class: `chip chip-${n}`}, SLOT_TITLE[n]), ` the ${SLOT_KIND[n]}`),
      title,
      meta,
      h('div', {class: 'row gap'}, dl, reset),
    );
    const render = () => {
      const slot = lab.slots[n];
      const origin =
        {
          shipped: 'pretrained weights',
          imported: 'loaded from a file',
          training: 'training now',
          trained: 'trained in this page',
        }[slot.origin] || slot.origin;
      title.textContent = slot.info
        ? `${slot.title} · ${int(slot.info.params)} parameters`
        : slot.error
          ? slotErrorText(n, slot.error)
          : 'loading…';
      meta.replaceChildren(slot.info ? h('code', {}, slot.info.spec) : '', slot.info ? h('br') : '', origin);
      dl.disabled = !slot.info;
      // As the pad's "Back to pretrained": only for a model of the user's that is not training.
      reset.disabled = !lab.unpretrained.includes(n);
    };
    lab.on('model', ({slot}) => slot === n && render());
    lab.on('training', ({slot}) => slot === n && render());
    render();
    return {el};
  }
}
