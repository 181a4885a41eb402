// Mounts views into a container: used by the full page (main.js), the
// single-view iframe page (index.html?view=...) and <mnist-lab> (embed.js).
import {getLab} from './lab.js';
import {exampleInk} from './ui/example.js';
import * as drawpad from './views/drawpad.js';
import * as network from './views/network.js';
import * as conv from './views/conv.js';
import * as train from './views/train.js';
import * as results from './views/results.js';
import * as weights from './views/weights.js';
import * as mydigits from './views/draw/mydigits.js';
import * as step from './views/draw/step.js';
import * as move from './views/draw/move.js';
import * as saliency from './views/draw/saliency.js';
import * as fool from './views/draw/fool.js';
import {mountNotices} from './views/notices.js';

// A Map, not an object: a name such as "constructor" or "__proto__" must not find
// something on Object.prototype.
export const VIEWS = new Map(
  Object.entries({drawpad, network, conv, train, results, weights, mydigits, step, move, saliency, fool}),
);
/** What view="all" (and ?view=all) shows, in page order. */
export const VIEW_NAMES = ['drawpad', 'network', 'conv', 'train', 'results'];

/** A view's heading where it is shown alone (?view=NAME), as the page's h1. */
const TITLES = {
  drawpad: 'Draw a digit',
  network: 'Inside the networks',
  conv: 'How a convolution works',
  train: 'Train them yourself',
  results: 'Results',
  weights: 'Weights',
  mydigits: 'Teach it your handwriting',
  step: 'Watch it learn one step',
};
export const viewTitle = (name) => `MNIST Lab: ${TITLES[name] ?? name}`;

/** Why a view name is not one: names every view there is (the weights view is not in "all"). */
export const unknownView = (name) => `unknown view "${name}": the views are ${[...VIEWS.keys()].join(', ')} and all.`;

/** Per Lab: the page it serves ({views: the names of the views mounted so far}). */
const pages = new WeakMap();

/**
 * root: the site folder (weights/, data/ and the workers are found from it).
 * Returns the shared Lab.
 */
export function mountView(el, name, root, opts = {}) {
  const view = VIEWS.get(name);
  if (!view) throw new Error(unknownView(name));
  const lab = getLab(root);
  let page = pages.get(lab);
  if (!page) {
    page = {views: new Set()};
    pages.set(lab, page);
    startPage(lab, page);
  }
  page.views.add(name);
  el.classList.add('mlab-view', `mlab-view-${name}`);
  el.dataset.view = name;
  view.mount(el, lab, opts);
  return lab;
}

/** What a page with a Lab has once, whichever views it shows. */
function startPage(lab, page) {
  mountNotices(lab, {shows: (name) => page.views.has(name)});
  // Without a drawing pad on the page (an embedded network or conv view), feed the
  // example digit once the first network is in, so the view is never empty.
  const off = lab.on('model', () => {
    off();
    if (!page.views.has('drawpad') && lab.focus.source === 'none') {
      lab.setDrawing(exampleInk(112), 112, 112, {example: true});
      lab.feed();
    }
  });
}
