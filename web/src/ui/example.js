// The example digit (a 2) shown before anyone draws, so every view has a real
// digit to work on from the first second. Drawn with the pad's own brush.

const PATH = [
  [0.33, 0.33],
  [0.36, 0.17],
  [0.67, 0.16],
  [0.66, 0.34],
  [0.64, 0.47],
  [0.42, 0.6],
  [0.31, 0.75],
  [0.72, 0.74],
];

/** Strokes the example into a 2d context of size x size with a round brush of `brush` px. */
export function drawExample(ctx, size, brush) {
  const P = PATH.map(([x, y]) => [x * size, y * size]);
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = brush;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.beginPath();
  ctx.moveTo(...P[0]);
  ctx.bezierCurveTo(...P[1], ...P[2], ...P[3]);
  ctx.bezierCurveTo(...P[4], ...P[5], ...P[6]);
  ctx.lineTo(...P[7]);
  ctx.stroke();
}

/** The example as ink (res*res, 0..1), for pages without a drawing pad. */
export function exampleInk(res = 112) {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = res;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  drawExample(ctx, res, res / 11);
  const rgba = ctx.getImageData(0, 0, res, res).data;
  const ink = new Float32Array(res * res);
  for (let i = 0; i < ink.length; i++) ink[i] = rgba[i * 4 + 3] / 255;
  return ink;
}
