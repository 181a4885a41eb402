// The server npm start runs (scripts/serve.mjs over web/dist, as scripts/start.sh
// starts it): a request it cannot map to a file gets a 4xx, and the next good
// request is still answered, with COOP/COEP unless --no-isolate.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import zlib from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Starts the server with start.sh's arguments on a free port; resolves {port, exited, log, stop} once it prints its URL. */
async function startServer(extra = []) {
  const child = spawn(process.execPath, ['scripts/serve.mjs', '--port', '0', '--isolate', ...extra], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({code, signal})));
  const port = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      log += d;
      const m = /http:\/\/localhost:(\d+)\//.exec(log);
      if (m) resolve(Number(m[1]));
    });
    child.stderr.on('data', (d) => (log += d));
    exited.then(({code}) => reject(new Error(`server exited with ${code} before serving:\n${log}`)));
  });
  return {port, exited, log: () => log, stop: () => child.kill()};
}

const DECODE = {gzip: zlib.gunzipSync, br: zlib.brotliDecompressSync, deflate: zlib.inflateSync};

/** A raw GET of `target` exactly as written (no client-side normalising), as a browser asks: {status, headers, body (bytes)}. */
function getBytes(port, target) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {host: '127.0.0.1', port, path: target, method: 'GET', headers: {'accept-encoding': 'gzip, deflate, br'}},
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        // What the browser sees: the body after undoing any Content-Encoding.
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            headers: res.headers,
            body: (DECODE[res.headers['content-encoding']] ?? ((b) => b))(Buffer.concat(chunks)),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const get = async (port, target) => {
  const res = await getBytes(port, target);
  return {...res, body: res.body.toString()};
};

const BAD = [
  '/%00',
  '/%E0%A4%A',
  '/%E0%A4%A.html',
  '/..%2f..%2fetc/passwd',
  '/../../etc/passwd',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/assets/%00.js',
  `/${'a'.repeat(20000)}`,
  `/?${'q='.repeat(10000)}x%`,
];

const indexHtml = () => fs.readFileSync(path.join(root, 'web/dist/index.html'), 'utf8');

describe('npm start serving web/dist (cross-origin isolated)', () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(() => server?.stop());

  for (const target of BAD) {
    test(`a bad request (${target.slice(0, 40)}${target.length > 40 ? '…' : ''}) gets a 4xx and the server goes on`, async () => {
      const bad = await get(server.port, target);
      assert.ok(bad.status >= 400 && bad.status < 500, `status ${bad.status} for ${target.slice(0, 60)}`);
      assert.ok(!bad.body.includes('root:'), 'nothing outside the site is served');
      const good = await get(server.port, '/');
      assert.equal(good.status, 200);
      assert.equal(good.body, indexHtml());
      assert.match(good.headers['content-type'], /^text\/html/);
      assert.equal(good.headers['cross-origin-opener-policy'], 'same-origin');
      assert.equal(good.headers['cross-origin-embedder-policy'], 'require-corp');
    });
  }

  test('the site is served with the types and headers the page needs', async () => {
    const html = await get(server.port, '/index.html');
    assert.equal(html.status, 200);
    const wasm = /src="\.\/(assets\/[^"]+\.js)"/.exec(html.body)[1];
    const js = await get(server.port, `/${wasm}`);
    assert.equal(js.status, 200);
    assert.match(js.headers['content-type'], /javascript/);
    assert.equal(js.headers['cross-origin-embedder-policy'], 'require-corp');
    // Files named by their content's hash are kept; the page and the weights are asked again.
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(html.headers['cache-control'], 'no-cache');
    const weights = await get(server.port, '/weights/mlp.mlw');
    assert.equal(weights.status, 200);
    assert.equal(weights.headers['cache-control'], 'no-cache');
    // The page inflates the digits itself: the .gz files go out as bytes, not as an encoding.
    const digits = await getBytes(server.port, '/data/t10k-labels-idx1-ubyte.gz');
    assert.equal(digits.status, 200);
    assert.deepEqual(digits.body, fs.readFileSync(path.join(root, 'web/dist/data/t10k-labels-idx1-ubyte.gz')));
    const missing = await get(server.port, '/no-such-file.js');
    assert.equal(missing.status, 404);
  });

  test('after every bad request the server is still running', async () => {
    const state = await Promise.race([server.exited, new Promise((r) => setImmediate(() => r('running')))]);
    assert.equal(state, 'running', server.log());
  });
});

describe('npm start -- --no-isolate', () => {
  let server;
  before(async () => {
    server = await startServer(['--no-isolate']);
  });
  after(() => server?.stop());

  test('serves the page without COOP/COEP, and survives a bad request', async () => {
    assert.ok((await get(server.port, '/%00')).status >= 400);
    const good = await get(server.port, '/');
    assert.equal(good.status, 200);
    assert.equal(good.body, indexHtml());
    assert.equal(good.headers['cross-origin-opener-policy'], undefined);
    assert.equal(good.headers['cross-origin-embedder-policy'], undefined);
  });
});

/** Runs the server with `args` and env, expecting it to refuse: {code, stderr}. */
function refused(args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/serve.mjs', ...args], {
      cwd: root,
      env: {...process.env, ...env},
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({code, stderr}));
    // One that starts after all is stopped, so a wrong expectation fails instead of hanging.
    child.stdout.on('data', () => child.kill());
  });
}

describe('npm start with a bad port or folder', () => {
  test('a port that is not a number: one line saying so, exit 2', async () => {
    for (const [args, env] of [[['--port', 'abc']], [[], {PORT: '99999'}], [['--port=-1']]]) {
      const {code, stderr} = await refused(args, env);
      assert.equal(code, 2, stderr);
      assert.match(stderr, /^serve: the port must be a whole number from 1 to 65535/);
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
    }
  });

  test('a port in use: one line saying so, exit 2; the server on it goes on', async () => {
    const first = await startServer();
    try {
      const {code, stderr} = await refused(['--port', String(first.port)]);
      assert.equal(code, 2, stderr);
      assert.equal(stderr.trim(), `serve: Port ${first.port} is already in use`);
      assert.equal((await get(first.port, '/')).status, 200);
    } finally {
      first.stop();
    }
  });

  test('a folder that is not there: one line saying so, exit 2', async () => {
    const {code, stderr} = await refused(['--dir', '/no/such/folder', '--port', '0']);
    assert.equal(code, 2, stderr);
    assert.equal(stderr.trim(), 'serve: /no/such/folder is not a folder');
  });
});
