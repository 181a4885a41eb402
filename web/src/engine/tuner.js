// How many threads a training run goes fastest at, measured on the run itself. Training gives
// the same bits on any thread count (core/nn/util/parallel.h), so a run may switch between two
// calls into the engine at no cost but the time. On a quiet machine two threads train mlp, cnn
// and lenet5 1.8-1.9x as fast as one (bench/threads.mjs); on a busy one (a shared host, another
// tab) the threads wait on each other at every fork and join, and the same mlp measured 0.86x.
// So a run that may use more than one thread tries both from time to time: a few chunks at its
// share of the threads and as many at one, taking turns, and then trains at the faster (one
// thread only when it is clearly faster).

/** The median of a non-empty list. */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export class ThreadTuner {
  /**
   * warmupMs: how long a run trains at its share before its first trial (a fresh run's first
   * batches also grow its memory and fill its caches); rounds: chunks measured at each count;
   * margin: how much faster one thread must be to be chosen over the share (noise must not make
   * a run give up threads that are worth 1.8x); retuneMs: how long a choice holds.
   * @param {{warmupMs?: number, rounds?: number, margin?: number, retuneMs?: number}} [options]
   */
  constructor({warmupMs = 1000, rounds = 4, margin = 0.05, retuneMs = 20000} = {}) {
    this.warmupMs = warmupMs;
    this.rounds = rounds;
    this.margin = margin;
    this.retuneMs = retuneMs;
    this.most = 0; // the share it was last given
    this.best = 1; // the count it trains at between trials
    this.warmUntil = -Infinity;
    this.tunedAt = -Infinity;
    /** @type {number[]} the trial's chunks still to measure: their thread counts */
    this.plan = [];
    /** @type {{threads: number, measured: boolean} | null} what the last next() asked for */
    this.asked = null;
    /** @type {Map<number, number[]>} ms per step measured in this trial, per thread count */
    this.times = new Map();
    /** @type {{share: number, one: number} | null} the last trial's medians (ms per step) */
    this.last = null;
  }

  /** The threads for the next chunk of a run that may use up to `most`, at `now` (ms). */
  next(most, now) {
    if (most !== this.most) {
      if (this.most === 0) this.warmUntil = now + this.warmupMs;
      this.most = most;
      this.best = most;
      this.#plan();
    } else if (most > 1 && !this.plan.length && now - this.tunedAt >= this.retuneMs) {
      this.#plan();
    }
    const warming = now < this.warmUntil;
    const threads = this.plan.length && !warming ? this.plan[0] : this.best;
    this.asked = {threads, measured: this.plan.length > 0 && !warming};
    return threads;
  }

  /** What the chunk asked for by the last next() measured: ms per step at `threads`, at `now` (ms). */
  record(threads, msPerStep, now) {
    const asked = this.asked;
    this.asked = null;
    if (!asked?.measured || asked.threads !== threads || this.plan[0] !== threads) return;
    this.plan.shift();
    if (Number.isFinite(msPerStep) && msPerStep > 0) this.times.get(threads)?.push(msPerStep);
    if (this.plan.length) return;
    const share = this.times.get(this.most) || [];
    const one = this.times.get(1) || [];
    if (share.length && one.length) {
      this.last = {share: median(share), one: median(one)};
      this.best = this.last.one < this.last.share * (1 - this.margin) ? 1 : this.most;
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
    // Taking turns, each pair in the other order than the last, so a drift in speed favours neither.
    for (let r = 0; r < this.rounds; r++) this.plan.push(...(r % 2 ? [1, this.most] : [this.most, 1]));
  }
}
