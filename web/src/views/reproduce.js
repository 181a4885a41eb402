// "Reproducing the articles": the results the team computes natively with the CLI
// (results/results.json and the SVG plots beside it), and the time each system takes to
// reach its article's accuracy, natively and in this page (results/time-to-accuracy.json,
// written by scripts/time-to-accuracy.mjs). Nothing is fetched until the section comes
// into view, so it costs nothing on the first load.
import {h} from '../ui/dom.js';
import {duration, fixed, int} from '../ui/format.js';

const PLOTS = [
  ['shift.svg', 'Test accuracy when every digit is shifted by a few pixels'],
  ['rotation.svg', 'Test accuracy when every digit is rotated'],
  ['stroke.svg', 'Test accuracy when the strokes are made thinner or thicker'],
  ['params.svg', 'Test accuracy against the number of parameters'],
  ['curves.svg', 'Test accuracy after each epoch'],
];

const pc = (x, d = 2) => (Number.isFinite(x) ? `${x.toFixed(d)}%` : '—');

/** A recipe in a few words: the preset (or its layers' spec, shortened), then its settings. */
function recipeText(r) {
  const rate = `${r.optimizer === 'sgd' ? 'SGD' : 'Adam'} ${r.lr} ${r.schedule}`;
  const digits = r.limit > 0 ? ` of the first ${int(r.limit)} digits` : '';
  const extras = [
    r.augment ? 'augmented' : '',
    r.label_smoothing > 0 ? `label smoothing ${r.label_smoothing}` : '',
    r.test_shifts > 0 ? `${r.test_shifts} test shifts` : '',
  ].filter(Boolean);
  const net = r.spec ? `${r.model}'s layers with ${r.spec_note ?? 'other settings'}` : r.model;
  return `${net}: ${r.epochs} epoch${r.epochs > 1 ? 's' : ''}${digits}, batch ${r.batch}, ${[rate, ...extras].join(', ')}`;
}

/**
 * A table in a region of its own that scrolls sideways when it is wider than the card:
 * the region takes the keyboard's focus (arrow keys scroll it), its edges shade where
 * columns are hidden, and a line above says so. Returns [that line, the region].
 */
