// The full page: mounts each view into its placeholder ([data-view]). With
// ?view=drawpad|network|conv|train|results (for iframes) the page shows that
// view alone; ?view=all shows every view without the article around them.
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import {mountView, unknownView, VIEW_NAMES, VIEWS, viewTitle} from './mount.js';
import {getLab} from './lab.js';
import {h} from './ui/dom.js';
import {int} from './ui/format.js';
import {settleHashScroll} from './ui/settle-scroll.js';

// In the build this module lives in assets/, in development in src/: either way
// the site root (weights/, data/) is one folder up.
const root = new URL(/* @vite-ignore */ '../', import.meta.url).href;
const view = new URLSearchParams(location.search).get('view');

if (view && view !== 'all' && !VIEWS.has(view)) {
  // A mistyped iframe URL: say so, and link every view there is.
  const link = (name) => h('a', {href: `?view=${name}`}, name);
  document.body.replaceChildren(
    h(
      'main',
      {class: 'mlab solo'},
      h(
        'div',
        {class: 'card'},
        h('p', {class: 'error'}, unknownView(view)),
        h(
          'p',
          {},
          'Open ',
          [...VIEWS.keys(), 'all'].flatMap((name) => [link(name), ' · ']),
          h('a', {href: location.pathname}, 'the whole page'),
        ),
      ),
    ),
  );
  document.body.classList.add('solo-page');
} else if (view) {
  const names = view === 'all' ? VIEW_NAMES : [view];
  const title = view === 'all' ? 'MNIST Lab' : viewTitle(view);
  const main = h('main', {class: 'mlab solo'}, h('h1', {class: 'sr-only'}, title));
  document.title = title;
  document.body.replaceChildren(main);
  document.body.classList.add('solo-page');
  if (parent !== self) reportHeight();
  try {
    for (const name of names) {
      const el = h('section', {});
      main.append(el);
      mountView(el, name, root, {solo: true});
    }
  } catch (e) {
    main.replaceChildren(h('p', {class: 'card error'}, e.message));
  }
} else {
  settleHashScroll();
  for (const el of document.querySelectorAll('[data-view]')) {
    if (!(el instanceof HTMLElement)) continue;
    el.classList.add('mlab');
    mountView(el, el.dataset.view, root);
  }
  const lab = getLab(root);
  lab.ready.then(() => {
    for (const n of ['mlp', 'cnn']) {
      const stat = document.getElementById(`stat-${n}`);
      if (stat && lab.preset(n)) stat.textContent = int(lab.preset(n).params);
    }
  });
}

/**
 * In an iframe: tells the embedding page this page's height whenever it changes, as
 * {type: 'mnist-lab:height', height} (CSS pixels), so the frame can fit it (README, "Embedding").
 */
function reportHeight() {
  new ResizeObserver(() => {
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    parent.postMessage({type: 'mnist-lab:height', height}, '*');
  }).observe(document.body);
}
