// mnist-bench (npm run bench's native and node measurer) used wrongly: --help on stdout
// with exit code 0; a bad option, number or model is one line on stderr and exit code 2,
// before anything is timed (never an abort from an uncaught exception).
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {test} from 'node:test';

import {root} from './support.mjs';

const bench = path.join(root, 'build/native/mnist-bench');

function run(...args) {
  const r = spawnSync(bench, args, {encoding: 'utf8', timeout: 60000});
  return {code: r.status, stdout: r.stdout, stderr: r.stderr};
}

test('mnist-bench --help prints its usage and exits 0', () => {
  for (const flag of ['--help', '-h']) {
    const r = run(flag);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    for (const option of ['--batch N', '--threads N', '--profile M']) assert.ok(r.stdout.includes(option), option);
  }
});

test('mnist-bench: each bad argument is one line on stderr and exit code 2', () => {
  const usage = ' (mnist-bench --help shows the usage)\n';
  for (const [args, line] of [
    [['--batch', '0'], "--batch must be a whole number 1..4096, got '0'"],
    [['--batch', '64x'], "--batch must be a whole number 1..4096, got '64x'"],
    [['--threads', '99'], "--threads must be a whole number 1..16, got '99'"],
    [['--threads'], '--threads needs a value'],
    [['--colour'], "unknown option '--colour'"],
    // A bad model among good ones fails before the good ones are timed.
    [['mlp', 'dense(10)-', 'cnn'], 'empty token at position 2 of the layer spec'],
    [['--profile', 'nope'], "unknown model 'nope'"],
  ]) {
    const r = run(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.stdout, '', args.join(' '));
    assert.ok(r.stderr.startsWith(`mnist-bench: ${line}`), `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.endsWith(usage), r.stderr);
    assert.equal(r.stderr.split('\n').length, 2, 'one line');
  }
});
