// What the page says about the model's states and events: the model (lab.js, model/)
// hands over data, and the views word it here, the same way wherever it shows.

export const SLOT_TITLE = {mlp: 'MLP', cnn: 'CNN'};
export const SLOT_KIND = {mlp: 'dense network', cnn: 'convolutional network'};

/**
 * Where the Results' numbers come from while pretrained models (names: their slots) have the
 * shipped file's analysis (date: ISO).
 */
export function shippedSourceText(names, date) {
  const day = date ? ` on ${new Date(date).toISOString().slice(0, 10)}` : '';
  const whose = names.length > 1 ? 'Both networks' : `The ${SLOT_TITLE[names[0]]}`;
  return (
    `${whose}' numbers come with the page: the pretrained models as the command-line tool evaluated them${day}, ` +
    'before their weights were stored at half precision for the page. "Evaluate" measures the models in this page.'
  );
}

/** A network by its kind (model/slot.js modelKind): a linear net is not an MLP. */
export const KIND_TITLE = {linear: 'linear classifier', mlp: 'MLP', cnn: 'CNN'};

/**
 * A slot's model as its badge names it, by whose it is and its kind: "pretrained MLP",
 * "your linear classifier", "fine-tuned CNN", "MLP from a file"; the slot's name until it has one.
 */
export function modelBadge(slot) {
  const kind = KIND_TITLE[slot.kind];
  switch (slot.owner) {
    case 'pretrained':
      return `pretrained ${kind}`;
    case 'yours':
      return `your ${kind}`;
    case 'fine-tuned':
      return `fine-tuned ${kind}`;
    case 'file':
      return `${kind} from a file`;
    default:
      return SLOT_TITLE[slot.name];
  }
}

/**
 * "WebAssembly SIMD with fused multiply-add · 2 threads" for one EngineInfo; "· 1 of 2 threads" and
 * why, while it uses fewer than it has (inUse): two runs share the cores, or its run measured one
 * thread faster (engine/tuner.js).
 */
function engineName(e) {
  const using = e.inUse ?? e.threads;
  const why = e.among > 1 ? 'the runs share the cores' : 'one measured faster for this run';
  const threads =
    using < e.threads
      ? `${using} of ${e.threads} threads (${why})`
      : `${e.threads} thread${e.threads === 1 ? '' : 's'}`;
  return `WebAssembly SIMD${e.fma ? ' with fused multiply-add' : ''} · ${threads}`;
}

/**
 * Which engine the workers run (engines: Lab.engines()), for the page to show: one text when
 * both run the same build with as many threads, else per slot. Empty until a worker is ready.
 */
export function engineText(engines) {
  const names = Object.keys(engines);
  if (names.every((n) => !engines[n])) return '';
  const texts = names.map((n) => (engines[n] ? engineName(engines[n]) : 'starting'));
  if (texts.every((t) => t === texts[0])) return texts[0];
  return names.map((n, i) => `${SLOT_TITLE[n]}: ${texts[i]}`).join(' · ');
}

/**
 * A run the core's divergence guard stopped (run: model/training.js's, with step, loss and
 * config.lr, its peak learning rate): the step, the loss, and a learning rate to try.
 */
export function divergedText(run) {
  const {step, loss} = run;
  const lr = run.config?.lr;
  const at = Number.isFinite(step) ? ` at step ${step.toLocaleString('en-US')}` : '';
  const what = !Number.isFinite(loss)
    ? 'the loss was no longer a finite number'
    : `the loss jumped to ${Math.abs(loss) >= 1e4 ? loss.toExponential(2) : loss.toFixed(3)}`;
  const lower =
    Number.isFinite(lr) && lr > 0 ? ` than ${lr} (say ${Number(Math.min(lr / 10, 0.003).toPrecision(2))})` : '';
  return (
    `Training diverged${at}: ${what}. The weights from the last good step are kept and still predict. ` +
    `Try a lower learning rate${lower}.`
  );
}

/**
 * The question a stored record raises after a reload (kind: 'ended' | 'run', see
 * model/persistence.js), saying what the copy is: the result of a run (how it ended, its
 * score) or a copy taken part-way through one.
 */
