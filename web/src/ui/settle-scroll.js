// Keeps an in-page link's target where the link put it while sections above it are
// still growing (views that fill in as their models load, maps drawn when they come into
// view). The browser scrolls once, at the click; each later change of the page's height
// scrolls the target back to the top, until the reader scrolls, types, clicks or touches.

/** Watches every in-page navigation (a #fragment link, the URL's own hash) on this document. */
export function settleHashScroll() {
  let target = null;
  const release = () => {
    target = null;
  };
  for (const type of ['wheel', 'touchstart', 'keydown', 'pointerdown']) {
    addEventListener(type, release, {passive: true, capture: true});
  }
  const follow = () => {
    const id = decodeURIComponent(location.hash.slice(1));
    target = id ? document.getElementById(id) : null;
  };
  // After the pointerdown that released the last target: the click that follows it lands here.
  addEventListener('hashchange', follow);
  document.addEventListener('click', (e) => {
    const link = e.target instanceof Element ? e.target.closest('a[href^="#"]') : null;
    if (link && link.getAttribute('href') === location.hash) queueMicrotask(follow); // no hashchange
  });
  new ResizeObserver(() => {
    if (target && Math.abs(target.getBoundingClientRect().top - scrollMarginOf(target)) > 1) {
      target.scrollIntoView({block: 'start', behavior: 'instant'});
    }
  }).observe(document.body);
  if (location.hash) follow();
}

const scrollMarginOf = (el) => Number.parseFloat(getComputedStyle(el).scrollMarginTop) || 0;
