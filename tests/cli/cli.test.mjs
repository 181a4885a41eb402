// The mnist-lab command used wrongly: every bad input gets exit code 2 and one
// line on stderr, before any training, and nothing on disk is lost or left behind.
// Each test makes its own tiny IDX files (200 training and 50 test images), so a
// training run takes a fraction of a second. MNIST_LAB (optional) runs another
// build of the command.
import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';

import {cli, idx} from './support.mjs';

let dir; // a fresh folder per test
let data; // the tiny data set, shared
const made = []; // every folder made, removed at the end

function writeData(folder, nTrain = 200, nTest = 50) {
  fs.mkdirSync(folder, {recursive: true});
  let x = 12345;
  const pixels = (n) =>
    Buffer.from(
      Array.from({length: n * 784}, () => {
        x = (x * 1103515245 + 12345) >>> 0;
        return x >>> 24;
      }),
    );
  const labels = (n) => Buffer.from(Array.from({length: n}, (_, i) => i % 10));
  fs.writeFileSync(path.join(folder, 'train-images-idx3-ubyte'), idx([nTrain, 28, 28], pixels(nTrain)));
  fs.writeFileSync(path.join(folder, 'train-labels-idx1-ubyte'), idx([nTrain], labels(nTrain)));
  fs.writeFileSync(path.join(folder, 't10k-images-idx3-ubyte'), idx([nTest, 28, 28], pixels(nTest)));
  fs.writeFileSync(path.join(folder, 't10k-labels-idx1-ubyte'), idx([nTest], labels(nTest)));
}

function run(...args) {
  const r = spawnSync(cli, args, {cwd: dir, encoding: 'utf8', timeout: 60000});
  return {code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr};
}

// run() with at most `bytes` of address space (prlimit), where a build that got
// the test wrong would otherwise allocate its way into the machine's memory.
function runWithin(bytes, ...args) {
  const r = spawnSync('prlimit', [`--as=${bytes}`, cli, ...args], {cwd: dir, encoding: 'utf8', timeout: 60000});
  return {code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr};
}

// A run refused with exit code 2 and exactly this line on stderr, before training.
function refused(args, line) {
  const r = run(...args);
  assert.equal(r.stderr, `mnist-lab: ${line}\n`);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
}

// train with a tiny model on the tiny data set, one epoch of 100 images, unless `more` says otherwise.
function train(...more) {
  const defaults = {'--model': 'dense(10)', '--epochs': '1', '--limit': '100', '--data': data};
  const args = ['train'];
  for (const [name, value] of Object.entries(defaults)) if (!more.includes(name)) args.push(name, value);
  return [...args, ...more];
}

// Everything in `folder`, name -> {kind, content or link target}.
function snapshot(folder) {
  const out = {};
  for (const name of fs.readdirSync(folder).sort()) {
    const p = path.join(folder, name);
    const st = fs.lstatSync(p);
    out[name] = st.isSymbolicLink()
      ? {link: fs.readlinkSync(p)}
      : st.isFile()
        ? {file: fs.readFileSync(p).toString('hex')}
        : st.isFIFO()
          ? {fifo: true}
          : st.isDirectory()
            ? {dir: snapshot(p)}
            : {other: true};
  }
  return out;
}

function fnv1a64(bytes) {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  return h;
}

// A weights file as core/nn/model/serialize.h lays it out (float32).
function weightsFile(spec, values) {
  const specBytes = Buffer.from(spec, 'latin1');
  const head = Buffer.alloc(20);
  head.write('MNLABW01', 0, 'latin1');
  head.writeUInt32LE(1, 8);
  head.writeUInt32LE(0, 12);
  head.writeUInt32LE(specBytes.length, 16);
  const count = Buffer.alloc(8);
  count.writeBigUInt64LE(BigInt(values.length));
  const body = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => body.writeFloatLE(v, 4 * i));
  const all = Buffer.concat([head, specBytes, count, body]);
  const sum = Buffer.alloc(8);
  sum.writeBigUInt64LE(fnv1a64(all));
  return Buffer.concat([all, sum]);
}

before(() => {
  assert.ok(fs.existsSync(cli), `${cli} is not built (npm run build)`);
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-cli-data-'));
  writeData(data);
});
after(() => {
  for (const d of [data, ...made]) fs.rmSync(d, {recursive: true, force: true});
});