export function restoreQuestion(slot, kind, record) {
  const m = record.metrics || {};
  const when = new Date(record.time).toLocaleString();
  const pct = (a) => `${(a * 100).toFixed(2)}% on the test digits`;
  const score = Number.isFinite(m.testAccuracy) ? pct(m.testAccuracy) : '';
  const runOf = (n) => (n > 0 ? `${n}-epoch run` : 'run');
  let how;
  if (kind === 'run' || m.partial) {
    const share = m.totalSteps > 0 ? `${Math.round((100 * m.step) / m.totalSteps)}% of the way` : 'part of the way';
    how = `a copy taken ${share} through a ${runOf(m.epochs)}, ${score ? `${score} after epoch ${m.epoch}` : `in epoch ${m.epoch}`}`;
    return `Restore your unfinished ${SLOT_TITLE[slot]} from ${when} (${how})?`;
  }
  const at = m.epoch > 0 && m.epochs > 0 ? ` at epoch ${m.epoch} of ${m.epochs}` : '';
  how =
    {
      finished: `finished ${runOf(m.epochs)}`,
      reached: `run that reached its target accuracy${at}`,
      stopped: `run stopped${at}`,
      diverged: `run that diverged${at}`,
      error: `run that failed${at}`,
    }[m.ended] || '';
  const parts = [how, score].filter(Boolean).join(', ');
  return `Restore your trained ${SLOT_TITLE[slot]} from ${when}${parts ? ` (${parts})` : ''}?`;
}

/** Why the browser kept no copy (model/persistence.js's reason). */
function storeReasonText(reason) {
  if (reason.code === 'unavailable') return 'this browser keeps no storage for the page';
  if (reason.code === 'full') return "the browser's storage for this page is full";
  return reason.message ? `the browser refused (${reason.message})` : 'the browser refused';
}

/** Why a slot is down (slot.error: {stage, message}). */
export function slotErrorText(name, error) {
  if (error.stage === 'crashed')
    return `The ${SLOT_TITLE[name]} engine crashed again (${error.message}); reload the page to start it afresh.`;
  return error.message;
}

/**
 * A Lab 'notice' as the page tells it: {level: 'info' | 'error', text}, or null for a notice
 * that some view on the page already shows.
 */
export function noticeText(n) {
  const title = SLOT_TITLE[n.slot];
  switch (n.kind) {
    case 'crashed':
      return {
        level: 'error',
        text:
          `The ${title} engine crashed (${n.message})${n.lostRun ? ' and its training run was lost' : ''}. ` +
          'It restarts with its last good weights.',
      };
    case 'restarted':
      return {level: 'info', text: `The ${title} is running again.`};
    case 'failed':
      return {
        level: 'error',
        text: n.stage === 'restart' ? `The ${title} could not restart: ${n.message}` : slotErrorText(n.slot, n),
      };
    case 'start-failed':
      return {level: 'error', text: n.message};
    case 'prediction-failed':
      return {level: 'error', text: `${title}: ${n.message}`};
    case 'run-failed':
      return {level: 'error', text: `${title} training ended: ${n.message}`};
    case 'diverged':
      return {level: 'error', text: `${title}: ${divergedText(n.run)}`};
    case 'store-refused': {
      const thing = n.copy === 'ended' ? `the trained ${title}` : `a copy of the ${title} as it trains`;
      return {
        level: 'error',
        text:
          `Could not keep ${thing} in this browser: ${storeReasonText(n.reason)}. ` +
          `Download its weights to keep them${n.copy === 'run' ? ' once it is done' : ''}.`,
      };
    }
    default:
      return null;
  }
}

/** An error as the page says it: a LabError (model/errors.js) in words, any other by its message. */
export function errorText(e) {
  if (e?.name !== 'LabError') return e?.message || String(e);
  const {slot, action, file, cause} = e.detail;
  const title = SLOT_TITLE[slot];
  switch (e.code) {
    case 'training':
      if (action === 'import') return `The ${title} is training; stop it before loading weights.`;
      if (action === 'restore' || action === 'finetune' || action === 'step')
        return `The ${title} is training; stop it first.`;
      return `The ${title} is already training.`;
    case 'nothing-stored':
      return 'No stored weights to restore.';
    case 'import-failed':
      return `Could not load "${file}": ${cause}. The current models are unchanged.`;
    case 'start-failed':
      return `The ${title} did not start training: ${cause}. Its current model is kept.`;
    case 'race-busy':
      return 'Stop the current training run first.';
    case 'no-digit':
      return 'Draw a digit first.';
    case 'no-digits':
      return 'Add some digits of your own first: draw one, pick its correct digit, then "Add to my digits".';
    case 'finetune-busy':
      return action === 'train'
        ? 'The networks are fine-tuning on your digits: train when that ends.'
        : 'The models are already fine-tuning.';
    case 'digits-import-failed':
      return `Could not read "${file}": ${cause}. Your digits are unchanged.`;
    case 'too-many-digits': {
      const {count, kept, max} = e.detail;
      return (
        `That is ${count.toLocaleString('en-US')} more digits, and ${kept.toLocaleString('en-US')} are kept already: ` +
        `my digits keeps up to ${max.toLocaleString('en-US')}. Your digits are unchanged.`
      );
    }
    default:
      return e.message;
  }
}
