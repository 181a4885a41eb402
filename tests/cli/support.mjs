// What the CLI tests share: the command to run, its JSON lines, and IDX files made on the spot.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/** The checkout's root folder. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The command under test; MNIST_LAB (optional) runs another build of it. */
export const cli = process.env.MNIST_LAB || path.join(root, 'build/native/mnist-lab');

/** Runs the command (args), which must succeed with nothing on stderr -> its stdout's JSON lines, parsed. */
export function jsonLines(...args) {
  const r = spawnSync(cli, args, {encoding: 'utf8', timeout: 60000});
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

/** An IDX file of unsigned bytes: dims (big-endian u32 each), then the body. */
export function idx(dims, body) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, body]);
}
