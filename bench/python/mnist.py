"""MNIST's IDX files (gzipped) as float32 arrays scaled to [0, 1] and one-hot labels, or None."""
import gzip
import os

import numpy as np


def load(directory, split="train", limit=None):
    prefix = "train" if split == "train" else "t10k"
    images = os.path.join(directory, f"{prefix}-images-idx3-ubyte.gz")
    labels = os.path.join(directory, f"{prefix}-labels-idx1-ubyte.gz")
    if not (os.path.exists(images) and os.path.exists(labels)):
        return None
    with gzip.open(images, "rb") as f:
        x = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(labels, "rb") as f:
        y = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    if limit is not None:
        x, y = x[:limit], y[:limit]
    return x.astype(np.float32) / 255.0, y.astype(np.int64)
