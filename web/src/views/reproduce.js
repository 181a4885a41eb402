// "Reproducing the articles": the results the team computes natively with the CLI
// (results/results.json and the SVG plots beside it). Nothing is fetched until the
// section comes into view, so it costs nothing on the first load.
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
    try {
      render(await lab.results());
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

  function render(data) {
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
    // A table wider than the card scrolls sideways: the region takes the keyboard's focus
    // (arrow keys scroll it), its edges shade where columns are hidden, and a line says so.
    const scroller = h(
      'div',
      {
        class: 'table-scroll repro-scroll',
        tabindex: 0,
        role: 'region',
        'aria-label': 'Reproduced results against the articles',
      },
      h(
        'table',
        {class: 'table repro-table'},
        h('caption', {class: 'sr-only'}, 'Reproduced results against the articles'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['System', 'Params', 'Article', 'Goal', 'Here (test)', 'Goal met', 'Training time', 'Test loss'].map((t) =>
              h('th', {scope: 'col'}, t),
            ),
          ),
        ),
        h('tbody', {}, rows),
      ),
    );
    const scrollHint = h(
      'p',
      {class: 'small muted repro-scroll-hint', hidden: true},
      'Scroll the table sideways (or focus it and use the arrow keys) for more columns.',
    );
    new ResizeObserver(() => {
      scrollHint.hidden = scroller.scrollWidth <= scroller.clientWidth + 1;
    }).observe(scroller);
    body.replaceChildren(
      scrollHint,
      scroller,
      h(
        'p',
        {class: 'small muted'},
        `Measured natively on ${data.machine?.cpu ?? 'one machine'}` +
          `${data.machine?.cores ? ` (${data.machine.cores} cores)` : ''}${data.date ? `, ${new Date(data.date).toISOString().slice(0, 10)}` : ''}.`,
      ),
      facts.length ? h('ul', {class: 'repro-facts'}, facts) : null,
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
