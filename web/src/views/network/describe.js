// The Network view's words about the model actually loaded, from the diagram's groups
// (netdiagram.js groupsOf, itself from the core's layer attributes): the name of each layer
// and of each unit in it, and a paragraph that walks through the network.
import {int} from '../../ui/format.js';

// How an activation's kind is written (any other by its kind).
const ACT_NAME = {relu: 'ReLU'};
export const actName = (kind) => ACT_NAME[kind] ?? kind;

/** The name of group g as the page says it: "hidden layer 2 (dense + ReLU)", "convolution 1 (conv 3×3 + ReLU)". */
export function groupName(groups, g) {
  const G = groups[g];
  if (G.kind === 'input') return 'the input image';
  if (G.kind === 'output') return 'the output layer';
  const nth = groups.slice(1, g + 1).filter((x) => x.kind === G.kind).length;
  const what = {dense: 'hidden layer', conv: 'convolution', pool: 'pooling', flatten: 'flatten'}[G.kind];
  return `${what} ${nth} (${G.title})`;
}

/** The name of input i of group g: a pixel, a position of a map (through a flatten) or a neuron. */
export function inputName(groups, g, i) {
  let s = g - 1;
  while (groups[s].kind === 'flatten') s--;
  const [c, H, W] = groups[s].shape;
  const r = Math.floor((i % (H * W)) / W);
  const col = i % W;
  if (groups[s].kind === 'input') return `pixel (${r}, ${col})`;
  if (H > 1 || W > 1) return `map ${Math.floor(i / (H * W))} (${r}, ${col})`;
  return c > 1 ? `neuron ${i}` : 'its input';
}

/** One paragraph on what this network does to a digit, layer by layer, with its sizes. */
export function modelProse(groups, {title, params}) {
  const steps = [];
  for (let g = 1; g < groups.length; g++) {
    const G = groups[g];
    const [c, H, W] = G.shape;
    const act = G.actName ? `, then ${actName(G.actName)}` : '';
    if (G.kind === 'conv') {
      const [ic] = G.inShape;
      steps.push(
        `slides ${c} filters of ${G.kernel}×${G.kernel}${ic > 1 ? ` (each across all ${ic} maps before it)` : ''} over ` +
          `${G.padding === 'same' ? 'the zero-padded' : 'the'} grid${G.stride > 1 ? `, ${G.stride} pixels a step` : ''}, ` +
          `giving ${c} maps of ${H}×${W}${act}`,
      );
    } else if (G.kind === 'pool') {
      steps.push(
        G.global
          ? `averages each map into one value (${c} values)`
          : `keeps the ${G.pooling === 'max' ? 'largest' : 'mean'} value of every ${G.window}×${G.window} window (${c} maps of ${H}×${W})`,
      );
    } else if (G.kind === 'flatten') {
      steps.push(`unrolls what it has into one row of ${int(G.flat)} numbers`);
    } else if (G.kind === 'dense' || G.kind === 'output') {
      const n = int(G.inFlat);
      const last = G.kind === 'output';
      const fromImage = groups.slice(1, g).every((x) => x.kind === 'flatten');
      const rate = G.dropout?.rate;
      steps.push(
        `${last ? 'ends with' : 'feeds'} ${int(G.flat)} neurons, each a weighted sum of all ${n} ${fromImage ? 'pixels' : 'values before it'} ` +
          `plus a bias (${int(G.params)} parameters)${last ? ', turned into ten probabilities by softmax' : act}` +
          `${G.dropout ? ` (dropout${Number.isFinite(rate) ? ` ${Math.round(rate * 100)}%` : ''} while training)` : ''}`,
      );
    }
  }
  return `“${title}” has ${int(params)} parameters. It ${steps.join('; it ')}.`;
}
