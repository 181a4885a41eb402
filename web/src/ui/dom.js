// Tiny DOM helpers: h() builds elements, so views read as markup without a framework.

/**
 * h('button', {class: 'btn', onclick: fn, 'aria-label': 'x'}, 'text', child, [more])
 * Props: class, style (object), dataset (object), on<event> (function), any
 * attribute (true -> present, false/null -> absent); known DOM properties such as
 * value/checked are set as properties.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'style' && typeof v === 'object') {
      for (const [prop, val] of Object.entries(v)) {
        if (prop.startsWith('--')) el.style.setProperty(prop, val);
        else el.style[prop] = val;
      }
    } else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value' || k === 'checked' || k === 'selected' || k === 'htmlFor') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

let counter = 0;
/** A page-unique id (several <mnist-lab> elements may share a page). */
export const uid = (prefix) => `mlab-${prefix}-${++counter}`;

/** A label + control pair; returns {wrap, control}. */
export function field(label, control, hint) {
  if (!control.id) control.id = uid('f');
  const id = control.id;
  const wrap = h(
    'div',
    {class: 'field'},
    h('label', {for: id}, label),
    control,
    hint ? h('small', {class: 'hint'}, hint) : null,
  );
  return {wrap, control};
}

/** Calls fn(visible) when el enters or leaves the viewport. */
export function onVisible(el, fn) {
  const io = new IntersectionObserver(
    (entries) => {
      for (const e of entries) fn(e.isIntersecting);
    },
    {rootMargin: '200px'},
  );
  io.observe(el);
  return () => io.disconnect();
}

/** Runs fn at most once per animation frame, however often it is asked. */
export function rafThrottle(fn) {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      fn();
    });
  };
}

/** Smoothly scrolls to the section of a view, wherever it is mounted. */
export function reveal(el) {
  el?.scrollIntoView({behavior: 'smooth', block: 'start'});
}

/** Saves bytes as a file download. */
export function download(bytes, name, type = 'application/octet-stream') {
  const url = URL.createObjectURL(new Blob([bytes], {type}));
  const a = h('a', {href: url, download: name, style: {display: 'none'}});
  document.body.append(a);
  a.click();
  a.remove();
  // The browser reads the blob after this returns, later on a loaded machine: a URL revoked
  // before that is a download that never starts. A minute costs only the file's bytes.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
