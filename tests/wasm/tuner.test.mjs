// The thread tuner of a training run (web/src/engine/tuner.js): it tries the run's share of the
// threads against one, taking turns, trains at the faster, measures again after a while or when
// the share changes, and never asks for more than the share. Fed with made-up chunk times.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';

import {ThreadTuner} from '../../web/src/engine/tuner.js';

/**
 * Runs `chunks` chunks of 40 ms of wall time each through the tuner, with ms per step given by
 * msPerStep(threads, chunk), a share of `most` (or most(chunk)); -> the thread counts asked for.
 */
function drive(tuner, chunks, msPerStep, most = 2, start = 0) {
  const asked = [];
  let now = start;
  for (let c = 0; c < chunks; c++) {
    const share = typeof most === 'function' ? most(c) : most;
    const threads = tuner.next(share, now);
    assert.ok(threads >= 1 && threads <= share, `chunk ${c}: ${threads} threads of a share of ${share}`);
    asked.push(threads);
    now += 40;
    tuner.record(threads, msPerStep(threads, c), now);
  }
  return asked;
}

describe('thread tuner', () => {
  test('where two threads are faster it warms up on them, tries both taking turns, then trains on two', () => {
    const tuner = new ThreadTuner({warmupMs: 100, rounds: 3, retuneMs: 1e9});
    const asked = drive(tuner, 14, (t) => (t === 2 ? 1.1 : 2.0));
    // 100 ms of warm-up: the chunks starting at 0, 40 and 80 ms.
    assert.deepEqual(asked, [2, 2, 2, 2, 1, 1, 2, 2, 1, 2, 2, 2, 2, 2]);
    assert.deepEqual(tuner.last, {share: 1.1, one: 2.0});
  });

  test('where one thread is clearly faster (a busy machine) it trains on one, by the median', () => {
    const tuner = new ThreadTuner({warmupMs: 0, rounds: 3, margin: 0.05, retuneMs: 1e9});
    // One chunk at one thread is an outlier (another tab woke up): the median ignores it.
    const slow = (t, c) => (t === 2 ? 1.2 : c === 1 ? 9 : 1.0);
    const asked = drive(tuner, 10, slow);
    assert.deepEqual(asked, [2, 1, 1, 2, 2, 1, 1, 1, 1, 1]);
    assert.deepEqual(tuner.last, {share: 1.2, one: 1.0});
  });

  test('one thread only a little faster (within the margin, noise) keeps the share', () => {
    const tuner = new ThreadTuner({warmupMs: 0, rounds: 2, margin: 0.05, retuneMs: 1e9});
    const asked = drive(tuner, 6, (t) => (t === 2 ? 1.0 : 0.97));
    assert.deepEqual(asked.slice(4), [2, 2]);
  });

  test('it measures again once its choice is old, and follows the machine', () => {
    const tuner = new ThreadTuner({warmupMs: 0, rounds: 2, retuneMs: 1000});
    // Busy for the first 2 s (one thread faster), quiet afterwards (two faster).
    const asked = drive(tuner, 120, (t, c) => (c < 50 ? (t === 2 ? 3 : 2) : t === 2 ? 1 : 2));
    assert.equal(asked[10], 1, 'busy: one thread');
    assert.equal(asked.at(-1), 2, 'quiet again: two threads');
    assert.deepEqual(tuner.last, {share: 1, one: 2});
  });

  test('a new share starts a new trial, without a second warm-up; a share of one needs none', () => {
    const tuner = new ThreadTuner({warmupMs: 40, rounds: 2, retuneMs: 1e9});
    // Two threads, then a second run takes half the cores (a share of 1), then it ends (4 threads).
    const most = (c) => (c < 10 ? 2 : c < 20 ? 1 : 4);
    const asked = drive(tuner, 26, (t) => 4 / t, most);
    assert.deepEqual(asked.slice(0, 6), [2, 2, 1, 1, 2, 2]);
    assert.deepEqual(asked.slice(10, 20), new Array(10).fill(1));
    assert.deepEqual(asked.slice(20), [4, 1, 1, 4, 4, 4], 'the new share is tried against one');
  });

  test('a chunk it did not ask for (a step while paused, a share changed meanwhile) is not counted', () => {
    const tuner = new ThreadTuner({warmupMs: 0, rounds: 1, retuneMs: 1e9});
    assert.equal(tuner.next(2, 0), 2);
    tuner.record(1, 100, 10); // not the count it asked for: ignored, and the trial goes on
    assert.equal(tuner.next(2, 10), 2);
    tuner.record(2, 1, 20);
    assert.equal(tuner.next(2, 20), 1);
    tuner.record(1, Number.NaN, 30); // no time measured: the trial ends without a verdict
    assert.equal(tuner.last, null);
    assert.equal(tuner.next(2, 40), 2, 'without a verdict, the share');
  });
});
