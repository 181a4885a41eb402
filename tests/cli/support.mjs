// What the CLI tests share: the command to run and IDX files made on the spot.
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The command under test; MNIST_LAB (optional) runs another build of it. */
export const cli = process.env.MNIST_LAB || path.join(root, 'build/native/mnist-lab');

/** An IDX file of unsigned bytes: dims (big-endian u32 each), then the body. */
export function idx(dims, body) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, body]);
}
