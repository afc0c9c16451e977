// Shared helpers of the dl4ts native kernels: argument access and errors. Every kernel reads and
// writes the caller's typed arrays in place and returns nothing; the JavaScript side has already
// checked shapes and dtypes, so the checks here only guard memory safety (lengths).
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>

namespace dl4ts {

// Throws a JavaScript TypeError/RangeError and makes the caller return.
#define DL4TS_FAIL(env, message)                                     \
  do {                                                               \
    Napi::RangeError::New((env), (message)).ThrowAsJavaScriptException(); \
    return;                                                          \
  } while (0)

// A typed array argument: pointer and element count, or null when the argument is of another type.
template <typename T>
struct View {
  T* data = nullptr;
  size_t length = 0;
  bool ok() const { return data != nullptr || length == 0; }
};

template <typename T, napi_typedarray_type Kind>
inline bool view_of(const Napi::Value& value, View<T>* out) {
  // One N-API call: the pointer it gives already includes the array's byte offset (subarrays).
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (napi_get_typedarray_info(value.Env(), value, &type, &length, &data, nullptr, nullptr) != napi_ok) return false;
  if (type != Kind) return false;
  out->length = length;
  out->data = static_cast<T*>(data);
  return true;
}

inline bool f32(const Napi::Value& v, View<float>* out) { return view_of<float, napi_float32_array>(v, out); }
inline bool i32(const Napi::Value& v, View<int32_t>* out) { return view_of<int32_t, napi_int32_array>(v, out); }
inline bool u8(const Napi::Value& v, View<uint8_t>* out) { return view_of<uint8_t, napi_uint8_array>(v, out); }

inline int64_t int_arg(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Int64Value(); }
inline double num_arg(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().DoubleValue(); }

// Reads argument `i` as a Float32Array of at least `need` elements into `name`, or fails.
#define DL4TS_F32(name, i, need)                                                      \
  View<float> name;                                                                   \
  if (!f32(info[i], &name)) DL4TS_FAIL(info.Env(), "argument " #i " (" #name ") must be a Float32Array"); \
  if (name.length < static_cast<size_t>(need)) DL4TS_FAIL(info.Env(), "argument " #i " (" #name ") is shorter than the shape says")

#define DL4TS_I32(name, i, need)                                                      \
  View<int32_t> name;                                                                 \
  if (!i32(info[i], &name)) DL4TS_FAIL(info.Env(), "argument " #i " (" #name ") must be an Int32Array"); \
  if (name.length < static_cast<size_t>(need)) DL4TS_FAIL(info.Env(), "argument " #i " (" #name ") is shorter than the shape says")

// Named arguments: a kernel taking many arrays takes one object, and reads each field by name.
#define DL4TS_ARGS(what)                                                                          \
  if (info.Length() < 1 || !info[0].IsObject()) DL4TS_FAIL(info.Env(), what ": expected one object of named arguments"); \
  const Napi::Object args = info[0].As<Napi::Object>()

// Reads field `name` of `args` as a Float32Array of at least `need` elements, or fails.
#define DL4TS_F32_FIELD(name, need)                                                                \
  View<float> name;                                                                              \
  if (!f32(args.Get(#name), &name)) DL4TS_FAIL(info.Env(), "field " #name " must be a Float32Array"); \
  if (name.length < static_cast<size_t>(need)) DL4TS_FAIL(info.Env(), "field " #name " is shorter than the shape says")

// Reads field `name` of `args` as a non-negative integer, or fails.
#define DL4TS_SIZE_FIELD(name)                                                                               \
  if (!args.Get(#name).IsNumber() || args.Get(#name).As<Napi::Number>().Int64Value() < 0) DL4TS_FAIL(info.Env(), "field " #name " must be a non-negative integer"); \
  const size_t name = static_cast<size_t>(args.Get(#name).As<Napi::Number>().Int64Value())

// Module registration: each kernel file exports its functions through one of these.
void register_gemm(Napi::Env env, Napi::Object exports);
void register_unary(Napi::Env env, Napi::Object exports);
void register_binary(Napi::Env env, Napi::Object exports);
void register_reduce(Napi::Env env, Napi::Object exports);
void register_softmax(Napi::Env env, Napi::Object exports);
void register_strided(Napi::Env env, Napi::Object exports);
void register_copy(Napi::Env env, Napi::Object exports);
void register_lstm(Napi::Env env, Napi::Object exports);
void register_memory(Napi::Env env, Napi::Object exports);
void register_updaters(Napi::Env env, Napi::Object exports);
void register_conv(Napi::Env env, Napi::Object exports);
void register_random(Napi::Env env, Napi::Object exports);

}  // namespace dl4ts