describe('mnist-lab', {concurrency: false}, () => {
  let n = 0;
  const fresh = () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `mnist-cli-${n++}-`));
    made.push(dir);
  };

  test('a tiny run trains, saves and evaluates (the fixture itself works)', () => {
    fresh();
    const r = run(...train('--save', 'w.mlw', '--json'));
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(JSON.parse(r.stdout).spec, 'dense(10)');
    assert.deepEqual(Object.keys(snapshot(dir)), ['w.mlw']);
    const e = run('eval', '--load', 'w.mlw', '--data', data, '--json');
    assert.equal(e.code, 0);
    assert.equal(JSON.parse(e.stdout).count, 50);
  });

  describe('--save writes only a regular file or a new name', () => {
    test('a device such as /dev/null stays the device', () => {
      fresh();
      // As root, a build that got this wrong would replace the device with a
      // file: the test offers it a null device of its own, never the machine's.
      // Anyone else cannot replace /dev/null, so it is safe to offer that.
      const own = path.join(dir, 'null');
      const device = spawnSync('mknod', ['-m', '666', own, 'c', '1', '3']).status === 0 ? own : '/dev/null';
      const why = 'is a device; weights are written only to a regular file or a new name';
      refused(train('--save', device), `--save ${device}: ${why}`);
      assert.ok(fs.lstatSync(device).isCharacterDevice());
      refused(['convert', '--load', writeTiny(), '--save', device], `--save ${device}: ${why}`);
      assert.ok(fs.lstatSync(device).isCharacterDevice());
    });

    test('a symlink, a FIFO and a folder are left as they were', () => {
      fresh();
      fs.writeFileSync(path.join(dir, 'target'), 'mine');
      fs.symlinkSync('target', path.join(dir, 'link'));
      fs.symlinkSync('nowhere', path.join(dir, 'dangling'));
      assert.equal(spawnSync('mkfifo', [path.join(dir, 'fifo')]).status, 0);
      fs.mkdirSync(path.join(dir, 'folder'));
      const tiny = writeTiny();
      const before = snapshot(dir);
      const why = 'weights are written only to a regular file or a new name';
      refused(train('--save', 'link'), `--save link: is a symbolic link; ${why}`);
      refused(train('--save', 'dangling'), `--save dangling: is a symbolic link; ${why}`);
      refused(train('--save', 'fifo'), `--save fifo: is a FIFO; ${why}`);
      refused(train('--save', 'folder'), `--save folder: is a folder; ${why}`);
      refused(train('--save', 'folder/'), '--save folder/: is a folder name, not a file name');
      refused(
        train('--save', 'no/such/folder/w.mlw'),
        '--save no/such/folder/w.mlw: cannot write (No such file or directory)',
      );
      refused(['convert', '--load', tiny, '--save', 'link'], `--save link: is a symbolic link; ${why}`);
      assert.deepEqual(snapshot(dir), before);
    });

    test("--save '' is refused before training", () => {
      fresh();
      refused(train('--save', ''), '--save needs a value, not an empty string');
      refused(train('--save='), '--save needs a value, not an empty string');
      assert.deepEqual(snapshot(dir), {});
    });

    test("the user's own x.mlw.tmp is not touched; no temporary file is left", () => {
      fresh();
      fs.writeFileSync(path.join(dir, 'x.mlw.tmp'), 'my notes');
      const r = run(...train('--save', 'x.mlw'));
      assert.equal(r.code, 0);
      assert.deepEqual(Object.keys(snapshot(dir)), ['x.mlw', 'x.mlw.tmp']);
      assert.equal(fs.readFileSync(path.join(dir, 'x.mlw.tmp'), 'utf8'), 'my notes');
      const c = run('convert', '--load', 'x.mlw', '--save', 'x.mlw', '--half');
      assert.equal(c.code, 0);
      assert.deepEqual(Object.keys(snapshot(dir)), ['x.mlw', 'x.mlw.tmp']);
    });

    test('a replaced file keeps its permissions', () => {
      fresh();
      const p = path.join(dir, 'w.mlw');
      fs.writeFileSync(p, 'old');
      fs.chmodSync(p, 0o640);
      assert.equal(run(...train('--save', 'w.mlw')).code, 0);
      assert.equal(fs.statSync(p).mode & 0o777, 0o640);
      assert.notEqual(fs.readFileSync(p, 'latin1'), 'old');
    });
  });

  describe('a signal while the weights are written leaves no temporary file', () => {
    for (const signal of ['SIGTERM', 'SIGINT']) {
      for (const existing of [false, true]) {
        test(`${signal}, ${existing ? 'over an existing file' : 'to a new name'}`, async () => {
          fresh();
          const target = path.join(dir, 'w.mlw');
          if (existing) fs.writeFileSync(target, 'previous weights');
          const before = snapshot(dir);
          // MNIST_LAB_HOLD_TEMP: the command stops once the temporary file is
          // complete, says so, and waits for the signal there.
          const child = spawn(cli, train('--save', 'w.mlw'), {
            cwd: dir,
            env: {...process.env, MNIST_LAB_HOLD_TEMP: '1'},
          });
          let stderr = '';
          const ended = new Promise((resolve) => child.on('exit', (code, sig) => resolve({code, sig})));
          const held = new Promise((resolve, reject) => {
            child.stderr.on('data', (d) => {
              stderr += d;
              const m = /^mnist-lab: holding (.*)\n/.exec(stderr);
              if (m) resolve(m[1]);
            });
            ended.then(() => reject(new Error(`ended without holding its temporary file: ${stderr}`)));
          });
          const temp = await held;
          assert.match(path.basename(temp), /^w\.mlw\.tmp-.{6}$/);
          assert.ok(fs.statSync(path.join(dir, path.basename(temp))).size > 7850 * 4);
          child.kill(signal);
          const end = await ended;
          assert.deepEqual(end, {code: null, sig: signal});
          assert.deepEqual(snapshot(dir), before);
        });
      }
    }
  });

  describe('a model that cannot fit in memory is refused with the estimate and the limit', () => {
    // The limit is 3/4 of the memory the process may have; with 4 GB of address
    // space (prlimit), 3 GB on any machine.
    test('train', () => {
      fresh();
      const spec = 'conv(1024,1,same)-conv(1024,3,same)-flatten-dense(10)';
      const r = runWithin(4e9, 'train', '--model', spec, '--batch', '4096', '--data', data, '--save', 'w.mlw');
      assert.equal(
        r.stderr,
        'mnist-lab: this model at batch 4096 needs about 70.8 GB of memory (weights, gradients, ' +
          'optimizer state, activations and scratch), over the limit of 3.0 GB; use a smaller batch or a smaller model\n',
      );
      assert.equal(r.code, 2);
      assert.deepEqual(snapshot(dir), {});
    });

    test('eval of a file whose few weights need large activations', () => {
      fresh();
      // 40970 parameters, but eleven 1024x28x28 outputs per image of a batch of 64.
      const spec = `conv(1024,3,same)${'-bn-dropout(0.5)'.repeat(5)}-pool(28)-dense(10)`;
      fs.writeFileSync(path.join(dir, 'wide.mlw'), weightsFile(spec, new Array(40970).fill(0)));
      const r = runWithin(2e9, 'eval', '--load', 'wide.mlw', '--data', data);
      assert.match(
        r.stderr,
        /^mnist-lab: this model at batch 64 needs about \d\.\d GB of memory .*, over the limit of 1\.5 GB; use a smaller batch or a smaller model\n$/,
      );
      assert.equal(r.code, 2);
    });
  });

  describe('specs', () => {
    test('whatever a spec prints parses back: dropout(0.9999999) trains, saves, evaluates and converts', () => {
      fresh();
      const r = run(...train('--model', 'dense(32)-relu-dropout(0.9999999)-dense(10)', '--save', 'w.mlw', '--json'));
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).spec, 'dense(32)-relu-dropout(0.9999999)-dense(10)');
      const e = run('eval', '--load', 'w.mlw', '--data', data, '--json');
      assert.equal(e.stderr, '');
      assert.equal(JSON.parse(e.stdout).model, 'dense(32)-relu-dropout(0.9999999)-dense(10)');
      assert.equal(run('convert', '--load', 'w.mlw', '--save', 'v.mlw').code, 0);
    });

    test('names in any case, spaces before the parentheses, rates in exponent notation', () => {
      fresh();
      for (const [given, canonical] of [
        ['conv (4,3)-relu-dense(10)', 'conv(4,3)-relu-dense(10)'],
        ['CONV(4,3,SAME)-Pool(2)-dense(10)', 'conv(4,3,same)-pool(2)-dense(10)'],
        ['dense(16)-dropout(1e-5)-dense(10)', 'dense(16)-dropout(1e-05)-dense(10)'],
      ]) {
        const r = run(...train('--model', given, '--json'));
        assert.equal(r.stderr, '', given);
        assert.equal(JSON.parse(r.stdout).spec, canonical);
      }
    });

    test('the real problem is named', () => {
      fresh();
      refused(
        train('--model', 'conv(8,3) relu dense(10)'),
        "bad token 'conv(8,3) relu dense(10)': 'relu dense(10)' after ')' (tokens are joined by '-')",
      );
      refused(
        train('--model', 'dense(10)-relu'),
        "the last layer must be the dense(10) that gives the logits; nothing may follow it, but this spec ends with 'relu'",
      );
      refused(
        train('--model', 'dropout(1e-5-dense(10)'),
        "bad token 'dropout(1e-5-dense(10)': missing ')' before the next '('",
      );
    });
  });

  describe('weights files', () => {
    test('a tiny file whose spec declares millions of parameters is refused before anything is built', () => {
      fresh();
      // 58 bytes, and a spec of 31.8M parameters: building it would take 254 MB,
      // more than the 200 MB of address space this run is given.
      const file = weightsFile('dense(40000)-dense(10)', []);
      assert.equal(file.length, 58);
      fs.writeFileSync(path.join(dir, 'tiny.mlw'), file);
      const r = runWithin(200e6, 'eval', '--load', 'tiny.mlw', '--data', data);
      assert.equal(r.stderr, 'mnist-lab: tiny.mlw: weights file has 0 parameters but its spec needs 31800010\n');
      assert.equal(r.code, 2);
    });

    test('a spec inside a file is quoted escaped, never raw', () => {
      fresh();
      fs.writeFileSync(path.join(dir, 'evil.mlw'), weightsFile('\x1b[2J\x1b[31mdense(10)', new Array(7850).fill(0)));
      const r = run('eval', '--load', 'evil.mlw', '--data', data);
      assert.equal(
        r.stderr,
        "mnist-lab: evil.mlw: weights file holds an invalid spec: unknown layer '\\x1b[2j\\x1b[31mdense' " +
          "in token '\\x1b[2J\\x1b[31mdense(10)' (known: dense, conv, pool, avgpool, gap, relu, sigmoid, tanh, dropout, bn, flatten)\n",
      );
      assert.equal(r.code, 2);
    });

    test('--load of a folder, a FIFO, a device, a huge or a cut file is refused at once', () => {
      fresh();
      fs.mkdirSync(path.join(dir, 'folder'));
      assert.equal(spawnSync('mkfifo', [path.join(dir, 'fifo')]).status, 0);
      fs.symlinkSync('/dev/zero', path.join(dir, 'zero.mlw'));
      const huge = path.join(dir, 'huge.mlw');
      fs.writeFileSync(huge, '');
      fs.truncateSync(huge, 2 ** 31); // sparse: no disk used
      const good = weightsFile('dense(10)', new Array(7850).fill(0.5));
      fs.writeFileSync(path.join(dir, 'cut.mlw'), good.subarray(0, good.length - 100));
      refused(['eval', '--load', 'folder', '--data', data], 'folder: is a folder, not a file');
      refused(['eval', '--load', 'fifo', '--data', data], 'fifo: is a FIFO, not a file');
      refused(['convert', '--load', 'zero.mlw', '--save', 'x.mlw'], 'zero.mlw: is a device, not a file');
      refused(['eval', '--load', 'huge.mlw', '--data', data], 'huge.mlw: larger than 134225920 bytes (2147483648)');
      refused(
        ['eval', '--load', 'cut.mlw', '--data', data],
        'cut.mlw: weights file is truncated: it declares 7850 parameters',
      );
      refused(
        ['eval', '--load', 'missing.mlw', '--data', data],
        'missing.mlw: cannot open (No such file or directory)',
      );
    });
  });

  describe('IDX files', () => {
    // A data folder like `data` whose `name` is replaced by what `make` puts there.
    function dataWith(name, make) {
      const d = path.join(dir, 'data');
      writeData(d);
      fs.rmSync(path.join(d, name));
      make(path.join(d, name));
      return d;
    }

    test('a symlink to /dev/zero, a FIFO or a folder is refused before any read', () => {
      fresh();
      const zero = dataWith('train-images-idx3-ubyte', (p) => fs.symlinkSync('/dev/zero', p));
      refused(
        ['train', '--model', 'dense(10)', '--data', zero],
        `${zero}/train-images-idx3-ubyte: is a device, not a file`,
      );
      fs.rmSync(zero, {recursive: true});
      const fifo = dataWith('t10k-labels-idx1-ubyte', (p) => assert.equal(spawnSync('mkfifo', [p]).status, 0));
      refused(['eval', '--load', writeTiny(), '--data', fifo], `${fifo}/t10k-labels-idx1-ubyte: is a FIFO, not a file`);
      fs.rmSync(fifo, {recursive: true});
      const folder = dataWith('train-labels-idx1-ubyte', (p) => fs.mkdirSync(p));
      refused(
        ['train', '--model', 'dense(10)', '--data', folder],
        `${folder}/train-labels-idx1-ubyte: is a folder, not a file`,
      );
    });

    test("the header is checked against the file's size before the data is read", () => {
      fresh();
      // 10 images declared, 2 GB present (sparse): refused from the header alone.
      const d = dataWith('train-images-idx3-ubyte', (p) => {
        fs.writeFileSync(p, idx([10, 28, 28], Buffer.alloc(0)));
        fs.truncateSync(p, 2 ** 31);
      });
      refused(
        ['train', '--model', 'dense(10)', '--data', d],
        `${d}/train-images-idx3-ubyte: ${2 ** 31 - 16 - 7840} unexpected trailing bytes after the declared 7840`,
      );
    });

    test('--data pointing at a file or nowhere', () => {
      fresh();
      const file = path.join(data, 'train-images-idx3-ubyte');
      refused(
        ['train', '--model', 'dense(10)', '--data', file],
        `--data: '${file}' is not a folder (it should hold the four MNIST files)`,
      );
      refused(
        ['train', '--model', 'dense(10)', '--data', 'nowhere'],
        "data folder 'nowhere' does not exist (run npm install, or pass --data DIR)",
      );
    });
  });

  describe('options', () => {
    test('bad numbers, duplicates and out-of-range values', () => {
      fresh();
      refused(train('--threads', '0'), `--threads: 0 is out of range 1..${maxThreads()}`);
      refused(train('--epochs', '1e3'), "--epochs: '1e3' is not a whole number");
      refused(train('--epochs', '0'), '--epochs: 0 is out of range 1..1000');
      refused(train('--batch', '99999999999999999999'), "--batch: '99999999999999999999' is not a whole number");
      refused(train('--lr', 'abc'), "--lr: 'abc' is not a number");
      refused(train('--lr', 'nan'), "--lr: 'nan' is not a number");
      refused([...train('--epochs', '2'), '--epochs', '3'], '--epochs is given twice');
      refused(train('--json', '--json'), '--json is given twice');
      refused([], 'missing command (presets, train, eval or convert); try --help');
      refused(
        train('--model', '\x1b[31m'),
        "unknown model '\\x1b[31m' (presets: mlp, mlp-128, mlp-32, linear, cnn, " +
          'tiny-cnn, small-cnn, strong-cnn, lenet5, wide-cnn, fast, minute; or give a layer spec such as dense(128)-relu-dense(10))',
      );
      refused(['train', '--model', 'dense(10)', '--colour'], "unknown option --colour for 'train'");
      refused(['eval'], 'eval needs --load FILE');
      refused(['convert', '--load', 'x'], 'x: cannot open (No such file or directory)');
    });

    test('a --limit beyond the data trains on all of it', () => {
      fresh();
      const r = run(...train('--limit', '100000000', '--json'));
      assert.equal(r.code, 0, r.stderr);
    });
  });

  // A valid weights file in the current folder, for commands that need one.
  function writeTiny() {
    const p = path.join(dir, 'tiny-valid.mlw');
    fs.writeFileSync(p, weightsFile('dense(10)', new Array(7850).fill(0.01)));
    return p;
  }
  function maxThreads() {
    return /1\.\.(\d+)/.exec(run(...train('--threads', '100000')).stderr)[1];
  }
});
