// Mounts views into a container: used by the full page (main.js), the
// single-view iframe page (index.html?view=...) and <mnist-lab> (embed.js).
import {SLOT_TITLE, getLab} from './lab.js';
import {h} from './ui/dom.js';
import {exampleInk} from './ui/example.js';
import * as drawpad from './views/drawpad.js';
import * as network from './views/network.js';
import * as conv from './views/conv.js';
import * as train from './views/train.js';
import * as results from './views/results.js';
import * as weights from './views/weights.js';

// A Map, not an object: a name such as "constructor" or "__proto__" must not find
// something on Object.prototype.
export const VIEWS = new Map(Object.entries({drawpad, network, conv, train, results, weights}));
/** What view="all" (and ?view=all) shows, in page order. */
export const VIEW_NAMES = ['drawpad', 'network', 'conv', 'train', 'results'];

/** Why a view name is not one: names every view there is (the weights view is not in "all"). */
export const unknownView = (name) => `unknown view "${name}": the views are ${[...VIEWS.keys()].join(', ')} and all.`;

/**
 * root: the site folder (weights/, data/ and the workers are found from it).
 * Returns the shared Lab.
 */
export function mountView(el, name, root, opts = {}) {
  const view = VIEWS.get(name);
  if (!view) throw new Error(unknownView(name));
  const lab = getLab(root);
  el.classList.add('mlab-view', `mlab-view-${name}`);
  el.dataset.view = name;
  view.mount(el, lab, opts);
  mountNotices(lab);
  if (!lab.exampleArmed) {
    lab.exampleArmed = true;
    // Without a drawing pad on the page (an embedded network or conv view), feed the
    // example digit once the first network is in, so the view is never empty.
    const off = lab.on('model', () => {
      off();
      if (!lab.hasPad && lab.focus.source === 'none') {
        lab.setDrawing(exampleInk(112), 112, 112, {example: true});
        lab.feed();
      }
    });
  }
  return lab;
}

/** One floating notice area per page for errors nobody else shows. */
let notices = null;
function mountNotices(lab) {
  if (notices) return;
  notices = h('div', {class: 'mlab mlab-notices', role: 'alert', 'aria-live': 'assertive'});
  document.body.append(notices);
  lab.on('notice', ({level, message}) => {
    const close = h('button', {type: 'button', class: 'notice-close', 'aria-label': 'Dismiss'}, '×');
    const item = h('div', {class: `notice notice-${level}`}, h('span', {}, message), close);
    close.onclick = () => item.remove();
    notices.append(item);
    setTimeout(() => item.remove(), level === 'error' ? 12000 : 5000);
  });
  // Mid-training, the weights go to IndexedDB every few seconds; hiding or closing the tab stores
  // them once more (best effort), and the browser asks before a reload or close ends the run.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') lab.checkpoint();
  });
  window.addEventListener('beforeunload', (e) => {
    if (!lab.busy) return;
    lab.checkpoint();
    e.preventDefault();
    e.returnValue = ''; // older browsers need it set to show the prompt
  });
  // Trained weights kept from an earlier visit (IndexedDB): offer them back, never load them unasked.
  // A run's result and a copy taken mid-run are offered apart (kind), each saying what it is (text).
  lab.on('restorable', ({slot, kind, text}) => {
    const title = SLOT_TITLE[slot];
    const status = h('span', {class: 'small'});
    const restore = h('button', {type: 'button', class: 'btn btn-sm btn-primary'}, 'Restore');
    const dismiss = h('button', {type: 'button', class: 'btn btn-sm'}, 'Dismiss');
    const item = h(
      'div',
      {
        class: 'notice notice-info notice-restore restore-offer',
        role: 'region',
        'aria-label': `Restore the ${title}`,
        dataset: {slot, kind},
      },
      h('span', {}, text),
      h('span', {class: 'mlab-restore'}, restore, dismiss, status),
    );
    restore.onclick = async () => {
      restore.disabled = dismiss.disabled = true;
      try {
        await lab.restore(slot, kind);
        item.remove();
      } catch (e) {
        status.textContent = e.message;
        restore.disabled = dismiss.disabled = false;
      }
    };
    dismiss.onclick = () => {
      lab.dismissRestore(slot, kind);
      item.remove();
    };
    // In the page's flow under the drawing pad (a floating box would cover what it floats over).
    const pad = document.querySelector('.mlab-view-drawpad');
    if (pad) pad.append(item);
    else notices.append(item);
  });
}
