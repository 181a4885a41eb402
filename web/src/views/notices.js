// The page's notices: one floating area for what no view on the page shows (a crashed
// engine, a refused copy, a run that ended badly), the offers to restore weights kept
// from an earlier visit (under the drawing pad when there is one), and the last chance
// to store a running model's weights before the tab closes.
import {h} from '../ui/dom.js';
import {errorText, noticeText, restoreQuestion, SLOT_TITLE} from './words.js';

/**
 * Mounts once per page.
 * @param {import('../lab.js').Lab} lab
 * @param {{shows: (view: string) => boolean}} opts shows: whether a view of that name is on the page
 */
export function mountNotices(lab, {shows}) {
  const area = h('div', {class: 'mlab mlab-notices', role: 'alert', 'aria-live': 'assertive'});
  document.body.append(area);

  lab.on('notice', (notice) => {
    // A train view's alert box tells of a diverged run; without one (an embedded drawing pad) a notice does.
    if (notice.kind === 'diverged' && shows('train')) return;
    const said = noticeText(notice);
    if (!said) return;
    const close = h('button', {type: 'button', class: 'notice-close', 'aria-label': 'Dismiss'}, '×');
    const item = h('div', {class: `notice notice-${said.level}`}, h('span', {}, said.text), close);
    close.onclick = () => item.remove();
    area.append(item);
    setTimeout(() => item.remove(), said.level === 'error' ? 12000 : 5000);
  });

  // Mid-training, the weights go to IndexedDB every few seconds; hiding or closing the tab stores
  // them once more (best effort), and the browser asks before a reload or close ends the run.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') lab.checkpoint();
  });
  window.addEventListener('beforeunload', (e) => {
    if (!lab.busy) return;
    lab.checkpoint();
    e.preventDefault();
    e.returnValue = ''; // older browsers need it set to show the prompt
  });

  // Trained weights kept from an earlier visit (IndexedDB): offer them back, never load them unasked.
  // A run's result and a copy taken mid-run are offered apart (kind), each saying what it is.
  lab.on('restorable', ({slot, kind, record}) => {
    const title = SLOT_TITLE[slot];
    const status = h('span', {class: 'small'});
    const restore = h('button', {type: 'button', class: 'btn btn-sm btn-primary'}, 'Restore');
    const dismiss = h('button', {type: 'button', class: 'btn btn-sm'}, 'Dismiss');
    const item = h(
      'div',
      {
        class: 'notice notice-info notice-restore restore-offer',
        role: 'region',
        'aria-label': `Restore the ${title}`,
        dataset: {slot, kind},
      },
      h('span', {}, restoreQuestion(slot, kind, record)),
      h('span', {class: 'mlab-restore'}, restore, dismiss, status),
    );
    restore.onclick = async () => {
      restore.disabled = dismiss.disabled = true;
      try {
        await lab.restore(slot, kind);
        item.remove();
      } catch (e) {
        status.textContent = errorText(e);
        restore.disabled = dismiss.disabled = false;
      }
    };
    dismiss.onclick = () => {
      lab.dismissRestore(slot, kind);
      item.remove();
    };
    // In the page's flow under the drawing pad (a floating box would cover what it floats over).
    const pad = document.querySelector('.mlab-view-drawpad');
    if (pad) pad.append(item);
    else area.append(item);
  });
}
