// The page's training runs share the cores (web/src/model/training.js): each threaded worker is
// told how many runs go on (Request.SHARE_CORES) before its own run's first batch, again whenever
// that number changes, and afresh after its worker restarted; a single-thread worker is never told.
// Stand-in slots record the requests; the worker's side (the threads it then uses) is
// tests/e2e/threads.test.mjs.
import assert from 'node:assert/strict';
import {register} from 'node:module';
import {before, describe, test} from 'node:test';

import {Notice, Reply, Request} from '../../web/src/protocol.js';

// Vite's `?url` and `?worker&url` imports give URLs; node is given stand-ins.
register(
  `data:text/javascript,${encodeURIComponent(`
export async function load(url, context, next) {
  if (/\\?(worker&)?url$/.test(url)) return {format: 'module', source: 'export default "stand-in";', shortCircuit: true};
  return next(url, context);
}`)}`,
);

let Training, Emitter;
before(async () => {
  ({Training} = await import('../../web/src/model/training.js'));
  ({Emitter} = await import('../../web/src/model/emitter.js'));
});

/** A slot whose worker runs `engine` and answers SHARE_CORES as the worker does. */
function standInSlot(name, engine) {
  const slot = new Emitter();
  Object.assign(slot, {name, engine, training: null, asked: [], heard: {}});
  slot.listen = (type, fn) => {
    slot.heard[type] = fn; // the worker's notices, as the test sends them
  };
  slot.client = {
    request(type, payload) {
      assert.equal(type, Request.SHARE_CORES);
      slot.asked.push(payload.among);
      const threads = slot.engine.threaded ? Math.max(1, Math.floor(slot.engine.threads / payload.among)) : 1;
      return Promise.resolve({type: Reply.CORES_SHARED, threads});
    },
  };
  return slot;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('sharing the cores between runs', () => {
  test('each threaded worker learns how many runs go on, only when that changes', async () => {
    const mlp = standInSlot('mlp', {threaded: true, threads: 2});
    const cnn = standInSlot('cnn', {threaded: true, threads: 2});
    const training = new Training({slots: {mlp, cnn}, ensureData: async () => {}, save: async () => {}});
    const cores = [];
    training.on('cores', (d) => cores.push(d));

    mlp.training = {state: 'preparing'};
    training.emit('training', {slot: 'mlp'});
    await settle();
    assert.deepEqual(mlp.asked, [1], 'one run: all the threads');
    assert.deepEqual(cnn.asked, [1]);
    assert.deepEqual([mlp.engine.inUse, cnn.engine.inUse], [2, 2]);

    cnn.training = {state: 'preparing'};
    training.emit('training', {slot: 'cnn'});
    mlp.training.state = 'running';
    training.emit('training', {slot: 'mlp'}); // the same two runs: nothing new to say
    await settle();
    assert.deepEqual(mlp.asked, [1, 2], 'two runs: one thread each');
    assert.deepEqual(cnn.asked, [1, 2]);
    assert.deepEqual([mlp.engine.inUse, cnn.engine.inUse], [1, 1]);
    assert.deepEqual(cores.at(-1), {slot: 'cnn', threads: 1});

    mlp.training.state = 'paused';
    training.emit('training', {slot: 'mlp'});
    await settle();
    assert.deepEqual(cnn.asked, [1, 2, 1], 'a paused run gives its share back');

    mlp.training.state = 'running';
    training.emit('training', {slot: 'mlp'});
    cnn.training = null;
    training.emit('ended', {slot: 'cnn'});
    await settle();
    assert.deepEqual(mlp.asked, [1, 2, 1, 2, 1], 'on again, then the other run ended');
    assert.deepEqual(cnn.asked, [1, 2, 1, 2, 1]);
  });

  test('a single-thread worker is never told; a restarted worker is told afresh', async () => {
    const mlp = standInSlot('mlp', {threaded: false, threads: 1});
    const cnn = standInSlot('cnn', {threaded: true, threads: 4});
    const training = new Training({slots: {mlp, cnn}, ensureData: async () => {}, save: async () => {}});
    mlp.training = {state: 'running'};
    cnn.training = {state: 'running'};
    training.emit('training', {slot: 'cnn'});
    await settle();
    assert.deepEqual(mlp.asked, []);
    assert.deepEqual(cnn.asked, [2]);
    assert.equal(cnn.engine.inUse, 2, '4 threads, two runs: 2 each');
    // A worker that is ready again (its engine info is new) starts with all its threads.
    cnn.engine = {threaded: true, threads: 4};
    cnn.emit('model', {slot: 'cnn'});
    await settle();
    assert.deepEqual(cnn.asked, [2, 2]);
  });

  test('a fine-tune shares the cores as a run does, and its tuner is shown', async () => {
    const mlp = standInSlot('mlp', {threaded: true, threads: 2});
    const cnn = standInSlot('cnn', {threaded: true, threads: 2});
    const fineTuning = new Set();
    const training = new Training({
      slots: {mlp, cnn},
      ensureData: async () => {},
      save: async () => {},
      busyElsewhere: (slot) => fineTuning.has(slot.name),
    });
    const cores = [];
    training.on('cores', (d) => cores.push(d));

    fineTuning.add('mlp');
    fineTuning.add('cnn');
    training.shareCores();
    await settle();
    assert.deepEqual(mlp.asked, [2], 'two fine-tunes: one thread each');
    assert.deepEqual(cnn.asked, [2]);
    assert.deepEqual([mlp.engine.inUse, cnn.engine.inUse], [1, 1]);

    fineTuning.delete('cnn');
    training.shareCores();
    await settle();
    assert.deepEqual(mlp.asked, [2, 1], 'one left: it has them all');
    assert.deepEqual(cnn.asked, [2, 1]);
    mlp.heard[Notice.FINETUNE_PROGRESS]({step: 10, threads: 1}); // its tuner measured one faster
    assert.equal(mlp.engine.inUse, 1);
    assert.deepEqual(cores.at(-1), {slot: 'mlp', threads: 1});

    fineTuning.delete('mlp');
    training.shareCores();
    await settle();
    assert.equal(mlp.engine.inUse, 2, 'once it ended, its worker has its share again');
    assert.deepEqual(cores.at(-1), {slot: 'mlp', threads: 2});
    assert.deepEqual(mlp.asked, [2, 1], 'the number of runs did not change: nothing to ask');
  });
});
