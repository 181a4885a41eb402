// The page's end of a model worker (web/src/worker-client.js) in node: a stand-in
// Worker records what the client sends, and the test answers as a worker would.
// Each request resolves only with the reply protocol.js names for it.
import assert from 'node:assert/strict';
import {register} from 'node:module';
import {before, describe, test} from 'node:test';

import {Reply, Request} from '../../web/src/protocol.js';

// Vite's `?worker&url` import gives the worker script's URL; node is given a stand-in.
register(
  `data:text/javascript,${encodeURIComponent(`
export async function load(url, context, next) {
  if (url.endsWith('?worker&url')) return {format: 'module', source: 'export default "worker.js";', shortCircuit: true};
  return next(url, context);
}`)}`,
);

class StandInWorker {
  constructor() {
    this.sent = [];
  }
  postMessage(message) {
    this.sent.push(message);
  }
  terminate() {}
}

let WorkerClient;
before(async () => {
  globalThis.Worker = StandInWorker;
  ({WorkerClient} = await import('../../web/src/worker-client.js'));
});

/** A client whose worker has started, and a function that answers its last request. */
async function started() {
  const client = new WorkerClient('test', {module: Promise.resolve(/** @type {any} */ ({}))});
  const worker = client.worker;
  const receive = (data) => worker.onmessage({data});
  receive({type: Reply.READY, presets: [], defaults: {lr: 0.003}, engine: {threaded: false, threads: 1}});
  await client.ready;
  const answer = (reply) => receive({id: worker.sent.at(-1).id, ...reply});
  return {client, worker, answer};
}

describe('worker client', () => {
  test('keeps what the worker said when it started', async () => {
    const {client} = await started();
    assert.deepEqual(client.defaults, {lr: 0.003});
    assert.deepEqual(client.presets, []);
  });

  test('a reply of the type named for the request resolves it', async () => {
    const {client, worker, answer} = await started();
    const pending = client.request(Request.EXPORT_WEIGHTS, {half: false});
    assert.deepEqual(worker.sent.at(-1), {type: Request.EXPORT_WEIGHTS, id: 1, half: false});
    const bytes = new Uint8Array(3);
    answer({type: Reply.WEIGHTS, bytes});
    assert.equal((await pending).bytes, bytes);
  });

  test('a reply of another type is an error, not a result', async () => {
    const {client, answer} = await started();
    const pending = client.request(Request.EXPORT_WEIGHTS, {half: false});
    answer({type: Reply.MODEL, info: {spec: 'dense(10)', params: 7850, layers: []}});
    await assert.rejects(pending, /^Error: the engine answered 'model' to 'exportWeights'$/);
    const labels = client.request(Request.TEST_LABELS);
    answer({type: Reply.IMAGES, indices: [], pixels: new Uint8Array(0), labels: new Uint8Array(0)});
    await assert.rejects(labels, /answered 'images' to 'testLabels'/);
  });

  test("the worker's error rejects with its message; a request with no reply is refused unsent", async () => {
    const {client, worker, answer} = await started();
    const pending = client.request(Request.EVALUATE, {split: 'test'});
    answer({type: Reply.ERROR, message: 'no test data loaded'});
    await assert.rejects(pending, /^Error: no test data loaded$/);
    const sent = worker.sent.length;
    await assert.rejects(
      client.request(/** @type {any} */ ('predictMany'), {}),
      /'predictMany' is not a request that gets a reply/,
    );
    assert.equal(worker.sent.length, sent);
  });
});
