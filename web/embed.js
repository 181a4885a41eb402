// The embed script: one <script type="module" src=".../embed.js"> defines
// <mnist-lab view="drawpad|train|conv|network|results|all">. It finds its
// workers, wasm, weights and data relative to its own URL, so the built folder
// works wherever it is copied. All elements on a page share one pair of workers.
import uplotCss from 'uplot/dist/uPlot.min.css?inline';
import css from './src/styles.css?inline';
import {mountView, VIEW_NAMES} from './src/mount.js';
import {h} from './src/ui/dom.js';

const root = new URL(/* @vite-ignore */ './', import.meta.url).href;

function injectStyles() {
  if (document.getElementById('mnist-lab-styles')) return;
  const style = h('style', {id: 'mnist-lab-styles'}, `${uplotCss}\n${css}`);
  document.head.append(style);
}

class MnistLabElement extends HTMLElement {
  connectedCallback() {
    if (this.mounted) return;
    this.mounted = true;
    injectStyles();
    const view = (this.getAttribute('view') || 'drawpad').trim();
    const names = view === 'all' ? VIEW_NAMES : [view];
    this.classList.add('mlab', 'mlab-embed');
    try {
      for (const name of names) {
        const el = h('section', {});
        this.append(el);
        mountView(el, name, root, {embedded: true});
      }
    } catch (e) {
      this.replaceChildren(h('p', {class: 'card error'}, `mnist-lab: ${e.message}`));
    }
  }
}

if (!customElements.get('mnist-lab')) customElements.define('mnist-lab', MnistLabElement);
