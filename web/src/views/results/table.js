// The comparison table: one row per model evaluated in this visit (the Lab's records),
// the two live models first (even before they are evaluated), earlier ones below.
import {h} from '../../ui/dom.js';
import {duration, fixed, int, pct} from '../../ui/format.js';
import {SLOT_TITLE} from '../words.js';

const ORIGIN = {
  shipped: 'pretrained',
  imported: 'from file',
  trained: 'trained here',
  restored: 'trained here, restored',
  training: 'training',
};

/** The table's rows: slots (the Lab's, by name) and records (the Lab's results table, oldest first). */
export function rows(slots, records) {
  const out = [];
  const newest = [...records].reverse();
  const live = new Set(Object.values(slots).map((s) => `${s.name}:${s.generation}`));
  for (const slot of Object.values(slots)) {
    if (!slot.info) continue;
    const r = newest.find((x) => x.key === `${slot.name}:${slot.generation}`);
    out.push(row(r || {slot: slot.name, title: slot.title, params: slot.info.params, origin: slot.origin}, true));
  }
  for (const r of newest) if (!live.has(r.key)) out.push(row(r, false));
  return out;
}

function row(r, isLive) {
  const origin = `${ORIGIN[r.origin] || ''}${r.shipped ? ', figures from the page' : ''}`;
  const has = (x) => x !== null && x !== undefined;
  const gap = has(r.trainAccuracy) && r.accuracy !== undefined ? r.trainAccuracy - r.accuracy : null;
  const time = r.seconds
    ? `${duration(r.seconds)}${r.epochs ? ` · ${r.epochs} ep.` : ''}`
    : r.origin === 'shipped'
      ? 'offline'
      : '—';
  return h(
    'tr',
    {class: isLive ? 'live' : 'past'},
    h(
      'th',
      {scope: 'row'},
      h('span', {class: `chip chip-${r.slot}`}, SLOT_TITLE[r.slot]),
      ' ',
      h('b', {}, r.title),
      h('span', {class: 'small muted'}, ` ${origin}${isLive ? '' : ' (earlier)'}`),
    ),
    h('td', {}, int(r.params)),
    h('td', {}, r.accuracy !== undefined ? h('b', {}, pct(r.accuracy)) : h('span', {class: 'muted'}, 'not evaluated')),
    h('td', {}, r.loss !== undefined ? fixed(r.loss, 4) : '—'),
    h('td', {}, time),
    h('td', {}, has(r.trainAccuracy) ? pct(r.trainAccuracy) : '—'),
    h('td', {}, gap !== null ? `${(gap * 100).toFixed(2)} pts` : '—'),
  );
}
