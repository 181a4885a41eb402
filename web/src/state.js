// The training settings the page remembers, and the one table of what each may be.
// On the full page they live in the URL's query (so a link reproduces a setup);
// embedded views keep them in memory and never touch the host page's URL. A URL
// value outside its range is kept as it was given, with why, so the form can show
// it at its field instead of quietly running something else.

/**
 * Each setting: its default, what it may be (min/max, whole or not, or a list of
 * choices) and how the form names it in messages. The engine's own limits are
 * wider (epochs up to 1000, batch up to 4096); these are the page's.
 */
export const SETTINGS = Object.freeze({
  model: {default: 'mlp', name: 'The model'}, // a preset name or 'custom': the engine lists the presets
  spec: {default: 'conv(8,3)-relu-pool(2)-flatten-dense(32)-relu-dense(10)', name: 'The layer spec'}, // the engine checks it
  epochs: {default: 1, min: 1, max: 100, whole: true, name: 'Epochs'},
  batch: {default: 64, choices: [16, 32, 64, 128, 256], name: 'The batch size'},
  // Above 0 as a float32 (the engine refuses a rate that rounds to 0) and at most the engine's 10.
  lr: {default: 0.003, min: 1e-6, max: 10, name: 'The learning rate'},
  optimizer: {default: 'adam', choices: ['adam', 'sgd'], name: 'The optimizer'},
  schedule: {default: 'onecycle', choices: ['cosine', 'constant', 'step', 'onecycle'], name: 'The schedule'},
  // The form offers 60,000, 20,000, 5,000 and 1,000; a link may ask for any whole number between.
  subset: {default: 60000, min: 1000, max: 60000, whole: true, name: 'Training digits'},
  augment: {default: false, name: 'Augmentation'}, // 1 or 0 in the URL
  // The network's initial weights, the shuffling and the augmentation: one seed repeats a run.
  seed: {default: 1, min: 0, max: 2147483647, whole: true, name: 'The seed'},
});

export const DEFAULTS = Object.freeze(Object.fromEntries(Object.entries(SETTINGS).map(([k, s]) => [k, s.default])));

const BOOLEAN = new Map([
  ['1', true],
  ['true', true],
  ['0', false],
  ['false', false],
]);
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
// A link stays a link: a longer value (a page of text pasted into the spec field, which the
// engine refuses anyway) is kept in memory only, never in a URL too long to reload or share.
const URL_VALUE_MAX = 4096;

/** A value from the URL as the page quotes it: at most 32 characters. */
export const clip = (text) => (text.length > 32 ? `${text.slice(0, 31)}…` : text);
const count = (x) => x.toLocaleString('en-US', {maximumSignificantDigits: 21});
const orList = (xs) => (xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`);

/** What a setting may be, as a sentence: "Epochs must be a whole number from 1 to 100." */
export function rule(key) {
  const s = SETTINGS[key];
  if (key === 'augment') return `${s.name} is 1 (on) or 0 (off).`;
  if (s.choices) return `${s.name} must be ${orList(s.choices.map(String))}.`;
  return `${s.name} must be ${s.whole ? 'a whole number' : 'a number'} from ${count(s.min)} to ${count(s.max)}.`;
}

/**
 * Checks one setting given as text (a form field or the URL) or as a value:
 * {value} when it may be used as it is, {error} (a sentence) when not. Nothing is
 * rounded or clamped: 2.5 epochs is an error, not 3.
 */
export function checkSetting(key, raw) {
  const s = SETTINGS[key];
  const text = String(raw).trim();
  if (key === 'model' || key === 'spec') return {value: text};
  if (key === 'augment') return BOOLEAN.has(text) ? {value: BOOLEAN.get(text)} : {error: rule(key)};
  if (s.choices && typeof s.choices[0] === 'string')
    return s.choices.includes(text) ? {value: text} : {error: rule(key)};
  // Decimal notation only: Number() would also take '0x10' or '' (as 16 and 0).
  const n = DECIMAL.test(text) ? Number(text) : NaN;
  const ok = s.choices ? s.choices.includes(n) : n >= s.min && n <= s.max && (!s.whole || Number.isInteger(n));
  return ok ? {value: n} : {error: rule(key)};
}

export class Settings {
  /** @param {boolean} persist read from and mirror into location.search */
  constructor(persist) {
    this.persist = persist;
    this.values = {...DEFAULTS};
    /** key -> {raw, message}: URL values refused, kept in the URL until the field is set */
    this.refused = {};
    if (!persist) return;
    const q = new URLSearchParams(location.search);
    for (const key of Object.keys(SETTINGS)) {
      if (!q.has(key)) continue;
      const raw = q.get(key);
      const r = checkSetting(key, raw);
      if (r.error) this.refuse(key, raw, r.error);
      else this.values[key] = r.value;
    }
  }

  get(key) {
    return this.values[key];
  }

  /** Refuses (in the same words as the URL's) a value that only the page can check, such as an unknown model. */
  refuse(key, raw, why) {
    const param = `?${key}=${clip(raw)}`;
    this.refused[key] = {raw, param, why, message: `The link's ${param} is not used. ${why}`};
  }

  /** The user set the field: what the link asked for there no longer counts (the URL then follows the field). */
  forget(key) {
    delete this.refused[key];
  }

  /** Takes valid values only; a key set here is no longer refused. */
  set(patch) {
    for (const [key, v] of Object.entries(patch)) {
      this.values[key] = v;
      delete this.refused[key];
    }
    if (!this.persist) return;
    const q = new URLSearchParams(location.search);
    for (const [key, v] of Object.entries(this.values)) {
      if (this.refused[key]) q.set(key, this.refused[key].raw);
      else if (v === DEFAULTS[key] || String(v).length > URL_VALUE_MAX) q.delete(key);
      else q.set(key, key === 'augment' ? (v ? '1' : '0') : String(v));
    }
    const search = q.toString();
    history.replaceState(history.state, '', `${location.pathname}${search ? `?${search}` : ''}${location.hash}`);
  }
}
