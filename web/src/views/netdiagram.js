// Draws a network on a canvas from its layer list, its parameters and one
// prediction's activations: images and feature-map stacks for spatial layers,
// bands of neurons for vectors, ten outputs; edges are the strongest actual
// contributions (activation x weight) for the digit shown, in the view's signed colours
// (network/colors.js); a staged animation carries the signal from layer to layer; the unit
// the reader selected is ringed (a map: brought to the front of its stack). Knows nothing
// about the lab.
import {HEAT, INK, paint} from '../ui/color.js';
import {int} from '../ui/format.js';
import {signedRgba} from './network/colors.js';
import {actName} from './network/describe.js';

// Horizontal layout (wide screens): layers left to right in a W x H space, scaled
// to fit. Vertical layout (phones): layers top to bottom, VW wide, labels on the right.
export const W = 1160;
export const H = 430;
export const VW = 360;
const TOP = 26;
const BOTTOM = 84; // room for the labels under the layers
const V_COL = 230; // vertical layout: width of the drawing column; labels to its right
const STAGE_MS = 420;

/**
 * Groups the layer list (ModelInfo's layers, the core's attributes of each: kind, shape,
 * kernel, stride, padding, pooling, rate, ...) into what gets drawn: input, conv
 * (+activation), pool, flatten, dense (+activation), output. Each group knows which
 * layer's output to show (`act`, -1 for the input) and where its weights are.
 */
export function groupsOf(info) {
  const L = info.layers;
  const size = (l) => l.shape[0] * l.shape[1] * l.shape[2];
  /** @type {any[]} */
  const groups = [
    {kind: 'input', shape: [1, 28, 28], flat: 784, act: -1, params: 0, title: 'Input', sub: '28×28 pixels'},
  ];
  for (let i = 0; i < L.length; i++) {
    const l = L[i];
    const prev = groups[groups.length - 1];
    if (l.kind === 'dense' || l.kind === 'conv') {
      const g = {
        kind: l.kind,
        shape: l.shape,
        flat: size(l),
        params: l.params,
        offset: l.offset,
        kernel: l.kernel, // conv: K of the KxK kernel, which moves by `stride` over the input `padding` pads
        stride: l.stride,
        padding: l.padding,
        filters: l.filters,
        layer: i,
        act: i,
        actName: null,
        inFlat: prev.flat,
        inShape: prev.shape,
      };
      if (L[i + 1]?.activation) {
        g.actName = L[i + 1].kind;
        g.act = ++i;
      }
      groups.push(g);
    } else if (l.pooling) {
      // Max, average and global pooling are drawn alike; `pooling` ('max' | 'average') says which,
      // and a pooling down to one value per map is global.
      groups.push({
        kind: 'pool',
        pooling: l.pooling,
        global: l.shape[1] === 1 && l.shape[2] === 1,
        window: l.window,
        stride: l.stride,
        shape: l.shape,
        flat: size(l),
        params: 0,
        act: i,
        inShape: prev.shape,
      });
    } else if (l.kind === 'flatten') {
      groups.push({kind: 'flatten', shape: l.shape, flat: size(l), params: 0, act: i});
    } else if (l.activation) {
      prev.actName = prev.actName || l.kind;
      prev.act = i;
    } else if (l.kind === 'dropout') {
      prev.dropout = {rate: l.rate};
    }
  }
  const last = groups[groups.length - 1];
  if (last.kind === 'dense' && last.flat === 10) last.kind = 'output';
  for (const g of groups.slice(1)) describe(g);
  return groups;
}

function describe(g) {
  const [c, hh, ww] = g.shape;
  const act = g.actName ? ` + ${actName(g.actName)}` : '';
  if (g.kind === 'conv') {
    g.title = `conv ${g.kernel}×${g.kernel}${act}`;
    g.sub = `${c} × ${hh}×${ww}`;
  } else if (g.kind === 'pool') {
    g.title = g.global ? `global ${g.pooling} pool` : `${g.pooling} pool ${g.window}×`;
    g.sub = g.global ? `${c} values, one per map` : `${c} × ${hh}×${ww}`;
  } else if (g.kind === 'flatten') {
    g.title = 'flatten';
    g.sub = `${int(g.flat)} values`;
  } else if (g.kind === 'dense') {
    g.title = `dense${act}`;
    g.sub = `${int(g.flat)} neurons`;
    if (g.dropout) {
      const {rate} = g.dropout;
      g.note = `+ dropout${Number.isFinite(rate) ? ` ${Math.round(rate * 100)}%` : ''} in training`;
    }
  } else if (g.kind === 'output') {
    g.title = 'dense + softmax';
    g.sub = '10 classes';
  }
}

