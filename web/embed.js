// The one script a page includes to embed MNIST Lab: <script src=".../embed.js" async>.
// It is a classic script (no import or export of its own), because a browser loads a
// classic script from any host, while a module script from another origin loads only
// if that host sends CORS headers (Access-Control-Allow-Origin). It then imports the
// element itself (embed-element.js, beside it), which does need them:
// - the import works (same origin, or a host with CORS): <mnist-lab view="..."> is the
//   element, sharing one pair of workers across the page;
// - it fails (a host without CORS, or an old browser): each <mnist-lab> shows its view in
//   an iframe of index.html?view=..., which needs no CORS and grows to its content's
//   height; where the page's own Content-Security-Policy forbids that frame, the element
//   says so and names the fixes.
(() => {
  const me =
    document.currentScript instanceof HTMLScriptElement
      ? document.currentScript.src
      : // Loaded as a module (<script type="module">) there is no currentScript.
        [...document.scripts].map((s) => s.src).find((src) => /\/embed\.js([?#]|$)/.test(src));
  const root = new URL('./', me || location.href).href;

  import(/* @vite-ignore */ new URL('embed-element.js', root).href).catch((e) => {
    if (customElements.get('mnist-lab')) return;
    console.warn(
      `mnist-lab: could not import ${root}embed-element.js (${e?.message || e}); showing each view in an iframe ` +
        `instead. For views that share one pair of networks, have ${new URL(root).origin} send ` +
        'Access-Control-Allow-Origin for that folder.',
    );
    customElements.define('mnist-lab', framed(root));
  });

  /** <mnist-lab> as an iframe of the single-view page, as tall as what it shows. */
  function framed(root) {
    const origin = new URL(root).origin;
    return class MnistLabFrame extends HTMLElement {
      connectedCallback() {
        if (this.firstChild) return;
        const view = (this.getAttribute('view') || 'drawpad').trim();
        const frame = document.createElement('iframe');
        frame.src = new URL(`index.html?view=${encodeURIComponent(view)}`, root).href;
        frame.title = `MNIST Lab: ${view}`;
        Object.assign(frame.style, {display: 'block', width: '100%', height: '600px', border: '0'});
        addEventListener('message', (e) => {
          if (e.source === frame.contentWindow && e.origin === origin && e.data?.type === 'mnist-lab:height') {
            frame.style.height = `${Math.ceil(e.data.height)}px`;
          }
        });
        document.addEventListener('securitypolicyviolation', (e) => {
          if (e.blockedURI?.startsWith(origin) && /frame|child|default/.test(e.effectiveDirective)) {
            this.replaceChildren(refused(root));
          }
        });
        this.append(frame);
      }
    };
  }

  /** What the element shows when neither the script nor a frame of it may run on this page. */
  function refused(root) {
    const p = document.createElement('p');
    p.setAttribute('role', 'alert');
    Object.assign(p.style, {border: '1px solid #dc2626', borderRadius: '8px', padding: '12px', color: '#991b1b'});
    p.textContent =
      `MNIST Lab could not start here: ${root} sends no CORS header (Access-Control-Allow-Origin), ` +
      'so this page may not import its module, and this page\u2019s Content-Security-Policy forbids framing it. ' +
      `Fix either one: have that host send Access-Control-Allow-Origin, or allow ${new URL(root).origin} in frame-src.`;
    return p;
  }
})();
