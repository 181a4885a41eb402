// One tab stop per group of controls (a layer's neurons, a layer's maps, the weight
// pictures, a computation's channels): the group is reached with Tab, the arrow keys move
// to the nearest control in their direction as the controls are laid out, Home and End
// to the first and last; Enter or Space presses the control as any button.

/**
 * Makes `group`'s controls (its buttons, in order; re-read at each key) a roving group.
 * onMove(button): called when the arrows move to a control (it then has focus).
 * @param {HTMLElement} group
 * @param {{onMove?: (b: HTMLElement) => void}} [options]
 */
export function roving(group, {onMove} = {}) {
  const items = () =>
    /** @type {HTMLElement[]} */ ([...group.querySelectorAll(':scope > button, :scope > * > button')]);
  group.addEventListener('keydown', (e) => {
    const all = items();
    const from = all.indexOf(/** @type {HTMLElement} */ (e.target));
    if (from < 0) return;
    const to = e.key === 'Home' ? all[0] : e.key === 'End' ? all[all.length - 1] : nearest(all, all[from], e.key);
    if (to === undefined) return;
    e.preventDefault();
    if (to) {
      setTabStop(all, to);
      to.focus();
      onMove?.(to);
    }
  });
  // A click makes the clicked control the group's tab stop.
  group.addEventListener('click', (e) => {
    const all = items();
    const b = all.find((x) => x.contains(/** @type {Node} */ (e.target)));
    if (b) setTabStop(all, b);
  });
}

/** Makes `stop` the one control of the group in the tab order. */
export function setTabStop(all, stop) {
  for (const b of all) b.tabIndex = b === stop ? 0 : -1;
}

const DIRECTION = {ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1]};

/**
 * The control nearest to `from` in the arrow's direction (null: none that way; undefined: not
 * an arrow key). Off-axis distance weighs ten times more, so a grid moves along its rows and columns.
 */
function nearest(all, from, key) {
  const dir = DIRECTION[key];
  if (!dir) return undefined;
  const at = centre(from);
  let best = null;
  let bestScore = Infinity;
  for (const b of all) {
    const p = centre(b);
    const along = (p[0] - at[0]) * dir[0] + (p[1] - at[1]) * dir[1];
    if (along < 0.5) continue;
    const across = Math.abs((p[0] - at[0]) * dir[1] + (p[1] - at[1]) * dir[0]);
    const score = along + 10 * across;
    if (score < bestScore) {
      bestScore = score;
      best = b;
    }
  }
  return best;
}

const centre = (b) => {
  const r = b.getBoundingClientRect();
  return [r.left + r.width / 2, r.top + r.height / 2];
};
