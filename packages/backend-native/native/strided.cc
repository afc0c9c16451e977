// Strided copies of a float32 or int32 array, which both Transpose and Slice are: out is
// contiguous, `meta` gives each out dim's stride in the input and `offset` where the first element
// lies (the JavaScript side has merged the dims that stay together). A 2-D transpose goes in
// tiles, so both sides stay in cache; a contiguous last dim is a run of memcpy.
#include <cstring>

#include "common.h"
#include "thread_pool.h"

namespace dl4ts {
namespace {

template <typename T>
void transpose2d(const T* in, T* out, size_t rows, size_t cols, size_t inRowStride) {
  // out is rows x cols, out[r][c] = in[c * inRowStride + r].
  const size_t tile = 32;
  parallel_for((rows + tile - 1) / tile, rows * cols, 1, [&](size_t begin, size_t end) {
    for (size_t rt = begin * tile; rt < end * tile && rt < rows; rt += tile) {
      const size_t rEnd = rt + tile < rows ? rt + tile : rows;
      for (size_t ct = 0; ct < cols; ct += tile) {
        const size_t cEnd = ct + tile < cols ? ct + tile : cols;
        for (size_t r = rt; r < rEnd; r++)
          for (size_t c = ct; c < cEnd; c++) out[r * cols + c] = in[c * inRowStride + r];
      }
    }
  });
}

template <typename T>
void general(const T* in, T* out, int rank, const int32_t* dims, const int32_t* strides) {
  size_t total = 1;
  for (int d = 0; d < rank; d++) total *= static_cast<size_t>(dims[d]);
  const size_t inner = static_cast<size_t>(dims[rank - 1]);
  const size_t innerStride = static_cast<size_t>(strides[rank - 1]);
  const size_t rows = total / inner;
  parallel_for(rows, total, 1, [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; r++) {
      size_t rest = r, offset = 0;
      for (int d = rank - 2; d >= 0; d--) {
        offset += (rest % static_cast<size_t>(dims[d])) * static_cast<size_t>(strides[d]);
        rest /= static_cast<size_t>(dims[d]);
      }
      const T* src = in + offset;
      T* dst = out + r * inner;
      if (innerStride == 1) {
        std::memcpy(dst, src, inner * sizeof(T));
      } else {
        for (size_t i = 0; i < inner; i++) dst[i] = src[i * innerStride];
      }
    }
  });
}

// The reverse walk: `in` is contiguous and each of its rows lands in `out` at the strides (Pad).
template <typename T>
void scatter(const T* in, T* out, int rank, const int32_t* dims, const int32_t* strides) {
  size_t total = 1;
  for (int d = 0; d < rank; d++) total *= static_cast<size_t>(dims[d]);
  const size_t inner = static_cast<size_t>(dims[rank - 1]);
  const size_t innerStride = static_cast<size_t>(strides[rank - 1]);
  const size_t rows = total / inner;
  parallel_for(rows, total, 1, [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; r++) {
      size_t rest = r, offset = 0;
      for (int d = rank - 2; d >= 0; d--) {
        offset += (rest % static_cast<size_t>(dims[d])) * static_cast<size_t>(strides[d]);
        rest /= static_cast<size_t>(dims[d]);
      }
      const T* src = in + r * inner;
      T* dst = out + offset;
      if (innerStride == 1) {
        std::memcpy(dst, src, inner * sizeof(T));
      } else {
        for (size_t i = 0; i < inner; i++) dst[i * innerStride] = src[i];
      }
    }
  });
}

template <typename T>
void run(const T* in, size_t inLength, T* out, size_t outLength, const View<int32_t>& meta, size_t offset, Napi::Env env) {
  const int rank = meta.data[0];
  const int32_t* dims = meta.data + 1;
  const int32_t* strides = dims + rank;
  size_t total = 1, last = offset + 1;
  for (int d = 0; d < rank; d++) {
    total *= static_cast<size_t>(dims[d]);
    last += static_cast<size_t>(dims[d] - 1) * static_cast<size_t>(strides[d]);
  }
  if (total == 0) return;
  if (outLength < total || inLength < last) {
    Napi::RangeError::New(env, "transpose: an array is shorter than its shape").ThrowAsJavaScriptException();
    return;
  }
  if (rank == 2 && strides[1] != 1 && strides[0] == 1) {
    transpose2d(in + offset, out, static_cast<size_t>(dims[0]), static_cast<size_t>(dims[1]), static_cast<size_t>(strides[1]));
  } else {
    general(in + offset, out, rank, dims, strides);
  }
}

// strided(x, out, meta, offset): meta = [rank, outDims..., inStrides...] (Int32Array).
void Strided(const Napi::CallbackInfo& info) {
  View<int32_t> meta;
  if (!i32(info[2], &meta) || meta.length < 1 || meta.data[0] < 1 || meta.data[0] > 8 || meta.length < static_cast<size_t>(1 + 2 * meta.data[0]))
    DL4TS_FAIL(info.Env(), "meta must be an Int32Array [rank, dims..., strides...]");
  const size_t offset = static_cast<size_t>(int_arg(info, 3));
  View<float> xf, of;
  View<int32_t> xi, oi;
  if (f32(info[0], &xf) && f32(info[1], &of)) {
    run(xf.data, xf.length, of.data, of.length, meta, offset, info.Env());
  } else if (i32(info[0], &xi) && i32(info[1], &oi)) {
    run(xi.data, xi.length, oi.data, oi.length, meta, offset, info.Env());
  } else {
    DL4TS_FAIL(info.Env(), "x and out must both be Float32Arrays or both Int32Arrays");
  }
}

// pad(x, out, meta, offset, value): out (float32) filled with `value`, then x's elements written
// at out[offset + sum(index_d * stride_d)]; meta = [rank, xDims..., outStrides...].
void Pad(const Napi::CallbackInfo& info) {
  View<int32_t> meta;
  if (!i32(info[2], &meta) || meta.length < 1 || meta.data[0] < 1 || meta.data[0] > 8 || meta.length < static_cast<size_t>(1 + 2 * meta.data[0]))
    DL4TS_FAIL(info.Env(), "pad: meta must be an Int32Array [rank, dims..., strides...]");
  const size_t offset = static_cast<size_t>(int_arg(info, 3));
  const float value = static_cast<float>(num_arg(info, 4));
  View<float> x, out;
  if (!f32(info[0], &x) || !f32(info[1], &out)) DL4TS_FAIL(info.Env(), "pad: x and out must be Float32Arrays");
  const int rank = meta.data[0];
  const int32_t* dims = meta.data + 1;
  const int32_t* strides = dims + rank;
  size_t total = 1, last = offset + 1;
  for (int d = 0; d < rank; d++) {
    total *= static_cast<size_t>(dims[d]);
    last += static_cast<size_t>(dims[d] - 1) * static_cast<size_t>(strides[d]);
  }
  if (x.length < total || (total > 0 && out.length < last)) DL4TS_FAIL(info.Env(), "pad: an array is shorter than its shape");
  float* o = out.data;
  parallel_for(out.length, out.length, 8, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) o[i] = value;
  });
  if (total > 0) scatter(x.data, out.data + offset, rank, dims, strides);
}

}  // namespace

void register_strided(Napi::Env env, Napi::Object exports) {
  exports.Set("strided", Napi::Function::New(env, Strided));
  exports.Set("pad", Napi::Function::New(env, Pad));
}

}  // namespace dl4ts
