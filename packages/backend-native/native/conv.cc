// Convolution and max pooling over NHWC images. A convolution is one OpenBLAS product over the
// input's windows laid out as rows (im2col, `[batch outH outW, kernelH kernelW channels]`); its
// input gradient is the product of the output gradient with the kernel, scattered back (col2im).
// The JavaScript side (src/kernels/conv.ts) makes the products; these are the layout loops.
#include <immintrin.h>

#include <cstring>
#include <limits>
#include <type_traits>

#include "common.h"
#include "thread_pool.h"

namespace dl4ts {
namespace {

// The geometry of windows over a batch of images: the fields every function here reads.
struct Windows {
  size_t batch, height, width, channels, kernelH, kernelW, strideH, strideW, dilationH, dilationW, outH, outW;
  int64_t padTop, padLeft;
};

#define DL4TS_WINDOWS(w)                                                                                    \
  DL4TS_SIZE_FIELD(batch);                                                                                  \
  DL4TS_SIZE_FIELD(height);                                                                                 \
  DL4TS_SIZE_FIELD(width);                                                                                  \
  DL4TS_SIZE_FIELD(channels);                                                                               \
  DL4TS_SIZE_FIELD(kernelH);                                                                                \
  DL4TS_SIZE_FIELD(kernelW);                                                                                \
  DL4TS_SIZE_FIELD(strideH);                                                                                \
  DL4TS_SIZE_FIELD(strideW);                                                                                \
  DL4TS_SIZE_FIELD(dilationH);                                                                              \
  DL4TS_SIZE_FIELD(dilationW);                                                                              \
  DL4TS_SIZE_FIELD(outH);                                                                                   \
  DL4TS_SIZE_FIELD(outW);                                                                                   \
  DL4TS_SIZE_FIELD(padTop);                                                                                 \
  DL4TS_SIZE_FIELD(padLeft);                                                                                \
  if (strideH == 0 || strideW == 0 || dilationH == 0 || dilationW == 0) DL4TS_FAIL(info.Env(), "strides and dilations must be positive"); \
  const Windows w{batch, height, width, channels, kernelH, kernelW, strideH, strideW, dilationH, dilationW, outH, outW, static_cast<int64_t>(padTop), static_cast<int64_t>(padLeft)}

inline size_t image_size(const Windows& w) { return w.height * w.width * w.channels; }
inline size_t rows_of(const Windows& w) { return w.batch * w.outH * w.outW; }
inline size_t row_width(const Windows& w) { return w.kernelH * w.kernelW * w.channels; }

// The input row of window row i, tap a (or -1 outside the image), and the same for columns.
inline int64_t in_row(const Windows& w, size_t i, size_t a) {
  const int64_t r = static_cast<int64_t>(i * w.strideH + a * w.dilationH) - w.padTop;
  return r >= 0 && r < static_cast<int64_t>(w.height) ? r : -1;
}
inline int64_t in_col(const Windows& w, size_t j, size_t e) {
  const int64_t q = static_cast<int64_t>(j * w.strideW + e * w.dilationW) - w.padLeft;
  return q >= 0 && q < static_cast<int64_t>(w.width) ? q : -1;
}

// Output pixel `row` of the batch: image n, window row i, window column j.
struct Pixel {
  size_t n, i, j;
};
inline Pixel pixel_of(const Windows& w, size_t row) { return {row / (w.outH * w.outW), (row / w.outW) % w.outH, row % w.outW}; }

// Calls visit(a, e, offset) for every tap (a, e) of window (i, j) inside the image, `offset` being
// where the tap's channels start within one image.
template <typename Visit>
inline void for_each_tap(const Windows& w, size_t i, size_t j, Visit&& visit) {
  for (size_t a = 0; a < w.kernelH; a++) {
    const int64_t r = in_row(w, i, a);
    if (r < 0) continue;
    for (size_t e = 0; e < w.kernelW; e++) {
      const int64_t q = in_col(w, j, e);
      if (q >= 0) visit(a, e, (static_cast<size_t>(r) * w.width + static_cast<size_t>(q)) * w.channels);
    }
  }
}

// im2col({ x, cols, ...windows }): row (n, i, j) of cols is window (i, j) of image n, tap by tap,
// each tap's channels contiguous; zeros where a tap falls in the padding.
void Im2Col(const Napi::CallbackInfo& info) {
  DL4TS_ARGS("im2col");
  DL4TS_WINDOWS(w);
  DL4TS_F32_FIELD(x, w.batch * image_size(w));
  DL4TS_F32_FIELD(cols, rows_of(w) * row_width(w));
  const size_t rowWidth = row_width(w);
  parallel_for(rows_of(w), rows_of(w) * rowWidth, 1, [&](size_t begin, size_t end) {
    for (size_t row = begin; row < end; row++) {
      const auto [n, i, j] = pixel_of(w, row);
      float* dst = cols.data + row * rowWidth;
      const float* image = x.data + n * image_size(w);
      // Undilated windows whose columns all lie inside the image read kernelW * channels
      // contiguous values per kernel row: one copy instead of one per tap.
      const int64_t q0 = static_cast<int64_t>(j * w.strideW) - w.padLeft;
      const bool inside = w.dilationW == 1 && q0 >= 0 && q0 + static_cast<int64_t>(w.kernelW) <= static_cast<int64_t>(w.width);
      const size_t run = w.kernelW * w.channels;
      for (size_t a = 0; a < w.kernelH; a++) {
        const int64_t r = in_row(w, i, a);
        if (r < 0) {
          std::memset(dst, 0, run * sizeof(float));
          dst += run;
          continue;
        }
        const float* line = image + static_cast<size_t>(r) * w.width * w.channels;
        if (inside) {
          const float* src = line + static_cast<size_t>(q0) * w.channels;
          for (size_t k = 0; k < run; k++) dst[k] = src[k];
          dst += run;
          continue;
        }
        for (size_t e = 0; e < w.kernelW; e++, dst += w.channels) {
          const int64_t q = in_col(w, j, e);
          if (q < 0) std::memset(dst, 0, w.channels * sizeof(float));
          else std::memcpy(dst, line + static_cast<size_t>(q) * w.channels, w.channels * sizeof(float));
        }
      }
    }
  });
}

// col2im({ cols, dx, ...windows }): dx = 0, then every row of cols added back onto the input
// positions its window read (the adjoint of im2col). Images in parallel: each writes its own.
void Col2Im(const Napi::CallbackInfo& info) {
  DL4TS_ARGS("col2im");
  DL4TS_WINDOWS(w);
  DL4TS_F32_FIELD(cols, rows_of(w) * row_width(w));
  DL4TS_F32_FIELD(dx, w.batch * image_size(w));
  const size_t rowWidth = row_width(w);
  parallel_for(w.batch, rows_of(w) * rowWidth, 1, [&](size_t begin, size_t end) {
    for (size_t n = begin; n < end; n++) {
      float* image = dx.data + n * image_size(w);
      std::memset(image, 0, image_size(w) * sizeof(float));
      for (size_t i = 0; i < w.outH; i++) {
        for (size_t j = 0; j < w.outW; j++) {
          const float* src = cols.data + ((n * w.outH + i) * w.outW + j) * rowWidth;
          for_each_tap(w, i, j, [&](size_t a, size_t e, size_t offset) {
            const float* from = src + (a * w.kernelW + e) * w.channels;
            for (size_t c = 0; c < w.channels; c++) image[offset + c] += from[c];
          });
        }
      }
    }
  });
}

// maxPool({ x, out, ...windows }): each window's maximum per channel, padding left out.
void MaxPool(const Napi::CallbackInfo& info) {
  DL4TS_ARGS("maxPool");
  DL4TS_WINDOWS(w);
  DL4TS_F32_FIELD(x, w.batch * image_size(w));
  DL4TS_F32_FIELD(out, rows_of(w) * w.channels);
  // Optional: where each maximum was (an index into x), for the gradient; -1 for an empty window.
  View<int32_t> argmax;
  const bool positions = !args.Get("argmax").IsNull() && !args.Get("argmax").IsUndefined();
  if (positions && (!i32(args.Get("argmax"), &argmax) || argmax.length < rows_of(w) * w.channels)) DL4TS_FAIL(info.Env(), "field argmax must be null or an Int32Array as long as out");
  parallel_for(rows_of(w), rows_of(w) * w.kernelH * w.kernelW * w.channels, 1, [&](size_t begin, size_t end) {
    for (size_t row = begin; row < end; row++) {
      const auto [n, i, j] = pixel_of(w, row);
      float* dst = out.data + row * w.channels;
      int32_t* at = positions ? argmax.data + row * w.channels : nullptr;
      for (size_t c = 0; c < w.channels; c++) dst[c] = -std::numeric_limits<float>::infinity();
      if (at != nullptr) for (size_t c = 0; c < w.channels; c++) at[c] = -1;
      const size_t base = n * image_size(w);
      for_each_tap(w, i, j, [&](size_t, size_t, size_t offset) {
        const float* src = x.data + base + offset;
        // The first maximum wins (tfjs's cpu rule); NaN propagates, as in tfjs's kernels.
        for (size_t c = 0; c < w.channels; c++) {
          const bool take = src[c] > dst[c] || (src[c] != src[c] && dst[c] == dst[c]) || (at != nullptr && at[c] < 0);
          if (!take) continue;
          dst[c] = src[c];
          if (at != nullptr) at[c] = static_cast<int32_t>(base + offset + c);
        }
      });
    }
  });
}

// maxPoolGrad({ x, dy, dx, ...windows }): dx = 0, then each window's gradient added at its first
// maximum (tfjs's cpu rule). Images in parallel: each writes its own.
void MaxPoolGrad(const Napi::CallbackInfo& info) {
  DL4TS_ARGS("maxPoolGrad");
  DL4TS_WINDOWS(w);
  DL4TS_F32_FIELD(x, w.batch * image_size(w));
  DL4TS_F32_FIELD(dy, rows_of(w) * w.channels);
  DL4TS_F32_FIELD(dx, w.batch * image_size(w));
  parallel_for(w.batch, rows_of(w) * w.kernelH * w.kernelW * w.channels, 1, [&](size_t begin, size_t end) {
    for (size_t n = begin; n < end; n++) {
      const float* image = x.data + n * image_size(w);
      float* grad = dx.data + n * image_size(w);
      std::memset(grad, 0, image_size(w) * sizeof(float));
      for (size_t i = 0; i < w.outH; i++) {
        for (size_t j = 0; j < w.outW; j++) {
          const float* g = dy.data + ((n * w.outH + i) * w.outW + j) * w.channels;
          for (size_t c = 0; c < w.channels; c++) {
            float best = 0.0f;
            int64_t at = -1;
            for_each_tap(w, i, j, [&](size_t, size_t, size_t offset) {
              const int64_t k = static_cast<int64_t>(offset + c);
              if (at < 0 || image[k] > best) {
                best = image[k];
                at = k;
              }
            });
            if (at >= 0) grad[at] += g[c];
          }
        }
      }
    }
  });
}

// Outputs of at most this many filters are accumulated in AVX registers (4 vectors of 8).
constexpr size_t kDirectMaxFilters = 32;

// acc[0..n) += v * w[0..n) for n = 8 V + rest filters (rest < 8): V full vectors and one masked,
// in registers (V a compile-time constant, so the compiler keeps them there); loads once, stores once.
template <size_t V>
struct Accumulator {
  __m256 lanes[V + 1];
  __m256i mask;  // the lanes of the last, partial vector (rest < 8 filters)
  size_t rest;
  explicit Accumulator(size_t n) : rest(n - 8 * V) {
    for (size_t k = 0; k <= V; k++) lanes[k] = _mm256_setzero_ps();
    alignas(32) int32_t bits[8];
    for (size_t k = 0; k < 8; k++) bits[k] = k < rest ? -1 : 0;
    mask = _mm256_load_si256(reinterpret_cast<const __m256i*>(bits));
  }
  inline void add(float v, const float* __restrict w) {
    const __m256 b = _mm256_set1_ps(v);
    for (size_t k = 0; k < V; k++) lanes[k] = _mm256_add_ps(lanes[k], _mm256_mul_ps(b, _mm256_loadu_ps(w + 8 * k)));
    if (rest > 0) lanes[V] = _mm256_add_ps(lanes[V], _mm256_mul_ps(b, _mm256_maskload_ps(w + 8 * V, mask)));
  }
  inline void store(float* __restrict out) const {
    for (size_t k = 0; k < V; k++) _mm256_storeu_ps(out + 8 * k, lanes[k]);
    if (rest > 0) _mm256_maskstore_ps(out + 8 * V, mask, lanes[V]);
  }
};

// Calls body(std::integral_constant<size_t, V>) with V = filters / 8, so that the Accumulator's
// vector count is a compile-time constant.
template <typename Body>
void with_vectors(size_t filters, Body&& body) {
  switch (filters / 8) {
    case 0: body(std::integral_constant<size_t, 0>{}); break;
    case 1: body(std::integral_constant<size_t, 1>{}); break;
    case 2: body(std::integral_constant<size_t, 2>{}); break;
    case 3: body(std::integral_constant<size_t, 3>{}); break;
    default: body(std::integral_constant<size_t, 4>{}); break;
  }
}

template <size_t V>
void direct_forward(const Windows& w, const float* __restrict x, const float* __restrict filter, float* __restrict out, size_t outChannels) {
  parallel_for(rows_of(w), rows_of(w) * row_width(w) * outChannels, 1, [&](size_t begin, size_t end) {
    for (size_t row = begin; row < end; row++) {
      const auto [n, i, j] = pixel_of(w, row);
      Accumulator<V> acc(outChannels);
      for_each_tap(w, i, j, [&](size_t a, size_t e, size_t offset) {
        const float* px = x + n * image_size(w) + offset;
        const float* taps = filter + (a * w.kernelW + e) * w.channels * outChannels;
        for (size_t c = 0; c < w.channels; c++) acc.add(px[c], taps + c * outChannels);
      });
      acc.store(out + row * outChannels);
    }
  });
}

template <size_t V>
void direct_filter_grad(const Windows& w, const float* __restrict x, const float* __restrict dy, float* __restrict dw, size_t outChannels) {
  const size_t tasks = w.kernelH * w.kernelW * w.channels;
  parallel_for(tasks, tasks * rows_of(w) * outChannels, 1, [&](size_t begin, size_t end) {
    for (size_t t = begin; t < end; t++) {
      const size_t c = t % w.channels;
      const size_t a = (t / w.channels) / w.kernelW;
      const size_t e = (t / w.channels) % w.kernelW;
      Accumulator<V> acc(outChannels);
      for (size_t n = 0; n < w.batch; n++) {
        const float* image = x + n * image_size(w) + c;
        for (size_t i = 0; i < w.outH; i++) {
          const int64_t r = in_row(w, i, a);
          if (r < 0) continue;
          const float* g = dy + (n * w.outH + i) * w.outW * outChannels;
          for (size_t j = 0; j < w.outW; j++) {
            const int64_t q = in_col(w, j, e);
            if (q < 0) continue;
            acc.add(image[(static_cast<size_t>(r) * w.width + static_cast<size_t>(q)) * w.channels], g + j * outChannels);
          }
        }
      }
      acc.store(dw + t * outChannels);
    }
  });
}

// directConv({ x, filter, out, outChannels, ...windows }): the convolution as plain loops, for
// inputs of few channels, where im2col's rows are short (a grey image's first layer: 25 values) and
// a matrix product over them runs far below the machine's speed. Each output pixel accumulates its
// taps for every filter at once, in registers. At most kDirectMaxFilters filters.
void DirectConv(const Napi::CallbackInfo& info) {
  DL4TS_ARGS("directConv");
  DL4TS_WINDOWS(w);
  DL4TS_SIZE_FIELD(outChannels);
  if (outChannels > kDirectMaxFilters) DL4TS_FAIL(info.Env(), "directConv: at most 32 filters");
  DL4TS_F32_FIELD(x, w.batch * image_size(w));
  DL4TS_F32_FIELD(filter, w.kernelH * w.kernelW * w.channels * outChannels);
  DL4TS_F32_FIELD(out, rows_of(w) * outChannels);
  with_vectors(outChannels, [&](auto v) { direct_forward<decltype(v)::value>(w, x.data, filter.data, out.data, outChannels); });
}

// directConvFilterGrad({ x, dy, dw, outChannels, ...windows }): dW[a, e, c, o] = sum over every
// window of x at tap (a, e), channel c, times dy, as plain loops (the companion of directConv):
// one (tap, channel) per task, its filters accumulated in registers over the whole batch.
void DirectConvFilterGrad(const Napi::CallbackInfo& info) {
  DL4TS_ARGS("directConvFilterGrad");
  DL4TS_WINDOWS(w);
  DL4TS_SIZE_FIELD(outChannels);
  if (outChannels > kDirectMaxFilters) DL4TS_FAIL(info.Env(), "directConvFilterGrad: at most 32 filters");
  DL4TS_F32_FIELD(x, w.batch * image_size(w));
  DL4TS_F32_FIELD(dy, rows_of(w) * outChannels);
  DL4TS_F32_FIELD(dw, w.kernelH * w.kernelW * w.channels * outChannels);
  with_vectors(outChannels, [&](auto v) { direct_filter_grad<decltype(v)::value>(w, x.data, dy.data, dw.data, outChannels); });
}

// avgPool({ x, out, ...windows }): each window's mean per channel over the inputs inside the image
// (padding left out of the count, as tfjs's kernels do).
void AvgPool(const Napi::CallbackInfo& info) {
  DL4TS_ARGS("avgPool");
  DL4TS_WINDOWS(w);
  DL4TS_F32_FIELD(x, w.batch * image_size(w));
  DL4TS_F32_FIELD(out, rows_of(w) * w.channels);
  parallel_for(rows_of(w), rows_of(w) * w.kernelH * w.kernelW * w.channels, 1, [&](size_t begin, size_t end) {
    for (size_t row = begin; row < end; row++) {
      const auto [n, i, j] = pixel_of(w, row);
      float* dst = out.data + row * w.channels;
      for (size_t c = 0; c < w.channels; c++) dst[c] = 0.0f;
      size_t count = 0;
      for_each_tap(w, i, j, [&](size_t, size_t, size_t offset) {
        const float* src = x.data + n * image_size(w) + offset;
        for (size_t c = 0; c < w.channels; c++) dst[c] += src[c];
        count++;
      });
      const float scale = count == 0 ? 0.0f : 1.0f / static_cast<float>(count);
      for (size_t c = 0; c < w.channels; c++) dst[c] *= scale;
    }
  });
}

// avgPoolGrad({ dy, dx, ...windows }): dx = 0, then each window's gradient spread evenly over the
// inputs inside the image it averaged. Images in parallel: each writes its own.
void AvgPoolGrad(const Napi::CallbackInfo& info) {
  DL4TS_ARGS("avgPoolGrad");
  DL4TS_WINDOWS(w);
  DL4TS_F32_FIELD(dy, rows_of(w) * w.channels);
  DL4TS_F32_FIELD(dx, w.batch * image_size(w));
  parallel_for(w.batch, rows_of(w) * w.kernelH * w.kernelW * w.channels, 1, [&](size_t begin, size_t end) {
    for (size_t n = begin; n < end; n++) {
      float* grad = dx.data + n * image_size(w);
      std::memset(grad, 0, image_size(w) * sizeof(float));
      for (size_t i = 0; i < w.outH; i++) {
        for (size_t j = 0; j < w.outW; j++) {
          size_t count = 0;
          for_each_tap(w, i, j, [&](size_t, size_t, size_t) { count++; });
          if (count == 0) continue;
          const float scale = 1.0f / static_cast<float>(count);
          const float* g = dy.data + ((n * w.outH + i) * w.outW + j) * w.channels;
          for_each_tap(w, i, j, [&](size_t, size_t, size_t offset) {
            for (size_t c = 0; c < w.channels; c++) grad[offset + c] += g[c] * scale;
          });
        }
      }
    }
  });
}

}  // namespace

void register_conv(Napi::Env env, Napi::Object exports) {
  exports.Set("directConv", Napi::Function::New(env, DirectConv));
  exports.Set("directConvFilterGrad", Napi::Function::New(env, DirectConvFilterGrad));
  exports.Set("avgPool", Napi::Function::New(env, AvgPool));
  exports.Set("avgPoolGrad", Napi::Function::New(env, AvgPoolGrad));
  exports.Set("im2col", Napi::Function::New(env, Im2Col));
  exports.Set("col2im", Napi::Function::New(env, Col2Im));
  exports.Set("maxPool", Napi::Function::New(env, MaxPool));
  exports.Set("maxPoolGrad", Napi::Function::New(env, MaxPoolGrad));
}

}  // namespace dl4ts
