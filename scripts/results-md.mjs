// RESULTS.md from the reproduced results (web/public/results/results.json).
// scripts/reproduce.mjs writes both; `node scripts/results-md.mjs` rewrites
// RESULTS.md alone from the JSON, e.g. after a change to this text.
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

// The articles this project reproduces, by title (and author where the article names one).
export const ARTICLES = {
  'mlp-vs-cnn': {title: 'MNIST: MLP vs CNN'},
  gustaw: {title: 'From MLP to CNN. Neural Networks for MNIST Digit Recognition', author: 'Daniel Gustaw'},
  'vanilla-mlp': {title: 'Back to AI Basics: Vanilla MLP on MNIST'},
  yuming: {title: 'Simple Neural Network Implementation \u2013 Handwritten Digit Recognition', author: 'Yuming'},
  'cnn-lesson': {title: 'a lesson on convolutional networks that follows a linear classifier (untitled)'},
};

// "Daniel Gustaw, “From MLP to CNN…”" or "“MNIST: MLP vs CNN”"; untitled sources as they are described.
export function articleName(a) {
  if (!a?.title) return '—';
  const title = a.title.endsWith('(untitled)') ? a.title : `\u201c${a.title}\u201d`;
  return a.author ? `${a.author}, ${title}` : title;
}

const f2 = (x) => (x === undefined || x === null ? '—' : x.toFixed(2));
const row = (cells) => `| ${cells.join(' | ')} |\n`;
const header = (cells) => row(cells) + row(cells.map(() => '---'));

/**
 * RESULTS.md from reproduce.mjs's results and, when given, time-to-accuracy.mjs's
 * timings (web/public/results/time-to-accuracy.json).
 */
export function resultsMarkdown(results, timings = null) {
  const name = (key) => articleName(ARTICLES[key]);
  let md = '# Reproducing the articles\n\n';
  md += `Made by \`npm run reproduce\` on ${results.machine.cpu} (${results.machine.cores} cores), ${results.date.slice(0, 10)}. `;
  md +=
    'Every preset that reproduces an article (all but `fast`, the speed preset) trained natively with its default recipe (`mnist-lab presets`) and seed 1, one thread. ';
  md +=
    "Training time is our wall-clock training time on this machine (evaluation excluded), beside the article's own. ";
  md += 'The two `strong-cnn` rows are one run: its default recipe already augments (±10°, ±2 px).\n\n';
  md += header([
    'article',
    'system',
    'preset',
    'params (ours / article)',
    'test accuracy (ours / article)',
    'goal',
    'epochs',
    'train time (ours / article)',
    'test loss',
    'met',
  ]);
  for (const r of results.rows) {
    const source = articleName(r.article);
    if (r.missing) {
      md += row([
        source,
        r.system,
        `\`${r.model}\``,
        '—',
        `not run yet / ${r.article.acc}%`,
        `≥ ${r.goal}%`,
        '—',
        '—',
        '—',
        '—',
      ]);
      continue;
    }
    md += row([
      source,
      r.system,
      `\`${r.model}\`${r.args ? ` ${r.args.join(' ')}` : ''}`,
      r.params.toLocaleString('en'),
      `${f2(r.test_accuracy)}% / ${r.article.acc}%`,
      `≥ ${r.goal}%`,
      r.epochs,
      `${r.train_seconds.toFixed(1)} s / ${r.article.seconds ? `${r.article.seconds} s` : '—'}`,
      r.test_loss.toFixed(4),
      r.met ? 'yes' : 'NO',
    ]);
  }
  const a = results.analysis;
  if (a) {
    md += `\n## The analyses of ${name('mlp-vs-cnn')}, recomputed on its MLP and CNN\n\n`;
    md += `- **Errors**: the MLP misclassifies ${a.errors.mlp} of 10,000 test digits, the CNN ${a.errors.cnn}. `;
    md += `**The CNN corrects ${a.errors.cnn_corrects} of the MLP's ${a.errors.mlp} errors** (article: 137 of 208); ${a.errors.both_wrong} digits fool both.\n`;
    md += `- **Generalisation gap** (train − test accuracy, no dropout or augmentation at evaluation): MLP ${f2(a.generalisation_gap.mlp)} points, CNN ${f2(a.generalisation_gap.cnn)} (article: 1.70 vs 0.56).\n`;
    md += `- **Top confusions** (both directions): MLP ${a.top_confusions.mlp.map((c) => `${c.pair} ${c.count}`).join(', ')}; CNN ${a.top_confusions.cnn.map((c) => `${c.pair} ${c.count}`).join(', ')}. The article names 4↔9, 3↔8 and 7↔2.\n\n`;
    md += header(['class', ...[...Array(10).keys()]]);
    md += `${row(['MLP', ...a.per_class.mlp.map(f2)]) + row(['CNN', ...a.per_class.cnn.map(f2)])}\n`;
    md += '## Claims tested by experiment\n\n';
    md += `Translation (${name('mlp-vs-cnn')}: the CNN recognises a pattern wherever it is): test images shifted right by 0…6 px.\n\n![shift](web/public/results/shift.svg)\n\n`;
    md += header(['shift (px)', ...a.shift.pixels]);
    md += `${row(['MLP', ...a.shift.mlp.map(f2)]) + row(['CNN', ...a.shift.cnn.map(f2)])}\n`;
    md +=
      'Rotation and stroke thickness:\n\n![rotation](web/public/results/rotation.svg) ![stroke](web/public/results/stroke.svg)\n\n';
    md += header(['rotation (°)', ...a.rotation.degrees]);
    md += `${row(['MLP', ...a.rotation.mlp.map(f2)]) + row(['CNN', ...a.rotation.cnn.map(f2)])}\n`;
    md += header(['stroke (dilations)', ...a.stroke.steps]);
    md += `${row(['MLP', ...a.stroke.mlp.map(f2)]) + row(['CNN', ...a.stroke.cnn.map(f2)])}\n`;
  }
  if (timings) md += timingsMarkdown(timings);
  md +=
    '## Accuracy against parameters, and convergence\n\n![params](web/public/results/params.svg) ![curves](web/public/results/curves.svg)\n';
  if (results.convergence?.length) {
    md += `\nEpochs to convergence (${name('yuming')}: the CNN converges 5× faster). Epochs until the test accuracy first reaches the level; each model runs its own recipe and schedule (the annealed schedules settle late by design, which flatters neither side).\n\n`;
    md += header(['MLP', 'CNN', 'level', 'MLP epochs', 'CNN epochs', 'MLP / CNN']);
    for (const c of results.convergence) {
      md += row([
        `\`${c.mlp}\``,
        `\`${c.cnn}\``,
        `${c.level.toFixed(1)}%`,
        c.mlp_epochs ?? 'never',
        c.cnn_epochs ?? 'never',
        c.speedup ? `${c.speedup.toFixed(1)}×` : '—',
      ]);
    }
  }
  return md;
}

