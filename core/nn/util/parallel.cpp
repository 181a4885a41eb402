#include "nn/util/parallel.h"

#include "nn/util/check.h"

#if MNIST_THREADS
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>
#endif

namespace mnist {

#if !MNIST_THREADS

void set_threads(int n) { check(n == 1, "threads must be 1 in a build without threads, got ", n); }
int threads() { return 1; }
int max_threads() { return 1; }
namespace detail {
void run_parallel(int count, void (*call)(void*, int), void* ctx) {
  for (int i = 0; i < count; ++i) call(ctx, i);
}
bool in_parallel() { return false; }
}  // namespace detail

#else

namespace {

constexpr int kMaxThreads = 16;

// Set while this thread runs a job's indices: a parallel_for() inside one runs
// inline (the pool holds one job at a time).
thread_local bool t_in_job = false;

// Thread `self`'s share of a job of `count` indices on `threads` threads, flagged
// as inside a job: with one index per thread, index `self` (so a job split the
// same way as the one before it finds its part where that one left it: the
// gradient rows a thread's share of a product wrote are the block it sums and
// updates); else indices from `next` until none is left.
void take_share(int self, int threads, std::atomic<int>& next, int count, void (*call)(void*, int),
                void* ctx) {
  t_in_job = true;
  if (count == threads)
    call(ctx, self);
  else
    for (int i; (i = next.fetch_add(1, std::memory_order_relaxed)) < count;) call(ctx, i);
  t_in_job = false;
}
// A worker that finished a job polls for the next one this many times before
// it sleeps, and the caller polls as many times for the workers to finish
// (a few hundred microseconds): a training step runs its jobs (the shards,
// the gradient sum, the update) a fraction of a millisecond apart, and waking
// a sleeping thread costs about as much natively (a futex) and more in wasm
// (Atomics.wait and notify). Counted, not timed: in the wasm pthreads build a
// clock read on a pool thread can be proxied to the main thread, which is
// busy in the same job (a 1 ms timed spin made 2 threads slower than one).
constexpr int kSpin = 1 << 18;

// Polls done() until it is true, at most kSpin times; returns done().
template <typename Done>
bool spin_until(Done done) {
  for (int i = 0; i < kSpin; ++i)
    if (done()) return true;
  return done();
}

// One job at a time: the caller publishes {call, ctx, count}, bumps `generation`
// and takes its share (take_share) alongside the active workers; each of them,
// when its share is done, decrements `active`, and the caller returns once that
// is zero.
//
// Workers are started when the pool first grows to them and kept until the
// pool ends: shrinking parks the ones from the new size on (asleep, out of the
// jobs) and growing wakes them again. A page gives a training worker all the
// cores while it trains alone and shares them out when two train
// (web/src/model/training.js); a thread start in the wasm pthreads build needs a
// Web Worker the pool loaded beforehand, and costs one anyway. A resize is a
// job of its own that every started worker answers, parked or not, so each one
// knows its part before the next job is published.
class Pool {
 public:
  ~Pool() { stop(); }

  int size() const { return size_.load(std::memory_order_relaxed); }

  void resize(int n) {
    std::lock_guard<std::mutex> job(busy_);
    if (n == size()) return;
    active_.store(int(workers_.size()), std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lk(m_);
      size_.store(n, std::memory_order_relaxed);
      // The resize's generation is known before its bump is seen (only the holder of busy_ bumps).
      const uint64_t g = generation_.load(std::memory_order_relaxed) + 1;
      resized_at_.store(g, std::memory_order_relaxed);
      generation_.store(g, std::memory_order_release);
    }
    wake_.notify_all();
    park_.notify_all();
    wait_for_workers();
    const uint64_t g = generation_.load(std::memory_order_relaxed);
    for (int i = int(workers_.size()) + 1; i < n; ++i) workers_.emplace_back([this, i, g] { work(i, g); });
  }

  // False (nothing run) if another job holds the pool.
  bool run(int count, void (*call)(void*, int), void* ctx) {
    std::unique_lock<std::mutex> job(busy_, std::try_to_lock);
    if (!job.owns_lock() || size() == 1) return false;
    call_ = call;
    ctx_ = ctx;
    count_ = count;
    next_.store(0, std::memory_order_relaxed);
    active_.store(size() - 1, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lk(m_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    take_share(0, size(), next_, count, call, ctx);
    wait_for_workers();
    return true;
  }

 private:
  void wait_for_workers() {
    if (!spin_until([&] { return active_.load(std::memory_order_acquire) == 0; })) {
      std::unique_lock<std::mutex> lk(m_);
      done_.wait(lk, [&] { return active_.load(std::memory_order_acquire) == 0; });
    }
  }

  void stop() {
    std::lock_guard<std::mutex> job(busy_);
    {
      std::lock_guard<std::mutex> lk(m_);
      stop_ = true;
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    park_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  // Worker `index` (1..): takes part in the jobs while index < size(), else
  // sleeps until the next resize (or the end), which it answers either way.
  void work(int index, uint64_t seen) {
    for (;;) {
      uint64_t g = seen;
      if (index >= size()) {
        std::unique_lock<std::mutex> lk(m_);
        park_.wait(lk, [&] { return stop_ || resized_at_.load(std::memory_order_relaxed) > seen; });
        g = generation_.load(std::memory_order_acquire);
      } else if (!spin_until([&] { return (g = generation_.load(std::memory_order_acquire)) != seen; })) {
        std::unique_lock<std::mutex> lk(m_);
        wake_.wait(lk, [&] { return generation_.load(std::memory_order_acquire) != seen; });
        g = generation_.load(std::memory_order_acquire);
      }
      seen = g;
      if (stop_) return;  // written before the generation bump that woke us
      // No job is published while a resize is answered, so g is the resize's or this job's.
      const bool resize = g == resized_at_.load(std::memory_order_relaxed);
      if (!resize) take_share(index, size(), next_, count_, call_, ctx_);
      if (active_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lk(m_);
        done_.notify_one();
      }
    }
  }

  std::mutex busy_;  // held by the job in flight (and by resize)
  std::mutex m_;     // guards the sleeps on wake_, done_ and park_
  std::condition_variable wake_, done_, park_;
  std::vector<std::thread> workers_;  // worker i is workers_[i - 1]; from size() on, parked
  std::atomic<int> size_{1};
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint64_t> resized_at_{0};  // the generation of the last resize
  bool stop_ = false;
  void (*call_)(void*, int) = nullptr;
  void* ctx_ = nullptr;
  int count_ = 0;
  std::atomic<int> next_{0};
  std::atomic<int> active_{0};
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

void set_threads(int n) {
  check(n >= 1 && n <= kMaxThreads, "threads must be 1..", kMaxThreads, ", got ", n);
  pool().resize(n);
}
int threads() { return pool().size(); }
int max_threads() { return kMaxThreads; }

namespace detail {
void run_parallel(int count, void (*call)(void*, int), void* ctx) {
  if (!pool().run(count, call, ctx))
    for (int i = 0; i < count; ++i) call(ctx, i);
}
bool in_parallel() { return t_in_job; }
}  // namespace detail

#endif

}  // namespace mnist
