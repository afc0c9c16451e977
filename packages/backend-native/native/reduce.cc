// Reductions over one contiguous block of axes: the input is viewed as [outer, size, inner] and
// reduced over `size`. Sums accumulate in double, as tfjs-backend-cpu's JavaScript loops do, so
// a long sum (a loss over 60,000 examples) keeps its precision. Max/min propagate NaN.
#include <cmath>
#include <vector>

#include "common.h"
#include "thread_pool.h"
#include "vmath.h"

namespace dl4ts {
namespace {

// Op codes: src/kernels/op-codes.ts lists them for TypeScript, and its test checks the two agree.
enum Op { kSum = 0, kMean, kMax, kMin, kProd };

double contiguous_sum(const float* x, size_t n) {
  __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
  size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    __m256 v = _mm256_loadu_ps(x + j);
    s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
    s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
  }
  double sum = hsum_pd(_mm256_add_pd(s0, s1));
  for (; j < n; j++) sum += x[j];
  return sum;
}

float extreme(const float* x, size_t n, size_t stride, bool max) {
  float best = x[0];
  for (size_t j = 0; j < n; j++) {
    float v = x[j * stride];
    if (std::isnan(v)) return v;
    if (max ? v > best : v < best) best = v;
  }
  return best;
}

// reduce(op, x, out, outer, size, inner)
void Reduce(const Napi::CallbackInfo& info) {
  const int op = static_cast<int>(int_arg(info, 0));
  const size_t outer = static_cast<size_t>(int_arg(info, 3)), size = static_cast<size_t>(int_arg(info, 4)), inner = static_cast<size_t>(int_arg(info, 5));
  DL4TS_F32(x, 1, outer * size * inner);
  DL4TS_F32(out, 2, outer * inner);
  if (outer * inner == 0) return;
  if (size == 0) {
    // tfjs: a sum over nothing is 0, a product 1, a max/min -Inf/+Inf... mean is NaN (0/0).
    float empty = op == kProd ? 1.0f : op == kMax ? -INFINITY : op == kMin ? INFINITY : op == kMean ? NAN : 0.0f;
    for (size_t i = 0; i < outer * inner; i++) out.data[i] = empty;
    return;
  }
  const float* in = x.data;
  float* o = out.data;
  const size_t work = outer * size * inner;
  if (inner == 1) {
    parallel_for(outer, work, 1, [&](size_t begin, size_t end) {
      for (size_t r = begin; r < end; r++) {
        const float* row = in + r * size;
        if (op == kSum || op == kMean) {
          double s = contiguous_sum(row, size);
          o[r] = static_cast<float>(op == kMean ? s / static_cast<double>(size) : s);
        } else if (op == kProd) {
          double p = 1.0;
          for (size_t j = 0; j < size; j++) p *= row[j];
          o[r] = static_cast<float>(p);
        } else {
          o[r] = extreme(row, size, 1, op == kMax);
        }
      }
    });
    return;
  }
  // inner > 1: walk rows of `inner` contiguous values, accumulating a block of columns at a time.
  // The parallel split is over (outer, column block) pairs, so [1, size, inner] splits too.
  const size_t block = 256;
  const size_t blocks = (inner + block - 1) / block;
  parallel_for(outer * blocks, work, 1, [&](size_t begin, size_t end) {
    std::vector<double> acc(block);
    for (size_t t = begin; t < end; t++) {
      const size_t r = t / blocks, c0 = (t % blocks) * block;
      const size_t width = inner - c0 < block ? inner - c0 : block;
      const float* base = in + r * size * inner + c0;
      float* dst = o + r * inner + c0;
      if (op == kMax || op == kMin) {
        for (size_t c = 0; c < width; c++) dst[c] = extreme(base + c, size, inner, op == kMax);
        continue;
      }
      const bool prod = op == kProd;
      for (size_t c = 0; c < width; c++) acc[c] = prod ? 1.0 : 0.0;
      for (size_t j = 0; j < size; j++) {
        const float* row = base + j * inner;
        if (prod) {
          for (size_t c = 0; c < width; c++) acc[c] *= row[c];
        } else {
          for (size_t c = 0; c < width; c++) acc[c] += row[c];
        }
      }
      const double scale = op == kMean ? 1.0 / static_cast<double>(size) : 1.0;
      for (size_t c = 0; c < width; c++) dst[c] = static_cast<float>(op == kMean ? acc[c] * scale : acc[c]);
    }
  });
}

}  // namespace

void register_reduce(Napi::Env env, Napi::Object exports) { exports.Set("reduce", Napi::Function::New(env, Reduce)); }

}  // namespace dl4ts