const isSpatial = (g) => g.kind === 'input' || ((g.kind === 'conv' || g.kind === 'pool') && g.shape[1] > 1);

/**
 * Positions every group's elements. Returns {boxes, width, height, vertical}.
 * vertical: layers top to bottom for narrow screens.
 */
export function layout(groups, vertical = false) {
  if (vertical) return layoutVertical(groups);
  const spatialCount = groups.filter(isSpatial).length;
  const scale = spatialCount > 1 ? 3.9 : 8.5; // px per pixel of a feature map
  const avail = H - TOP - BOTTOM;
  const boxes = groups.map((g) => {
    if (isSpatial(g)) {
      const [c, hh] = g.shape;
      const depth = Math.min(c, 7);
      const step = c > 1 ? 6 : 0;
      return {type: 'stack', size: hh * scale, depth, step, w: hh * scale + step * (depth - 1), cell: scale};
    }
    if (g.kind === 'output') return {type: 'output', w: 150};
    const n = g.flat;
    let cs = Math.min(13, Math.max(3, Math.floor(avail / Math.min(n, 64))));
    if (n > 700) cs = 3;
    else if (n > 200) cs = 5.5;
    const rows = Math.min(n, Math.floor(avail / cs));
    const cols = Math.ceil(n / rows);
    return {type: 'band', cs, rows, cols, w: Math.max(cols * cs, 14)};
  });
  // Each layer takes at least the width of its label.
  const room = (b) => Math.max(b.w, b.type === 'output' ? b.w : 112);
  const used = boxes.reduce((s, b) => s + room(b), 0);
  const gap = Math.max(20, (W - 40 - used) / Math.max(1, boxes.length - 1));
  let x = 20 + Math.max(0, (W - 40 - used - gap * (boxes.length - 1)) / 2);
  boxes.forEach((b) => {
    b.x = x + (room(b) - b.w) / 2;
    b.cx = b.x + b.w / 2;
    x += room(b) + gap;
    if (b.type === 'stack') {
      const full = b.size + b.step * (b.depth - 1);
      b.y = TOP + (avail - full) / 2 + b.step * (b.depth - 1); // front map's top
    } else if (b.type === 'band') {
      b.y = TOP + (avail - b.rows * b.cs) / 2;
    } else {
      b.y = TOP + (avail - 9 * 34) / 2;
    }
  });
  return {boxes, width: W, height: H, vertical: false};
}

function layoutVertical(groups) {
  const spatialCount = groups.filter(isSpatial).length;
  const scale = spatialCount > 1 ? 4.2 : 5.2;
  const gap = 34;
  let y = 14;
  const boxes = groups.map((g) => {
    let b;
    if (isSpatial(g)) {
      const [c, hh] = g.shape;
      const depth = Math.min(c, 7);
      const step = c > 1 ? 5 : 0;
      const size = hh * scale;
      const w = size + step * (depth - 1);
      b = {
        type: 'stack',
        size,
        depth,
        step,
        w,
        cell: scale,
        x: (V_COL - w) / 2,
        y: y + step * (depth - 1),
        h: size + step * (depth - 1),
      };
    } else if (g.kind === 'output') {
      b = {type: 'output', vertical: true, w: 10 * 22, x: (V_COL - 10 * 22) / 2 + 11, y: y + 12, h: 44};
    } else {
      const n = g.flat;
      const cs = n > 700 ? 3.4 : n > 200 ? 5.4 : n > 60 ? 7 : 11;
      const cols = Math.min(n, Math.floor((V_COL - 20) / cs));
      const rows = Math.ceil(n / cols);
      b = {type: 'band', vertical: true, cs, rows, cols, w: cols * cs, x: (V_COL - cols * cs) / 2, y, h: rows * cs};
    }
    b.top = y;
    y += b.h + gap;
    return b;
  });
  return {boxes, width: VW, height: y - gap + 14, vertical: true};
}

