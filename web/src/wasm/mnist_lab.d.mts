// Types of the Embind module built from wasm/bindings.cpp (the generated
// mnist_lab.mjs beside this file is git-ignored; this declaration is not).
// Keep it in step with wasm/bindings.cpp and wasm/engine.h: tsc checks
// web/src/engine/core.js, the one caller, against it.

/** JSON text from the core (parsed by engine/core.js). */
type Json = string;

export interface Engine {
  createModel(model: string, seed: number): Json;
  modelInfo(): Json;
  loadData(split: string, images: Uint8Array, labels: Uint8Array): void;
  dataCount(split: string): number;
  startTraining(
    epochs: number,
    batch: number,
    lr: number,
    optimizer: string,
    schedule: string,
    augment: boolean,
    seed: number,
    weightDecay: number,
    limit: number,
  ): void;
  startNewTraining(
    model: string,
    modelSeed: number,
    epochs: number,
    batch: number,
    lr: number,
    optimizer: string,
    schedule: string,
    augment: boolean,
    seed: number,
    weightDecay: number,
    limit: number,
  ): Json;
  train(batches: number): Json;
  evaluate(limit: number, split: string, withPredictions: boolean): Json;
  predict(image: Float32Array): Float32Array;
  predictDrawing(pixels: Uint8Array | Uint8ClampedArray, width: number, height: number): Float32Array;
  input(): Float32Array;
  activation(layer: number): Float32Array;
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
  presets(): Json;
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
