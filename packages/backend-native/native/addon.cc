// The dl4ts native module: each kernel file registers its functions on the exports object.
#include "common.h"

namespace dl4ts {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  register_gemm(env, exports);
  register_unary(env, exports);
  register_binary(env, exports);
  register_reduce(env, exports);
  register_softmax(env, exports);
  register_strided(env, exports);
  register_copy(env, exports);
  register_updaters(env, exports);
  register_lstm(env, exports);
  register_memory(env, exports);
  register_conv(env, exports);
  register_random(env, exports);
  // Bumped when a function's arguments change, so a stale build is refused instead of misread.
  exports.Set("abiVersion", Napi::Number::New(env, 6));
  return exports;
}

NODE_API_MODULE(dl4ts_native, Init)

}  // namespace dl4ts
