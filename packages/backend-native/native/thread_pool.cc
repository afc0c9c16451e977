#include "thread_pool.h"

#include <immintrin.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace dl4ts {
namespace {

// How long a worker spins for the next job after a job that asked for it (and the caller for
// that job's end) before sleeping on a condition variable. Waking a sleeping thread costs 10-30
// us, more than a one-sample product takes, so one inference's layers, and the next inference,
// find the workers awake; after this long without a job they sleep. Other jobs (a training step's
// loops, between which OpenBLAS's own threads need the cores) sleep at once, as before.
constexpr auto kSpin = std::chrono::microseconds(200);

// One job at a time (the JavaScript thread is the only caller): workers take chunk indices from an
// atomic counter, so a slow thread does not hold the others up. The job's fields change only under
// the mutex and while no worker is inside run_chunks (`active` is 0); a spinning worker sees a new
// job through `posted` and then takes the mutex like a woken one.
struct Pool {
  std::mutex mutex;
  std::condition_variable wake;
  std::condition_variable done;
  std::vector<std::thread> workers;
  const std::function<void(size_t, size_t)>* job = nullptr;
  size_t n = 0, chunk = 0, chunks = 0;
  std::atomic<size_t> next{0};
  std::atomic<size_t> finished{0};
  // Workers inside run_chunks; a new job waits for 0, so a late waker never sees a job change.
  std::atomic<int> active{0};
  // Workers blocked on `wake`, and whether the caller is blocked on `done` (both under the mutex):
  // a notification is sent only when someone sleeps.
  int sleeping = 0;
  bool caller_sleeping = false;
  uint64_t generation = 0;
  // Whether the current job's workers spin for the next one.
  bool spin_after = false;
  // A copy of `generation` that spinning threads read without the mutex.
  std::atomic<uint64_t> posted{0};
  bool stopping = false;
  std::atomic<bool> stop_flag{false};

  void run_chunks() {
    for (;;) {
      size_t c = next.fetch_add(1);
      if (c >= chunks) return;
      size_t begin = c * chunk;
      size_t end = begin + chunk < n ? begin + chunk : n;
      (*job)(begin, end);
      finished.fetch_add(1);
    }
  }

  // Spins until `ready()` holds or kSpin has passed; true when it holds.
  template <typename Ready>
  static bool spin(Ready ready) {
    const auto until = std::chrono::steady_clock::now() + kSpin;
    for (unsigned i = 0;; i++) {
      if (ready()) return true;
      _mm_pause();
      // Every 64 pauses (a few microseconds): give the core to a thread that waits for it (an
      // OpenBLAS worker, JavaScript) and check the clock.
      if ((i & 63) == 63) {
        if (std::chrono::steady_clock::now() >= until) return false;
        std::this_thread::yield();
      }
    }
  }

  void worker() {
    uint64_t seen = 0;
    bool spin_next = false;
    for (;;) {
      if (spin_next) spin([&] { return posted.load(std::memory_order_acquire) != seen || stop_flag.load(std::memory_order_relaxed); });
      {
        std::unique_lock<std::mutex> lock(mutex);
        sleeping++;
        wake.wait(lock, [&] { return stopping || generation != seen; });
        sleeping--;
        if (stopping) return;
        seen = generation;
        spin_next = spin_after;
        active.fetch_add(1);
      }
      run_chunks();
      std::lock_guard<std::mutex> lock(mutex);
      active.fetch_sub(1);
      if (caller_sleeping) done.notify_all();
    }
  }

  void resize(int threads) {
    stop();
    stopping = false;
    stop_flag.store(false);
    for (int i = 1; i < threads; i++) workers.emplace_back([this] { worker(); });
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
      stop_flag.store(true);
    }
    wake.notify_all();
    for (auto& t : workers) t.join();
    workers.clear();
  }

  ~Pool() { stop(); }
};

Pool& pool() {
  static Pool instance;
  return instance;
}

int configured_threads = 1;
size_t threshold = size_t(1) << 17;

}  // namespace

void set_pool_threads(int threads) {
  if (threads < 1) threads = 1;
  if (threads == configured_threads) return;
  configured_threads = threads;
  pool().resize(threads);
}

int pool_threads() { return configured_threads; }

void set_parallel_threshold(size_t elements) { threshold = elements; }
size_t parallel_threshold() { return threshold; }

void parallel_for(size_t n, size_t work, size_t align, const std::function<void(size_t, size_t)>& fn, bool spin) {
  int threads = configured_threads;
  if (threads <= 1 || work < threshold || n < 2 * align) {
    if (n > 0) fn(0, n);
    return;
  }
  Pool& p = pool();
  // Two chunks per thread: a thread that was descheduled takes fewer.
  size_t chunks = static_cast<size_t>(threads) * 2;
  size_t chunk = (n + chunks - 1) / chunks;
  chunk = (chunk + align - 1) / align * align;
  chunks = (n + chunk - 1) / chunk;
  {
    std::unique_lock<std::mutex> lock(p.mutex);
    // A worker that saw the previous job late may still be leaving it.
    p.caller_sleeping = true;
    p.done.wait(lock, [&] { return p.active.load() == 0; });
    p.caller_sleeping = false;
    p.job = &fn;
    p.n = n;
    p.chunk = chunk;
    p.chunks = chunks;
    p.spin_after = spin;
    p.next.store(0);
    p.finished.store(0);
    p.generation++;
    p.posted.store(p.generation, std::memory_order_release);
    if (p.sleeping > 0) p.wake.notify_all();
  }
  p.run_chunks();
  const auto complete = [&] { return p.finished.load() == chunks && p.active.load() == 0; };
  if (spin) Pool::spin(complete);
  std::unique_lock<std::mutex> lock(p.mutex);
  p.caller_sleeping = true;
  p.done.wait(lock, complete);
  p.caller_sleeping = false;
  p.job = nullptr;
}

}  // namespace dl4ts
