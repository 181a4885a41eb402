// The SVG plots of the reproduced results (web/public/results/*.svg, shown by the page
// and RESULTS.md), drawn from results.json: scripts/reproduce.mjs calls writePlots after
// its runs, and `node scripts/results-plots.mjs` redraws them from the committed
// results.json without training anything (it needs build/native/mnist-lab for the
// presets' layer specs, which say which kind of network each one is).
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {linePlot, scatterPlot} from './svg-plot.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** preset name -> 'cnn' (has a convolution), 'linear' (one dense layer) or 'mlp', from `mnist-lab presets --json`. */
export function presetKinds(cli = path.join(root, 'build/native/mnist-lab')) {
  const presets = execFileSync(cli, ['presets', '--json'], {encoding: 'utf8'})
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const kind = (spec) =>
    spec.includes('conv(')
      ? 'cnn'
      : spec.split('-').filter((t) => t.startsWith('dense(')).length > 1
        ? 'mlp'
        : 'linear';
  return new Map(presets.map((p) => [p.name, kind(p.spec)]));
}

/** Writes shift/rotation/stroke.svg (when results.analysis has them), params.svg and curves.svg into `out`. */
export function writePlots(results, out, kinds) {
  const write = (name, text) => fs.writeFileSync(path.join(out, `${name}.svg`), text);
  const a = results.analysis;
  // One plot per experiment: test accuracy of both networks against how far the digits were changed.
  for (const [name, what, xKey, xLabel] of [
    ['shift', 'horizontal shift', 'pixels', 'shift (pixels)'],
    ['rotation', 'rotation', 'degrees', 'rotation (degrees)'],
    ['stroke', 'stroke thickness', 'steps', 'stroke change (3×3 dilations; negative = erosions)'],
  ]) {
    if (!a?.[name]) continue;
    write(
      name,
      linePlot({
        title: `Test accuracy vs ${what}`,
        x: a[name][xKey],
        xLabel,
        yLabel: 'test accuracy (%)',
        series: [
          {name: 'MLP', kind: 'mlp', y: a[name].mlp},
          {name: 'CNN', kind: 'cnn', y: a[name].cnn},
        ],
      }),
    );
  }
  const done = results.rows.filter((r) => !r.missing);
  if (!done.length) return;
  write(
    'params',
    scatterPlot({
      title: 'Test accuracy vs parameter count',
      xLabel: 'parameters (log scale)',
      yLabel: 'test accuracy (%)',
      logX: true,
      points: done.map((r) => ({x: r.params, y: r.test_accuracy, label: r.id, kind: kinds.get(r.model)})),
    }),
  );
  write(
    'curves',
    linePlot({
      title: 'Test accuracy per epoch',
      x: null,
      xLabel: 'epoch',
      yLabel: 'test accuracy (%)',
      series: done
        .filter((r) => ['mlp', 'mlp-128-sgd', 'cnn', 'lenet5'].includes(r.id))
        .map((r) => ({name: r.id, kind: kinds.get(r.model), y: r.curve})),
    }),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = path.join(root, 'web/public/results');
  const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
  writePlots(results, out, presetKinds());
  console.log('results-plots: wrote web/public/results/*.svg');
}
