// The recurrence of an LSTM without peepholes (sigmoid gates, tanh cell) over a whole sequence,
// and its backward pass, each in one call: per step the product with h_{t-1} (or dz_t) and the pass
// over the gates, the units split over the pool's threads (see Parts). The formulas are those of
// packages/rnn/src/lstm-sequence.ts, which documents them; gate blocks i, f, g, o.
#include <cblas.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "common.h"
#include "packed_gemm.h"
#include "thread_pool.h"
#include "vmath.h"

namespace dl4ts {
namespace {

inline float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// Sigmoid of the i, f, o blocks and tanh of the g block of one row's 4 blocks of w pre-activations
// (block q at z + q * stride), in place.
void activate_gates(float* z, size_t w, size_t stride) {
  for (size_t block = 0; block < 4; block++) {
    float* p = z + block * stride;
    size_t j = 0;
    if (block == 2) {
      for (; j + 8 <= w; j += 8) _mm256_storeu_ps(p + j, vtanh(_mm256_loadu_ps(p + j)));
      for (; j < w; j++) p[j] = std::tanh(p[j]);
    } else {
      for (; j + 8 <= w; j += 8) _mm256_storeu_ps(p + j, vsigmoid(_mm256_loadu_ps(p + j)));
      for (; j < w; j++) p[j] = sigmoid(p[j]);
    }
  }
}

// The sequence's units are split into parts, one per pool thread, when a step's product is this
// many multiply-adds or more: each part then runs its own columns of every step's products, on its
// own core, on its own slice of the weights, packed once per call (packed_gemm.h; a thread mostly
// takes the same part at every step, so the slice stays in its core's cache), and its own units'
// gate pass. A step then waits only for the parts of the step before, where OpenBLAS's threads
// would wake, split and join inside every product, and pack the weights again.
constexpr double kSplitStepMacs = 65536.0;

// How the units [0, n) are cut: part p holds [begin(p), begin(p + 1)), each a multiple of eight
// units but the last (the vector loops then have a tail only there).
struct Parts {
  size_t count = 1, n = 0, each = 0;
  Parts(size_t batch, size_t units) : n(units) {
    const size_t threads = static_cast<size_t>(pool_threads());
    const double macs = static_cast<double>(batch) * 4.0 * static_cast<double>(units) * static_cast<double>(units);
    if (threads > 1 && units >= 8 * threads && macs >= kSplitStepMacs) count = threads;
    each = count == 1 ? n : (n + 8 * count - 1) / (8 * count) * 8;
  }
  size_t begin(size_t p) const { return p * each < n ? p * each : n; }
  // Runs fn(p) for every part, the parts on the pool's threads (spinning between steps).
  template <typename F>
  void run(F fn) const {
    if (count == 1) return fn(0);
    parallel_for(count, SIZE_MAX, 1, [&](size_t first, size_t last) {
      for (size_t p = first; p < last; p++) fn(p);
    }, true);
  }
};

// lstmForward({ xw, rw, h0, c0, mask (or null), packed, gates, cs, tcs, batch, time, units })
//   xw [B, T, 4n] = x W + b of every step; rw [n, 4n]; h0, c0 [B, n]; mask [B, T] of 0/1.
//   packed [B, T + 1, n]: h_0..h_{T-1}, then c_{T-1}. Saved for the backward pass: gates
//   [B, T, 4n] (i, f, o after sigmoid, g after tanh), cs [B, T, n] (c_t), tcs [B, T, n] (tanh of
//   the unmasked c_t). At a masked step the state is held: h_t = h_{t-1}, c_t = c_{t-1}.
// A part with units [u0, u0 + w) packs its columns of the weights, [n, 4w] (the four gate blocks of
// its units side by side), and keeps its pre-activations in a [B, 4w] scratch row block.
void LstmForward(const Napi::CallbackInfo& info) {
  DL4TS_ARGS("lstmForward");
  DL4TS_SIZE_FIELD(batch);
  DL4TS_SIZE_FIELD(time);
  DL4TS_SIZE_FIELD(units);
  const size_t B = batch, T = time, n = units;
  const size_t G = 4 * n;
  DL4TS_F32_FIELD(xw, B * T * G);
  DL4TS_F32_FIELD(rw, n * G);
  DL4TS_F32_FIELD(h0, B * n);
  DL4TS_F32_FIELD(c0, B * n);
  View<float> mask;
  const bool masked = !args.Get("mask").IsNull() && !args.Get("mask").IsUndefined();
  if (masked && (!f32(args.Get("mask"), &mask) || mask.length < B * T)) DL4TS_FAIL(info.Env(), "lstmForward: mask must be a Float32Array [batch, time]");
  DL4TS_F32_FIELD(packed, B * (T + 1) * n);
  DL4TS_F32_FIELD(gates, B * T * G);
  DL4TS_F32_FIELD(cs, B * T * n);
  DL4TS_F32_FIELD(tcs, B * T * n);
  if (B == 0 || T == 0 || n == 0) return;
  const size_t ldp = (T + 1) * n;  // row stride of packed (one example's [T + 1, n])
  const Parts parts(B, n);
  // Part p's scratch starts at B * 4 * begin(p).
  std::vector<float> scratch(B * G);
  std::vector<PackedMatrix> weights(parts.count);
  parts.run([&](size_t p) {
    const size_t u0 = parts.begin(p), w = parts.begin(p + 1) - u0;
    std::vector<size_t> column(4 * w);  // the part's column j is rw's column column[j]
    for (size_t j = 0; j < 4 * w; j++) column[j] = (j / w) * n + u0 + j % w;
    weights[p].pack(n, 4 * w, [&](size_t k, size_t j) { return rw.data[k * G + column[j]]; });
  });
  for (size_t t = 0; t < T; t++) {
    const float* hPrev = t == 0 ? h0.data : packed.data + (t - 1) * n;
    const size_t ldh = t == 0 ? n : ldp;
    parts.run([&](size_t p) {
      const size_t u0 = parts.begin(p), w = parts.begin(p + 1) - u0, zw = 4 * w;
      if (w == 0) return;
      float* z = scratch.data() + B * 4 * u0;
      for (size_t b = 0; b < B; b++)
        for (size_t q = 0; q < 4; q++) std::memcpy(z + b * zw + q * w, xw.data + (b * T + t) * G + q * n + u0, w * sizeof(float));
      gemm_packed(B, hPrev, ldh, weights[p], z, zw);
      for (size_t b = 0; b < B; b++) {
        float* zr = z + b * zw;
        activate_gates(zr, w, w);
        float* gr = gates.data + (b * T + t) * G;
        for (size_t q = 0; q < 4; q++) std::memcpy(gr + q * n + u0, zr + q * w, w * sizeof(float));
        const float* cPrev = (t == 0 ? c0.data + b * n : cs.data + (b * T + t - 1) * n) + u0;
        const float* hp = (t == 0 ? h0.data + b * n : packed.data + b * ldp + (t - 1) * n) + u0;
        float* c = cs.data + (b * T + t) * n + u0;
        float* tc = tcs.data + (b * T + t) * n + u0;
        float* h = packed.data + b * ldp + t * n + u0;
        const float m = masked ? mask.data[b * T + t] : 1.0f;
        size_t j = 0;
        if (!masked) {
          for (; j + 8 <= w; j += 8) {
            const __m256 cNext = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(zr + w + j), _mm256_loadu_ps(cPrev + j)),
                                               _mm256_mul_ps(_mm256_loadu_ps(zr + j), _mm256_loadu_ps(zr + 2 * w + j)));
            const __m256 tcNext = vtanh(cNext);
            _mm256_storeu_ps(tc + j, tcNext);
            _mm256_storeu_ps(c + j, cNext);
            _mm256_storeu_ps(h + j, _mm256_mul_ps(_mm256_loadu_ps(zr + 3 * w + j), tcNext));
          }
        }
        for (; j < w; j++) {
          const float i = zr[j], f = zr[w + j], g = zr[2 * w + j], o = zr[3 * w + j];
          const float cNext = f * cPrev[j] + i * g;
          const float tcNext = std::tanh(cNext);
          const float hNext = o * tcNext;
          tc[j] = tcNext;
          if (masked) {
            c[j] = m * cNext + (1.0f - m) * cPrev[j];
            h[j] = m * hNext + (1.0f - m) * hp[j];
          } else {
            c[j] = cNext;
            h[j] = hNext;
          }
        }
      }
    });
  }
  for (size_t b = 0; b < B; b++) std::memcpy(packed.data + b * ldp + T * n, cs.data + (b * T + T - 1) * n, n * sizeof(float));
}

