// mnist-bench: the core's speed, the same source natively and in wasm (node).
// Prints one JSON object: the machine's multiply-add peak measured in this run,
// GEMM and convolution FLOP rates, and training samples/s for the presets named
// on the command line. Everything is warmed up before it is timed (V8 keeps a
// loop entered once in its baseline tier until it has run a while).
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "nn/data/dataset.h"
#include "nn/kernels/gemm.h"
#include "nn/kernels/madd.h"
#include "nn/layers/conv2d.h"
#include "nn/model/spec.h"
#include "nn/train/trainer.h"
#include "nn/util/check.h"
#include "nn/util/json.h"
#include "nn/util/parallel.h"
#include "nn/util/types.h"

#if defined(__EMSCRIPTEN__)
#include <emscripten.h>
#endif

using namespace mnist;
using Clock = std::chrono::steady_clock;

// Every operator new in the process is counted, so the benchmark can show that a
// training step allocates nothing (std::vector growth, std::function, ...).
// (GCC takes the replaced pair for a mismatched one: both ends use malloc/free.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
static std::atomic<long> g_news{0};
void* operator new(size_t n) {
  ++g_news;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace {

double wall_seconds() { return std::chrono::duration<double>(Clock::now().time_since_epoch()).count(); }

// Process CPU seconds: steadier than the wall clock on a shared machine, for the
// per-layer profile (node: process.cpuUsage(); natively: the process CPU clock).
#if defined(__EMSCRIPTEN__)
EM_JS(double, js_cpu_seconds, (), {
  if (typeof process == 'object' && process.cpuUsage) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
  return performance.now() / 1e3;
});
double cpu_seconds() { return js_cpu_seconds(); }
#else
double cpu_seconds() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}
#endif

// Runs f for `warm_s` seconds of `now`, then repeatedly for at least `min_s`;
// returns seconds per call. f is a std::function so its body stays a separate
// wasm function that V8 sees called many times and tiers up; a loop inlined
// here would run in the baseline tier for the whole measurement.
double per_call(const std::function<void()>& f, double (*now)(), double warm_s, double min_s) {
  const double w0 = now();
  while (now() - w0 < warm_s) f();
  long calls = 0;
  const double t0 = now();
  do {
    f();
    ++calls;
  } while (now() - t0 < min_s);
  return (now() - t0) / calls;
}

// Wall-clock seconds per call of f.
double time_per_call(const std::function<void()>& f, double min_s = 0.6) {
  return per_call(f, wall_seconds, 0.3, min_s);
}

// CPU seconds per call of f.
double cpu_per_call(const std::function<void()>& f, double min_s = 0.3) {
  return per_call(f, cpu_seconds, 0.2, min_s);
}

// The multiply-add peak of 4-wide float vectors (f32x4 in wasm, SSE lanes
// natively), the best of two loops that run nothing but multiplies and adds
// from registers, so no kernel gets a flattering denominator:
//  - chains: 12 independent accumulators a = a * m + c (latency hidden);
//  - broadcast: the GEMM microkernel's own pattern without its memory traffic,
//    8 accumulators += 4 broadcast scalars x 2 vectors.
// In the relaxed-SIMD build every multiply-add here is one fused instruction
// (madd), as in the kernels measured against this peak.
typedef f32x4 v4;
__attribute__((noinline)) void peak_chains(v4* acc, long iters) {
  const v4 m = {0.999f, 0.999f, 0.999f, 0.999f}, c = {0.001f, 0.001f, 0.001f, 0.001f};
  v4 a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], a4 = acc[4], a5 = acc[5], a6 = acc[6], a7 = acc[7],
     a8 = acc[8], a9 = acc[9], a10 = acc[10], a11 = acc[11];
  for (long it = 0; it < iters; ++it) {
    a0 = madd(c, a0, m);
    a1 = madd(c, a1, m);
    a2 = madd(c, a2, m);
    a3 = madd(c, a3, m);
    a4 = madd(c, a4, m);
    a5 = madd(c, a5, m);
    a6 = madd(c, a6, m);
    a7 = madd(c, a7, m);
    a8 = madd(c, a8, m);
    a9 = madd(c, a9, m);
    a10 = madd(c, a10, m);
    a11 = madd(c, a11, m);
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
  acc[4] = a4;
  acc[5] = a5;
  acc[6] = a6;
  acc[7] = a7;
  acc[8] = a8;
  acc[9] = a9;
  acc[10] = a10;
  acc[11] = a11;
}

// The scalars come from a 1 KB table that stays in L1 (broadcast loads, as the
// microkernel's), so the products change every step and cannot be hoisted.
__attribute__((noinline)) void peak_broadcast(v4* acc, const float* table, long iters) {
  v4 a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], a4 = acc[4], a5 = acc[5], a6 = acc[6], a7 = acc[7];
  const v4 y0 = acc[8] * 1e-3f, y1 = acc[9] * 1e-3f;
  for (long it = 0; it < iters; ++it) {
    const float* t = table + (it & 63) * 4;
    const v4 b0 = {t[0], t[0], t[0], t[0]}, b1 = {t[1], t[1], t[1], t[1]};
    const v4 b2 = {t[2], t[2], t[2], t[2]}, b3 = {t[3], t[3], t[3], t[3]};
    a0 = madd(a0, b0, y0);
    a1 = madd(a1, b0, y1);
    a2 = madd(a2, b1, y0);
    a3 = madd(a3, b1, y1);
    a4 = madd(a4, b2, y0);
    a5 = madd(a5, b2, y1);
    a6 = madd(a6, b3, y0);
    a7 = madd(a7, b3, y1);
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
  acc[4] = a4;
  acc[5] = a5;
  acc[6] = a6;
  acc[7] = a7;
}

struct Peak {
  double chains, broadcast;
  double best() const { return std::max(chains, broadcast); }
};

Peak peak_gflops() {
  v4 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = v4{1.0f + i, 1.0f, 1.0f, 1.0f};
  const long iters = 1 << 16;
  Peak p;
  const double sc = time_per_call([&] { peak_chains(acc, iters); }, 0.5);
  p.chains = 2.0 * 4 * 12 * iters / sc / 1e9;
  float table[256];
  for (int i = 0; i < 256; ++i) table[i] = 1e-3f * float(i % 17);
  const double sb = time_per_call([&] { peak_broadcast(acc, table, iters); }, 0.5);
  p.broadcast = 2.0 * 4 * 8 * iters / sb / 1e9;
  if (acc[0][0] == 12345.0f) std::printf(" ");
  return p;
}

// The GEMM the layers use: C (m, n) = op(A) (m, k) * op(B) (k, n), row-major.
double gemm_gflops(int m, int k, int n, bool ta = false, bool tb = false) {
  Rng rng(2);
  std::vector<float> A(size_t(m) * k), B(size_t(k) * n), C(size_t(m) * n);
  for (auto& v : A) v = rng.uniform();
  for (auto& v : B) v = rng.uniform();
  const double s = time_per_call(
      [&] { gemm(ta, tb, m, n, k, A.data(), ta ? m : k, B.data(), tb ? k : n, C.data(), n, false); });
  return 2.0 * m * k * n / s / 1e9;
}

// Eigen's own product on the same shape, for comparison.
double eigen_gemm_gflops(int m, int k, int n) {
  Mat A = Mat::Random(m, k), B = Mat::Random(k, n), C(m, n);
  const double s = time_per_call([&] { C.noalias() = A * B; });
  return 2.0 * m * k * n / s / 1e9;
}

// cnn's second convolution (32 -> 64 channels, 3x3, 13x13 -> 11x11), forward
// and backward, on im2col + GEMM, on Winograd F(4x4, 3x3) (what the layer runs)
// and on F(2x2, 3x3), in alternating rounds (the best round of each). Rates
// count the direct convolution's multiply-adds, so Winograd's are effective
// rates: its GEMMs execute a quarter (F(4,3)) or 4/9 (F(2,3)) of them.
struct ConvRates {
  double gemm = 0, winograd = 0, winograd2 = 0;
};

ConvRates conv_gflops(int batch) {
  Rng rng(1);
  std::vector<float> x(size_t(batch) * 32 * 169), dx(x.size());
  for (auto& v : x) v = rng.uniform();
  const double flops = 3 * 2.0 * batch * 64 * (32 * 9) * 121;  // forward, weight and input gradients
  ConvRates best;
  double* rates[3] = {&best.gemm, &best.winograd, &best.winograd2};
  Conv2d convs[3] = {Conv2d(64, 3, false), Conv2d(64, 3, false), Conv2d(64, 3, false)};
  std::vector<float> params[3], grads[3], y;
  for (int i = 0; i < 3; ++i) {
    convs[i].set_path(i ? Conv2d::Path::winograd : Conv2d::Path::gemm);
    convs[i].set_winograd_tile(i == 2 ? 2 : 4);
    convs[i].configure(image_shape(32, 13, 13));
    params[i].resize(convs[i].param_count());
    grads[i].resize(convs[i].param_count());
    convs[i].bind(params[i].data(), grads[i].data());
    convs[i].init(rng);
    convs[i].reserve(batch);
  }
  y.resize(size_t(batch) * convs[0].out_shape().size());
  const std::vector<float> dy(y.size(), 0.01f);
  for (int round = 0; round < 3; ++round)
    for (int i = 0; i < 3; ++i) {
      Conv2d& conv = convs[i];
      const double s = time_per_call(
          [&] {
            conv.forward(x.data(), y.data(), batch, true);
            conv.backward(x.data(), y.data(), dy.data(), dx.data(), batch);
          },
          0.3);
      *rates[i] = std::max(*rates[i], flops / s / 1e9);
    }
  return best;
}

Dataset synthetic(int n) {
  Dataset d;
  d.count = n;
  d.images.resize(size_t(n) * kImagePixels);
  d.labels.resize(n);
  Rng rng(3);
  for (auto& v : d.images) v = uint8_t(rng.below(256));
  for (auto& v : d.labels) v = uint8_t(rng.below(10));
  return d;
}

// Training samples per wall-second; also per CPU-second of this process in *per_cpu
// (on a shared machine the thread may get less than a core).
// A preset in training on `data` at `batch`, a constant rate, with epochs to spare.
struct Run {
  std::unique_ptr<Network> net;
  std::unique_ptr<Trainer> trainer;
  Run(const std::string& preset, int batch, const Dataset& data)
      : net(build_network(resolve_spec(preset), 1)) {
    TrainConfig cfg;
    cfg.epochs = 1000;
    cfg.batch = batch;
    cfg.schedule = "constant";
    trainer = std::make_unique<Trainer>(*net, data, cfg);
  }
};

double train_samples_per_second(const std::string& preset, int batch, const Dataset& data,
                                long* news_per_step, double* per_cpu) {
  Run run(preset, batch, data);
  Trainer& trainer = *run.trainer;
  trainer.step(1);
  const long news0 = g_news;
  trainer.step(1);
  *news_per_step = g_news - news0;
  const double s = time_per_call([&] { trainer.step(1); }, 1.5);
  *per_cpu = batch / cpu_per_call([&] { trainer.step(1); }, 1.0);
  return batch / s;
}

// Training samples/s on 1 thread and on `threads`, windows of `window_s`
// taking turns (1, N, N, 1, ...) on one trainer, so load from elsewhere on a
// shared machine hits both alike: {"one": median, "many": median, "speedup",
// "host_speedup": the same for pure arithmetic, measured between the windows}.
std::string thread_speedup(const std::string& preset, int batch, const Dataset& data, int threads,
                           double window_s, int rounds) {
  Run run(preset, batch, data);
  Trainer& trainer = *run.trainer;
  const auto window = [&](int n) {
    set_threads(n);
    trainer.step(2);  // wakes the pool, warms the caches
    return batch / time_per_call([&] { trainer.step(1); }, window_s);
  };
  // What the host gives this process's threads in the same minutes: 8 blocks of pure
  // register arithmetic (no memory traffic, no sharing), shared out by the same pool. On
  // an idle machine with N free cores it reaches about N; less means other load took a
  // core, which no training code can win back.
  std::atomic<float> sink{0};
  const auto host = [&](int n) {
    set_threads(n);
    const auto blocks = [&] {
      parallel_for(8, [&](int b) {
        v4 acc[12];
        for (int i = 0; i < 12; ++i) acc[i] = v4{1.0f + i + b, 1.0f, 1.0f, 1.0f};
        peak_chains(acc, 1 << 15);
        if (acc[0][0] == 12345.0f) sink.store(acc[1][0]);
      });
    };
    blocks();
    return 1 / time_per_call(blocks, window_s / 4);
  };
  window(1);
  window(threads);
  std::vector<double> one, many, host_one, host_many;
  for (int r = 0; r < rounds; ++r) {
    if (r % 2) {
      many.push_back(window(threads));
      one.push_back(window(1));
      host_many.push_back(host(threads));
      host_one.push_back(host(1));
    } else {
      one.push_back(window(1));
      many.push_back(window(threads));
      host_one.push_back(host(1));
      host_many.push_back(host(threads));
    }
  }
  set_threads(1);
  const auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  };
  char buf[200];
  std::snprintf(buf, sizeof buf, R"({"one":%.1f,"many":%.1f,"speedup":%.3f,"host_speedup":%.3f})",
                median(one), median(many), median(many) / median(one), median(host_many) / median(host_one));
  return buf;
}

