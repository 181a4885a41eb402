// The training loop must not allocate: after the first steps have sized every
// buffer, further steps make no heap allocation at all. malloc itself is counted
// (glibc lets a program replace it), so allocations inside Eigen or the standard
// library are seen too, not only operator new. Skipped under the sanitizers,
// which replace malloc themselves (ThreadSanitizer calls it while it starts,
// before it can run instrumented code: a replacement here crashed it).
#include <catch2/catch.hpp>

#include <malloc.h>

#include <algorithm>
#include <cstdlib>

#include "nn/model/spec.h"
#include "nn/train/trainer.h"

// gcc names the sanitizers with macros, clang with __has_feature.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MNIST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define MNIST_SANITIZED 1
#endif
#endif

#if !defined(MNIST_SANITIZED) && defined(__GLIBC__)
extern "C" void* __libc_malloc(size_t);
extern "C" void __libc_free(void*);
namespace {
long g_mallocs = 0;
bool g_counting = false;
// Bytes held, and the most held at once, while counting (free is replaced too).
size_t g_live = 0, g_peak = 0;
}  // namespace
extern "C" void* malloc(size_t n) {
  void* p = __libc_malloc(n);
  if (g_counting) {
    ++g_mallocs;
    g_live += malloc_usable_size(p);
    g_peak = std::max(g_peak, g_live);
  }
  return p;
}
extern "C" void free(void* p) {
  if (g_counting && p) g_live -= std::min(g_live, malloc_usable_size(p));
  __libc_free(p);
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

TEST_CASE("the memory estimate covers what training and evaluation allocate", "[allocation][spec]") {
  Dataset data;
  data.count = 300;
  data.images.assign(size_t(data.count) * kImagePixels, 7);
  data.labels.assign(size_t(data.count), 3);
  std::vector<std::string> specs;
  for (const Preset& p : presets()) specs.push_back(p.spec);
  specs.push_back("conv(40,3,same)-relu-conv(64,5)-dropout-bn-flatten-dense(10)");  // im2col, chunked
  specs.push_back("conv(16,3)-relu-conv(32,3,same)-pool(2)-flatten-dense(10)");     // Winograd
  for (const std::string& spec : specs)
    for (int batch : {1, 32, 200}) {
      INFO(spec << " at batch " << batch);
      g_live = g_peak = 0;
      g_counting = true;
      {
        auto net = build_network(spec, 1);
        TrainConfig cfg;
        cfg.batch = batch;
        Trainer trainer(*net, data, cfg);
        trainer.step(1);
        evaluate(*net, data);
      }
      g_counting = false;
      const uint64_t estimate = training_bytes(spec, batch);
      // Within 10% and a quarter megabyte: strings, layer objects and the old
      // buffer a growing vector holds while it copies (the network grows from
      // the training batch to the evaluation batch) are not in the estimate.
      CHECK(g_peak <= estimate + estimate / 10 + (256u << 10));
      CHECK(estimate <= g_peak + g_peak / 10);
    }
}
#endif
