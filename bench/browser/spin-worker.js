// Pure arithmetic for a while: what the host gives one thread of this browser
// right now (threads-ab's "host" measure). {seconds} -> {rate: blocks per second},
// each block eight independent multiply-add chains in registers, no memory traffic.

const BLOCK = 1 << 14;

self.onmessage = ({data: {seconds}}) => {
  let a = 1.1,
    b = 1.2,
    c = 1.3,
    d = 1.4,
    e = 1.5,
    f = 1.6,
    g = 1.7,
    h = 1.8;
  let blocks = 0;
  const start = performance.now(),
    stop = start + 1000 * seconds;
  let now = start;
  while (now < stop) {
    for (let i = 0; i < BLOCK; ++i) {
      a = a * 0.999999 + 1e-6;
      b = b * 0.999999 + 1e-6;
      c = c * 0.999999 + 1e-6;
      d = d * 0.999999 + 1e-6;
      e = e * 0.999999 + 1e-6;
      f = f * 0.999999 + 1e-6;
      g = g * 0.999999 + 1e-6;
      h = h * 0.999999 + 1e-6;
    }
    ++blocks;
    now = performance.now();
  }
  // The sum keeps the chains live; it is never anywhere near this.
  if (a + b + c + d + e + f + g + h === 12345) blocks = -1;
  self.postMessage({rate: (blocks * 1000) / (now - start)});
};