// Per-layer time of one training step (forward, then backward) at `batch`, in
// microseconds, printed to stderr: where a model's step time goes.
void profile_layers(const std::string& preset, int batch) {
  auto net = build_network(resolve_spec(preset), 1);
  net->reserve(batch);
  const size_t L = net->layer_count();
  std::vector<std::vector<float>> act(L + 1), grad(L + 1);
  act[0].resize(size_t(batch) * kImagePixels);
  Rng rng(5);
  for (auto& v : act[0]) v = rng.uniform();
  for (size_t i = 0; i < L; ++i) {
    act[i + 1].resize(size_t(batch) * net->layer(i).out_shape().size());
    grad[i + 1].resize(act[i + 1].size(), 0.001f);
  }
  grad[0].resize(act[0].size());
  // Every layer's passes run for a while before any is timed: in wasm the process
  // CPU clock also counts V8's compiler threads, and the first layer timed used to
  // absorb them (mlp's dense(512) forward read 1,518 us where it takes ~1,040).
  for (const double w0 = wall_seconds(); wall_seconds() - w0 < 1.0;) {
    net->forward(act[0].data(), batch, true);
    net->backward(grad[L].data(), batch);
  }
  std::fprintf(stderr, "%s, batch %d: per-layer CPU microseconds per step (forward / backward)\n",
               preset.c_str(), batch);
  double total = 0;
  for (size_t i = 0; i < L; ++i) {
    Layer& layer = net->layer(i);
    const double f = cpu_per_call([&] { layer.forward(act[i].data(), act[i + 1].data(), batch, true); });
    const double b = cpu_per_call([&] {
      layer.backward(act[i].data(), act[i + 1].data(), grad[i + 1].data(), i ? grad[i].data() : nullptr,
                     batch);
    });
    total += f + b;
    std::fprintf(stderr, "  %-22s %9.0f %9.0f\n", layer.token().c_str(), 1e6 * f, 1e6 * b);
  }
  std::fprintf(stderr, "  %-22s %9.0f\n", "layers", 1e6 * total);
  Optimizer adam(OptimizerConfig{}, net->param_count());
  const double opt = cpu_per_call([&] { adam.step(net->params(), net->grads(), 1e-9f); });
  std::fprintf(stderr, "  %-22s %9.0f\n", "adam", 1e6 * opt);
  const Dataset data = synthetic(4096);
  TrainConfig cfg;
  cfg.epochs = 1000;
  cfg.batch = batch;
  cfg.schedule = "constant";
  Trainer trainer(*net, data, cfg);
  const double step = cpu_per_call([&] { trainer.step(1); });
  std::fprintf(stderr, "  %-22s %9.0f\n", "whole training step", 1e6 * step);
}

