// The training settings the page remembers, and the one table of what each may be.
// On the full page they live in the URL's query (so a link reproduces a setup);
// embedded views keep them in memory and never touch the host page's URL. A URL
// value outside its range is kept as it was given, with why, so the form can show
// it at its field instead of quietly running something else.

/**
 * Each setting: what it may be (min/max, whole or not, or a list of choices) and
 * how the form names it in messages; its name is the engine's (TrainConfig) and
 * the URL's. The engine's own limits are wider (epochs up to 1000, batch up to
 * 4096); these are the page's. The defaults of the training settings are the
 * engine's (Engine.defaults(), in Reply.READY: Settings.useDefaults); the model,
 * the spec and the page's own two (eval_every, until) have the page's.
 * @typedef {{name: string, default?: string | number, min?: number, max?: number, whole?: boolean,
 *   choices?: (number | string)[], all?: number, alias?: string}} Setting
 * @type {Readonly<Record<string, Setting>>}
 */
export const SETTINGS = Object.freeze({
  model: {default: 'mlp', name: 'The model'}, // a preset name or 'custom': the engine lists the presets
  spec: {default: 'conv(8,3)-relu-pool(2)-flatten-dense(32)-relu-dense(10)', name: 'The layer spec'}, // the engine checks it
  epochs: {min: 1, max: 100, whole: true, name: 'Epochs'},
  batch: {choices: [16, 32, 64, 128, 256], name: 'The batch size'},
  // Above 0 as a float32 (the engine refuses a rate that rounds to 0) and at most the engine's 10.
  lr: {min: 1e-6, max: 10, name: 'The learning rate'},
  optimizer: {choices: ['adam', 'sgd'], name: 'The optimizer'},
  schedule: {choices: ['cosine', 'constant', 'step', 'onecycle'], name: 'The schedule'},
  // The first `limit` training digits. The form offers all of them (0, as the engine says it;
  // 60,000 is the same), 20,000, 5,000 and 1,000; a link may ask for any whole number between
  // (?limit=, or ?subset= as older links say).
  limit: {min: 1000, max: 60000, all: 0, whole: true, alias: 'subset', name: 'Training digits'},
  augment: {name: 'Augmentation'}, // 1 or 0 in the URL
  // Train towards 1 - s + s/10 on the label and s/10 on every other digit (the engine allows
  // [0, 1)). Its default, and test_shifts', is the model's: its preset's recipe, 0 for a spec.
  label_smoothing: {min: 0, max: 0.99, name: 'Label smoothing'},
  // Score each test digit as the mean softmax of it and its copies moved one pixel.
  test_shifts: {choices: [0, 2, 4], name: 'Test shifts'},
  // The network's initial weights, the shuffling and the augmentation: one seed repeats a run.
  seed: {min: 0, max: 2147483647, whole: true, name: 'The seed'},
  // The page's own, not the engine's (model/training.js keeps them from it): test on the full
  // test set every `eval_every` training digits as well as after each epoch (0: after each
  // epoch only), and stop at the first test at or above `until` percent (0: train to the end),
  // as the CLI's --eval-every and --until do.
  eval_every: {default: 0, choices: [0, 2000, 5000, 10000, 20000], name: 'The test interval'},
  until: {default: 0, min: 0, max: 100, name: 'The target accuracy'},
});

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
  if (key === 'until') return `${s.name} must be a percentage from 0 to 100 (0: train to the end).`;
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
  if (s.all !== undefined && (n === s.all || n === s.max)) return {value: s.all};
  const ok = s.choices ? s.choices.includes(n) : n >= s.min && n <= s.max && (!s.whole || Number.isInteger(n));
  return ok ? {value: n} : {error: rule(key)};
}

export class Settings {
  /** @param {boolean} persist read from and mirror into location.search */
  constructor(persist) {
    this.persist = persist;
    /**
     * Each setting's default: the page's where SETTINGS gives one, the engine's for the rest (useDefaults).
     * @type {Record<string, unknown>}
     */
    this.defaults = Object.fromEntries(
      Object.entries(SETTINGS)
        .filter(([, s]) => s.default !== undefined)
        .map(([key, s]) => [key, s.default]),
    );
    /** The settings as they stand; a training setting is undefined until the link or the engine gives it. */
    this.values = {...this.defaults};
    /** key -> {raw, param, why, message}: URL values refused, kept in the URL until the field is set */
    this.refused = {};
    /** The settings the link named, taken or refused. */
    this.linked = new Set();
    if (!persist) return;
    const q = new URLSearchParams(location.search);
    for (const [key, s] of Object.entries(SETTINGS)) {
      const name = q.has(key) ? key : s.alias && q.has(s.alias) ? s.alias : null;
      if (!name) continue;
      this.linked.add(key);
      const raw = q.get(name);
      const r = checkSetting(key, raw);
      if (r.error) this.refuse(key, raw, r.error, name);
      else this.values[key] = r.value;
    }
  }

  get(key) {
    return this.values[key];
  }

  /**
   * The engine's defaults (Reply.READY's `defaults`, by the engine's names) for the settings
   * nothing has given yet. Returns the keys that took their default.
   * @param {Record<string, unknown>} engine
   * @returns {string[]}
   */
  useDefaults(engine) {
    const taken = [];
    for (const key of Object.keys(SETTINGS)) {
      // The engine's -1 for label smoothing and test shifts means "as the model's recipe": the view sets those.
      if (!(key in engine) || checkSetting(key, engine[key]).error) continue;
      this.defaults[key] = engine[key];
      if (this.values[key] === undefined && !this.refused[key]) {
        this.values[key] = engine[key];
        taken.push(key);
      }
    }
    return taken;
  }

  /**
   * Refuses (in the same words as the URL's) a value that only the page can check, such as an unknown model.
   * `name`: the URL parameter it came as (the key, or its older alias).
   */
  refuse(key, raw, why, name = key) {
    const param = `?${name}=${clip(raw)}`;
    this.refused[key] = {raw, name, param, why, message: `The link's ${param} is not used. ${why}`};
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
    for (const [key, {alias}] of Object.entries(SETTINGS)) {
      const v = this.values[key];
      if (alias) q.delete(alias);
      if (this.refused[key]) q.set(this.refused[key].name, this.refused[key].raw);
      else if (v === undefined || v === this.defaults[key] || String(v).length > URL_VALUE_MAX) q.delete(key);
      else q.set(key, key === 'augment' ? (v ? '1' : '0') : String(v));
    }
    const search = q.toString();
    history.replaceState(history.state, '', `${location.pathname}${search ? `?${search}` : ''}${location.hash}`);
  }
}
