// The training settings the page remembers. On the full page they live in the
// URL's query (so a link reproduces a setup); embedded views keep them in memory
// and never touch the host page's URL.

export const DEFAULTS = Object.freeze({
  model: 'mlp',
  spec: 'conv(8,3)-relu-pool(2)-flatten-dense(32)-relu-dense(10)',
  epochs: 1,
  batch: 64,
  lr: 0.003,
  optimizer: 'adam',
  schedule: 'onecycle',
  subset: 60000,
  augment: false,
});

const NUMBERS = ['epochs', 'batch', 'lr', 'subset'];

export class Settings {
  /** @param {boolean} persist mirror into location.search */
  constructor(persist) {
    this.persist = persist;
    this.values = {...DEFAULTS};
    if (persist) {
      const q = new URLSearchParams(location.search);
      for (const key of Object.keys(DEFAULTS)) {
        if (!q.has(key)) continue;
        const raw = q.get(key);
        if (NUMBERS.includes(key)) {
          const n = Number(raw);
          if (Number.isFinite(n) && n > 0) this.values[key] = n;
        } else if (key === 'augment') this.values.augment = raw === '1' || raw === 'true';
        else this.values[key] = raw;
      }
    }
  }

  get(key) {
    return this.values[key];
  }

  set(patch) {
    Object.assign(this.values, patch);
    if (!this.persist) return;
    const q = new URLSearchParams(location.search);
    for (const [key, v] of Object.entries(this.values)) {
      const isDefault = v === DEFAULTS[key];
      if (isDefault) q.delete(key);
      else q.set(key, key === 'augment' ? (v ? '1' : '0') : String(v));
    }
    const search = q.toString();
    history.replaceState(history.state, '', `${location.pathname}${search ? `?${search}` : ''}${location.hash}`);
  }
}
