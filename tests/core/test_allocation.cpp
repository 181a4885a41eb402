// The training loop must not allocate: after the first steps have sized every
// buffer, further steps make no heap allocation at all. malloc itself is counted
// (glibc lets a program replace it), so allocations inside Eigen or the standard
// library are seen too, not only operator new. Skipped under the sanitizers,
// which replace malloc themselves.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "nn/model/spec.h"
#include "nn/train/trainer.h"

#if !defined(__SANITIZE_ADDRESS__) && defined(__GLIBC__)
extern "C" void* __libc_malloc(size_t);
namespace {
long g_mallocs = 0;
bool g_counting = false;
}  // namespace
extern "C" void* malloc(size_t n) {
  if (g_counting) ++g_mallocs;
  return __libc_malloc(n);
}

using namespace mnist;

TEST_CASE("training steps make no heap allocation once warmed up", "[allocation]") {
  Dataset data;
  data.count = 300;
  data.images.assign(size_t(data.count) * kImagePixels, 0);
  for (size_t i = 0; i < data.images.size(); ++i) data.images[i] = uint8_t((i * 131) % 251);
  data.labels.assign(size_t(data.count), 0);
  for (int i = 0; i < data.count; ++i) data.labels[size_t(i)] = uint8_t(i % 10);
  for (const char* model : {"mlp", "cnn", "lenet5", "tiny-cnn"}) {
    auto net = build_network(resolve_spec(model), 1);
    TrainConfig cfg;
    cfg.epochs = 50;
    cfg.batch = 64;
    cfg.augment = true;
    Trainer trainer(*net, data, cfg);
    trainer.step(2);  // sizes the buffers
    g_mallocs = 0;
    g_counting = true;
    trainer.step(2);
    g_counting = false;
    INFO(model);
    CHECK(g_mallocs == 0);
  }
}
#endif
