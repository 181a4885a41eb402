// The element embed.js loads: defines
// <mnist-lab view="drawpad|train|conv|network|results|all">. It finds its
// workers, wasm, weights and data relative to its own URL, so the built folder
// works wherever it is copied. All elements on a page share one pair of workers.
import uplotCss from 'uplot/dist/uPlot.min.css?inline';
import css from './src/styles.css?inline';
import {mountView, VIEW_NAMES} from './src/mount.js';
import {h} from './src/ui/dom.js';

const root = new URL(/* @vite-ignore */ './', import.meta.url).href;

let styled = false;
/**
 * Adds the styles as a constructed stylesheet, which a strict Content-Security-Policy
 * (style-src 'self', no 'unsafe-inline') allows; a <style> element is the fallback.
 */
function injectStyles() {
  if (styled || document.getElementById('mnist-lab-styles')) return;
  styled = true;
  const text = `${uplotCss}\n${css}`;
  if ('adoptedStyleSheets' in Document.prototype && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(text);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    return;
  }
  document.head.append(h('style', {id: 'mnist-lab-styles'}, text));
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