/** A recipe as the table names it: the preset (or the spec of its layers it trains), then its settings. */
function recipeText(r) {
  const rate = `${r.optimizer === 'sgd' ? 'SGD' : 'Adam'} ${r.lr} ${r.schedule}`;
  const epochs = `${r.epochs} epoch${r.epochs > 1 ? 's' : ''}${r.limit > 0 ? ` of the first ${r.limit.toLocaleString('en')} digits` : ''}`;
  const extras = [
    r.augment ? 'augmented' : '',
    r.label_smoothing > 0 ? `label smoothing ${r.label_smoothing}` : '',
    r.test_shifts > 0 ? `${r.test_shifts} test shifts` : '',
  ].filter(Boolean);
  // A spec of the preset's layers (other dropout rates) says how it differs.
  const net = r.spec ? `${r.model}'s layers with ${r.spec_note} (\`${r.spec}\`)` : r.model;
  return `${net}: ${epochs}, batch ${r.batch}, ${[rate, ...extras].join(', ')}`;
}

/** One place's time to the accuracy: "7.3 s (98.33%)", or that it was not reached. */
function reachedText(r) {
  if (!r) return 'not measured';
  return r.reached
    ? `${r.train_seconds.toFixed(1)} s (${f2(r.test_accuracy)}%)`
    : `not in the recipe's epochs (${f2(r.test_accuracy)}%)`;
}

/** Where in its run the page's test came: "epoch 2" after one, "0.84 epochs" within one, as tested every few digits. */
const pageWhen = (p) =>
  Number.isInteger(p.epochs)
    ? `epoch ${p.epochs}`
    : `${p.epochs} epochs, tested every ${p.eval_every.toLocaleString('en')} digits`;

/** The section on how soon each system reaches its article's accuracy (scripts/time-to-accuracy.mjs). */
function timingsMarkdown(t) {
  let md = "## Time to the article's accuracy\n\n";
  md += `Made by \`node scripts/time-to-accuracy.mjs\` on ${t.machine.cpu} (${t.machine.cores} cores, load average `;
  md += `${t.machine.load_average[0].toFixed(1)} at the end), ${t.date.slice(0, 16).replace('T', ' ')} UTC, seed ${t.seed}. `;
  md +=
    "Each system whose article gives a training time, trained with the recipe named (its preset's own, or a faster ";
  md += "one for the same layers) until it first reaches the article's accuracy, on one thread; the time is training ";
  md +=
    "only (the evaluations are not counted, as speedruns count), beside the article's own time on its own machine. ";
  md += `Natively: \`mnist-lab train --until\` with the full test set evaluated every ${t.eval_every.toLocaleString('en')} `;
  md +=
    'training samples. In the page: the built page served as a plain static host in headless Chromium (one worker, ';
  md += "the single-thread engine), the recipe set through the Train form's URL; the page tests after each epoch and, ";
  md +=
    "when the table says so, every as many digits as natively (the form's Test every), and stops at the first test at ";
  md += 'or above the accuracy (Stop at accuracy); its time is the training time the page shows for that test.\n\n';
  md += header([
    'article',
    'system',
    'recipe',
    'accuracy to reach',
    'natively: reached after',
    'in the page: reached after',
    'article',
    'under it (natively / page)',
  ]);
  for (const r of t.rows) {
    const under = (x) => (x ? (x.met ? 'yes' : 'NO') : '-');
    md += row([
      articleName(r.article),
      r.system,
      r.recipe ? recipeText(r.recipe) : '-',
      `${r.article.acc}%`,
      r.train_seconds == null ? 'not measured' : `${reachedText(r)}, ${r.samples.toLocaleString('en')} samples`,
      r.page ? `${reachedText(r.page)}, ${pageWhen(r.page)}` : 'not measured',
      `${r.article.seconds} s`,
      `${under(r.train_seconds == null ? null : r)} / ${under(r.page)}`,
    ]);
  }
  return `${md}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const read = (f) => JSON.parse(fs.readFileSync(path.join(root, 'web/public/results', f), 'utf8'));
  const results = read('results.json');
  const timings = fs.existsSync(path.join(root, 'web/public/results/time-to-accuracy.json'))
    ? read('time-to-accuracy.json')
    : null;
  fs.writeFileSync(path.join(root, 'RESULTS.md'), resultsMarkdown(results, timings));
  console.log('results-md: wrote RESULTS.md');
}
