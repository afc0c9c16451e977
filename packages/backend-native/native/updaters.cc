// dl4ts's updater rules (packages/updaters) in one pass over a parameter instead of four to
// eight tfjs kernels. Each rule repeats its TypeScript formula operation for operation in float32
// (compiled with -ffp-contract=off, so no fused multiply-add changes a rounding): the result is
// bitwise the one the unfused kernels give, on this backend and on tfjs-backend-cpu alike.
#include <cmath>
#include <vector>

#include "common.h"
#include "thread_pool.h"

namespace dl4ts {
namespace {

// Rule codes, mirrored in src/kernels/fused-updater.ts.
enum Rule { kNesterovs = 0, kAdam, kAdaMax, kNadam, kAmsGrad, kAdaGrad, kRmsProp, kAdaDelta, kScaledAdd };

// Constants c[0..] as float32, as a tfjs scalar tensor would hold them.
struct Constants {
  float c[8];
};

inline float sq(float x) { return x * x; }

// updater(rule, g, states[], outs[], constants Float64Array): outs = [update, ...new states].
// kScaledAdd: out = g + c0 * states[0] (a penalty gradient l2 w or a decay added to g).
void Updater(const Napi::CallbackInfo& info) {
  const int rule = static_cast<int>(int_arg(info, 0));
  View<float> g;
  if (!f32(info[1], &g)) DL4TS_FAIL(info.Env(), "updater: the gradient must be a Float32Array");
  Napi::Array stateArray = info[2].As<Napi::Array>();
  Napi::Array outArray = info[3].As<Napi::Array>();
  View<double> constants;
  if (!view_of<double, napi_float64_array>(info[4], &constants)) DL4TS_FAIL(info.Env(), "updater: constants must be a Float64Array");
  static const size_t kStates[] = {1, 2, 2, 2, 3, 1, 1, 2, 1};
  if (rule < 0 || rule > kScaledAdd) DL4TS_FAIL(info.Env(), "updater: unknown rule");
  const size_t states = kStates[rule];
  const size_t outs = rule == kScaledAdd ? 1 : 1 + states;
  if (stateArray.Length() != states || outArray.Length() != outs) DL4TS_FAIL(info.Env(), "updater: wrong number of state or output arrays");
  const size_t n = g.length;
  float* s[3] = {nullptr, nullptr, nullptr};
  float* o[4] = {nullptr, nullptr, nullptr, nullptr};
  for (size_t i = 0; i < states; i++) {
    View<float> v;
    if (!f32(stateArray.Get(static_cast<uint32_t>(i)), &v) || v.length != n) DL4TS_FAIL(info.Env(), "updater: every state must be a Float32Array of the gradient's length");
    s[i] = v.data;
  }
  for (size_t i = 0; i < outs; i++) {
    View<float> v;
    if (!f32(outArray.Get(static_cast<uint32_t>(i)), &v) || v.length != n) DL4TS_FAIL(info.Env(), "updater: every output must be a Float32Array of the gradient's length");
    o[i] = v.data;
  }
  Constants k;
  for (size_t i = 0; i < 8; i++) k.c[i] = i < constants.length ? static_cast<float>(constants.data[i]) : 0.0f;
  const float* gd = g.data;
  parallel_for(n, n * (outs + states + 1), 8, [&](size_t begin, size_t end) {
    const float* c = k.c;
    switch (rule) {
      case kNesterovs:  // c: lr, mu, 1 + mu.   v' = mu v - lr g; update = mu v - (1 + mu) v'
        for (size_t i = begin; i < end; i++) {
          float decayed = s[0][i] * c[1];
          float next = decayed - gd[i] * c[0];
          o[0][i] = decayed - next * c[2];
          o[1][i] = next;
        }
        break;
      case kAdam:  // c: b1, 1 - b1, b2, 1 - b2, alpha, eps
      case kAmsGrad:
        for (size_t i = begin; i < end; i++) {
          float m = s[0][i] * c[0] + gd[i] * c[1];
          float v = s[1][i] * c[2] + sq(gd[i]) * c[3];
          float denominator = v;
          if (rule == kAmsGrad) {
            float vh = s[2][i];
            // tf.maximum: NaN if either is NaN.
            vh = (std::isnan(vh) || std::isnan(v)) ? NAN : (vh > v ? vh : v);
            o[3][i] = vh;
            denominator = vh;
          }
          o[0][i] = (m * c[4]) / (std::sqrt(denominator) + c[5]);
          o[1][i] = m;
          o[2][i] = v;
        }
        break;
      case kAdaMax:  // c: b1, 1 - b1, b2, alpha, tiny
        for (size_t i = begin; i < end; i++) {
          float m = s[0][i] * c[0] + gd[i] * c[1];
          float decayed = s[1][i] * c[2];
          float a = std::fabs(gd[i]);
          float u = ((std::isnan(decayed) || std::isnan(a)) ? NAN : (decayed > a ? decayed : a)) + c[4];
          o[0][i] = (m * c[3]) / u;
          o[1][i] = m;
          o[2][i] = u;
        }
        break;
      case kNadam:  // c: b1, 1 - b1, b2, 1 - b2, scale, eps
        for (size_t i = begin; i < end; i++) {
          float scaled = gd[i] * c[1];
          float m = s[0][i] * c[0] + scaled;
          float v = s[1][i] * c[2] + sq(gd[i]) * c[3];
          o[0][i] = ((m * c[0] + scaled) * c[4]) / (std::sqrt(v) + c[5]);
          o[1][i] = m;
          o[2][i] = v;
        }
        break;
      case kAdaGrad:  // c: lr, eps.   h' = h + g^2; update = g lr / (sqrt(h') + eps)
        for (size_t i = begin; i < end; i++) {
          float h = s[0][i] + sq(gd[i]);
          o[0][i] = (gd[i] * c[0]) / (std::sqrt(h) + c[1]);
          o[1][i] = h;
        }
        break;
      case kRmsProp:  // c: lr, decay, 1 - decay, eps
        for (size_t i = begin; i < end; i++) {
          float sv = s[0][i] * c[1] + sq(gd[i]) * c[2];
          o[0][i] = (gd[i] * c[0]) / (std::sqrt(sv) + c[3]);
          o[1][i] = sv;
        }
        break;
      case kAdaDelta:  // states msg, msdx; c: rho, 1 - rho, eps
        for (size_t i = begin; i < end; i++) {
          float msg = s[0][i] * c[0] + sq(gd[i]) * c[1];
          float msdx = s[1][i];
          float update = gd[i] * std::sqrt((msdx + c[2]) / (msg + c[2]));
          o[0][i] = update;
          o[1][i] = msg;
          o[2][i] = msdx * c[0] + sq(update) * c[1];
        }
        break;
      case kScaledAdd:  // c: alpha.   out = g + alpha b
        for (size_t i = begin; i < end; i++) o[0][i] = gd[i] + s[0][i] * c[0];
        break;
    }
  });
}

}  // namespace

void register_updaters(Napi::Env env, Napi::Object exports) { exports.Set("updater", Napi::Function::New(env, Updater)); }

}  // namespace dl4ts