/** Centre of element k of a band / output box, or of pixel k of a stack's front map (layout units). */
export function point(box, k, shape) {
  if (box.type === 'band' && box.vertical) {
    return [box.x + (k % box.cols) * box.cs + box.cs / 2, box.y + Math.floor(k / box.cols) * box.cs + box.cs / 2];
  }
  if (box.type === 'output' && box.vertical) return [box.x + k * 22, box.y];
  if (box.type === 'band') {
    const col = Math.floor(k / box.rows);
    const row = k % box.rows;
    return [box.x + col * box.cs + box.cs / 2, box.y + row * box.cs + box.cs / 2];
  }
  if (box.type === 'output') return [box.x + 12, box.y + k * 34];
  const w = shape[2];
  const r = Math.floor(k / w) % shape[1];
  const c = k % w;
  return [box.x + (c + 0.5) * box.cell, box.y + (r + 0.5) * box.cell];
}

/** The K largest |value| entries pushed as {i, j, v}; `score(i, j)` for i < nIn, j < nOut. */
function topK(nIn, nOut, K, score, skip) {
  const best = [];
  let floor = 0;
  for (let i = 0; i < nIn; i++) {
    if (skip?.(i)) continue;
    for (let j = 0; j < nOut; j++) {
      const v = score(i, j);
      const a = Math.abs(v);
      if (a <= floor && best.length >= K) continue;
      best.push({i, j, v, a});
      if (best.length > K * 2) {
        best.sort((p, q) => q.a - p.a);
        best.length = K;
        floor = best[K - 1].a;
      }
    }
  }
  best.sort((p, q) => q.a - p.a);
  best.length = Math.min(best.length, K);
  return best;
}

/**
 * Edges between consecutive groups, for this digit: for weighted vector links the
 * strongest contributions a_i * W_ji (from the image: only its inked pixels, none
 * without a digit); for convolution and pooling a funnel from the input window to
 * the strongest output position of the front map (or the selected position: drawFrame's `selected`).
 */
export function computeEdges(groups, params, values, selected = null) {
  const out = [];
  for (let g = 1; g < groups.length; g++) {
    const G = groups[g];
    const A = groups[g - 1];
    const a = values[g - 1];
    if ((G.kind === 'dense' || G.kind === 'output') && params) {
      const nIn = G.inFlat;
      const nOut = G.flat;
      const w = (i, j) => params[G.offset + j * nIn + i];
      const K = A.kind === 'input' ? 110 : nOut === 10 ? 40 : 90;
      const score = a ? (i, j) => a[i] * w(i, j) : (i, j) => w(i, j);
      const skip = a ? (i) => a[i] === 0 : null;
      // Weights alone would draw the image's blank edge, where training never moved them.
      const list = a || A.kind !== 'input' ? topK(nIn, nOut, K, score, skip) : [];
      out.push({type: 'links', from: g - 1, to: g, list});
    } else if ((G.kind === 'conv' || G.kind === 'pool') && isSpatial(G)) {
      const v = values[g];
      const [c, hh, ww] = G.shape;
      let best = 0;
      let bestV = -Infinity;
      const mine = selected?.g === g ? selected : null;
      if (mine) best = mine.r * ww + mine.c;
      else if (v) {
        const front = frontMap(v, G.shape);
        for (let k = 0; k < hh * ww; k++) {
          if (v[front * hh * ww + k] > bestV) {
            best = k;
            bestV = v[front * hh * ww + k];
          }
        }
      } else best = Math.floor(hh / 2) * ww + Math.floor(ww / 2);
      // The input window one output reads: a kernel or a pooling window, moved by its stride.
      const kSize = G.kind === 'conv' ? G.kernel : G.window;
      const stride = G.stride || 1;
      const r = Math.floor(best / ww);
      const col = best % ww;
      const pad = G.padding === 'same' ? Math.floor(kSize / 2) : 0;
      out.push({
        type: 'funnel',
        from: g - 1,
        to: g,
        at: best,
        win: {r: r * stride - pad, c: col * stride - pad, k: kSize},
        c,
      });
    } else {
      out.push({type: 'fan', from: g - 1, to: g});
    }
  }
  return out;
}

/** The map to put in front of a stack: the most active one. */
export function frontMap(v, shape) {
  const [c, hh, ww] = shape;
  const n = hh * ww;
  let best = 0;
  let bestS = -Infinity;
  for (let m = 0; m < c; m++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += v[m * n + k];
    if (s > bestS) {
      bestS = s;
      best = m;
    }
  }
  return best;
}

