// Keeps an experiment's panel in step with the digit in focus without getting in the pad's
// way: it runs when the panel is on screen and something it shows has changed, one run
// at a time, never while a stroke is still being drawn (the lab's 'feed' marks its end).
import {onVisible} from '../../ui/dom.js';

/**
 * Calls `run()` (async) when `el` is visible and one of the lab's `events` came since the last
 * run (and once at first, if `armed`). Returns {kick(), changed()}: kick runs now (and arms it if it was
 * not); changed says something it shows changed, as the events do.
 * @param {HTMLElement} el
 * @param {import('../../lab.js').Lab} lab
 * @param {() => Promise<void>} run
 * @param {{events?: string[], armed?: boolean}} [options]
 */
export function follow(el, lab, run, {events = ['feed', 'move', 'model'], armed = true} = {}) {
  let visible = false;
  let dirty = armed;
  let running = false;
  const go = async () => {
    if (!visible || !dirty || running || !armed) return;
    dirty = false;
    running = true;
    try {
      await run();
    } finally {
      running = false;
      go();
    }
  };
  const changed = () => {
    dirty = true;
    go();
  };
  for (const type of events) lab.on(type, changed);
  onVisible(el, (v) => {
    visible = v;
    go();
  });
  return {
    changed,
    kick() {
      armed = true;
      dirty = true;
      go();
    },
  };
}
