// train --until ACC [--eval-every N]: evaluate on the whole test set every N
// training samples and stop at the first evaluation at or above ACC; with --json
// one line per evaluation, the last one saying whether ACC was reached.
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, test} from 'node:test';
import assert from 'node:assert/strict';

import {cli, idx} from './support.mjs';

let learnable, noise; // data folders: one a dense layer learns at once, one nothing can

// Bytes 0..255 from a linear congruential generator: the same data on every run.
function bytesFrom(seed) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) >>> 0;
    return x >>> 24;
  };
}

// Digit d is a bright 4x4 block at column 2 + 2.4 d of row 12, with a little noise:
// dense(10) reads it perfectly after a few dozen samples.
function blocks(n, seed) {
  const rand = bytesFrom(seed);
  const px = Buffer.alloc(n * 784),
    labels = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    const d = rand() % 10;
    labels[i] = d;
    for (let p = 0; p < 784; p++) px[i * 784 + p] = rand() >> 4;
    const c0 = 2 + Math.floor(2.4 * d);
    for (let r = 12; r < 16; r++) for (let c = c0; c < c0 + 4; c++) px[i * 784 + r * 28 + c] = 255;
  }
  return {px, labels};
}

// Pixels and labels drawn independently: no model beats chance on the test set.
function randomPairs(n, seed) {
  const rand = bytesFrom(seed);
  return {
    px: Buffer.from(Array.from({length: n * 784}, rand)),
    labels: Buffer.from(Array.from({length: n}, () => rand() % 10)),
  };
}

function writeSet(make) {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-until-'));
  for (const [split, n, seed] of [
    ['train', 400, 1],
    ['t10k', 100, 2],
  ]) {
    const {px, labels} = make(n, seed);
    fs.writeFileSync(path.join(folder, `${split}-images-idx3-ubyte`), idx([n, 28, 28], px));
    fs.writeFileSync(path.join(folder, `${split}-labels-idx1-ubyte`), idx([n], labels));
  }
  return folder;
}

function train(data, ...args) {
  const r = spawnSync(cli, ['train', '--model', 'dense(10)', '--data', data, '--seed', '3', ...args], {
    encoding: 'utf8',
    timeout: 60000,
  });
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    lines: () =>
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
  };
}

before(() => {
  assert.ok(fs.existsSync(cli), `${cli} is not built (npm run build)`);
  learnable = writeSet(blocks);
  noise = writeSet(randomPairs);
});
after(() => {
  for (const d of [learnable, noise]) fs.rmSync(d, {recursive: true, force: true});
});

test('stops at the first evaluation at or above the accuracy, well before the last epoch', () => {
  const r = train(
    learnable,
    '--until',
    '0.95',
    '--eval-every',
    '50',
    '--epochs',
    '20',
    '--batch',
    '10',
    '--lr',
    '0.01',
    '--optimizer',
    'adam',
    '--schedule',
    'constant',
    '--json',
  );
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  const lines = r.lines();
  const last = lines.at(-1);
  assert.equal(last.reached, true);
  assert.ok(last.test_accuracy >= 0.95, JSON.stringify(last));
  // Every earlier evaluation was below it, and only the last line says `reached`.
  for (const l of lines.slice(0, -1)) {
    assert.ok(l.test_accuracy < 0.95);
    assert.equal('reached' in l, false);
  }
  // One evaluation every 50 samples (5 batches of 10), across epoch ends: 400
  // samples an epoch, so 20 epochs would have been 160 evaluations.
  assert.deepEqual(
    lines.map((l) => l.samples),
    lines.map((_, i) => 50 * (i + 1)),
  );
  assert.ok(lines.length < 160);
  for (const key of [
    'model',
    'epoch',
    'train_loss',
    'train_accuracy',
    'test_loss',
    'test_accuracy',
    'train_seconds',
    'samples_per_second',
    'params',
    'total_train_seconds',
  ])
    assert.ok(key in last, key);
  // Training time only, growing from one evaluation to the next.
  for (let i = 1; i < lines.length; i++) assert.ok(lines[i].total_train_seconds >= lines[i - 1].total_train_seconds);
});

test('an accuracy never reached runs every epoch and says so on the last line', () => {
  const r = train(noise, '--until', '99', '--eval-every', '200', '--epochs', '2', '--batch', '20', '--json');
  assert.equal(r.code, 0);
  const lines = r.lines();
  assert.deepEqual(
    lines.map((l) => [l.epoch, l.samples]),
    [
      [1, 200],
      [1, 400],
      [2, 600],
      [2, 800],
    ],
  );
  assert.equal(lines.at(-1).reached, false);
  assert.equal(
    lines.slice(0, -1).some((l) => 'reached' in l),
    false,
  );
});

test('without --json the run says whether and when it got there', () => {
  const r = train(
    learnable,
    '--until',
    '95',
    '--eval-every',
    '50',
    '--epochs',
    '20',
    '--batch',
    '10',
    '--lr',
    '0.01',
    '--schedule',
    'constant',
  );
  assert.equal(r.code, 0);
  assert.match(r.stdout, /\nreached 95\.00% test accuracy after \d+\.\d s of training \(\d+ samples\)\n$/);
});

test('bad values are refused before training', () => {
  for (const [args, line] of [
    [['--until', '0'], '--until: 0 is out of range 1e-06..100'],
    [['--until', '101'], '--until: 101 is out of range 1e-06..100'],
    [['--until', 'most'], "--until: 'most' is not a number"],
    [['--until', '0.9', '--eval-every', '0'], '--eval-every: 0 is out of range 1..100000000'],
  ]) {
    const r = train(learnable, ...args);
    assert.equal(r.stderr, `mnist-lab: ${line}\n`, args.join(' '));
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
  }
});