function rankMaps(v, shape, count) {
  const [c, hh, ww] = shape;
  const n = hh * ww;
  const sums = Array.from({length: c}, (_, m) => {
    let s = 0;
    for (let k = 0; k < n; k++) s += v[m * n + k];
    return [s, m];
  });
  sums.sort((p, q) => q[0] - p[0]);
  return sums.slice(0, count).map((p) => p[1]);
}

const scratch = document.createElement('canvas');

/**
 * Draws one frame. state: {groups, layout, edges, values (per group), probs, color, t (stages elapsed,
 * Infinity = done), selected ({g, k} a band's or the output's unit k, or {g, k: map, r, c} a map's
 * position; null: none)}
 */
export function drawFrame(ctx, state) {
  const {groups, edges, values, probs, color, t, selected} = state;
  const {boxes, width, height, vertical} = state.layout;
  ctx.clearRect(0, 0, width, height);
  const reveal = (g) => (g === 0 ? 1 : Math.max(0, Math.min(1, t - (g - 1))));

  // edges first, under the layers
  for (const e of edges) {
    const r = Math.max(0, Math.min(1, t - e.from));
    if (r <= 0) continue;
    const A = boxes[e.from];
    const B = boxes[e.to];
    const GA = groups[e.from];
    const GB = groups[e.to];
    const pulse = t > e.from && t < e.to ? t - e.from : null;
    if (e.type === 'links') {
      const max = e.list[0]?.a || 1;
      for (const l of e.list) {
        const [x1, y1] = point(A, l.i, GA.shape);
        const [x2, y2] = point(B, l.j, GB.shape);
        const s = l.a / max;
        ctx.strokeStyle = signedRgba(l.v, (0.1 + 0.6 * s) * r);
        ctx.lineWidth = 0.5 + 1.6 * s;
        ctx.beginPath();
        ctx.moveTo(x1, y1);
        ctx.lineTo(x2, y2);
        ctx.stroke();
        if (pulse !== null && s > 0.15) {
          const u = ease(pulse);
          ctx.fillStyle = signedRgba(l.v, 0.95);
          ctx.beginPath();
          ctx.arc(x1 + (x2 - x1) * u, y1 + (y2 - y1) * u, 1.6 + 1.6 * s, 0, Math.PI * 2);
          ctx.fill();
        }
      }
    } else if (e.type === 'funnel') {
      const aCell = A.cell || 4;
      const {r: wr, c: wc, k} = e.win;
      const x0 = A.x + wc * aCell;
      const y0 = A.y + wr * aCell;
      const size = k * aCell;
      const [px, py] = point(B, e.at, GB.shape);
      ctx.fillStyle = hexA(color, 0.1 * r);
      const corners = [
        [x0, y0],
        [x0 + size, y0],
        [x0 + size, y0 + size],
        [x0, y0 + size],
      ];
      for (let s = 0; s < 4; s++) {
        const [ax, ay] = corners[s];
        const [bx, by] = corners[(s + 1) % 4];
        ctx.beginPath();
        ctx.moveTo(ax, ay);
        ctx.lineTo(px, py);
        ctx.lineTo(bx, by);
        ctx.closePath();
        ctx.fill();
      }
      ctx.strokeStyle = hexA(color, 0.9 * r);
      ctx.lineWidth = 1.5;
      ctx.strokeRect(x0, y0, size, size);
      for (const [cx, cy] of [
        [x0, y0],
        [x0 + size, y0],
        [x0, y0 + size],
        [x0 + size, y0 + size],
      ]) {
        ctx.strokeStyle = hexA(color, 0.45 * r);
        ctx.lineWidth = 0.8;
        ctx.beginPath();
        ctx.moveTo(cx, cy);
        ctx.lineTo(px, py);
        ctx.stroke();
      }
      if (pulse !== null) {
        const u = ease(pulse);
        ctx.fillStyle = color;
        ctx.beginPath();
        ctx.arc(
          x0 + size / 2 + (px - x0 - size / 2) * u,
          y0 + size / 2 + (py - y0 - size / 2) * u,
          3.2,
          0,
          Math.PI * 2,
        );
        ctx.fill();
      }
    } else {
      // a fan from a whole stack or band into the next band
      ctx.fillStyle = hexA(color, 0.08 * r);
      ctx.beginPath();
      if (vertical) {
        const ay = A.top + A.h;
        ctx.moveTo(A.x, ay);
        ctx.lineTo(B.x, B.y);
        ctx.lineTo(B.x + B.w, B.y);
        ctx.lineTo(A.x + A.w, ay);
      } else {
        const ax = A.x + A.w;
        const ay0 = A.type === 'stack' ? A.y - A.step * (A.depth - 1) : A.y;
        const ah = A.type === 'stack' ? A.size + A.step * (A.depth - 1) : A.rows * A.cs;
        const bh = B.type === 'band' ? B.rows * B.cs : 300;
        ctx.moveTo(ax, ay0);
        ctx.lineTo(B.x, B.y);
        ctx.lineTo(B.x, B.y + bh);
        ctx.lineTo(ax, ay0 + ah);
      }
      ctx.closePath();
      ctx.fill();
      if (pulse !== null) {
        ctx.fillStyle = hexA(color, 0.25 * Math.sin(Math.PI * pulse));
        ctx.fill();
      }
    }
  }

  // layers
  groups.forEach((G, g) => {
    const box = boxes[g];
    const v = values[g];
    const rv = reveal(g);
    if (box.type === 'stack') drawStack(ctx, G, box, v, rv, g === 0, selected?.g === g ? selected.k : -1);
    else if (box.type === 'band') drawBand(ctx, G, box, v, rv, color);
    else drawOutput(ctx, box, probs, rv, color);
    // labels: under each layer, or to its right in the vertical layout
    let lx;
    let ly;
    if (vertical) {
      ctx.textAlign = 'left';
      lx = V_COL + 6;
      ly = box.top + box.h / 2 - (G.params ? 16 : 8) - (G.note ? 8 : 0);
    } else {
      ctx.textAlign = 'center';
      lx = box.type === 'output' ? box.x + 40 : box.x + Math.min(box.w, box.size || box.w) / 2;
      ly = H - BOTTOM + 26;
    }
    ctx.fillStyle = '#101428';
    ctx.font = '600 12.5px system-ui, -apple-system, Segoe UI, sans-serif';
    ctx.fillText(G.title, lx, ly);
    ctx.font = '12px system-ui, -apple-system, Segoe UI, sans-serif';
    ctx.fillStyle = '#64748b';
    ctx.fillText(G.sub, lx, ly + 17);
    if (G.params) ctx.fillText(`${int(G.params)} params`, lx, ly + 33);
    if (G.note) ctx.fillText(G.note, lx, ly + (G.params ? 49 : 33));
  });
  if (selected) drawSelected(ctx, groups[selected.g], boxes[selected.g], selected, color);
}

