// Vector math on 8 floats (AVX2): exp, log and tanh from glibc's libmvec (at most 4 ulp), and the
// activations built on them. Each function has a scalar twin for loop tails, so a tail element
// gets the same formula as a vector lane up to libm's rounding.
#pragma once

#include <immintrin.h>

#include <cmath>

extern "C" {
__m256 _ZGVdN8v_expf(__m256);
__m256 _ZGVdN8v_logf(__m256);
__m256 _ZGVdN8v_tanhf(__m256);
}

namespace dl4ts {

inline __m256 vexp(__m256 x) { return _ZGVdN8v_expf(x); }
inline __m256 vlog(__m256 x) { return _ZGVdN8v_logf(x); }
inline __m256 vtanh(__m256 x) { return _ZGVdN8v_tanhf(x); }

inline __m256 vsigmoid(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  return _mm256_div_ps(one, _mm256_add_ps(one, vexp(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}
inline float ssigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// The activations a fused kernel (matrix product epilogue, LSTM gates) can apply, in tfjs's names.
enum Activation { kLinear = 0, kRelu = 1, kRelu6 = 2, kElu = 3, kLeakyRelu = 4, kSigmoid = 5, kTanh = 6 };

inline __m256 vactivate(__m256 x, int activation, __m256 alpha) {
  const __m256 zero = _mm256_setzero_ps();
  switch (activation) {
    // max_ps/min_ps return their second operand when one is NaN: x goes second, so NaN propagates
    // (as tfjs's `x < 0 ? 0 : x`), and a diverging network is noticed instead of silently zeroed.
    case kRelu:
      return _mm256_max_ps(zero, x);
    case kRelu6:
      return _mm256_min_ps(_mm256_set1_ps(6.0f), _mm256_max_ps(zero, x));
    case kElu: {
      __m256 negative = _mm256_sub_ps(vexp(x), _mm256_set1_ps(1.0f));
      return _mm256_blendv_ps(negative, x, _mm256_cmp_ps(x, zero, _CMP_GT_OQ));
    }
    case kLeakyRelu:
      return _mm256_blendv_ps(_mm256_mul_ps(x, alpha), x, _mm256_cmp_ps(x, zero, _CMP_GT_OQ));
    case kSigmoid:
      return vsigmoid(x);
    case kTanh:
      return vtanh(x);
    default:
      return x;
  }
}

inline float sactivate(float x, int activation, float alpha) {
  switch (activation) {
    case kRelu:
      return x < 0.0f ? 0.0f : x;
    case kRelu6:
      return x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x);
    case kElu:
      return x > 0.0f ? x : std::exp(x) - 1.0f;
    case kLeakyRelu:
      return x > 0.0f ? x : alpha * x;
    case kSigmoid:
      return ssigmoid(x);
    case kTanh:
      return std::tanh(x);
    default:
      return x;
  }
}

// Horizontal sum of 8 floats, in double (the reductions accumulate in double, as tfjs-cpu does).
inline double hsum_pd(__m256d v) {
  __m128d lo = _mm256_castpd256_pd128(v);
  __m128d hi = _mm256_extractf128_pd(v, 1);
  lo = _mm_add_pd(lo, hi);
  return _mm_cvtsd_f64(lo) + _mm_cvtsd_f64(_mm_unpackhi_pd(lo, lo));
}

}  // namespace dl4ts
