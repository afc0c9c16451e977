{
  # The dl4ts native kernels: one N-API module over OpenBLAS (Debian: libopenblas-dev).
  # N-API (node-addon-api) keeps one binary good for every Node version from 20 on.
  "targets": [
    {
      "target_name": "dl4ts_native",
      "sources": [
        "native/addon.cc",
        "native/thread_pool.cc",
        "native/gemm.cc",
        "native/unary.cc",
        "native/binary.cc",
        "native/reduce.cc",
        "native/softmax.cc",
        "native/strided.cc",
        "native/copy.cc",
        "native/updaters.cc",
        "native/lstm.cc",
        "native/packed_gemm.cc",
        "native/memory.cc",
        "native/conv.cc",
        "native/random.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      # AVX2 and FMA (x86-64 since 2013): the element-wise loops are written for 8-float vectors;
      # the JavaScript side checks the CPU before it loads the module.
      "cflags_cc": ["-O3", "-std=c++17", "-mavx2", "-mfma", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=off", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "libraries": ["-lopenblas", "-lmvec", "-lpthread"]
    }
  ]
}
