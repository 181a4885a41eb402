#pragma once
// A small fork-join pool for the loops worth splitting: data-parallel training
// (nn/train/data_parallel.h: the shards of a batch, the gradient sum, the
// optimizer's update), gemm() and Winograd's block products. Workers are started by set_threads() and
// reused; parallel_for() runs the caller's share itself and returns when every index is done. With one thread
// (the default, and always in a build without threads) parallel_for() is a plain
// loop on the caller.
//
// Threads exist natively (std::thread) and in the wasm build made with
// -pthread (Emscripten pthreads, Web Workers over one SharedArrayBuffer); the
// single-thread wasm build compiles the pool out (MNIST_THREADS == 0).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
#define MNIST_THREADS 0
#else
#define MNIST_THREADS 1
#endif

namespace mnist {

// Floats per block when a loop over a parameter arena is shared out (the
// gradient sum, the optimizer's update): fixed, so which floats go together
// never depends on the thread count.
constexpr size_t kArenaBlock = 4096;

// Threads parallel_for() uses, the caller included: 1..max_threads(), else
// mnist::Error (nothing changed). Starts workers the first time they are
// needed; a smaller count parks the workers past it (asleep, kept for a later
// larger count). Call it between parallel_for() calls, never from inside one;
// a training run may change it between its steps, which give the same bits on
// any count. The setting is process-wide.
void set_threads(int n);
int threads();
// 1 without thread support; else the most set_threads() accepts.
int max_threads();

namespace detail {
void run_parallel(int count, void (*call)(void* ctx, int i), void* ctx);
// True on a thread running a parallel_for() body (the caller's share included).
bool in_parallel();
}  // namespace detail

// Runs fn(i) for every i in [0, count) and returns when all are done. The
// indices are shared out between the caller and the workers, so fn must not
// depend on which thread runs which index for its result. With one index per
// thread (count == threads()) index 0 runs on the caller and index k on worker
// k, loop after loop: a loop split the same way as the one before finds its part
// in the cache of the core that wrote it. Called while the pool is busy (from
// another thread, or from inside fn), it runs the loop inline.
template <typename F>
void parallel_for(int count, F&& fn) {
  if (count <= 0) return;
  if (count == 1 || threads() == 1 || detail::in_parallel()) {
    for (int i = 0; i < count; ++i) fn(i);
    return;
  }
  using Fn = std::remove_reference_t<F>;
  detail::run_parallel(
      count, [](void* ctx, int i) { (*static_cast<Fn*>(ctx))(i); },
      const_cast<void*>(static_cast<const void*>(&fn)));
}

// How many parts share_of() cuts [0, len) into for `threads` threads: one a
// thread, but never a part without a whole unit (at least 1 when len > 0).
inline int share_parts(int len, int unit, int threads) { return std::min(threads, (len + unit - 1) / unit); }

// Part p of [0, len) cut into `parts` pieces of whole `unit`s, as even as
// whole units allow (the last piece ends at len): {lo, hi}.
inline std::pair<int, int> share_of(int len, int unit, int parts, int p) {
  const int units = (len + unit - 1) / unit;
  return {int(int64_t(units) * p / parts) * unit,
          std::min(len, int(int64_t(units) * (p + 1) / parts) * unit)};
}

// The parameter arena's floats each thread owns, as [from, to) ranges: part k
// is thread k's (nn/model/network.h arena_share). The parts cover the arena
// once, and each part holds the same rows of every weight matrix the thread
// computes in the layers' products, so every pass over the arena can find its
// part on the core that wrote it.
using ArenaShare = std::vector<std::vector<std::pair<size_t, size_t>>>;

// Runs fn(lo, hi) over [0, count) cut into threads() contiguous ranges, range k
// on thread k: for a loop that runs the same way step after step and should find
// its range on the core that touched it last (the optimizer's update when no
// ArenaShare is given). fn must not depend on how the range is cut.
template <typename F>
void parallel_ranges(int count, F&& fn) {
  if (count <= 0) return;
  const int parts = detail::in_parallel() ? 1 : std::min(count, threads());
  parallel_for(parts,
               [&](int p) { fn(int(int64_t(count) * p / parts), int(int64_t(count) * (p + 1) / parts)); });
}

}  // namespace mnist
