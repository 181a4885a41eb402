// mnist-lab's command line (read by CLI11): help on stdout with exit code 0, and
// every mistake in the arguments as exactly one line on stderr with exit code 2,
// never CLI11's own help-on-error.
import {spawnSync} from 'node:child_process';
import {test} from 'node:test';
import assert from 'node:assert/strict';

import {cli} from './support.mjs';

function run(...args) {
  const r = spawnSync(cli, args, {encoding: 'utf8', timeout: 60000});
  return {code: r.status, stdout: r.stdout, stderr: r.stderr};
}

test('--help or -h, anywhere, prints the help of the command named and exits 0', () => {
  for (const args of [['--help'], ['-h'], ['bogus', '--help']]) {
    const r = run(...args);
    assert.equal(r.code, 0, args.join(' '));
    assert.equal(r.stderr, '');
    for (const command of ['presets', 'layers', 'train', 'eval', 'convert'])
      assert.match(r.stdout, new RegExp(`\\n  ${command} `));
  }
  const train = run('train', '--model', 'mlp', '--help');
  assert.equal(train.code, 0);
  assert.match(train.stdout, /Usage: mnist-lab train/);
  for (const option of ['--model', '--epochs', '--until', '--eval-every', '--threads', '--json'])
    assert.ok(train.stdout.includes(option), option);
  assert.match(run('eval', '-h').stdout, /--shift DX,DY/);
});

test('each mistake in the arguments is one line on stderr and exit code 2', () => {
  for (const [args, line] of [
    [['bogus'], "unknown command 'bogus' (use presets, layers, train, eval or convert)"],
    [['--json'], "unknown command '--json' (use presets, layers, train, eval or convert)"],
    [['train', '--colour=red'], "unknown option --colour for 'train'"],
    [['presets', 'extra'], "unexpected argument 'extra'"],
    [['train', '-x'], "unexpected argument '-x'"],
    [['layers', '--json=1'], '--json takes no value'],
    [['presets', '--json', '--json'], '--json is given twice'],
    [['train', '--save'], '--save needs a value'],
    [['train', '--save', '--json'], '--save needs a value'],
    [['eval', '--load='], '--load needs a value, not an empty string'],
    [['train', '--model', 'dense(10)', '--epochs', '-1'], '--epochs: -1 is out of range 1..1000'],
    [['train', '--model', 'dense(10)', '--lr=-0.5'], '--lr: -0.5 is out of range 1e-07..10'],
    [['eval', '--load', 'missing.mlw', '--shift', '-3,0'], 'missing.mlw: cannot open (No such file or directory)'],
  ]) {
    const r = run(...args);
    assert.equal(r.stderr, `mnist-lab: ${line}\n`, args.join(' '));
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
  }
});
