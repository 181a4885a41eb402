// Synthetic MNIST-shaped training data for the benchmark workers: random pixels
// and labels from a fixed LCG, as IDX bytes the core's reader accepts.

/** IDX bytes (unsigned bytes, big-endian dims) holding `data`. */
export function idx(dims, data) {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

/** n random 28x28 images and labels: {images, labels} as IDX bytes. */
export function syntheticSet(n) {
  let s = 12345;
  const rand = () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return (s >>> 16) & 0xff;
  };
  const images = new Uint8Array(n * 784).map(rand);
  const labels = new Uint8Array(n).map(() => rand() % 10);
  return {images: idx([n, 28, 28], images), labels: idx([n], labels)};
}
