// dl4ts's updater rules (packages/updaters) in one pass over a parameter instead of four to
// eight tfjs kernels. Each rule repeats its TypeScript formula operation for operation in float32
// (compiled with -ffp-contract=off, so no fused multiply-add changes a rounding): the result is
// bitwise the one the unfused kernels give, on this backend and on tfjs-backend-cpu alike.
#include <atomic>
#include <cmath>
#include <vector>

#include "common.h"
#include "thread_pool.h"
#include "vmath.h"

namespace dl4ts {
namespace {

// Rule codes and state counts: src/kernels/op-codes.ts lists them for TypeScript, and its test checks the two agree.
enum Rule { kNesterovs = 0, kAdam, kAdaMax, kNadam, kAmsGrad, kAdaGrad, kRmsProp, kAdaDelta, kScaledAdd, kSgd };
// State tensors per rule.
constexpr size_t kStates[] = {1, 2, 2, 2, 3, 1, 1, 2, 1, 0};

inline float sq(float x) { return x * x; }
inline float nan_max(float a, float b) { return (std::isnan(a) || std::isnan(b)) ? NAN : (a > b ? a : b); }

// One element of a rule: from gradient g and state values s[], the update and the new state
// (out[0] = update, out[1..] = state). Every input is read before any output is written, so the
// outputs may alias the inputs (the in-place path).
inline void rule_element(int rule, float g, const float* s, const float* c, float* out) {
  switch (rule) {
    case kNesterovs: {  // c: lr, mu, 1 + mu.   v' = mu v - lr g; update = mu v - (1 + mu) v'
      float decayed = s[0] * c[1];
      float next = decayed - g * c[0];
      out[0] = decayed - next * c[2];
      out[1] = next;
      break;
    }
    case kAdam:  // c: b1, 1 - b1, b2, 1 - b2, alpha, eps
    case kAmsGrad: {
      float m = s[0] * c[0] + g * c[1];
      float v = s[1] * c[2] + sq(g) * c[3];
      float denominator = v;
      if (rule == kAmsGrad) {
        float vh = nan_max(s[2], v);  // tf.maximum: NaN if either is NaN
        out[3] = vh;
        denominator = vh;
      }
      out[0] = (m * c[4]) / (std::sqrt(denominator) + c[5]);
      out[1] = m;
      out[2] = v;
      break;
    }
    case kAdaMax: {  // c: b1, 1 - b1, b2, alpha, tiny
      float m = s[0] * c[0] + g * c[1];
      float u = nan_max(s[1] * c[2], std::fabs(g)) + c[4];
      out[0] = (m * c[3]) / u;
      out[1] = m;
      out[2] = u;
      break;
    }
    case kNadam: {  // c: b1, 1 - b1, b2, 1 - b2, scale, eps
      float scaled = g * c[1];
      float m = s[0] * c[0] + scaled;
      float v = s[1] * c[2] + sq(g) * c[3];
      out[0] = ((m * c[0] + scaled) * c[4]) / (std::sqrt(v) + c[5]);
      out[1] = m;
      out[2] = v;
      break;
    }
    case kAdaGrad: {  // c: lr, eps.   h' = h + g^2; update = g lr / (sqrt(h') + eps)
      float h = s[0] + sq(g);
      out[0] = (g * c[0]) / (std::sqrt(h) + c[1]);
      out[1] = h;
      break;
    }
    case kRmsProp: {  // c: lr, decay, 1 - decay, eps
      float sv = s[0] * c[1] + sq(g) * c[2];
      out[0] = (g * c[0]) / (std::sqrt(sv) + c[3]);
      out[1] = sv;
      break;
    }
    case kAdaDelta: {  // states msg, msdx; c: rho, 1 - rho, eps
      float msg = s[0] * c[0] + sq(g) * c[1];
      float msdx = s[1];
      float update = g * std::sqrt((msdx + c[2]) / (msg + c[2]));
      out[0] = update;
      out[1] = msg;
      out[2] = msdx * c[0] + sq(update) * c[1];
      break;
    }
    case kScaledAdd:  // c: alpha.   out = g + alpha b (b the "state")
      out[0] = g + s[0] * c[0];
      break;
    case kSgd:  // c: lr
      out[0] = g * c[0];
      break;
  }
}

bool arrays(Napi::Env env, const Napi::Value& value, size_t count, size_t n, float** out) {
  if (!value.IsArray()) return false;
  Napi::Array array = value.As<Napi::Array>();
  if (array.Length() != count) return false;
  for (size_t i = 0; i < count; i++) {
    View<float> v;
    if (!f32(array.Get(static_cast<uint32_t>(i)), &v) || v.length != n) return false;
    out[i] = v.data;
  }
  return true;
}

void read_constants(const Napi::Value& value, float* c) {
  View<double> constants;
  for (size_t i = 0; i < 8; i++) c[i] = 0.0f;
  if (!view_of<double, napi_float64_array>(value, &constants)) return;
  for (size_t i = 0; i < 8 && i < constants.length; i++) c[i] = static_cast<float>(constants.data[i]);
}

// updater(rule, g, states[], outs[], constants Float64Array): outs = [update, ...new states].
// kScaledAdd: out = g + c0 * states[0] (a penalty gradient l2 w or a decay added to g).
void Updater(const Napi::CallbackInfo& info) {
  const int rule = static_cast<int>(int_arg(info, 0));
  if (rule < 0 || rule > kSgd) DL4TS_FAIL(info.Env(), "updater: unknown rule");
  View<float> g;
  if (!f32(info[1], &g)) DL4TS_FAIL(info.Env(), "updater: the gradient must be a Float32Array");
  const size_t states = kStates[rule];
  const size_t outs = rule == kScaledAdd ? 1 : 1 + states;
  const size_t n = g.length;
  float* s[3] = {nullptr, nullptr, nullptr};
  float* o[4] = {nullptr, nullptr, nullptr, nullptr};
  if (!arrays(info.Env(), info[2], states, n, s)) DL4TS_FAIL(info.Env(), "updater: states must be Float32Arrays of the gradient's length, as many as the rule takes");
  if (!arrays(info.Env(), info[3], outs, n, o)) DL4TS_FAIL(info.Env(), "updater: outputs must be Float32Arrays of the gradient's length, as many as the rule gives");
  float c[8];
  read_constants(info[4], c);
  const float* gd = g.data;
  parallel_for(n, n * (outs + states + 1), 8, [&](size_t begin, size_t end) {
    float sv[3], out[4];
    for (size_t i = begin; i < end; i++) {
      for (size_t k = 0; k < states; k++) sv[k] = s[k][i];
      rule_element(rule, gd[i], sv, c, out);
      for (size_t k = 0; k < outs; k++) o[k][i] = out[k];
    }
  });
}

// One rule's update over [begin, end), in blocks copied to local arrays: with the rule fixed at
// compile time and no aliasing between the locals, the element loop vectorises (the same IEEE
// operations per lane, so the results stay bitwise those of the scalar formula).
template <int R>
void apply_range(size_t begin, size_t end, const float* wd, const float* gd, float* const* s, float* const* os, float* owd, const float* c, float l1, float l2, float decay) {
  constexpr size_t S = kStates[R];
  constexpr size_t B = 256;
  alignas(32) float ww[B], gw[B], sv[3][B], ov[4][B];
  for (size_t i0 = begin; i0 < end; i0 += B) {
    const size_t len = end - i0 < B ? end - i0 : B;
    for (size_t j = 0; j < len; j++) {
      ww[j] = wd[i0 + j];
      gw[j] = gd[i0 + j];
    }
    for (size_t k = 0; k < S; k++)
      for (size_t j = 0; j < len; j++) sv[k][j] = s[k][i0 + j];
    for (size_t j = 0; j < len; j++) {
      const float wi = ww[j];
      float gi = gw[j];
      // tf.sign on tfjs-backend-cpu: -1, 0 or 1, and 0 for NaN.
      if (l1 > 0.0f) gi = gi + l1 * static_cast<float>((wi > 0.0f) - (wi < 0.0f));
      if (l2 > 0.0f) gi = gi + wi * l2;
      float st[3] = {0.0f, 0.0f, 0.0f}, out[4];
      for (size_t k = 0; k < S; k++) st[k] = sv[k][j];
      rule_element(R, gi, st, c, out);
      float update = out[0];
      if (decay > 0.0f) update = update + wi * decay;
      for (size_t k = 0; k < S; k++) ov[k + 1][j] = out[k + 1];
      ov[0][j] = wi - update;
    }
    for (size_t j = 0; j < len; j++) owd[i0 + j] = ov[0][j];
    for (size_t k = 0; k < S; k++)
      for (size_t j = 0; j < len; j++) os[k][i0 + j] = ov[k + 1][j];
  }
}

// applyUpdate(rule, w, g, states[], outW, outStates[], constants, l1, l2, decay): core's whole
// update pipeline for one parameter in one pass, as its tfjs ops compute it:
//   g' = g + l1 sign(w) + l2 w;  [update, state'] = rule(g', state);  update += decay w;  w' = w - update.
// outW and outStates may be w and states themselves (in place).
void ApplyUpdate(const Napi::CallbackInfo& info) {
  const int rule = static_cast<int>(int_arg(info, 0));
  if (rule < 0 || rule > kSgd || rule == kScaledAdd) DL4TS_FAIL(info.Env(), "applyUpdate: unknown rule");
  View<float> w, g, ow;
  if (!f32(info[1], &w) || !f32(info[2], &g) || !f32(info[4], &ow) || g.length != w.length || ow.length != w.length)
    DL4TS_FAIL(info.Env(), "applyUpdate: w, g and outW must be Float32Arrays of one length");
  const size_t n = w.length;
  const size_t states = kStates[rule];
  float* s[3] = {nullptr, nullptr, nullptr};
  float* os[3] = {nullptr, nullptr, nullptr};
  if (!arrays(info.Env(), info[3], states, n, s) || !arrays(info.Env(), info[5], states, n, os))
    DL4TS_FAIL(info.Env(), "applyUpdate: states and outStates must be Float32Arrays of the parameter's length, as many as the rule takes");
  float c[8];
  read_constants(info[6], c);
  const float l1 = static_cast<float>(num_arg(info, 7)), l2 = static_cast<float>(num_arg(info, 8)), decay = static_cast<float>(num_arg(info, 9));
  const float* wd = w.data;
  const float* gd = g.data;
  float* owd = ow.data;
  parallel_for(n, n * (2 * states + 3), 8, [&](size_t begin, size_t end) {
    switch (rule) {
      case kNesterovs: apply_range<kNesterovs>(begin, end, wd, gd, s, os, owd, c, l1, l2, decay); break;
      case kAdam: apply_range<kAdam>(begin, end, wd, gd, s, os, owd, c, l1, l2, decay); break;
      case kAdaMax: apply_range<kAdaMax>(begin, end, wd, gd, s, os, owd, c, l1, l2, decay); break;
      case kNadam: apply_range<kNadam>(begin, end, wd, gd, s, os, owd, c, l1, l2, decay); break;
      case kAmsGrad: apply_range<kAmsGrad>(begin, end, wd, gd, s, os, owd, c, l1, l2, decay); break;
      case kAdaGrad: apply_range<kAdaGrad>(begin, end, wd, gd, s, os, owd, c, l1, l2, decay); break;
      case kRmsProp: apply_range<kRmsProp>(begin, end, wd, gd, s, os, owd, c, l1, l2, decay); break;
      case kAdaDelta: apply_range<kAdaDelta>(begin, end, wd, gd, s, os, owd, c, l1, l2, decay); break;
      default: apply_range<kSgd>(begin, end, wd, gd, s, os, owd, c, l1, l2, decay); break;
    }
  });
}

// sumSquares(x) -> sum of x_i^2: each square rounded to float32 and summed in double, as
// tf.sum(tf.square(x)) on tfjs-backend-cpu, but in eight double lanes (a different order of
// additions in double: the float32 result is the cpu's except where a double rounding lands on a
// float32 tie, which the tests' data never does).
Napi::Value SumSquares(const Napi::CallbackInfo& info) {
  View<float> x;
  if (!f32(info[0], &x)) {
    Napi::RangeError::New(info.Env(), "sumSquares: x must be a Float32Array").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  const float* xd = x.data;
  const size_t n = x.length;
  __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_loadu_ps(xd + i);
    v = _mm256_mul_ps(v, v);
    s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
    s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
  }
  double total = hsum_pd(_mm256_add_pd(s0, s1));
  for (; i < n; i++) {
    const float s2 = xd[i] * xd[i];
    total += s2;
  }
  return Napi::Number::New(info.Env(), total);
}

// countNonFinite(x) -> the number of NaN and infinite elements (a data set's check, one pass).
Napi::Value CountNonFinite(const Napi::CallbackInfo& info) {
  View<float> x;
  if (!f32(info[0], &x)) {
    Napi::RangeError::New(info.Env(), "countNonFinite: x must be a Float32Array").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  std::atomic<size_t> total{0};
  const float* xd = x.data;
  parallel_for(x.length, x.length, 8, [&](size_t begin, size_t end) {
    size_t bad = 0;
    for (size_t i = begin; i < end; i++) bad += std::isfinite(xd[i]) ? 0 : 1;
    total += bad;
  });
  return Napi::Number::New(info.Env(), static_cast<double>(total.load()));
}

}  // namespace

void register_updaters(Napi::Env env, Napi::Object exports) {
  exports.Set("updater", Napi::Function::New(env, Updater));
  exports.Set("applyUpdate", Napi::Function::New(env, ApplyUpdate));
  exports.Set("sumSquares", Napi::Function::New(env, SumSquares));
  exports.Set("countNonFinite", Napi::Function::New(env, CountNonFinite));
}

}  // namespace dl4ts
