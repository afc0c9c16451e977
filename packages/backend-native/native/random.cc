// Dropout masks by counter (core's dropoutMaskValues, bit for bit): draw i is
// mix32(((i + 1) * 0x9e3779b9) ^ key) with key = mix32(seed ^ 0x9e3779b9), all in 32-bit
// arithmetic, and the value is `scale` where the draw is below keep * 2^32, else 0. Each draw
// depends on its index alone, so the mask is computed 8 at a time and split over the pool.
#include <immintrin.h>

#include <cmath>
#include <cstdint>

#include "common.h"
#include "thread_pool.h"

namespace dl4ts {
namespace {

inline uint32_t mix32(uint32_t h) {
  h = (h ^ (h >> 16)) * 0x85ebca6bu;
  h = (h ^ (h >> 13)) * 0xc2b2ae35u;
  return h ^ (h >> 16);
}

inline __m256i vmix32(__m256i h) {
  h = _mm256_mullo_epi32(_mm256_xor_si256(h, _mm256_srli_epi32(h, 16)), _mm256_set1_epi32(static_cast<int>(0x85ebca6bu)));
  h = _mm256_mullo_epi32(_mm256_xor_si256(h, _mm256_srli_epi32(h, 13)), _mm256_set1_epi32(static_cast<int>(0xc2b2ae35u)));
  return _mm256_xor_si256(h, _mm256_srli_epi32(h, 16));
}

// dropoutMask(out, seed, keep, scale): out[i] = scale where draw i < keep * 2^32, else 0.
void DropoutMask(const Napi::CallbackInfo& info) {
  View<float> out;
  if (!f32(info[0], &out)) DL4TS_FAIL(info.Env(), "argument 0 (out) must be a Float32Array");
  const uint32_t seed = static_cast<uint32_t>(int_arg(info, 1));
  const double keep = num_arg(info, 2);
  const float scale = static_cast<float>(num_arg(info, 3));
  // A draw h (an integer) is below keep * 2^32 (exact in double) exactly when h < ceil(keep * 2^32).
  const double bound = std::ceil(keep * 4294967296.0);
  const bool all = bound >= 4294967296.0;
  const uint32_t limit = all ? 0u : static_cast<uint32_t>(bound);
  const uint32_t key = mix32(seed ^ 0x9e3779b9u);
  const size_t n = out.length;
  float* o = out.data;
  parallel_for(n, n, 8, [&](size_t begin, size_t end) {
    size_t i = begin;
    // Unsigned h < limit as a signed comparison of both with the sign bit flipped.
    const __m256i flip = _mm256_set1_epi32(static_cast<int>(0x80000000u));
    const __m256i vlimit = _mm256_set1_epi32(static_cast<int>(limit ^ 0x80000000u));
    const __m256i vkey = _mm256_set1_epi32(static_cast<int>(key));
    const __m256i golden = _mm256_set1_epi32(static_cast<int>(0x9e3779b9u));
    const __m256 vscale = _mm256_set1_ps(scale);
    for (; i + 8 <= end; i += 8) {
      const uint32_t c = static_cast<uint32_t>(i + 1);
      const __m256i counter = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(c)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
      const __m256i h = vmix32(_mm256_xor_si256(_mm256_mullo_epi32(counter, golden), vkey));
      const __m256i below = _mm256_cmpgt_epi32(vlimit, _mm256_xor_si256(h, flip));
      const __m256 mask = all ? _mm256_castsi256_ps(_mm256_set1_epi32(-1)) : _mm256_castsi256_ps(below);
      _mm256_storeu_ps(o + i, _mm256_and_ps(mask, vscale));
    }
    for (; i < end; i++) {
      const uint32_t h = mix32((static_cast<uint32_t>(i + 1) * 0x9e3779b9u) ^ key);
      o[i] = (all || h < limit) ? scale : 0.0f;
    }
  });
}

}  // namespace

void register_random(Napi::Env env, Napi::Object exports) { exports.Set("dropoutMask", Napi::Function::New(env, DropoutMask)); }

}  // namespace dl4ts
