"""Reads the MNIST IDX files (raw or .gz) for the reference scripts, scaled as the book: (x/255 - 0.5) * 2."""
import gzip
import os
import struct

import numpy as np


def _read(path):
    for candidate in (path, path + ".gz"):
        if os.path.exists(candidate):
            opener = gzip.open if candidate.endswith(".gz") else open
            with opener(candidate, "rb") as f:
                return f.read()
    raise FileNotFoundError(path + " (raw or .gz)")


def load(data_dir, kind="train"):
    prefix = "train" if kind == "train" else "t10k"
    labels = _read(os.path.join(data_dir, prefix + "-labels-idx1-ubyte"))
    images = _read(os.path.join(data_dir, prefix + "-images-idx3-ubyte"))
    n, = struct.unpack(">I", labels[4:8])
    _, rows, cols = struct.unpack(">III", images[4:16])
    y = np.frombuffer(labels, dtype=np.uint8, offset=8)[:n]
    x = np.frombuffer(images, dtype=np.uint8, offset=16)[: n * rows * cols].reshape(n, rows * cols)
    return ((x / 255.0) - 0.5) * 2, y
