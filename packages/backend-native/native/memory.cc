// glibc malloc's thresholds for the process. Every kernel output is a new typed array; Node
// allocates its memory with calloc, and glibc serves blocks above its mmap threshold (128 KiB at
// first) with fresh mmap pages and returns them on free, so a 1.5 MB gradient cost ~1 ms of page
// faults per op. Raised thresholds keep freed blocks in the heap for the next op of the same size.
#include <malloc.h>

#include "common.h"

namespace dl4ts {
namespace {

// retainMemory(mmapThreshold, trimThreshold) -> whether glibc accepted both.
Napi::Value RetainMemory(const Napi::CallbackInfo& info) {
  const int mmap = static_cast<int>(int_arg(info, 0));
  const int trim = static_cast<int>(int_arg(info, 1));
  const bool ok = mallopt(M_MMAP_THRESHOLD, mmap) == 1 && mallopt(M_TRIM_THRESHOLD, trim) == 1;
  return Napi::Boolean::New(info.Env(), ok);
}

}  // namespace

void register_memory(Napi::Env env, Napi::Object exports) { exports.Set("retainMemory", Napi::Function::New(env, RetainMemory)); }

}  // namespace dl4ts
