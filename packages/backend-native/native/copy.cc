// Concat and Gather: copies of contiguous runs. Both take float32 or int32 data (4-byte words:
// the copies never look at the values).
#include <cstring>
#include <vector>

#include "common.h"
#include "thread_pool.h"

namespace dl4ts {
namespace {

bool words(const Napi::Value& v, View<uint32_t>* out) {
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (napi_get_typedarray_info(v.Env(), v, &type, &length, &data, nullptr, nullptr) != napi_ok) return false;
  if (type != napi_float32_array && type != napi_int32_array && type != napi_uint32_array) return false;
  out->data = static_cast<uint32_t*>(data);
  out->length = length;
  return true;
}

// concat(inputs[], out, outer, widths Int32Array): row r of out is row r of every input in turn,
// input i's rows `widths[i]` words long.
void Concat(const Napi::CallbackInfo& info) {
  Napi::Array inputs = info[0].As<Napi::Array>();
  View<uint32_t> out;
  View<int32_t> widths;
  if (!words(info[1], &out)) DL4TS_FAIL(info.Env(), "concat: out must be a Float32Array or Int32Array");
  const size_t outer = static_cast<size_t>(int_arg(info, 2));
  if (!i32(info[3], &widths) || widths.length != inputs.Length()) DL4TS_FAIL(info.Env(), "concat: one width per input expected");
  const size_t count = inputs.Length();
  std::vector<const uint32_t*> sources(count);
  size_t rowWidth = 0;
  for (size_t i = 0; i < count; i++) {
    View<uint32_t> in;
    if (!words(inputs.Get(static_cast<uint32_t>(i)), &in)) DL4TS_FAIL(info.Env(), "concat: every input must be a Float32Array or Int32Array");
    if (in.length < outer * static_cast<size_t>(widths.data[i])) DL4TS_FAIL(info.Env(), "concat: an input is shorter than its shape");
    sources[i] = in.data;
    rowWidth += static_cast<size_t>(widths.data[i]);
  }
  if (out.length < outer * rowWidth) DL4TS_FAIL(info.Env(), "concat: out is shorter than its shape");
  parallel_for(outer, outer * rowWidth, 1, [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; r++) {
      uint32_t* dst = out.data + r * rowWidth;
      for (size_t i = 0; i < count; i++) {
        const size_t w = static_cast<size_t>(widths.data[i]);
        std::memcpy(dst, sources[i] + r * w, w * sizeof(uint32_t));
        dst += w;
      }
    }
  });
}

// gather(x, indices, out, outer, axisSize, inner) -> -1, or the position of the first index out of
// [0, axisSize): out[o, j, :] = x[o, indices[j], :].
Napi::Value Gather(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  View<uint32_t> x, out;
  View<int32_t> indices;
  if (!words(info[0], &x) || !words(info[2], &out) || !i32(info[1], &indices)) {
    Napi::RangeError::New(env, "gather: x and out must be 4-byte typed arrays, indices an Int32Array").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const size_t outer = static_cast<size_t>(int_arg(info, 3)), axis = static_cast<size_t>(int_arg(info, 4)), inner = static_cast<size_t>(int_arg(info, 5));
  const size_t count = indices.length;
  for (size_t j = 0; j < count; j++) {
    if (indices.data[j] < 0 || static_cast<size_t>(indices.data[j]) >= axis) return Napi::Number::New(env, static_cast<double>(j));
  }
  if (x.length < outer * axis * inner || out.length < outer * count * inner) {
    Napi::RangeError::New(env, "gather: an array is shorter than its shape").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  parallel_for(outer * count, outer * count * inner, 1, [&](size_t begin, size_t end) {
    for (size_t t = begin; t < end; t++) {
      const size_t o = t / count, j = t % count;
      std::memcpy(out.data + t * inner, x.data + (o * axis + static_cast<size_t>(indices.data[j])) * inner, inner * sizeof(uint32_t));
    }
  });
  return Napi::Number::New(env, -1);
}

}  // namespace

void register_copy(Napi::Env env, Napi::Object exports) {
  exports.Set("concat", Napi::Function::New(env, Concat));
  exports.Set("gather", Napi::Function::New(env, Gather));
}

}  // namespace dl4ts
