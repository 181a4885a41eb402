// Types of the Embind module built from wasm/bindings.cpp (the generated
// mnist_lab.mjs beside this file is git-ignored; this declaration is not).
// Keep it in step with wasm/bindings.cpp and wasm/engine.h: tsc checks
// web/src/engine/core.js, the one caller, against it.

/** JSON text from the core (parsed by engine/core.js). */
type Json = string;

/**
 * One training run's settings (value_object TrainConfig, the core's TrainConfig flattened): every
 * field must be present when it goes in (engine/core.js fills the missing ones from defaults()).
 */
export interface TrainConfig {
  epochs: number;
  batch: number;
  lr: number;
  optimizer: string;
  schedule: string;
  weight_decay: number;
  augment: boolean;
  /** the fresh model's weights, the shuffling and the augmentation */
  seed: number;
  /** train on the first `limit` samples only (0: all) */
  limit: number;
  /** targets (1 - s) on the label and s / 10 on every class; -1: the preset's own (0 for a spec) */
  label_smoothing: number;
  /** evaluation averages over the image and 2 or 4 one-pixel shifts of it (0: none); -1: the preset's own */
  test_shifts: number;
}

/** What train() reports (value_object TrainProgress: the trainer's Progress and the run's length). */
export interface TrainProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches_per_epoch: number;
  step: number;
  total_steps: number;
  /** running means over this epoch so far */
  loss: number;
  accuracy: number;
  samples_per_second: number;
  epoch_seconds: number;
  lr: number;
  epoch_done: boolean;
  finished: boolean;
  diverged: boolean;
  /** when diverged: the step whose update was refused */
  diverged_step: number;
  /** when diverged: that batch's loss (Infinity or NaN when not finite) */
  diverged_loss: number;
  message: string;
}

export interface Engine {
  createModel(model: string, seed: number): Json;
  modelInfo(): Json;
  loadData(split: string, images: Uint8Array, labels: Uint8Array): void;
  /** The whole size an IDX file's first bytes declare, 0 while they are too few (rank 3 images, 1 labels). */
  idxFileSize(head: Uint8Array, rank: number, what: string): number;
  stage(split: string, file: string, size: number): void;
  writeStaged(split: string, file: string, offset: number, bytes: Uint8Array): void;
  loadStaged(split: string, imagesSize: number, labelsSize: number): void;
  unstage(split: string): void;
  count(split: string): number;
  image(split: string, index: number): Uint8Array;
  labels(split: string): Uint8Array;
  startTraining(settings: TrainConfig): void;
  startNewTraining(model: string, settings: TrainConfig): Json;
  train(batches: number): TrainProgress;
  /** The run's learning rate from its next batch on, constant from then (Trainer::set_lr). */
  setLearningRate(lr: number): void;
  evaluate(limit: number, split: string, withPredictions: boolean): Json;
  predict(image: Float32Array): Float32Array;
  predictDrawing(pixels: Float32Array, width: number, height: number): Float32Array;
  predictSample(split: string, index: number): Float32Array;
  input(): Float32Array;
  activation(layer: number): Float32Array;
  /** The drawing preprocessed (centre: MNIST's crop and centring), moved and predicted: probabilities; input() the image. */
  prepare(
    pixels: Float32Array,
    width: number,
    height: number,
    centre: boolean,
    dx: number,
    dy: number,
    angle: number,
    thickness: number,
  ): Float32Array;
  /** (values.length * 10): the image moved by each value along axis ('x' | 'y' | 'angle' | 'thickness'), predicted. */
  sweep(image: Float32Array, axis: string, values: Float32Array): Float32Array;
  /** (784) d logit[cls] / d image. */
  inputGradient(image: Float32Array, cls: number): Float32Array;
  /** (784) the drop in probs[cls] when each pixel's patch is blanked. */
  occlusion(image: Float32Array, cls: number, patch: number): Float32Array;
  /** {steps, reached, l1, linf}; input() then holds the nudged image and probs() its probabilities. */
  fool(image: Float32Array, target: number, epsilon: number, step: number, maxSteps: number): Json;
  /** (10) the probabilities of the last prediction (or fool). */
  probs(): Float32Array;
  /** {loss, probs, layers: [{output, output_grad, grad, change}: [offset, length] into trace()]}; the weights step. */
  stepTrace(image: Float32Array, label: number, lr: number): Json;
  trace(): Float32Array;
  /** A fine-tuning run on the current model (0 for a setting: the core's default); then train() runs it. */
  startFinetune(images: Uint8Array, labels: Uint8Array, steps: number, batch: number, lr: number, seed: number): void;
  /** An IDX image file and label file -> the digits, views valid until the next readIdx. */
  readIdx(images: Uint8Array, labels: Uint8Array): {count: number; images: Uint8Array; labels: Uint8Array};
  params(): Float32Array;
  exportWeights(half: boolean): Uint8Array;
  importWeights(bytes: Uint8Array): Json;
  /** The message of the last C++ error ('' when none), cleared by reading it. */
  takeError(): string;
  delete(): void;
}

export interface EngineClass {
  new (): Engine;
  describe(model: string): Json;
  describeFor(model: string, batch: number): Json;
  /** A weights file checked whole, without building its model: describe() of its spec, or {ok: false, error}. */
  describeWeights(bytes: Uint8Array): Json;
  presets(): Json;
  /** The largest weights file the core reads, in bytes. */
  maxWeightsBytes(): number;
  defaults(): TrainConfig;
  setThreads(n: number): number;
  threads(): number;
  fma(): boolean;
}

export interface MnistLabModule {
  Engine: EngineClass;
  HEAPU8: Uint8Array;
}

export default function createMnistLab(options?: {
  wasmBinary?: ArrayBuffer | Uint8Array;
  locateFile?: (path: string, prefix: string) => string;
  [key: string]: unknown;
}): Promise<MnistLabModule>;