/** A ring round the selected unit, or a square round the selected position of a map. */
function drawSelected(ctx, G, box, sel, color) {
  ctx.strokeStyle = color;
  ctx.lineWidth = 2;
  if (box.type === 'stack') {
    ctx.strokeRect(box.x + sel.c * box.cell - 1, box.y + sel.r * box.cell - 1, box.cell + 2, box.cell + 2);
    return;
  }
  const [x, y] = point(box, sel.k, G.shape);
  const radius = box.type === 'output' ? (box.vertical ? 12 : 15) : Math.max(4, box.cs * 0.8);
  ctx.beginPath();
  ctx.arc(x, y, radius, 0, Math.PI * 2);
  ctx.stroke();
  ctx.strokeStyle = '#101428';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.arc(x, y, radius + 1.5, 0, Math.PI * 2);
  ctx.stroke();
}

/** The maps a stack shows, front first: `front` (the selected one, -1: none), then the most active. */
export function stackOrder(v, shape, depth, front = -1) {
  const order = v ? rankMaps(v, shape, shape[0]) : Array.from({length: shape[0]}, (_, i) => i);
  if (front < 0) return order.slice(0, depth);
  return [front, ...order.filter((m) => m !== front)].slice(0, depth);
}

function drawStack(ctx, G, box, v, rv, isInput, front) {
  const [c, hh, ww] = G.shape;
  const order = stackOrder(v, G.shape, box.depth, front);
  ctx.imageSmoothingEnabled = false;
  for (let d = box.depth - 1; d >= 0; d--) {
    const x = box.x + d * box.step;
    const y = box.y - d * box.step;
    ctx.fillStyle = '#0b0e1e';
    ctx.fillRect(x, y, box.size, box.size);
    if (v && rv > 0) {
      paint(scratch, v, ww, hh, isInput ? INK : HEAT, isInput ? 1 : 'max', order[d] * hh * ww);
      ctx.globalAlpha = rv * (d === 0 ? 1 : 0.85);
      ctx.drawImage(scratch, x, y, box.size, box.size);
      ctx.globalAlpha = 1;
    }
    ctx.strokeStyle = d === 0 ? 'rgba(255,255,255,0.5)' : 'rgba(255,255,255,0.22)';
    ctx.lineWidth = 1;
    ctx.strokeRect(x + 0.5, y + 0.5, box.size - 1, box.size - 1);
  }
  if (c > box.depth) {
    ctx.fillStyle = '#64748b';
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'left';
    ctx.fillText(`×${c}`, box.x + box.w - 18, box.y - box.step * (box.depth - 1) - 6);
  }
}