// The most threads --threads takes. The pthreads wasm build under node starts its
// pool's MNIST_BENCH_POOL workers before main (bench/CMakeLists.txt), and main never
// yields for node to start another: asking for more hung the process instead of running.
int bench_max_threads() {
#ifdef MNIST_BENCH_POOL
  return MNIST_BENCH_POOL + 1;
#else
  return max_threads();
#endif
}

constexpr const char* kUsage =
    "usage: mnist-bench [--batch N] [--threads N] [MODEL ...]\n"
    "       mnist-bench --profile MODEL [--batch N]\n"
    "  MODEL: a preset name or a layer spec (mnist-lab presets, mnist-lab layers); default mlp cnn lenet5\n"
    "  --batch N     training batch, 1..4096 (default 64)\n"
    "  --threads N   2 or more: only the speed-up of N threads over one, per model\n"
    "  --profile M   per-layer forward and backward times of one model\n"
    "Prints one JSON object on stdout.\n";

// A whole number in [lo, hi] written out in full ("64", not "64x" or ""), else an Error naming the flag.
int whole(const char* flag, const char* text, int lo, int hi) {
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(text, &end, 10);
  check(end != text && *end == '\0' && errno == 0 && v >= lo && v <= hi, flag, " must be a whole number ", lo,
        "..", hi, ", got '", text, "'");
  return int(v);
}

