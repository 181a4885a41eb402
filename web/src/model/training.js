// Training runs, one per slot at most: the run's state machine
//   preparing (downloading) -> running <-> paused -> stopping -> done
// and what the worker reports on the way (progress ~10/s, an evaluation per epoch, the
// end). A run lives in slot.training while it goes and in slot.lastRun once done:
//   {state, model, title, kind, config, race, samples, progress, points: [{x, t, step, loss, acc, lr}],
//    lrChanges: [{step, lr}], epochs: [record], epochsDone, startedAt, endedAt, elapsed, reason, message, step, loss}
// kind: what network it trains (slot.js modelKind); race: one of a race's two runs; points: the run
// sampled up to ~400 times (x: epochs done, t: seconds of training, loss and acc: the means over
// the epoch so far, lr: the batch's rate); lrChanges: the rates set mid-run, after which step.
// reason: 'finished' | 'reached' (a test at or above config.until) | 'stopped' | 'diverged' |
// 'error'; message: the engine's words for an error; step and loss: where a diverged run was stopped.
// config also holds the page's eval_every and until (state.js), which go to the worker beside the
// engine's settings.
//
// The weights are stored as the run goes (the `save` callback, persistence.js): a copy
// ('run') after each epoch, every CHECKPOINT_MS and when it pauses, the result ('ended')
// when it ends.
//
// Events:
//   training {slot}            a run started, paused, resumed, stopped or ended
//   progress {slot, progress}  ~10/s per running slot
//   epoch {slot, record}       a test: after an epoch, or within one (eval_every):
//                              record: {epoch (within one: epochs done as a fraction, 0.84), within,
//                              samples (digits trained on so far), trainLoss, trainAccuracy,
//                              testLoss, testAccuracy, elapsed}
//   ended {slot, run}          the run is done (slot.lastRun); the slot's model is its result
import {Notice, Request} from '../protocol.js';
import {Emitter} from './emitter.js';
import {LabError} from './errors.js';
import {modelKind, SLOTS} from './slot.js';

/** While a slot trains, its weights are stored at least this often (and after every epoch). */
export const CHECKPOINT_MS = 10000;

/**
 * @typedef {import('./slot.js').Slot} Slot
 * @typedef {(slot: Slot, kind: 'run' | 'ended', metrics: object) => Promise<unknown>} Save
 */

export class Training extends Emitter {
  /**
   * @param {{slots: Record<string, Slot>, ensureData: (slots: Slot[], splits: string[]) => Promise<unknown>,
   *   save: Save, busyElsewhere?: (slot: Slot) => boolean}} options  busyElsewhere: whether the
   *   slot's worker trains for something else (a fine-tune, model/finetune.js), which shares the
   *   cores as a run does
   */
  constructor({slots, ensureData, save, busyElsewhere = () => false}) {
    super();
    this.slots = slots;
    this.ensureData = ensureData;
    this.save = save;
    this.busyElsewhere = busyElsewhere;
    for (const slot of Object.values(slots)) {
      this.#listen(slot);
      slot.on('model', () => this.shareCores()); // a worker that is ready (again) has all its threads
    }
    this.on('training', () => this.shareCores());
    this.on('ended', () => this.shareCores());
  }

  /**
   * The runs going on (started, not paused; fine-tunes too) share the cores: each threaded worker is
   * told how many there are before its own run's first batch, so two runs never oversubscribe the
   * cores with spinning threads, and a run alone has them all (Request.SHARE_CORES). Told again only
   * when the number changes; a worker restarted after a crash is told afresh. Called on this
   * model's own events, and by the lab when a fine-tune starts or ends.
   */
  shareCores() {
    const going = Object.values(this.slots).filter(
      (s) => (s.training && s.training.state !== 'paused') || this.busyElsewhere(s),
    );
    const among = Math.max(1, going.length);
    for (const slot of Object.values(this.slots)) {
      const engine = slot.engine;
      if (!going.includes(slot)) this.#inUse(slot); // its worker has its share again, whatever a run's tuner chose
      if (!engine?.threaded || engine.among === among) continue;
      engine.among = among;
      slot.client
        .request(Request.SHARE_CORES, {among})
        .then(({threads}) => {
          engine.share = threads;
          this.#inUse(slot, threads);
        })
        .catch(() => {}); // a worker that died meanwhile is restarted with all its threads
    }
  }

