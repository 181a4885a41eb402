// Registration only: the JS surface of the core. Conversions live in engine.h.
#include <emscripten/bind.h>

#include "engine.h"

EMSCRIPTEN_BINDINGS(mnist_lab) {
  using mnist::wasm::Engine;
  emscripten::class_<Engine>("Engine")
      .constructor<>()
      .function("createModel", &Engine::createModel)
      .function("modelInfo", &Engine::modelInfo)
      .class_function("describe", &Engine::describe)
      .class_function("describeFor", &Engine::describeFor)
      .class_function("presets", &Engine::presets)
      .class_function("setThreads", &Engine::setThreads)
      .class_function("threads", &Engine::threads)
      .class_function("fma", &Engine::fma)
      .function("loadData", &Engine::loadData)
      .function("dataCount", &Engine::dataCount)
      .function("startTraining", &Engine::startTraining)
      .function("startNewTraining", &Engine::startNewTraining)
      .function("train", &Engine::train)
      .function("evaluate", &Engine::evaluate)
      .function("predict", &Engine::predict)
      .function("predictDrawing", &Engine::predictDrawing)
      .function("input", &Engine::input)
      .function("activation", &Engine::activation)
      .function("params", &Engine::params)
      .function("exportWeights", &Engine::exportWeights)
      .function("importWeights", &Engine::importWeights)
      .function("takeError", &Engine::takeError);
}