// lstmBackward({ dy, gates, cs, tcs, packed, rw, h0, c0, mask (or null), dxw, drw, dh0, dc0, batch, time, units })
//   dy [B, T + 1, n]: the gradient of `packed`. Outputs dxw [B, T, 4n], drw [n, 4n], dh0 and dc0
//   [B, n]. Per step, from the last: dh = dh_next + dy_t, dcu = dc + dh o (1 - tanh^2 c_t),
//   dz = [dcu g i(1-i), dcu c_{t-1} f(1-f), dcu i (1-g^2), dh tanh(c_t) o(1-o)] (times the mask),
//   dh_prev = dz RW^T (+ the held part at a masked step), dc_prev = dcu f (likewise).
// Split into parts as the forward pass is: part p computes dz of its units, then, once every part's
// dz of the step is there, dh_prev of its units (its rows of RW).
void LstmBackward(const Napi::CallbackInfo& info) {
  DL4TS_ARGS("lstmBackward");
  DL4TS_SIZE_FIELD(batch);
  DL4TS_SIZE_FIELD(time);
  DL4TS_SIZE_FIELD(units);
  const size_t B = batch, T = time, n = units;
  const size_t G = 4 * n;
  DL4TS_F32_FIELD(dy, B * (T + 1) * n);
  DL4TS_F32_FIELD(gates, B * T * G);
  DL4TS_F32_FIELD(cs, B * T * n);
  DL4TS_F32_FIELD(tcs, B * T * n);
  DL4TS_F32_FIELD(packed, B * (T + 1) * n);
  DL4TS_F32_FIELD(rw, n * G);
  DL4TS_F32_FIELD(h0, B * n);
  DL4TS_F32_FIELD(c0, B * n);
  View<float> mask;
  const bool masked = !args.Get("mask").IsNull() && !args.Get("mask").IsUndefined();
  if (masked && (!f32(args.Get("mask"), &mask) || mask.length < B * T)) DL4TS_FAIL(info.Env(), "lstmBackward: mask must be a Float32Array [batch, time]");
  DL4TS_F32_FIELD(dxw, B * T * G);
  DL4TS_F32_FIELD(drw, n * G);
  DL4TS_F32_FIELD(dh0, B * n);
  DL4TS_F32_FIELD(dc0, B * n);
  View<float>& dh = dh0;  // the running dh: its value after step 0 is dh0
  View<float>& dc = dc0;  // dc0 likewise
  if (B == 0 || T == 0 || n == 0) return;
  const size_t ldp = (T + 1) * n;
  for (size_t b = 0; b < B; b++) {
    std::memset(dh.data + b * n, 0, n * sizeof(float));
    std::memcpy(dc.data + b * n, dy.data + b * ldp + T * n, n * sizeof(float));
  }
  const Parts parts(B, n);
  // Part p's rows of RW, transposed: [4n, w].
  std::vector<PackedMatrix> weights(parts.count);
  parts.run([&](size_t p) {
    const size_t u0 = parts.begin(p);
    weights[p].pack(G, parts.begin(p + 1) - u0, [&](size_t k, size_t j) { return rw.data[(u0 + j) * G + k]; });
  });
  // dh_prev of part p's units from step t's dz: dz_t RW[u0:u1]^T, added to the held part if masked.
  const auto recurrent = [&](size_t t, size_t p, size_t u0, size_t w) {
    float* out = dh.data + u0;
    if (!masked)
      for (size_t b = 0; b < B; b++) std::memset(out + b * n, 0, w * sizeof(float));
    gemm_packed(B, dxw.data + t * G, T * G, weights[p], out, n);
  };
  // dz of step t for units [u0, u1), and the held parts of dh, dc.
  const auto gatesBackward = [&](size_t t, size_t u0, size_t u1) {
    float* dz = dxw.data + t * G;  // rows stride T * G
    for (size_t b = 0; b < B; b++) {
      const float* gr = gates.data + (b * T + t) * G;
      const float* tc = tcs.data + (b * T + t) * n;
      const float* cPrev = t == 0 ? c0.data + b * n : cs.data + (b * T + t - 1) * n;
      const float* dyt = dy.data + b * ldp + t * n;
      float* dhb = dh.data + b * n;
      float* dcb = dc.data + b * n;
      float* dzr = dz + b * T * G;
      const float m = masked ? mask.data[b * T + t] : 1.0f;
      const float keep = 1.0f - m;
      // Eight units at a time, each operation in the scalar loop's order (no contraction into
      // FMA: -ffp-contract=off), so a lane gives bitwise what the tail gives.
      const __m256 one = _mm256_set1_ps(1.0f), vm = _mm256_set1_ps(m), vkeep = _mm256_set1_ps(keep);
      size_t j = u0;
      for (; j + 8 <= u1; j += 8) {
        const __m256 i = _mm256_loadu_ps(gr + j), f = _mm256_loadu_ps(gr + n + j), g = _mm256_loadu_ps(gr + 2 * n + j), o = _mm256_loadu_ps(gr + 3 * n + j);
        const __m256 tv = _mm256_loadu_ps(tc + j);
        const __m256 dhTotal = _mm256_add_ps(_mm256_loadu_ps(dhb + j), _mm256_loadu_ps(dyt + j));
        const __m256 dcTotal = _mm256_loadu_ps(dcb + j);
        const __m256 a = _mm256_mul_ps(o, _mm256_sub_ps(one, _mm256_mul_ps(tv, tv)));
        const __m256 dcu = _mm256_add_ps(dcTotal, _mm256_mul_ps(dhTotal, a));
        _mm256_storeu_ps(dzr + j, _mm256_mul_ps(_mm256_mul_ps(dcu, _mm256_mul_ps(g, _mm256_mul_ps(i, _mm256_sub_ps(one, i)))), vm));
        _mm256_storeu_ps(dzr + n + j, _mm256_mul_ps(_mm256_mul_ps(dcu, _mm256_mul_ps(_mm256_loadu_ps(cPrev + j), _mm256_mul_ps(f, _mm256_sub_ps(one, f)))), vm));
        _mm256_storeu_ps(dzr + 2 * n + j, _mm256_mul_ps(_mm256_mul_ps(dcu, _mm256_mul_ps(i, _mm256_sub_ps(one, _mm256_mul_ps(g, g)))), vm));
        _mm256_storeu_ps(dzr + 3 * n + j, _mm256_mul_ps(_mm256_mul_ps(dhTotal, _mm256_mul_ps(tv, _mm256_mul_ps(o, _mm256_sub_ps(one, o)))), vm));
        _mm256_storeu_ps(dcb + j, _mm256_add_ps(_mm256_mul_ps(dcu, _mm256_mul_ps(f, vm)), _mm256_mul_ps(vkeep, dcTotal)));
        _mm256_storeu_ps(dhb + j, _mm256_mul_ps(vkeep, dhTotal));
      }
      for (; j < u1; j++) {
        const float i = gr[j], f = gr[n + j], g = gr[2 * n + j], o = gr[3 * n + j];
        const float dhTotal = dhb[j] + dyt[j];
        const float dcTotal = dcb[j];
        const float a = o * (1.0f - tc[j] * tc[j]);
        const float dcu = dcTotal + dhTotal * a;
        dzr[j] = dcu * (g * (i * (1.0f - i))) * m;
        dzr[n + j] = dcu * (cPrev[j] * (f * (1.0f - f))) * m;
        dzr[2 * n + j] = dcu * (i * (1.0f - g * g)) * m;
        dzr[3 * n + j] = dhTotal * (tc[j] * (o * (1.0f - o))) * m;
        dcb[j] = dcu * (f * m) + keep * dcTotal;
        // What passes to h_{t-1} besides dz RW^T: the held state's gradient at a masked step.
        dhb[j] = keep * dhTotal;
      }
    }
  };
  // Step t's job: dh_prev of step t + 1 (which needs all of that step's dz), then dz of step t
  // (which needs only its own units' dh); the last job gives dh0.
  for (size_t t = T + 1; t-- > 0;) {
    parts.run([&](size_t p) {
      const size_t u0 = parts.begin(p), u1 = parts.begin(p + 1);
      if (u1 == u0) return;
      if (t < T) recurrent(t, p, u0, u1 - u0);
      if (t > 0) gatesBackward(t - 1, u0, u1);
    });
  }
  // drw = sum_t h_{t-1}^T dz_t: one product over the [B T, n] previous states.
  std::vector<float> hPrev(B * T * n);
  for (size_t b = 0; b < B; b++) {
    std::memcpy(hPrev.data() + b * T * n, h0.data + b * n, n * sizeof(float));
    if (T > 1) std::memcpy(hPrev.data() + (b * T + 1) * n, packed.data + b * ldp, (T - 1) * n * sizeof(float));
  }
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, static_cast<int>(n), static_cast<int>(G), static_cast<int>(B * T), 1.0f, hPrev.data(),
              static_cast<int>(n), dxw.data, static_cast<int>(G), 0.0f, drw.data, static_cast<int>(G));
}

}  // namespace

void register_lstm(Napi::Env env, Napi::Object exports) {
  exports.Set("lstmForward", Napi::Function::New(env, LstmForward));
  exports.Set("lstmBackward", Napi::Function::New(env, LstmBackward));
}

}  // namespace dl4ts
