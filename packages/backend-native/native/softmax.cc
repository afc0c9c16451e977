// Softmax and log-softmax over the last axis, each row in one pass over memory after its max:
// exp(x - max) / sum and x - max - log(sum), the sum in double.
#include <cmath>

#include "common.h"
#include "thread_pool.h"
#include "vmath.h"

namespace dl4ts {
namespace {

float row_max(const float* x, size_t n) {
  size_t j = 0;
  float best = -INFINITY;
  if (n >= 8) {
    __m256 m = _mm256_loadu_ps(x);
    for (j = 8; j + 8 <= n; j += 8) m = _mm256_max_ps(m, _mm256_loadu_ps(x + j));
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, m);
    for (float v : lanes) best = v > best ? v : best;
  }
  for (; j < n; j++) best = x[j] > best ? x[j] : best;
  return best;
}

// softmax(x, out, rows, cols, log): rows x cols, normalised over each row.
void Softmax(const Napi::CallbackInfo& info) {
  const size_t rows = static_cast<size_t>(int_arg(info, 2)), cols = static_cast<size_t>(int_arg(info, 3));
  const bool log = info[4].As<Napi::Boolean>().Value();
  DL4TS_F32(x, 0, rows * cols);
  DL4TS_F32(out, 1, rows * cols);
  parallel_for(rows, rows * cols * 4, 1, [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; r++) {
      const float* in = x.data + r * cols;
      float* o = out.data + r * cols;
      const float m = row_max(in, cols);
      const __m256 vm = _mm256_set1_ps(m);
      __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
      size_t j = 0;
      for (; j + 8 <= cols; j += 8) {
        __m256 e = vexp(_mm256_sub_ps(_mm256_loadu_ps(in + j), vm));
        if (!log) _mm256_storeu_ps(o + j, e);
        s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
        s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
      }
      double sum = hsum_pd(_mm256_add_pd(s0, s1));
      for (; j < cols; j++) {
        float e = std::exp(in[j] - m);
        if (!log) o[j] = e;
        sum += e;
      }
      if (log) {
        const float shift = m + static_cast<float>(std::log(sum));
        for (size_t c = 0; c < cols; c++) o[c] = in[c] - shift;
      } else {
        const float inv = static_cast<float>(1.0 / sum);
        for (size_t c = 0; c < cols; c++) o[c] *= inv;
      }
    }
  });
}

}  // namespace

void register_softmax(Napi::Env env, Napi::Object exports) { exports.Set("softmax", Napi::Function::New(env, Softmax)); }

}  // namespace dl4ts
