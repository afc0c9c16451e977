#include "packed_gemm.h"

#include <immintrin.h>

#include <cstring>

namespace dl4ts {
namespace {

constexpr size_t kPanel = PackedMatrix::kPanel;
// Rows of b per pass: a panel's 256 rows (24 KiB) stay in a core's L1 cache while every row block
// of a runs over them.
constexpr size_t kDepth = 256;

// c (4 rows, stride ldc) += a (4 rows, stride lda) times kc rows of a panel, on the panel's first
// 8 * V columns. Twelve named accumulators, not an array: GCC keeps an array of vectors in memory.
template <int V>
inline void tile4(const float* a, size_t lda, const float* panel, size_t kc, float* c, size_t ldc) {
  const float *a0 = a, *a1 = a + lda, *a2 = a + 2 * lda, *a3 = a + 3 * lda;
  float *c0 = c, *c1 = c + ldc, *c2 = c + 2 * ldc, *c3 = c + 3 * ldc;
  const __m256 zero = _mm256_setzero_ps();
  __m256 x00 = _mm256_loadu_ps(c0), x10 = _mm256_loadu_ps(c1), x20 = _mm256_loadu_ps(c2), x30 = _mm256_loadu_ps(c3);
  __m256 x01 = zero, x11 = zero, x21 = zero, x31 = zero, x02 = zero, x12 = zero, x22 = zero, x32 = zero;
  if constexpr (V > 1) x01 = _mm256_loadu_ps(c0 + 8), x11 = _mm256_loadu_ps(c1 + 8), x21 = _mm256_loadu_ps(c2 + 8), x31 = _mm256_loadu_ps(c3 + 8);
  if constexpr (V > 2) x02 = _mm256_loadu_ps(c0 + 16), x12 = _mm256_loadu_ps(c1 + 16), x22 = _mm256_loadu_ps(c2 + 16), x32 = _mm256_loadu_ps(c3 + 16);
  for (size_t k = 0; k < kc; k++) {
    const float* b = panel + k * kPanel;
    const __m256 b0 = _mm256_loadu_ps(b);
    const __m256 b1 = V > 1 ? _mm256_loadu_ps(b + 8) : zero;
    const __m256 b2 = V > 2 ? _mm256_loadu_ps(b + 16) : zero;
    __m256 v = _mm256_broadcast_ss(a0 + k);
    x00 = _mm256_fmadd_ps(v, b0, x00);
    if constexpr (V > 1) x01 = _mm256_fmadd_ps(v, b1, x01);
    if constexpr (V > 2) x02 = _mm256_fmadd_ps(v, b2, x02);
    v = _mm256_broadcast_ss(a1 + k);
    x10 = _mm256_fmadd_ps(v, b0, x10);
    if constexpr (V > 1) x11 = _mm256_fmadd_ps(v, b1, x11);
    if constexpr (V > 2) x12 = _mm256_fmadd_ps(v, b2, x12);
    v = _mm256_broadcast_ss(a2 + k);
    x20 = _mm256_fmadd_ps(v, b0, x20);
    if constexpr (V > 1) x21 = _mm256_fmadd_ps(v, b1, x21);
    if constexpr (V > 2) x22 = _mm256_fmadd_ps(v, b2, x22);
    v = _mm256_broadcast_ss(a3 + k);
    x30 = _mm256_fmadd_ps(v, b0, x30);
    if constexpr (V > 1) x31 = _mm256_fmadd_ps(v, b1, x31);
    if constexpr (V > 2) x32 = _mm256_fmadd_ps(v, b2, x32);
  }
  _mm256_storeu_ps(c0, x00), _mm256_storeu_ps(c1, x10), _mm256_storeu_ps(c2, x20), _mm256_storeu_ps(c3, x30);
  if constexpr (V > 1) _mm256_storeu_ps(c0 + 8, x01), _mm256_storeu_ps(c1 + 8, x11), _mm256_storeu_ps(c2 + 8, x21), _mm256_storeu_ps(c3 + 8, x31);
  if constexpr (V > 2) _mm256_storeu_ps(c0 + 16, x02), _mm256_storeu_ps(c1 + 16, x12), _mm256_storeu_ps(c2 + 16, x22), _mm256_storeu_ps(c3 + 16, x32);
}

// Columns [0, 8 * V) of a panel for `rows` rows of a: whole row blocks of 4 in place, the rest
// (fewer than 4 rows) through a zero-padded copy.
template <int V>
void panel_rows(size_t m, const float* a, size_t lda, const float* panel, size_t kc, float* c, size_t ldc) {
  size_t i = 0;
  for (; i + 4 <= m; i += 4) tile4<V>(a + i * lda, lda, panel, kc, c + i * ldc, ldc);
  if (i == m) return;
  alignas(32) float at[4 * kDepth] = {};
  alignas(32) float ct[4 * kPanel] = {};
  for (size_t r = 0; i + r < m; r++) {
    std::memcpy(at + r * kc, a + (i + r) * lda, kc * sizeof(float));
    std::memcpy(ct + r * kPanel, c + (i + r) * ldc, 8 * V * sizeof(float));
  }
  tile4<V>(at, kc, panel, kc, ct, kPanel);
  for (size_t r = 0; i + r < m; r++) std::memcpy(c + (i + r) * ldc, ct + r * kPanel, 8 * V * sizeof(float));
}

}  // namespace

void gemm_packed(size_t m, const float* a, size_t lda, const PackedMatrix& b, float* c, size_t ldc) {
  const size_t k = b.rows(), n = b.cols();
  const size_t panels = (n + kPanel - 1) / kPanel;
  for (size_t k0 = 0; k0 < k; k0 += kDepth) {
    const size_t kc = k - k0 < kDepth ? k - k0 : kDepth;
    for (size_t p = 0; p < panels; p++) {
      const float* panel = b.panel(p) + k0 * kPanel;
      const float* ak = a + k0;
      float* cp = c + p * kPanel;
      const size_t cols = n - p * kPanel < kPanel ? n - p * kPanel : kPanel;
      const size_t whole = cols / 8;  // full vectors; a last partial one goes through a padded copy
      if (whole == 3) panel_rows<3>(m, ak, lda, panel, kc, cp, ldc);
      else if (whole == 2) panel_rows<2>(m, ak, lda, panel, kc, cp, ldc);
      else if (whole == 1) panel_rows<1>(m, ak, lda, panel, kc, cp, ldc);
      const size_t rest = cols - whole * 8;
      if (rest == 0) continue;
      // The last 1-7 columns: the panel's zero padding makes a full vector; c goes through a copy.
      alignas(32) float ct[8] = {};
      for (size_t i = 0; i < m; i++) {
        float* row = cp + i * ldc + whole * 8;
        std::memcpy(ct, row, rest * sizeof(float));
        __m256 x = _mm256_loadu_ps(ct);
        for (size_t kk = 0; kk < kc; kk++) x = _mm256_fmadd_ps(_mm256_broadcast_ss(ak + i * lda + kk), _mm256_loadu_ps(panel + kk * kPanel + whole * 8), x);
        _mm256_storeu_ps(ct, x);
        std::memcpy(row, ct, rest * sizeof(float));
      }
    }
  }
}

}  // namespace dl4ts
