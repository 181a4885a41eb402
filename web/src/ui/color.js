// Colour maps for images, activations and weights, and canvas helpers.

const lerp = (a, b, t) => a + (b - a) * t;

export function ramp(stops) {
  // stops: [[r, g, b], ...] evenly spaced; returns t in [0,1] -> [r, g, b]
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(t));
    const f = t - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(lerp(stops[k][c], stops[k + 1][c], f));
  }
  return lut;
}

/** Activation strength: deep navy -> violet -> coral -> warm yellow. */
export const HEAT = ramp([
  [15, 18, 42],
  [62, 39, 130],
  [168, 56, 140],
  [240, 110, 90],
  [253, 216, 120],
]);
/** Digits as MNIST shows them: white ink on near-black. */
export const INK = ramp([
  [11, 14, 30],
  [255, 255, 255],
]);
/** Signed values: blue (negative) -> near-white -> orange (positive). */
export const SIGNED = ramp([
  [37, 99, 235],
  [147, 180, 245],
  [246, 247, 251],
  [250, 176, 120],
  [234, 88, 12],
]);

const clamp01 = (t) => (t < 0 ? 0 : Math.min(t, 1));

export function rgb(lut, t) {
  const i = Math.round(clamp01(t) * 255) * 3;
  return `rgb(${lut[i]},${lut[i + 1]},${lut[i + 2]})`;
}

/**
 * Paints values (h*w, row-major) into a canvas of exactly w x h pixels
 * (CSS scales it up with image-rendering: pixelated).
 * scale: 'ink' (0..1), 'max' (0..max of values), 'signed' (-m..m, m = max |v|) or a number.
 * @param {HTMLCanvasElement} canvas
 * @param {ArrayLike<number>} values
 * @param {number} w
 * @param {number} h
 * @param {Uint8ClampedArray} [lut]
 * @param {'ink' | 'max' | 'signed' | number} [scale]
 * @param {number} [offset]
 */
export function paint(canvas, values, w, h, lut = HEAT, scale = 'max', offset = 0) {
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(w, h);
  const n = w * h;
  let lo = 0;
  let hi = 1;
  if (scale === 'max' || scale === 'signed') {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const v = scale === 'signed' ? Math.abs(values[offset + i]) : values[offset + i];
      if (v > m) m = v;
    }
    hi = m || 1;
    if (scale === 'signed') lo = -hi;
  } else if (typeof scale === 'number') hi = scale;
  const span = hi - lo;
  for (let i = 0; i < n; i++) {
    const t = clamp01((values[offset + i] - lo) / span);
    const k = Math.round(t * 255) * 3;
    img.data[i * 4] = lut[k];
    img.data[i * 4 + 1] = lut[k + 1];
    img.data[i * 4 + 2] = lut[k + 2];
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** Sizes a canvas's backing store to its CSS box times the device pixel ratio; returns the 2d context in CSS px. */
export function fitCanvas(canvas, width, height) {
  const dpr = Math.min(2, window.devicePixelRatio || 1);
  const W = Math.round(width * dpr);
  const H = Math.round(height * dpr);
  if (canvas.width !== W || canvas.height !== H) {
    canvas.width = W;
    canvas.height = H;
  }
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

/**
 * Grid lines over a size x size square of cell-px cells, one every `every` cells (n cells a
 * side), and `win` ({x, y, k} in cells) outlined in amber. lineWidth: the grid's (unset: as is).
 * @param {CanvasRenderingContext2D} ctx
 * @param {{n: number, every: number, cell: number, size: number, style: string, lineWidth?: number,
 *   win: {x: number, y: number, k: number}}} grid
 */
export function drawGrid(ctx, {n, every, cell, size, style, lineWidth, win}) {
  ctx.strokeStyle = style;
  if (lineWidth) ctx.lineWidth = lineWidth;
  for (let i = every; i < n; i += every) {
    ctx.beginPath();
    ctx.moveTo(i * cell, 0);
    ctx.lineTo(i * cell, size);
    ctx.moveTo(0, i * cell);
    ctx.lineTo(size, i * cell);
    ctx.stroke();
  }
  ctx.strokeStyle = '#fbbf24';
  ctx.lineWidth = 2.5;
  ctx.strokeRect(win.x * cell, win.y * cell, win.k * cell, win.k * cell);
}

export const SLOT_COLOR = {mlp: '#f97316', cnn: '#6366f1'};
export const SLOT_COLOR_SOFT = {mlp: 'rgba(249,115,22,0.14)', cnn: 'rgba(99,102,241,0.14)'};
