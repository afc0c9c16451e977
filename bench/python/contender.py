"""A PyTorch contender for dl4ts's benchmarks, driven over stdin/stdout by bench/src/pytorch.ts.

Started once per contender; it builds its model, prints one JSON line describing itself, then
answers each request line {"units": N} by training (or inferring) N units and printing
{"units": N, "seconds": S, "loss": L}. EOF ends it. The model is chosen by --model and lives in
mlp.py, lstm.py or lenet.py; they expose build(args) -> (round(units) -> loss).
"""
import argparse
import json
import os
import sys
import time


def gemm_gflops(torch):
    """A 512x512 product's rate: tells OpenBLAS (hundreds of GFLOP/s) from the reference BLAS (a few)."""
    a = torch.rand(512, 512)
    b = torch.rand(512, 512)
    torch.mm(a, b)
    start = time.perf_counter()
    for _ in range(10):
        torch.mm(a, b)
    return 10 * 2 * 512 ** 3 / (time.perf_counter() - start) / 1e9


def openblas_config():
    """openblas_get_config() of the libopenblas this process loaded (torch links the system one on
    Debian), read through ctypes: version and the kernel it runs. Empty where none is loaded."""
    import ctypes

    with open("/proc/self/maps") as maps:
        paths = sorted({line.split()[-1] for line in maps if "libopenblas" in line and line.split()[-1].startswith("/")})
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_config.restype = ctypes.c_char_p
            return lib.openblas_get_config().decode()
        except (OSError, AttributeError):
            continue
    return ""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True, choices=["mlp", "mlp-latency", "lstm", "lenet"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--data", default="")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--onnx", default="", help="mlp-latency: also export the model to this ONNX file")
    args = parser.parse_args()

    import torch

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    if args.model == "lstm":
        import lstm as model
    elif args.model == "lenet":
        import lenet as model
    else:
        import mlp as model
    run = model.build(torch, args)
    torch.mm(torch.rand(64, 64), torch.rand(64, 64))  # OpenBLAS is loaded lazily by some builds
    print(json.dumps({
        "ready": True,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "gemm_gflops": round(gemm_gflops(torch), 1),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""),
        "openblas_config": openblas_config(),
        "onnx": args.onnx,
    }), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        start = time.perf_counter()
        loss = run(int(request["units"]))
        print(json.dumps({"units": request["units"], "seconds": time.perf_counter() - start, "loss": loss}), flush=True)


if __name__ == "__main__":
    main()
