// Matrix products through OpenBLAS's cblas_sgemm, with tfjs's batch broadcasting, both transposes
// read in place (no copies), and the _FusedMatMul epilogue (bias, activation) in one pass.
#include <cblas.h>

#include <cstdint>
#include <vector>

#include "common.h"
#include "thread_pool.h"
#include "vmath.h"


namespace dl4ts {
namespace {

// Bias layouts the epilogue reads: none, one value, one per column, one per element of a batch's
// matrix, one per element of the whole output.
enum BiasMode { kNoBias = 0, kScalarBias = 1, kColumnBias = 2, kMatrixBias = 3, kFullBias = 4 };

void epilogue(float* c, size_t batch, size_t m, size_t n, const float* bias, int mode, int activation, float alpha) {
  size_t rows = batch * m;
  if (mode == kNoBias && activation == kLinear) return;
  const __m256 va = _mm256_set1_ps(alpha);
  parallel_for(rows, rows * n, 1, [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; r++) {
      float* row = c + r * n;
      const float* b = nullptr;
      if (mode == kColumnBias) b = bias;
      else if (mode == kMatrixBias) b = bias + (r % m) * n;
      else if (mode == kFullBias) b = bias + r * n;
      const float scalar = mode == kScalarBias ? bias[0] : 0.0f;
      size_t j = 0;
      for (; j + 8 <= n; j += 8) {
        __m256 v = _mm256_loadu_ps(row + j);
        if (b != nullptr) v = _mm256_add_ps(v, _mm256_loadu_ps(b + j));
        else if (mode == kScalarBias) v = _mm256_add_ps(v, _mm256_set1_ps(scalar));
        _mm256_storeu_ps(row + j, vactivate(v, activation, va));
      }
      for (; j < n; j++) {
        float v = row[j] + (b != nullptr ? b[j] : scalar);
        row[j] = sactivate(v, activation, alpha);
      }
    }
  });
}

// Matrix-vector products of at least this many multiply-adds are split over the pool's threads.
constexpr double kSplitRowMacs = 65536.0;

// One row times a matrix (a single sample's layer): c (1 x n) = a (1 x k) op(b), as matrix-vector
// products, which read b once without the packing copy sgemm makes of it. The product is bound by
// how fast b streams from cache (784 x 500 floats are 1.6 MB), so a large one is split over the
// pool's threads, each streaming its own part of b from its own core's cache: b^T by rows of c,
// b by rows of b (a slice of k), each thread then writing a partial row that is summed here.
void row_product(const float* a, const float* b, float* c, int64_t n, int64_t k, bool tb) {
  const int parts = pool_threads();
  if (parts <= 1 || k < parts || static_cast<double>(n) * static_cast<double>(k) < kSplitRowMacs) {
    if (tb) cblas_sgemv(CblasRowMajor, CblasNoTrans, static_cast<int>(n), static_cast<int>(k), 1.0f, b, static_cast<int>(k), a, 1, 0.0f, c, 1);
    else cblas_sgemv(CblasRowMajor, CblasTrans, static_cast<int>(k), static_cast<int>(n), 1.0f, b, static_cast<int>(n), a, 1, 0.0f, c, 1);
    return;
  }
  const size_t p = static_cast<size_t>(parts);
  if (tb) {
    // b is n x k: part i computes the rows [n0, n1) of c.
    parallel_for(p, SIZE_MAX, 1, [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; i++) {
        const int64_t n0 = n * static_cast<int64_t>(i) / parts, n1 = n * static_cast<int64_t>(i + 1) / parts;
        if (n1 > n0) cblas_sgemv(CblasRowMajor, CblasNoTrans, static_cast<int>(n1 - n0), static_cast<int>(k), 1.0f, b + n0 * k, static_cast<int>(k), a, 1, 0.0f, c + n0, 1);
      }
    }, true);
    return;
  }
  // b is k x n: part i sums over k in [k0, k1) into its own row; part 0 writes c itself.
  thread_local std::vector<float> scratch;
  scratch.resize((p - 1) * static_cast<size_t>(n));
  // The workers see their own thread_local: they get this thread's buffer through a pointer.
  float* partial = scratch.data();
  parallel_for(p, SIZE_MAX, 1, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) {
      const int64_t k0 = k * static_cast<int64_t>(i) / parts, k1 = k * static_cast<int64_t>(i + 1) / parts;
      float* out = i == 0 ? c : partial + (i - 1) * static_cast<size_t>(n);
      cblas_sgemv(CblasRowMajor, CblasTrans, static_cast<int>(k1 - k0), static_cast<int>(n), 1.0f, b + k0 * n, static_cast<int>(n), a + k0, 1, 0.0f, out, 1);
    }
  }, true);
  for (size_t i = 1; i < p; i++) {
    const float* row = partial + (i - 1) * static_cast<size_t>(n);
    for (int64_t j = 0; j < n; j++) c[j] += row[j];
  }
}

// Products below this many multiply-adds (m n k) run on one thread.
constexpr double kThreadedProductMacs = 4.0e6;

