// Element-wise unary kernels over float32, with tfjs-backend-cpu's formulas (NaN handling
// included), vectorised 8 floats at a time and split over the pool above the size threshold.
#include <cmath>

#include "common.h"
#include "thread_pool.h"
#include "vmath.h"

namespace dl4ts {
namespace {

// Op codes: src/kernels/op-codes.ts lists them for TypeScript, and its test checks the two agree.
enum Op {
  kAbs = 0, kNeg, kSquare, kSqrt, kRsqrt, kReciprocal, kExp, kExpm1, kLog, kLog1p,
  kRelu, kRelu6, kElu, kSelu, kLeakyRelu, kSigmoid, kTanh, kSoftplus, kStep, kFloor,
  kCeil, kSin, kCos, kClip, kErf
};

constexpr float kSeluScale = 1.0507009873554805f;
constexpr float kSeluScaleAlpha = 1.7580993408473768f;

inline float scalar(int op, float x, float p, float q) {
  switch (op) {
    case kAbs: return std::fabs(x);
    case kNeg: return -x;
    case kSquare: return x * x;
    case kSqrt: return std::sqrt(x);
    case kRsqrt: return 1.0f / std::sqrt(x);
    case kReciprocal: return 1.0f / x;
    case kExp: return std::exp(x);
    case kExpm1: return std::expm1(x);
    case kLog: return std::log(x);
    case kLog1p: return std::log1p(x);
    case kRelu: return x < 0.0f ? 0.0f : x;
    case kRelu6: return x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x);
    case kElu: return x >= 0.0f ? x : std::exp(x) - 1.0f;
    case kSelu: return x >= 0.0f ? kSeluScale * x : kSeluScaleAlpha * (std::exp(x) - 1.0f);
    case kLeakyRelu: return x < 0.0f ? p * x : x;
    case kSigmoid: return ssigmoid(x);
    case kTanh: return std::tanh(x);
    case kSoftplus: {
      // tfjs's thresholds: exp(x) below, x above, log1p(exp(x)) between.
      const float threshold = std::log(1.1920928955078125e-7f) + 2.0f;
      if (x > -threshold) return x;
      float e = std::exp(x);
      if (x < threshold) return e;
      return std::log1p(e);  // log(1 + e) would lose e below float32 resolution of 1
    }
    case kStep: return std::isnan(x) ? x : (x > 0.0f ? 1.0f : p);
    case kFloor: return std::floor(x);
    case kCeil: return std::ceil(x);
    case kSin: return std::sin(x);
    case kCos: return std::cos(x);
    case kClip: return x > q ? q : (x < p ? p : x);
    case kErf: return std::erf(x);
    default: return x;
  }
}

// The vector form of `op`, or false when the op has none (its loop is scalar).
inline bool vector(int op, __m256 x, __m256 p, __m256 q, __m256* out) {
  const __m256 zero = _mm256_setzero_ps();
  const __m256 one = _mm256_set1_ps(1.0f);
  switch (op) {
    case kAbs: *out = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x); return true;
    case kNeg: *out = _mm256_xor_ps(x, _mm256_set1_ps(-0.0f)); return true;
    case kSquare: *out = _mm256_mul_ps(x, x); return true;
    case kSqrt: *out = _mm256_sqrt_ps(x); return true;
    case kRsqrt: *out = _mm256_div_ps(one, _mm256_sqrt_ps(x)); return true;
    case kReciprocal: *out = _mm256_div_ps(one, x); return true;
    case kExp: *out = vexp(x); return true;
    case kLog: *out = vlog(x); return true;
    // max/min return their second operand when one is NaN: x second, so NaN propagates.
    case kRelu: *out = _mm256_max_ps(zero, x); return true;
    case kRelu6: *out = _mm256_min_ps(_mm256_set1_ps(6.0f), _mm256_max_ps(zero, x)); return true;
    case kElu: {
      __m256 negative = _mm256_sub_ps(vexp(x), one);
      *out = _mm256_blendv_ps(negative, x, _mm256_cmp_ps(x, zero, _CMP_GE_OQ));
      return true;
    }
    case kSelu: {
      __m256 negative = _mm256_mul_ps(_mm256_set1_ps(kSeluScaleAlpha), _mm256_sub_ps(vexp(x), one));
      *out = _mm256_blendv_ps(negative, _mm256_mul_ps(_mm256_set1_ps(kSeluScale), x), _mm256_cmp_ps(x, zero, _CMP_GE_OQ));
      return true;
    }
    case kLeakyRelu:
      *out = _mm256_blendv_ps(x, _mm256_mul_ps(p, x), _mm256_cmp_ps(x, zero, _CMP_LT_OQ));
      return true;
    case kSigmoid: *out = vsigmoid(x); return true;
    case kTanh: *out = vtanh(x); return true;
    case kStep: {
      __m256 stepped = _mm256_blendv_ps(p, one, _mm256_cmp_ps(x, zero, _CMP_GT_OQ));
      *out = _mm256_blendv_ps(stepped, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
      return true;
    }
    case kFloor: *out = _mm256_floor_ps(x); return true;
    case kCeil: *out = _mm256_ceil_ps(x); return true;
    case kClip: {
      // x > q ? q : (x < p ? p : x), NaN kept: the comparisons are false for NaN.
      __m256 low = _mm256_blendv_ps(x, p, _mm256_cmp_ps(x, p, _CMP_LT_OQ));
      *out = _mm256_blendv_ps(low, q, _mm256_cmp_ps(x, q, _CMP_GT_OQ));
      return true;
    }
    default: return false;
  }
}

// unary(op, x, out, p, q): out = op(x), p and q the op's parameters (alpha; clip's bounds).
void Unary(const Napi::CallbackInfo& info) {
  const int op = static_cast<int>(int_arg(info, 0));
  View<float> x, out;
  if (!f32(info[1], &x) || !f32(info[2], &out)) DL4TS_FAIL(info.Env(), "x and out must be Float32Arrays");
  if (out.length < x.length) DL4TS_FAIL(info.Env(), "out is shorter than x");
  const float p = static_cast<float>(num_arg(info, 3)), q = static_cast<float>(num_arg(info, 4));
  const __m256 vp = _mm256_set1_ps(p), vq = _mm256_set1_ps(q);
  const float* in = x.data;
  float* o = out.data;
  __m256 probe;
  const bool vectorised = vector(op, _mm256_setzero_ps(), vp, vq, &probe);
  parallel_for(x.length, x.length, 8, [&](size_t begin, size_t end) {
    size_t i = begin;
    if (vectorised) {
      for (; i + 8 <= end; i += 8) {
        __m256 r;
        vector(op, _mm256_loadu_ps(in + i), vp, vq, &r);
        _mm256_storeu_ps(o + i, r);
      }
    }
    for (; i < end; i++) o[i] = scalar(op, in[i], p, q);
  });
}

}  // namespace

void register_unary(Napi::Env env, Napi::Object exports) { exports.Set("unary", Napi::Function::New(env, Unary)); }

}  // namespace dl4ts
