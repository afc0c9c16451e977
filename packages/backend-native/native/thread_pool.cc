#include "thread_pool.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace dl4ts {
namespace {

// One job at a time (the JavaScript thread is the only caller): workers take chunk indices from an
// atomic counter, so a slow thread does not hold the others up.
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
  int active = 0;
  uint64_t generation = 0;
  bool stopping = false;

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

  void worker() {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [&] { return stopping || generation != seen; });
        if (stopping) return;
        seen = generation;
        active++;
      }
      run_chunks();
      std::lock_guard<std::mutex> lock(mutex);
      active--;
      done.notify_all();
    }
  }

  void resize(int threads) {
    stop();
    stopping = false;
    for (int i = 1; i < threads; i++) workers.emplace_back([this] { worker(); });
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
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

void parallel_for(size_t n, size_t work, size_t align, const std::function<void(size_t, size_t)>& fn) {
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
    p.done.wait(lock, [&] { return p.active == 0; });
    p.job = &fn;
    p.n = n;
    p.chunk = chunk;
    p.chunks = chunks;
    p.next.store(0);
    p.finished.store(0);
    p.generation++;
  }
  p.wake.notify_all();
  p.run_chunks();
  std::unique_lock<std::mutex> lock(p.mutex);
  p.done.wait(lock, [&] { return p.finished.load() == chunks && p.active == 0; });
  p.job = nullptr;
}

}  // namespace dl4ts
