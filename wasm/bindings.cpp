// Registration only: the JS surface of the core. Conversions live in engine.h.
#include <emscripten/bind.h>

#include "engine.h"

EMSCRIPTEN_BINDINGS(mnist_lab) {
  using mnist::TrainConfig;
  using mnist::TrainProgress;
  using mnist::wasm::Engine;
  using F = mnist::wasm::TrainConfigFields;
  emscripten::value_object<TrainConfig>("TrainConfig")
      .field("epochs", &TrainConfig::epochs)
      .field("batch", &TrainConfig::batch)
      .field("lr", &TrainConfig::lr)
      .field("optimizer", &F::optimizer, &F::set_optimizer)
      .field("schedule", &TrainConfig::schedule)
      .field("weight_decay", &F::weight_decay, &F::set_weight_decay)
      .field("augment", &TrainConfig::augment)
      .field("seed", &F::seed, &F::set_seed)
      .field("limit", &TrainConfig::limit);
  emscripten::value_object<TrainProgress>("TrainProgress")
      .field("epoch", &TrainProgress::epoch)
      .field("epochs", &TrainProgress::epochs)
      .field("batch", &TrainProgress::batch)
      .field("batches_per_epoch", &TrainProgress::batches_per_epoch)
      .field("step", &TrainProgress::step)
      .field("total_steps", &TrainProgress::total_steps)
      .field("loss", &TrainProgress::loss)
      .field("accuracy", &TrainProgress::accuracy)
      .field("samples_per_second", &TrainProgress::samples_per_second)
      .field("epoch_seconds", &TrainProgress::epoch_seconds)
      .field("lr", &TrainProgress::lr)
      .field("epoch_done", &TrainProgress::epoch_done)
      .field("finished", &TrainProgress::finished)
      .field("diverged", &TrainProgress::diverged)
      .field("diverged_step", &TrainProgress::diverged_step)
      .field("diverged_loss", &TrainProgress::diverged_loss)
      .field("message", &TrainProgress::message);
  emscripten::class_<Engine>("Engine")
      .constructor<>()
      .function("createModel", &Engine::createModel)
      .function("modelInfo", &Engine::modelInfo)
      .class_function("describe", &Engine::describe)
      .class_function("describeFor", &Engine::describeFor)
      .class_function("describeWeights", &Engine::describeWeights)
      .class_function("presets", &Engine::presets)
      .class_function("defaults", &Engine::defaults)
      .class_function("setThreads", &Engine::setThreads)
      .class_function("threads", &Engine::threads)
      .class_function("fma", &Engine::fma)
      .function("loadData", &Engine::loadData)
      .function("count", &Engine::count)
      .function("image", &Engine::image)
      .function("labels", &Engine::labels)
      .function("startTraining", &Engine::startTraining)
      .function("startNewTraining", &Engine::startNewTraining)
      .function("train", &Engine::train)
      .function("evaluate", &Engine::evaluate)
      .function("predict", &Engine::predict)
      .function("predictDrawing", &Engine::predictDrawing)
      .function("predictSample", &Engine::predictSample)
      .function("input", &Engine::input)
      .function("activation", &Engine::activation)
      .function("params", &Engine::params)
      .function("exportWeights", &Engine::exportWeights)
      .function("importWeights", &Engine::importWeights)
      .function("takeError", &Engine::takeError);
}