function scrollTable(cls, label, columns, rows) {
  const scroller = h(
    'div',
    {class: 'table-scroll repro-scroll', tabindex: 0, role: 'region', 'aria-label': label},
    h(
      'table',
      {class: `table ${cls}`},
      h('caption', {class: 'sr-only'}, label),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((t) => h('th', {scope: 'col'}, t)),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
  const hint = h(
    'p',
    {class: 'small muted repro-scroll-hint', hidden: true},
    'Scroll the table sideways (or focus it and use the arrow keys) for more columns.',
  );
  new ResizeObserver(() => {
    hint.hidden = scroller.scrollWidth <= scroller.clientWidth + 1;
  }).observe(scroller);
  return [hint, scroller];
}

export function mountReproduce(el, lab) {
  const base = new URL('results/', lab.root).href;
  const status = h('p', {class: 'small muted', role: 'status'}, 'Loads when you scroll here.');
  const body = h('div', {class: 'repro-body'});
  const card = h(
    'div',
    {class: 'card repro', 'data-section': 'reproduce'},
    h('h3', {}, 'Reproducing the articles'),
    h(
      'p',
      {class: 'small muted'},
      'The networks of well-known MNIST tutorials, trained natively with this project\u2019s C++ core (the same code as in this page) and compared with the accuracy and training time the articles report.',
    ),
    status,
    body,
  );
  el.append(card);

  let started = false;
  const load = async () => {
    if (started) return;
    started = true;
    status.textContent = 'Loading the results…';
    // The time table is a second file: without it the results still show, and it says why.
    const times = lab.timeToAccuracy().then(
      (data) => ({data}),
      (e) => ({error: e}),
    );
    try {
      render(await lab.results(), await times);
      status.textContent = '';
    } catch (e) {
      started = false;
      status.textContent = `Could not load the reproduced results: ${e.message || e}.`;
      status.classList.add('error');
    }
  };

  // The article a row reproduces, by title (and author where it names one).
  const source = (a) =>
    a?.title
      ? h(
          'span',
          {class: 'small muted repro-source'},
          a.author
            ? `${a.author}, \u201c${a.title}\u201d`
            : a.title.endsWith('(untitled)')
              ? a.title
              : `\u201c${a.title}\u201d`,
        )
      : null;

  function render(data, times) {
    const rows = (data.rows || []).map((r) => {
      if (r.missing) {
        return h(
          'tr',
          {class: 'missing'},
          h('th', {scope: 'row'}, r.system, h('span', {class: 'small muted'}, ` ${r.model}`), source(r.article)),
          h('td', {}, '—'),
          h('td', {}, pc(r.article?.acc)),
          h('td', {}, pc(r.goal)),
          h('td', {colspan: 4, class: 'muted'}, 'not run yet'),
        );
      }
      const seconds = r.article?.seconds;
      return h(
        'tr',
        {class: r.met ? 'met' : 'unmet'},
        h(
          'th',
          {scope: 'row'},
          r.system,
          h('span', {class: 'small muted'}, ` ${r.model}${r.epochs ? ` · ${r.epochs} ep.` : ''}`),
          source(r.article),
        ),
        h('td', {}, int(r.params)),
        h('td', {}, pc(r.article?.acc)),
        h('td', {}, pc(r.goal)),
        h('td', {}, h('b', {}, pc(r.test_accuracy))),
        h('td', {}, r.met ? h('span', {class: 'ok'}, '✓ met') : h('span', {class: 'bad'}, '✗ not met')),
        h(
          'td',
          {},
          duration(r.train_seconds),
          Number.isFinite(seconds)
            ? h('span', {class: 'small muted repro-article-time'}, `article ${duration(seconds)}`)
            : '',
        ),
        h('td', {}, fixed(r.test_loss, 4)),
      );
    });
    const a = data.analysis || {};
    const facts = [];
    if (a.errors) {
      facts.push(
        h(
          'li',
          {},
          `The CNN corrects ${int(a.errors.cnn_corrects)} of the MLP\u2019s ${int(a.errors.mlp)} test errors ` +
            `(it makes ${int(a.errors.cnn)}; ${int(a.errors.both_wrong)} digits fool both).`,
        ),
      );
    }
    if (a.generalisation_gap) {
      facts.push(
        h(
          'li',
          {},
          `Generalisation gap (train minus test accuracy): MLP ${fixed(a.generalisation_gap.mlp, 2)} pts, ` +
            `CNN ${fixed(a.generalisation_gap.cnn, 2)} pts.`,
        ),
      );
    }
    if (a.top_confusions) {
      for (const n of ['mlp', 'cnn']) {
        const top = a.top_confusions[n];
        if (top?.length)
          facts.push(
            h(
              'li',
              {},
              `Most confused by the ${n.toUpperCase()}: ${top.map((t) => `${t.pair} (${t.count})`).join(', ')}.`,
            ),
          );
      }
    }
    if (a.per_class) {
      for (const n of ['mlp', 'cnn']) {
        const v = a.per_class[n];
        if (!v?.length) continue;
        let worst = 0;
        v.forEach((x, d) => {
          if (x < v[worst]) worst = d;
        });
        facts.push(h('li', {}, `Hardest digit for the ${n.toUpperCase()}: ${worst} (${pc(v[worst])}).`));
      }
    }
    for (const c of data.convergence || []) {
      if (!c.mlp_epochs || !c.cnn_epochs) continue;
      facts.push(
        h(
          'li',
          {},
          `To reach ${c.level.toFixed(1)}% test accuracy, ${c.mlp} needs ${c.mlp_epochs} epochs and ${c.cnn} ` +
            `${c.cnn_epochs}: the CNN gets there ${fixed(c.speedup, 1)}× sooner (Yuming\u2019s report says 5×).`,
        ),
      );
    }
    const table = scrollTable(
      'repro-table',
      'Reproduced results against the articles',
      ['System', 'Params', 'Article', 'Goal', 'Here (test)', 'Goal met', 'Training time (all epochs)', 'Test loss'],
      rows,
    );
    body.replaceChildren(
      ...table,
      h(
        'p',
        {class: 'small muted'},
        `Measured natively on ${data.machine?.cpu ?? 'one machine'}` +
          `${data.machine?.cores ? ` (${data.machine.cores} cores)` : ''}${data.date ? `, ${new Date(data.date).toISOString().slice(0, 10)}` : ''}.`,
      ),
      facts.length ? h('ul', {class: 'repro-facts'}, facts) : null,
      timeTable(times),
      h(
        'div',
        {class: 'repro-plots'},
        PLOTS.map(([file, alt]) =>
          h(
            'figure',
            {},
            h('img', {src: new URL(file, base).href, alt, loading: 'lazy', decoding: 'async'}),
            h('figcaption', {class: 'small muted'}, alt),
          ),
        ),
      ),
    );
  }

  /** "Time to the article's accuracy": {data} from time-to-accuracy.json, or {error} when it could not be read. */
  function timeTable({data, error}) {
    const head = h('h4', {class: 'repro-time-h'}, 'Time to the article\u2019s accuracy');
    const rows = Array.isArray(data?.rows) ? data.rows.filter((r) => r?.article && r.recipe) : [];
    if (error || !rows.length) {
      const why = error ? `${error.message || error}` : 'the file lists no system';
      return h(
        'div',
        {class: 'repro-time'},
        head,
        h('p', {class: 'small error'}, `Could not show the times to the articles' accuracy: ${why}.`),
      );
    }
    const reached = (r, where) =>
      !r
        ? h('td', {class: 'muted'}, 'not measured')
        : h(
            'td',
            {class: r.reached ? '' : 'bad'},
            r.reached ? h('b', {}, duration(r.train_seconds)) : 'not reached',
            h('span', {class: 'small muted repro-article-time'}, `${pc(r.test_accuracy)} ${where(r)}`),
          );
    const body = rows.map((r) => {
      const link = recipeLink(r, data.eval_every, data.seed);
      return h(
        'tr',
        {'data-id': r.id},
        h('th', {scope: 'row'}, r.system, source(r.article)),
        h(
          'td',
          {class: 'repro-recipe'},
          recipeText(r.recipe),
          h(
            'a',
            {...link, class: 'repro-try', 'aria-label': `Set up this run: ${r.system}, in the Train form`},
            'Set up this run',
          ),
        ),
        h(
          'td',
          {},
          h('b', {}, pc(r.article.acc)),
          h('span', {class: 'small muted repro-article-time'}, `in ${duration(r.article.seconds)}`),
        ),
        reached(r, (x) => `after ${int(x.samples)} digits`),
        reached(r.page, (x) => (Number.isFinite(x.epochs) ? `after ${fixed(x.epochs, 2)} epochs` : '')),
      );
    });
    const table = scrollTable(
      'repro-time-table',
      'Time to reach each article\u2019s accuracy',
      ['System', 'Recipe', 'The article', 'Natively, one thread', 'In a page like this'],
      body,
    );
    const when = data.date ? `, ${new Date(data.date).toISOString().slice(0, 10)}` : '';
    return h(
      'div',
      {class: 'repro-time'},
      head,
      h(
        'p',
        {class: 'small muted'},
        'The training-time column above counts every epoch of each recipe. Here each system trains until the full test ' +
          'set, tested every few thousand digits, first reaches the article\u2019s accuracy; only training counts (the ' +
          'tests are not timed, as speedruns count). Natively with the command-line tool; in a page like this one with ' +
          `its single-thread engine, measured on ${data.machine?.cpu ?? 'one machine'}${when}. The articles\u2019 times ` +
          'are their own, on their own machines.',
      ),
      ...table,
    );
  }

  /**
   * A link that opens the full lab with this recipe in the Train form (its settings in the URL,
   * as the time was measured), there to press Train. Outside the full page (an embedded view)
   * it opens in a new tab rather than leave the page it is embedded in.
   */
  function recipeLink(r, evalEvery, seed) {
    const {spec, spec_note: _, ...settings} = r.recipe;
    const q = new URLSearchParams();
    q.set('model', spec ? 'custom' : String(settings.model));
    if (spec) q.set('spec', spec);
    for (const [k, v] of Object.entries(settings))
      if (k !== 'model') q.set(k, k === 'augment' ? (v ? '1' : '0') : String(v));
    if (Number.isFinite(r.page?.eval_every ?? evalEvery)) q.set('eval_every', String(r.page?.eval_every ?? evalEvery));
    if (Number.isInteger(seed)) q.set('seed', String(seed));
    q.set('until', String(r.article.acc));
    const href = new URL(`?${q}#train`, lab.root);
    const dir = (path) => path.replace(/index\.html$/, '');
    const full = dir(href.pathname) === dir(location.pathname) && !new URLSearchParams(location.search).has('view');
    return full ? {href: href.href} : {href: href.href, target: '_blank', rel: 'noopener'};
  }

  if ('IntersectionObserver' in self) {
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          io.disconnect();
          load();
        }
      },
      {rootMargin: '200px'},
    );
    io.observe(card);
  } else {
    load();
  }
  return {load};
}
