// How many threads a training run goes fastest at, measured on the run itself. Training gives
// the same bits on any thread count (core/nn/util/parallel.h), so a run may switch between two
// calls into the engine at no cost but the time. On a quiet machine two threads train mlp, cnn
// and lenet5 1.8-1.9x as fast as one (bench/threads.mjs); on a busy one (a shared host, another
// tab) the threads wait on each other at every fork and join, and the same mlp measured 0.86x.
// So a run that may use more than one thread tries both from time to time: a few chunks at its
// share of the threads and as many at one, taking turns, and then trains at the faster.

/** The median of a non-empty list. */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export class ThreadTuner {
  /**
   * warmup: chunks at the share before the first measured one (a fresh run's first chunks are
   * a batch or two); rounds: chunks measured at each count; retuneMs: how long a choice holds
   * before the run measures again.
   * @param {{warmup?: number, rounds?: number, retuneMs?: number}} [options]
   */
  constructor({warmup = 2, rounds = 3, retuneMs = 20000} = {}) {
    this.warmup = warmup;
    this.rounds = rounds;
    this.retuneMs = retuneMs;
    this.most = 0; // the share it was last given
    this.best = 1; // the count it trains at between trials
    this.tunedAt = -Infinity;
    /** @type {{threads: number, measured: boolean}[]} the trial's chunks still to run */
    this.plan = [];
    /** @type {Map<number, number[]>} ms per step measured in this trial, per thread count */
    this.times = new Map();
    /** @type {{share: number, one: number} | null} the last trial's medians (ms per step) */
    this.last = null;
  }

  /** The threads for the next chunk of a run that may use up to `most`, at `now` (ms). */
  next(most, now) {
    if (most !== this.most || (most > 1 && !this.plan.length && now - this.tunedAt >= this.retuneMs)) {
      this.most = most;
      this.best = most;
      this.#plan();
    }
    return this.plan.length ? this.plan[0].threads : this.best;
  }

  /** What the chunk asked for by the last next() measured: ms per step at `threads`, at `now` (ms). */
  record(threads, msPerStep, now) {
    const step = this.plan[0];
    if (!step || step.threads !== threads) return;
    this.plan.shift();
    if (step.measured && Number.isFinite(msPerStep) && msPerStep > 0) this.times.get(threads)?.push(msPerStep);
    if (this.plan.length) return;
    const share = this.times.get(this.most) || [];
    const one = this.times.get(1) || [];
    if (share.length && one.length) {
      this.last = {share: median(share), one: median(one)};
      this.best = this.last.one < this.last.share ? 1 : this.most;
    }
    this.tunedAt = now;
  }

  #plan() {
    this.plan = [];
    this.times = new Map([
      [this.most, []],
      [1, []],
    ]);
    if (this.most <= 1) return;
    for (let i = 0; i < this.warmup; i++) this.plan.push({threads: this.most, measured: false});
    // Taking turns, each pair in the other order than the last, so a drift in speed favours neither.
    for (let r = 0; r < this.rounds; r++) {
      const pair = r % 2 ? [1, this.most] : [this.most, 1];
      for (const threads of pair) this.plan.push({threads, measured: true});
    }
  }
}
