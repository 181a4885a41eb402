// Time to the article's accuracy: for every system whose article gives a training
// time, trains its preset natively on one thread with `mnist-lab train --until ACC`
// (the full test set evaluated every --eval-every samples, evaluations not timed) and
// records how long training took to reach the article's accuracy, beside the article's
// time. Writes web/public/results/time-to-accuracy.json and rewrites RESULTS.md (its
// "Time to the article's accuracy" section). Slow: minutes per row on a quiet machine.
// Usage: node scripts/time-to-accuracy.mjs [--only id,id] [--seed S] [--eval-every N]
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';

import {ARTICLES, resultsMarkdown} from './results-md.mjs';
import {SYSTEMS} from './systems.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'build/native/mnist-lab');
const out = path.join(root, 'web/public/results/time-to-accuracy.json');
const {values: opts} = parseArgs({
  options: {
    only: {type: 'string'},
    seed: {type: 'string', default: '1'},
    'eval-every': {type: 'string', default: '10000'},
  },
});
const only = opts.only ? opts.only.split(',') : null;
if (!fs.existsSync(cli)) {
  console.error('time-to-accuracy: build/native/mnist-lab is missing (npm run build)');
  process.exit(2);
}

// Rows kept from an earlier run, replaced one by one by this run's.
const previous = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')).rows : [];
const rows = [];
for (const system of SYSTEMS.filter((s) => s.article.seconds)) {
  if (only && !only.includes(system.id)) {
    const kept = previous.find((r) => r.id === system.id);
    if (kept) rows.push(kept);
    continue;
  }
  const args = ['train', '--model', system.model, ...(system.args || []), '--seed', opts.seed, '--threads', '1'];
  args.push('--until', String(system.article.acc), '--eval-every', opts['eval-every'], '--json');
  console.log(`time-to-accuracy: mnist-lab ${args.join(' ')}`);
  const lines = execFileSync(cli, args, {cwd: root, encoding: 'utf8', maxBuffer: 1 << 26})
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const last = lines.at(-1);
  rows.push({
    id: system.id,
    system: system.system,
    article: {...ARTICLES[system.source], ...system.article},
    command: `mnist-lab ${args.join(' ')}`,
    reached: last.reached,
    test_accuracy: 100 * last.test_accuracy,
    train_seconds: last.total_train_seconds,
    samples: last.samples,
    met: last.reached && last.total_train_seconds <= system.article.seconds,
  });
  const r = rows.at(-1);
  console.log(
    `time-to-accuracy: ${system.id} ${r.reached ? 'reached' : 'did not reach'} ${system.article.acc}% ` +
      `(${r.test_accuracy.toFixed(2)}%) after ${r.train_seconds.toFixed(1)} s of training; article ${system.article.seconds} s`,
  );
}
const result = {
  date: new Date().toISOString(),
  machine: {cpu: os.cpus()[0].model, cores: os.cpus().length, load_average: os.loadavg()},
  seed: Number(opts.seed),
  eval_every: Number(opts['eval-every']),
  rows,
};
fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
const results = JSON.parse(fs.readFileSync(path.join(root, 'web/public/results/results.json'), 'utf8'));
fs.writeFileSync(path.join(root, 'RESULTS.md'), resultsMarkdown(results, result));
console.log(`time-to-accuracy: wrote ${path.relative(root, out)} and RESULTS.md`);