int run(int argc, char** argv) {
  std::vector<std::string> models;
  int batch = 64;
  int threads = 1;
  std::string profile;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    const bool takes_value = arg == "--batch" || arg == "--threads" || arg == "--profile";
    if (takes_value) check(i + 1 < argc, arg, " needs a value");
    if (arg == "--batch")
      batch = whole("--batch", argv[++i], 1, 4096);
    else if (arg == "--threads") {
      ++i;
      check(max_threads() > 1 || std::strcmp(argv[i], "1") == 0,
            "--threads: this build has no threads (a wasm build without pthreads), got '", argv[i], "'");
      threads = whole("--threads", argv[i], 1, bench_max_threads());
    } else if (arg == "--profile")
      profile = argv[++i];
    else if (arg.size() > 1 && arg[0] == '-')
      check(false, "unknown option '", arg, "'");
    else
      models.push_back(arg);
  }
  // Every model is checked before anything is timed: a typo fails at once, not after minutes of benchmarks.
  for (const auto& m : models) inspect_spec(resolve_spec(m));
  if (!profile.empty()) {
    inspect_spec(resolve_spec(profile));
    profile_layers(profile, batch);
    return 0;
  }
  if (models.empty()) models = {"mlp", "cnn", "lenet5"};
  if (threads > 1) {
    // Only the thread speed-up: {"threads": N, "batch": B, "train_threads": {model: {one, many, speedup}}}.
    const Dataset data = synthetic(4096);
    std::string rows = "{";
    for (size_t i = 0; i < models.size(); ++i)
      rows +=
          (i ? ",\"" : "\"") + models[i] + "\":" + thread_speedup(models[i], batch, data, threads, 1.0, 6);
    std::printf("{\"threads\":%d,\"batch\":%d,\"train_threads\":%s}}\n", threads, batch, rows.c_str());
    return 0;
  }
  JsonWriter out;
