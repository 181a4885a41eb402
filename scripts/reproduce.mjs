// Reproduces the articles' results with our CLI and tests their claims.
// See scripts/reproduce.sh. Every figure here comes from a run on this machine.
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {ARTICLES, resultsMarkdown} from './results-md.mjs';
import {SYSTEMS as rows} from './systems.mjs';
import {presetKinds, writePlots} from './results-plots.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'build/native/mnist-lab');
const runs = path.join(root, 'build/reproduce');
const out = path.join(root, 'web/public/results');
fs.mkdirSync(runs, {recursive: true});
fs.mkdirSync(out, {recursive: true});
const fresh = process.env.REPRODUCE_FRESH === '1';
const only = process.env.REPRODUCE_MODELS ? process.env.REPRODUCE_MODELS.split(',') : null;

function run(args) {
  return execFileSync(cli, args, {cwd: root, encoding: 'utf8', maxBuffer: 1 << 26});
}
const jsonLines = (text) =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

const trained = new Map(); // run id -> epochs, so rows sharing a run train it once

function train(row) {
  const id = row.run || row.id;
  if (trained.has(id)) return trained.get(id);
  const epochs = trainRun(row, id);
  trained.set(id, epochs);
  return epochs;
}

function trainRun(row, id) {
  const log = path.join(runs, `${id}.jsonl`);
  const weights = path.join(runs, `${id}.mlw`);
  if (!fresh && fs.existsSync(log) && fs.existsSync(weights)) return jsonLines(fs.readFileSync(log, 'utf8'));
  if (only && !only.includes(id)) return null;
  console.log(`reproduce: training ${id} (${row.model} ${(row.args || []).join(' ')})`);
  const text = run(['train', '--model', row.model, '--seed', '1', '--json', '--save', weights, ...(row.args || [])]);
  fs.writeFileSync(log, text);
  return jsonLines(text);
}

const evalJson = (id, extra = []) =>
  JSON.parse(run(['eval', '--load', path.join(runs, `${id}.mlw`), '--json', ...extra]));

const results = {machine: {cpu: os.cpus()[0].model, cores: os.cpus().length}, date: new Date().toISOString(), rows: []};
for (const row of rows) {
  const epochs = train(row);
  if (!epochs) {
    results.rows.push({...row, article: {...ARTICLES[row.source], ...row.article}, missing: true});
    continue;
  }
  const last = epochs[epochs.length - 1];
  results.rows.push({
    ...row,
    article: {...ARTICLES[row.source], ...row.article},
    params: last.params,
    epochs: last.epochs,
    test_accuracy: 100 * last.test_accuracy,
    test_loss: last.test_loss,
    train_seconds: last.total_train_seconds,
    curve: epochs.map((e) => 100 * e.test_accuracy),
    met:
      100 * last.test_accuracy >= row.goal &&
      (!row.fasterThanArticle || last.total_train_seconds < row.article.seconds),
  });
}

// The analyses of "MNIST: MLP vs CNN" on its MLP and CNN.
const have = (id) => fs.existsSync(path.join(runs, `${id}.mlw`));
if (have('mlp') && have('cnn')) {
  console.log('reproduce: analyses and robustness experiments on mlp and cnn');
  const mlp = evalJson('mlp'),
    cnn = evalJson('cnn');
  const mlpTrain = evalJson('mlp', ['--split', 'train']),
    cnnTrain = evalJson('cnn', ['--split', 'train']);
  const mlpWrong = new Set(mlp.misclassified),
    cnnWrong = new Set(cnn.misclassified);
  const corrected = mlp.misclassified.filter((i) => !cnnWrong.has(i)).length;
  const topConfusions = (r) => {
    const pairs = [];
    for (let a = 0; a < 10; a++)
      for (let b = a + 1; b < 10; b++) {
        pairs.push({pair: `${a}↔${b}`, count: r.confusion[a * 10 + b] + r.confusion[b * 10 + a]});
      }
    return pairs.sort((x, y) => y.count - x.count).slice(0, 5);
  };
  const sweep = (id, flag, values) =>
    values.map((v) => 100 * evalJson(id, [flag, flag === '--shift' ? `${v},0` : String(v)]).test_accuracy);
  const shifts = [0, 1, 2, 3, 4, 5, 6],
    angles = [-30, -20, -10, 0, 10, 20, 30],
    strokes = [-1, 0, 1, 2];
  results.analysis = {
    per_class: {mlp: mlp.per_class.map((x) => 100 * x), cnn: cnn.per_class.map((x) => 100 * x)},
    confusion: {mlp: mlp.confusion, cnn: cnn.confusion},
    top_confusions: {mlp: topConfusions(mlp), cnn: topConfusions(cnn)},
    errors: {
      mlp: mlpWrong.size,
      cnn: cnnWrong.size,
      cnn_corrects: corrected,
      both_wrong: mlp.misclassified.filter((i) => cnnWrong.has(i)).length,
    },
    generalisation_gap: {
      mlp: 100 * (mlpTrain.test_accuracy - mlp.test_accuracy),
      cnn: 100 * (cnnTrain.test_accuracy - cnn.test_accuracy),
    },
    train_accuracy: {mlp: 100 * mlpTrain.test_accuracy, cnn: 100 * cnnTrain.test_accuracy},
    misclassified: {mlp: mlp.misclassified, cnn: cnn.misclassified},
    shift: {pixels: shifts, mlp: sweep('mlp', '--shift', shifts), cnn: sweep('cnn', '--shift', shifts)},
    rotation: {degrees: angles, mlp: sweep('mlp', '--rotate', angles), cnn: sweep('cnn', '--rotate', angles)},
    stroke: {steps: strokes, mlp: sweep('mlp', '--stroke', strokes), cnn: sweep('cnn', '--stroke', strokes)},
  };
}
const done = results.rows.filter((r) => !r.missing);

// Epochs to convergence (Yuming's report: the CNN converges 5x faster than the MLP).
// For each MLP/CNN pair, the epochs each needs to first reach a test accuracy
// level: 97%, and the MLP's own best minus 0.1 points.
const byId = Object.fromEntries(done.map((r) => [r.id, r]));
const firstEpoch = (curve, level) => {
  const i = curve.findIndex((acc) => acc >= level);
  return i < 0 ? null : i + 1;
};
results.convergence = [
  ['mlp', 'cnn'],
  ['mlp-128-sgd', 'lenet5'],
]
  .filter(([a, b]) => byId[a] && byId[b])
  .flatMap(([a, b]) => {
    const best = Math.max(...byId[a].curve);
    return [97, Math.floor(10 * (best - 0.1)) / 10].map((level) => {
      const ea = firstEpoch(byId[a].curve, level),
        eb = firstEpoch(byId[b].curve, level);
      return {mlp: a, cnn: b, level, mlp_epochs: ea, cnn_epochs: eb, speedup: ea && eb ? ea / eb : null};
    });
  });
writePlots(results, out, presetKinds(cli));
fs.writeFileSync(path.join(out, 'results.json'), `${JSON.stringify(results, null, 1)}\n`);

const timingsFile = path.join(out, 'time-to-accuracy.json');
const timings = fs.existsSync(timingsFile) ? JSON.parse(fs.readFileSync(timingsFile, 'utf8')) : null;
fs.writeFileSync(path.join(root, 'RESULTS.md'), resultsMarkdown(results, timings));
console.log('reproduce: wrote RESULTS.md and web/public/results/');
