// Mouse strokes for the digits 0-9, in 0..1 coordinates of the drawing pad,
// drawn the way a person would (one or two strokes, digit ~60% of the pad high).
const arc = (cx, cy, rx, ry, from, to, n = 24) =>
  Array.from({length: n + 1}, (_, i) => {
    const t = from + ((to - from) * i) / n;
    return [cx + rx * Math.cos(t), cy + ry * Math.sin(t)];
  });

export const DIGIT_STROKES = {
  0: [arc(0.5, 0.5, 0.19, 0.3, -Math.PI / 2, Math.PI * 1.55)],
  1: [
    [
      [0.42, 0.3],
      [0.53, 0.2],
      [0.53, 0.8],
    ],
  ],
  2: [[...arc(0.5, 0.34, 0.17, 0.14, Math.PI * 1.05, Math.PI * 2.2, 14), [0.45, 0.6], [0.32, 0.78], [0.7, 0.78]]],
  3: [
    [
      ...arc(0.48, 0.34, 0.16, 0.14, Math.PI * 1.1, Math.PI * 2.5, 16),
      ...arc(0.48, 0.63, 0.18, 0.16, -Math.PI / 2, Math.PI * 0.85, 16),
    ],
  ],
  4: [
    [
      [0.56, 0.2],
      [0.3, 0.58],
      [0.74, 0.58],
    ],
    [
      [0.61, 0.36],
      [0.61, 0.82],
    ],
  ],
  5: [[[0.68, 0.2], [0.38, 0.2], [0.35, 0.46], ...arc(0.49, 0.62, 0.18, 0.17, -Math.PI * 0.72, Math.PI * 0.82, 18)]],
  6: [[[0.62, 0.18], [0.45, 0.32], [0.36, 0.5], ...arc(0.5, 0.64, 0.15, 0.15, Math.PI, Math.PI * 3.05, 22)]],
  7: [
    [
      [0.28, 0.22],
      [0.72, 0.22],
      [0.46, 0.82],
    ],
  ],
  8: [
    Array.from({length: 41}, (_, i) => {
      const t = (i / 40) * Math.PI * 2;
      return [0.5 + 0.16 * Math.sin(2 * t) * (t < Math.PI ? 0.9 : 1.1), 0.5 - 0.3 * Math.cos(t)];
    }),
  ],
  9: [[...arc(0.5, 0.35, 0.16, 0.14, 0, Math.PI * 2.02, 22), [0.66, 0.5], [0.62, 0.82]]],
};
