// The Network view's signed colours: what pushes a neuron up is green, what pushes it down
// is magenta (ColorBrewer's PiYG ends, told apart with either common colour-blindness), so
// neither is orange (the MLP) nor indigo (the CNN). Used by the diagram's connections, the
// first-layer weight pictures and the computation panel, and named in their legends.
import {ramp} from '../../ui/color.js';

export const UP = '#4d9221';
export const DOWN = '#c51b7d';
/** UP darkened for text (5.2:1 on white; DOWN is 5.5:1 as it is). */
export const UP_TEXT = '#3d7a1a';

/** rgba() of UP for v >= 0 and DOWN otherwise, at opacity a. */
export function signedRgba(v, a) {
  const [r, g, b] = v >= 0 ? [77, 146, 33] : [197, 27, 125];
  return `rgba(${r},${g},${b},${Math.max(0, Math.min(1, a)).toFixed(3)})`;
}

/** A lookup table (256 x rgb) for paint(..., 'signed'): magenta -> white -> green. */
export const PIYG = ramp([
  [142, 1, 82],
  [222, 119, 174],
  [247, 247, 247],
  [127, 188, 65],
  [39, 100, 25],
]);