  /**
   * The threads the slot's worker trains on: `threads` as its run's progress tells (engine/tuner.js
   * may find fewer faster than its share), or its share when it is not given.
   */
  #inUse(slot, threads) {
    const engine = slot.engine;
    if (!engine?.threaded) return;
    const n = threads ?? engine.share ?? engine.threads;
    if (engine.inUse === n) return;
    engine.inUse = n;
    this.emit('cores', {slot: slot.name, threads: n});
  }

  /** True while a slot trains (has started, not just downloading). */
  get busy() {
    return Object.values(this.slots).some((s) => s.training?.samples > 0);
  }

  /**
   * Trains a fresh model in a slot. model: preset name or layer spec; config: TrainConfig,
   * whose seed (the engine's default if unset) also draws the fresh model's weights; race: one of
   * a race's runs; paused: it starts paused, before its first batch (see step()). Resolves when the
   * run has started (downloads first); throws a LabError when the slot is busy or the engine refuses.
   */
  async train(name, {model, title, config, race = false, paused = false}) {
    const slot = this.slots[name];
    if (slot.training) throw new LabError('training', {slot: name, action: 'train'});
    const t = {
      state: 'preparing',
      model,
      title,
      kind: null,
      config,
      race,
      samples: 0,
      progress: null,
      points: [],
      lrChanges: [],
      pauseWanted: paused,
      epochs: [],
      epochsDone: 0,
      startedAt: performance.now(),
      elapsed: 0,
      reason: '',
    };
    slot.training = t;
    this.emit('training', {slot: name});
    try {
      await this.ensureData([slot], ['train', 'test']);
      if (slot.training !== t) return; // stopped while downloading
      const startPaused = t.pauseWanted;
      const {eval_every: evalEvery = 0, until = 0, ...engineConfig} = config;
      const ask = {model, config: engineConfig, paused: startPaused, evalEvery, until};
      const reply = await slot.client.request(Request.TRAIN, ask).catch((e) => {
        throw new LabError('start-failed', {slot: name, cause: e.message});
      });
      t.samples = reply.samples;
      t.kind = modelKind(reply.info);
      t.savedAt = performance.now();
      t.state = t.pauseWanted ? 'paused' : 'running';
      if (t.pauseWanted && !startPaused) this.#control(slot, Request.PAUSE);
      slot.setModel(reply.info, 'training', title);
      this.emit('training', {slot: name});
    } catch (e) {
      if (slot.training === t) slot.training = null;
      this.emit('training', {slot: name});
      throw e;
    }
  }

  /** Trains the MLP preset and the CNN preset side by side, each in its own worker. */
  async race(configFor) {
    const slots = SLOTS.map((n) => this.slots[n]);
    if (slots.some((s) => s.training)) throw new LabError('race-busy');
    // Both workers download first (one after the other, the second from the HTTP cache),
    // so the two runs start together.
    const waiting = new Map(
      slots.map((s) => [
        s,
        {
          state: 'preparing',
          points: [],
          epochs: [],
          config: configFor(s.name),
          title: s.name,
          startedAt: performance.now(),
        },
      ]),
    );
    const clear = () => {
      for (const s of slots) {
        if (s.training === waiting.get(s)) s.training = null;
        this.emit('training', {slot: s.name});
      }
    };
    for (const s of slots) s.training = waiting.get(s);
    for (const s of slots) this.emit('training', {slot: s.name});
    try {
      await this.ensureData(slots, ['train', 'test']);
    } catch (e) {
      clear();
      throw e;
    }
    const go = slots.every((s) => s.training === waiting.get(s)); // not stopped meanwhile
    clear();
    if (go) await Promise.all(SLOTS.map((n) => this.train(n, {model: n, title: n, config: configFor(n), race: true})));
  }

  pause(name) {
    const t = this.slots[name].training;
    if (!t) return;
    if (t.state === 'preparing') t.pauseWanted = true;
    else this.#control(this.slots[name], Request.PAUSE);
    t.state = 'paused';
    this.emit('training', {slot: name});
  }

  resume(name) {
    const t = this.slots[name].training;
    if (!t) return;
    t.pauseWanted = false;
    this.#control(this.slots[name], Request.RESUME);
    t.state = 'running';
    this.emit('training', {slot: name});
  }

  stop(name) {
    const t = this.slots[name].training;
    if (!t) return;
    if (t.state === 'preparing') {
      // Nothing runs yet: forget the run (the download finishes in the background).
      this.slots[name].training = null;
      this.emit('training', {slot: name});
      return;
    }
    t.state = 'stopping';
    this.#control(this.slots[name], Request.STOP);
    this.emit('training', {slot: name});
  }

  /**
   * From the next batch on, the slot's run trains at `lr`, constant from then (the schedule stops
   * there). Throws the engine's words when it refuses the rate.
   */
  async setLearningRate(name, lr) {
    const slot = this.slots[name];
    const t = slot.training;
    if (!t?.samples) return;
    await slot.client.request(Request.SET_LR, {lr});
    t.lrChanges.push({step: t.progress?.step ?? 0, lr});
    this.emit('training', {slot: name});
  }

  /** One batch of the slot's paused run -> the step the run is at after it. */
  async step(name) {
    const slot = this.slots[name];
    if (slot.training?.state !== 'paused' || !slot.training.samples) return null;
    return (await slot.client.request(Request.STEP)).step;
  }

  /** Pause, resume or stop: a worker that dies meanwhile is told by its crash, not by this request. */
  #control(slot, type) {
    slot.client.request(type).catch(() => {});
  }

  /** Stores every running slot's weights now (the tab is being hidden or closed: a last chance). */
  checkpoint() {
    return Promise.all(
      Object.values(this.slots)
        .filter((s) => s.training?.progress)
        .map((s) => this.#checkpoint(s)),
    );
  }

  #checkpoint(slot) {
    const t = slot.training;
    const p = t.progress;
    if (!p || p.step <= 0 || p.step === t.savedStep) return Promise.resolve();
    t.savedAt = performance.now();
    t.savedStep = p.step;
    return this.save(slot, 'run', {
      epoch: p.epoch,
      epochs: p.epochs,
      testAccuracy: null,
      partial: true,
      step: p.step,
      totalSteps: p.total_steps,
    });
  }

  #listen(slot) {
    slot.listen(Notice.PROGRESS, (p) => {
      const t = slot.training;
      if (!t) return;
      t.progress = p;
      t.elapsed = p.elapsed;
      if (p.threads) this.#inUse(slot, p.threads);
      for (const q of p.points) {
        const x = q.epoch - 1 + q.batch / p.batches_per_epoch;
        t.points.push({x, t: q.elapsed, step: q.step, loss: q.loss, acc: q.accuracy, lr: q.lr});
      }
      this.emit('progress', {slot: slot.name, progress: p});
      // A paused run may be left for good (the tab closed later): it is stored as it stands.
      if (!p.diverged && (p.paused || performance.now() - t.savedAt >= CHECKPOINT_MS)) this.#checkpoint(slot);
    });
    // A fine-tune (model/finetune.js) measures its threads as a run does.
    slot.listen(Notice.FINETUNE_PROGRESS, (p) => p.threads && this.#inUse(slot, p.threads));
    slot.listen(Notice.EPOCH, (m) => {
      const t = slot.training;
      if (!t) return;
      const record = {
        epoch: m.within ? m.position : m.epoch,
        within: !!m.within,
        samples: m.samples,
        trainLoss: m.trainLoss,
        trainAccuracy: m.trainAccuracy,
        testLoss: m.evaluation.loss,
        testAccuracy: m.evaluation.accuracy,
        elapsed: m.elapsed,
      };
      t.epochs.push(record);
      if (!m.within) t.epochsDone = m.epoch;
      slot.evaluation = {generation: slot.generation, ...m.evaluation};
      slot.trainSeconds = m.elapsed;
      this.emit('epoch', {slot: slot.name, record});
      // A copy after each epoch but the last; within one, the checkpoints every CHECKPOINT_MS do.
      if (!m.within && m.epoch < m.epochs) {
        // after the last one, the run's result is stored (Notice.TRAIN_DONE)
        t.savedAt = performance.now();
        t.savedStep = t.progress?.step;
        this.save(slot, 'run', {
          epoch: m.epoch,
          epochs: m.epochs,
          testAccuracy: m.evaluation.accuracy,
          partial: true,
          step: t.progress?.step,
          totalSteps: t.progress?.total_steps,
        });
      }
    });
    slot.listen(Notice.TRAIN_DONE, (m) => {
      this.#inUse(slot); // the worker has its share again, whatever its run's tuner chose
      const t = slot.training;
      if (!t) return;
      t.state = 'done';
      t.reason = m.reason;
      t.message = m.message;
      t.step = m.step;
      t.loss = m.loss;
      t.elapsed = m.elapsed;
      t.endedAt = performance.now();
      slot.lastRun = t;
      slot.training = null;
      slot.origin = 'trained';
      slot.trainSeconds = m.elapsed;
      if (m.evaluation) slot.evaluation = {generation: slot.generation, ...m.evaluation};
      if (m.trainEvaluation) slot.trainEvaluation = {generation: slot.generation, ...m.trainEvaluation};
      this.emit('ended', {slot: slot.name, run: t});
      if (t.epochsDone > 0 || t.progress?.step > 0) {
        this.save(slot, 'ended', {
          epoch: t.progress?.epoch ?? t.epochsDone,
          epochs: t.config?.epochs,
          testAccuracy: slot.evaluation?.accuracy ?? null,
          ended: m.reason,
        });
      }
    });
  }
}