// matmul(a, b, out, batchA, batchB, m, n, k, transposeA, transposeB, bias | null, biasMode,
//        activation, alpha): out[i] = act(op(a[i]) op(b[i]) + bias), a batch of 1 broadcast.
// op(a) is m x k, op(b) is k x n, both row-major as stored.
void MatMul(const Napi::CallbackInfo& info) {
  const int64_t batchA = int_arg(info, 3), batchB = int_arg(info, 4);
  const int64_t m = int_arg(info, 5), n = int_arg(info, 6), k = int_arg(info, 7);
  const bool ta = info[8].As<Napi::Boolean>().Value(), tb = info[9].As<Napi::Boolean>().Value();
  const int64_t batch = batchA > batchB ? batchA : batchB;
  DL4TS_F32(a, 0, batchA * m * k);
  DL4TS_F32(b, 1, batchB * k * n);
  DL4TS_F32(out, 2, batch * m * n);
  const int mode = static_cast<int>(int_arg(info, 11));
  View<float> bias;
  if (mode != kNoBias && !f32(info[10], &bias)) DL4TS_FAIL(info.Env(), "bias must be a Float32Array");
  const int activation = static_cast<int>(int_arg(info, 12));
  const float alpha = static_cast<float>(num_arg(info, 13));
  if (m == 0 || n == 0) return;
  // Small products (a single sample's layer, a 10-wide output layer) run on the calling thread:
  // waking OpenBLAS's other threads costs more than they save there, and their spinning after
  // the call takes the core the JavaScript between kernels needs.
  const bool small = m == 1 || static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k) < kThreadedProductMacs;
  const int threads = pool_threads();
  if (small && threads > 1) openblas_set_num_threads(1);
  for (int64_t i = 0; i < batch; i++) {
    const float* ai = a.data + (batchA == 1 ? 0 : i) * m * k;
    const float* bi = b.data + (batchB == 1 ? 0 : i) * k * n;
    float* ci = out.data + i * m * n;
    if (k == 0) {
      for (int64_t e = 0; e < m * n; e++) ci[e] = 0.0f;
      continue;
    }
    if (m == 1) {
      row_product(ai, bi, ci, n, k, tb);
      continue;
    }
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
                static_cast<int>(k), 1.0f, ai, static_cast<int>(ta ? m : k), bi, static_cast<int>(tb ? k : n), 0.0f, ci, static_cast<int>(n));
  }
  if (small && threads > 1) openblas_set_num_threads(threads);
  epilogue(out.data, static_cast<size_t>(batch), static_cast<size_t>(m), static_cast<size_t>(n), bias.data, mode, activation, alpha);
}

// epilogue(out, rows, cols, bias | null, biasMode, activation, alpha): the product's bias and
// activation pass on its own, in place, for kernels that compute the product otherwise.
void Epilogue(const Napi::CallbackInfo& info) {
  const int64_t rows = int_arg(info, 1), cols = int_arg(info, 2);
  DL4TS_F32(out, 0, rows * cols);
  const int mode = static_cast<int>(int_arg(info, 4));
  View<float> bias;
  if (mode != kNoBias && !f32(info[3], &bias)) DL4TS_FAIL(info.Env(), "bias must be a Float32Array");
  if (mode == kColumnBias && bias.length < static_cast<size_t>(cols)) DL4TS_FAIL(info.Env(), "bias is shorter than a row");
  if (mode != kNoBias && mode != kColumnBias && mode != kScalarBias) DL4TS_FAIL(info.Env(), "epilogue takes no bias, a scalar or a column bias");
  epilogue(out.data, 1, static_cast<size_t>(rows), static_cast<size_t>(cols), bias.data, mode, static_cast<int>(int_arg(info, 5)), static_cast<float>(num_arg(info, 6)));
}

// setThreads(n): OpenBLAS's threads and the element-wise pool's.
void SetThreads(const Napi::CallbackInfo& info) {
  int threads = static_cast<int>(int_arg(info, 0));
  if (threads < 1) DL4TS_FAIL(info.Env(), "threads must be at least 1");
  openblas_set_num_threads(threads);
  set_pool_threads(threads);
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  Napi::Object result = Napi::Object::New(info.Env());
  result.Set("blas", Napi::Number::New(info.Env(), openblas_get_num_threads()));
  result.Set("pool", Napi::Number::New(info.Env(), pool_threads()));
  result.Set("parallelThreshold", Napi::Number::New(info.Env(), static_cast<double>(parallel_threshold())));
  return result;
}

void SetParallelThreshold(const Napi::CallbackInfo& info) { set_parallel_threshold(static_cast<size_t>(int_arg(info, 0))); }

Napi::Value BlasConfig(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), openblas_get_config()); }

}  // namespace

void register_gemm(Napi::Env env, Napi::Object exports) {
  exports.Set("matMul", Napi::Function::New(env, MatMul));
  exports.Set("epilogue", Napi::Function::New(env, Epilogue));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("getThreads", Napi::Function::New(env, GetThreads));
  exports.Set("setParallelThreshold", Napi::Function::New(env, SetParallelThreshold));
  exports.Set("blasConfig", Napi::Function::New(env, BlasConfig));
}

}  // namespace dl4ts