function drawBand(ctx, G, box, v, rv, color) {
  const n = G.flat;
  let max = 0;
  if (v) for (let k = 0; k < n; k++) max = Math.max(max, Math.abs(v[k]));
  const round = box.cs >= 7;
  const rad = box.cs * 0.38;
  for (let k = 0; k < n; k++) {
    const [x, y] = point(box, k, G.shape);
    const s = v && max ? Math.min(1, Math.abs(v[k]) / max) * rv : 0;
    ctx.fillStyle = s > 0.02 ? hexA(color, 0.12 + 0.88 * s) : '#e6e8f1';
    if (round) {
      ctx.beginPath();
      ctx.arc(x, y, rad, 0, Math.PI * 2);
      ctx.fill();
    } else {
      const q = box.cs - (box.cs > 4 ? 1.2 : 0.6);
      ctx.fillRect(x - q / 2, y - q / 2, q, q);
    }
  }
}

// One output neuron: a circle filled by its probability p, ringed if it is the
// top class, with the digit k written in it.
function drawOutputNode(ctx, x, y, radius, fontPx, k, p, ringed, color) {
  ctx.beginPath();
  ctx.arc(x, y, radius, 0, Math.PI * 2);
  ctx.fillStyle = p > 0.01 ? hexA(color, 0.15 + 0.85 * p) : '#eef0f6';
  ctx.fill();
  if (ringed) {
    ctx.strokeStyle = color;
    ctx.lineWidth = 2.5;
    ctx.stroke();
  }
  ctx.fillStyle = p > 0.5 ? '#fff' : '#334155';
  ctx.font = `700 ${fontPx}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(String(k), x, y + 0.5);
  ctx.textBaseline = 'alphabetic';
}

function drawOutput(ctx, box, probs, rv, color) {
  let top = -1;
  if (probs) {
    top = 0;
    for (let k = 1; k < 10; k++) if (probs[k] > probs[top]) top = k;
  }
  if (box.vertical) {
    for (let k = 0; k < 10; k++) {
      const [x, y] = point(box, k);
      const p = probs ? probs[k] * rv : 0;
      drawOutputNode(ctx, x, y, 9.5, 11, k, p, k === top && rv >= 1, color);
      ctx.fillStyle = '#eef0f6';
      ctx.fillRect(x - 3, y + 14, 6, 18);
      ctx.fillStyle = color;
      ctx.fillRect(x - 3, y + 32 - 18 * p, 6, 18 * p);
    }
    return;
  }
  for (let k = 0; k < 10; k++) {
    const x = box.x + 12;
    const y = box.y + k * 34;
    const p = probs ? probs[k] * rv : 0;
    drawOutputNode(ctx, x, y, 12, 12, k, p, k === top && rv >= 1, color);
    ctx.fillStyle = '#eef0f6';
    ctx.fillRect(x + 20, y - 4, 70, 8);
    ctx.fillStyle = color;
    ctx.fillRect(x + 20, y - 4, 70 * p, 8);
    if (probs && rv >= 1 && probs[k] >= 0.005) {
      ctx.fillStyle = '#64748b';
      ctx.font = '10.5px system-ui, sans-serif';
      ctx.textAlign = 'left';
      ctx.fillText(`${(probs[k] * 100).toFixed(probs[k] > 0.995 ? 1 : 0)}%`, x + 94, y + 4);
    }
  }
}

const ease = (u) => (u < 0.5 ? 2 * u * u : 1 - (-2 * u + 2) ** 2 / 2);

function hexA(hex, a) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${n >> 16},${(n >> 8) & 255},${n & 255},${Math.max(0, Math.min(1, a)).toFixed(3)})`;
}

export {STAGE_MS};
