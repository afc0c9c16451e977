// Convolution and max pooling over NHWC images. A convolution is one OpenBLAS product over the
// input's windows laid out as rows (im2col, `[batch outH outW, kernelH kernelW channels]`); its
// input gradient is the product of the output gradient with the kernel, scattered back (col2im).
// The JavaScript side (src/kernels/conv.ts) makes the products; these are the layout loops.
#include <cstring>
#include <limits>

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
      const size_t n = row / (w.outH * w.outW);
      const size_t i = (row / w.outW) % w.outH;
      const size_t j = row % w.outW;
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
          for (size_t a = 0; a < w.kernelH; a++) {
            const int64_t r = in_row(w, i, a);
            for (size_t e = 0; e < w.kernelW; e++, src += w.channels) {
              const int64_t q = r < 0 ? -1 : in_col(w, j, e);
              if (q < 0) continue;
              float* d = image + (static_cast<size_t>(r) * w.width + static_cast<size_t>(q)) * w.channels;
              for (size_t c = 0; c < w.channels; c++) d[c] += src[c];
            }
          }
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
      const size_t n = row / (w.outH * w.outW);
      const size_t i = (row / w.outW) % w.outH;
      const size_t j = row % w.outW;
      float* dst = out.data + row * w.channels;
      int32_t* at = positions ? argmax.data + row * w.channels : nullptr;
      for (size_t c = 0; c < w.channels; c++) dst[c] = -std::numeric_limits<float>::infinity();
      if (at != nullptr) for (size_t c = 0; c < w.channels; c++) at[c] = -1;
      const size_t base = n * image_size(w);
      for (size_t a = 0; a < w.kernelH; a++) {
        const int64_t r = in_row(w, i, a);
        if (r < 0) continue;
        for (size_t e = 0; e < w.kernelW; e++) {
          const int64_t q = in_col(w, j, e);
          if (q < 0) continue;
          const size_t offset = base + (static_cast<size_t>(r) * w.width + static_cast<size_t>(q)) * w.channels;
          const float* src = x.data + offset;
          // The first maximum wins (tfjs's cpu rule); NaN propagates, as in tfjs's kernels.
          for (size_t c = 0; c < w.channels; c++) {
            const bool take = src[c] > dst[c] || (src[c] != src[c] && dst[c] == dst[c]) || (at != nullptr && at[c] < 0);
            if (!take) continue;
            dst[c] = src[c];
            if (at != nullptr) at[c] = static_cast<int32_t>(offset + c);
          }
        }
      }
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
            for (size_t a = 0; a < w.kernelH; a++) {
              const int64_t r = in_row(w, i, a);
              if (r < 0) continue;
              for (size_t e = 0; e < w.kernelW; e++) {
                const int64_t q = in_col(w, j, e);
                if (q < 0) continue;
                const int64_t k = (r * static_cast<int64_t>(w.width) + q) * static_cast<int64_t>(w.channels) + static_cast<int64_t>(c);
                if (at < 0 || image[k] > best) {
                  best = image[k];
                  at = k;
                }
              }
            }
            if (at >= 0) grad[at] += g[c];
          }
        }
      }
    }
  });
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
      const size_t n = row / (w.outH * w.outW);
      const size_t i = (row / w.outW) % w.outH;
      const size_t j = row % w.outW;
      float* dst = out.data + row * w.channels;
      for (size_t c = 0; c < w.channels; c++) dst[c] = 0.0f;
      size_t count = 0;
      for (size_t a = 0; a < w.kernelH; a++) {
        const int64_t r = in_row(w, i, a);
        if (r < 0) continue;
        for (size_t e = 0; e < w.kernelW; e++) {
          const int64_t q = in_col(w, j, e);
          if (q < 0) continue;
          const float* src = x.data + n * image_size(w) + (static_cast<size_t>(r) * w.width + static_cast<size_t>(q)) * w.channels;
          for (size_t c = 0; c < w.channels; c++) dst[c] += src[c];
          count++;
        }
      }
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
          for (size_t a = 0; a < w.kernelH; a++) {
            if (in_row(w, i, a) < 0) continue;
            for (size_t e = 0; e < w.kernelW; e++) count += in_col(w, j, e) < 0 ? 0 : 1;
          }
          if (count == 0) continue;
          const float scale = 1.0f / static_cast<float>(count);
          const float* g = dy.data + ((n * w.outH + i) * w.outW + j) * w.channels;
          for (size_t a = 0; a < w.kernelH; a++) {
            const int64_t r = in_row(w, i, a);
            if (r < 0) continue;
            for (size_t e = 0; e < w.kernelW; e++) {
              const int64_t q = in_col(w, j, e);
              if (q < 0) continue;
              float* d = grad + (static_cast<size_t>(r) * w.width + static_cast<size_t>(q)) * w.channels;
              for (size_t c = 0; c < w.channels; c++) d[c] += g[c] * scale;
            }
          }
        }
      }
    }
  });
}

}  // namespace

void register_conv(Napi::Env env, Napi::Object exports) {
  exports.Set("avgPool", Napi::Function::New(env, AvgPool));
  exports.Set("avgPoolGrad", Napi::Function::New(env, AvgPoolGrad));
  exports.Set("im2col", Napi::Function::New(env, Im2Col));
  exports.Set("col2im", Napi::Function::New(env, Col2Im));
  exports.Set("maxPool", Napi::Function::New(env, MaxPool));
  exports.Set("maxPoolGrad", Napi::Function::New(env, MaxPoolGrad));
}

}  // namespace dl4ts
