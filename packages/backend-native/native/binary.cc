// Element-wise binary kernels with numpy/tfjs broadcasting. The JavaScript side collapses the
// shapes into at most 8 dims with element strides (0 where an operand is broadcast); the last dim
// is contiguous or broadcast in each operand, so the inner loop is one of three vector forms.
#include <cmath>

#include "common.h"
#include "thread_pool.h"

#include <immintrin.h>

namespace dl4ts {
namespace {

// Op codes: src/kernels/op-codes.ts lists them for TypeScript, and its test checks the two agree. Comparisons write 0/1 bytes (tfjs's bool).
enum Op { kAdd = 0, kSub, kMul, kDiv, kMaximum, kMinimum, kSquaredDifference, kPow, kGreater, kGreaterEqual, kLess, kLessEqual, kEqual, kNotEqual };

inline float scalar(int op, float a, float b) {
  switch (op) {
    case kAdd: return a + b;
    case kSub: return a - b;
    case kMul: return a * b;
    case kDiv: return a / b;
    // Math.max/min: NaN if either is NaN.
    case kMaximum: return (std::isnan(a) || std::isnan(b)) ? NAN : (a > b ? a : b);
    case kMinimum: return (std::isnan(a) || std::isnan(b)) ? NAN : (a < b ? a : b);
    case kSquaredDifference: { float d = a - b; return d * d; }
    case kPow: return std::pow(a, b);
    default: return 0.0f;
  }
}

inline uint8_t compare(int op, float a, float b) {
  switch (op) {
    case kGreater: return a > b;
    case kGreaterEqual: return a >= b;
    case kLess: return a < b;
    case kLessEqual: return a <= b;
    case kEqual: return a == b;
    case kNotEqual: return a != b;
    default: return 0;
  }
}

inline bool vector(int op, __m256 a, __m256 b, __m256* out) {
  switch (op) {
    case kAdd: *out = _mm256_add_ps(a, b); return true;
    case kSub: *out = _mm256_sub_ps(a, b); return true;
    case kMul: *out = _mm256_mul_ps(a, b); return true;
    case kDiv: *out = _mm256_div_ps(a, b); return true;
    case kMaximum:
    case kMinimum: {
      __m256 r = op == kMaximum ? _mm256_max_ps(a, b) : _mm256_min_ps(a, b);
      // a + b is NaN where either is: NaN propagates as in Math.max.
      *out = _mm256_blendv_ps(r, _mm256_add_ps(a, b), _mm256_cmp_ps(a, b, _CMP_UNORD_Q));
      return true;
    }
    case kSquaredDifference: { __m256 d = _mm256_sub_ps(a, b); *out = _mm256_mul_ps(d, d); return true; }
    default: return false;
  }
}

// One contiguous run of n outputs; sa/sb are 1 (contiguous) or 0 (one value broadcast).
template <typename Out>
void run(int op, const float* a, size_t sa, const float* b, size_t sb, Out* out, size_t n);

template <>
void run<float>(int op, const float* a, size_t sa, const float* b, size_t sb, float* out, size_t n) {
  size_t i = 0;
  __m256 probe;
  if (vector(op, _mm256_setzero_ps(), _mm256_setzero_ps(), &probe)) {
    if (sa == 1 && sb == 1) {
      for (; i + 8 <= n; i += 8) { __m256 r; vector(op, _mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), &r); _mm256_storeu_ps(out + i, r); }
    } else if (sa == 1) {
      const __m256 vb = _mm256_set1_ps(b[0]);
      for (; i + 8 <= n; i += 8) { __m256 r; vector(op, _mm256_loadu_ps(a + i), vb, &r); _mm256_storeu_ps(out + i, r); }
    } else if (sb == 1) {
      const __m256 va = _mm256_set1_ps(a[0]);
      for (; i + 8 <= n; i += 8) { __m256 r; vector(op, va, _mm256_loadu_ps(b + i), &r); _mm256_storeu_ps(out + i, r); }
    }
  }
  for (; i < n; i++) out[i] = scalar(op, a[i * sa], b[i * sb]);
}

template <>
void run<uint8_t>(int op, const float* a, size_t sa, const float* b, size_t sb, uint8_t* out, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = compare(op, a[i * sa], b[i * sb]);
}

// binary(op, a, b, out, meta): meta = [rank, dims..., aStrides..., bStrides...] (Int32Array).
template <typename Out>
void binary(const Napi::CallbackInfo& info, Out* out, size_t outLength) {
  const int op = static_cast<int>(int_arg(info, 0));
  View<float> a, b;
  View<int32_t> meta;
  if (!f32(info[1], &a) || !f32(info[2], &b)) DL4TS_FAIL(info.Env(), "a and b must be Float32Arrays");
  if (!i32(info[4], &meta) || meta.length < 1) DL4TS_FAIL(info.Env(), "meta must be an Int32Array");
  const int rank = meta.data[0];
  if (rank < 1 || rank > 8 || meta.length < static_cast<size_t>(1 + 3 * rank)) DL4TS_FAIL(info.Env(), "meta has a bad rank");
  const int32_t* dims = meta.data + 1;
  const int32_t* as = dims + rank;
  const int32_t* bs = as + rank;
  size_t total = 1, aEnd = 1, bEnd = 1;
  for (int d = 0; d < rank; d++) {
    total *= static_cast<size_t>(dims[d]);
    aEnd += static_cast<size_t>(dims[d] - 1) * as[d];
    bEnd += static_cast<size_t>(dims[d] - 1) * bs[d];
  }
  if (total == 0) return;
  if (outLength < total || a.length < aEnd || b.length < bEnd) DL4TS_FAIL(info.Env(), "an array is shorter than its shape");
  const size_t inner = static_cast<size_t>(dims[rank - 1]);
  const size_t sa = static_cast<size_t>(as[rank - 1]), sb = static_cast<size_t>(bs[rank - 1]);
  if (rank == 1) {
    parallel_for(inner, total, 8, [&](size_t begin, size_t end) { run(op, a.data + begin * sa, sa, b.data + begin * sb, sb, out + begin, end - begin); });
    return;
  }
  const size_t rows = total / inner;
  parallel_for(rows, total, 1, [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; r++) {
      // Offsets of row r: decompose it over dims[0..rank-2].
      size_t rest = r, ao = 0, bo = 0;
      for (int d = rank - 2; d >= 0; d--) {
        size_t index = rest % static_cast<size_t>(dims[d]);
        rest /= static_cast<size_t>(dims[d]);
        ao += index * as[d];
        bo += index * bs[d];
      }
      run(op, a.data + ao, sa, b.data + bo, sb, out + r * inner, inner);
    }
  });
}

void Binary(const Napi::CallbackInfo& info) {
  View<float> out;
  if (!f32(info[3], &out)) DL4TS_FAIL(info.Env(), "out must be a Float32Array");
  binary<float>(info, out.data, out.length);
}

void Compare(const Napi::CallbackInfo& info) {
  View<uint8_t> out;
  if (!u8(info[3], &out)) DL4TS_FAIL(info.Env(), "out must be a Uint8Array");
  binary<uint8_t>(info, out.data, out.length);
}

}  // namespace

void register_binary(Napi::Env env, Napi::Object exports) {
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("compare", Napi::Function::New(env, Compare));
}

}  // namespace dl4ts