#if defined(__wasm_simd128__) && defined(MNIST_RELAXED_FMA)
  out.field("build", "wasm-simd-fma");
#elif defined(__wasm_simd128__)
  out.field("build", "wasm-simd");
#elif defined(__EMSCRIPTEN__)
  out.field("build", "wasm-scalar");
#else
  out.field("build", "native");
#endif
  out.field("eigen_simd", Eigen::SimdInstructionSetsInUse());
  out.field("batch", batch);
  const Peak peaks = peak_gflops();
  const double peak = peaks.best();
  out.field("peak_gflops", peak);
  out.field("peak_chains_gflops", peaks.chains);
  out.field("peak_broadcast_gflops", peaks.broadcast);
  out.field("gemm_kind", gemm_kind());
  const double g = gemm_gflops(128, 784, 512);
  out.field("gemm_128x784x512_gflops", g);
  out.field("eigen_gemm_128x784x512_gflops", eigen_gemm_gflops(128, 784, 512));
  // cnn's second convolution at this batch: forward, weight gradient, input gradient.
  const int cols = batch * 121;
  out.field("gemm_conv2_fwd_gflops", gemm_gflops(64, 288, cols));
  out.field("gemm_conv2_dw_gflops", gemm_gflops(64, cols, 288, false, true));
  out.field("gemm_conv2_dx_gflops", gemm_gflops(288, 64, cols, true, false));
  const ConvRates conv_rates = conv_gflops(batch);
  const double conv = conv_rates.gemm;
  out.field("conv_fwd_bwd_gflops", conv);
  out.field("conv_winograd_fwd_bwd_effective_gflops", conv_rates.winograd);
  out.field("conv_winograd_speedup", conv_rates.winograd / conv_rates.gemm);
  out.field("conv_winograd2_fwd_bwd_effective_gflops", conv_rates.winograd2);
  out.field("gemm_pct_of_peak", 100 * g / peak);
  out.field("conv_pct_of_peak", 100 * conv / peak);
  const Dataset data = synthetic(4096);
  std::string train = "{", allocs = "{", train_cpu = "{";
  for (size_t i = 0; i < models.size(); ++i) {
    char buf[128];
    long news = 0;
    double per_cpu = 0;
    std::snprintf(buf, sizeof buf, "%s\"%s\":%.1f", i ? "," : "", models[i].c_str(),
                  train_samples_per_second(models[i], batch, data, &news, &per_cpu));
    train += buf;
    std::snprintf(buf, sizeof buf, "%s\"%s\":%.1f", i ? "," : "", models[i].c_str(), per_cpu);
    train_cpu += buf;
    std::snprintf(buf, sizeof buf, "%s\"%s\":%ld", i ? "," : "", models[i].c_str(), news);
    allocs += buf;
  }
  out.raw("train_samples_per_second", train + "}");
  out.raw("train_samples_per_cpu_second", train_cpu + "}");
  // operator new calls in one training step after the first (should be 0).
  out.raw("train_step_allocations", allocs + "}");
  std::printf("%s\n", out.str().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    // A bad argument or model: one line saying what is wrong, never an abort.
    std::fprintf(stderr, "mnist-bench: %s (mnist-bench --help shows the usage)\n", e.what());
    return 2;
  }
}
