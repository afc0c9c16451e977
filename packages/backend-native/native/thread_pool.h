// A small persistent thread pool for the element-wise and reduction loops. Work below a size
// threshold runs on the calling thread: waking a thread costs microseconds, a small loop less.
#pragma once

#include <cstddef>
#include <functional>

namespace dl4ts {

// Number of threads the loops may use (the calling one included); 1 turns the pool off.
void set_pool_threads(int threads);
int pool_threads();

// Elements below which a loop stays on the calling thread.
void set_parallel_threshold(size_t elements);
size_t parallel_threshold();

// Runs fn(begin, end) over [0, n) in contiguous chunks, on up to pool_threads() threads when
// `work` (elements touched) reaches the threshold. Chunks are multiples of `align` (vector width)
// except the last. Blocks until every chunk is done. With `spin`, the threads spin briefly for the
// next job instead of sleeping (for short jobs that follow each other closely: see thread_pool.cc).
void parallel_for(size_t n, size_t work, size_t align, const std::function<void(size_t, size_t)>& fn, bool spin = false);

}  // namespace dl4ts
