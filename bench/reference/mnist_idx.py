"""What the reference scripts share: reading the MNIST IDX files (raw or .gz), scaled as the book,
(x/255 - 0.5) * 2, and printing timings in the JSON line `mlp4j bench` reads."""
import gzip
import json
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
    x, y = load_raw(data_dir, kind)
    return ((x / 255.0) - 0.5) * 2, y


def load_raw(data_dir, kind="train"):
    """The images as rows of uint8 pixels, and the labels."""
    prefix = "train" if kind == "train" else "t10k"
    labels = _read(os.path.join(data_dir, prefix + "-labels-idx1-ubyte"))
    images = _read(os.path.join(data_dir, prefix + "-images-idx3-ubyte"))
    n, = struct.unpack(">I", labels[4:8])
    _, rows, cols = struct.unpack(">III", images[4:16])
    y = np.frombuffer(labels, dtype=np.uint8, offset=8)[:n]
    x = np.frombuffer(images, dtype=np.uint8, offset=16)[: n * rows * cols].reshape(n, rows * cols)
    return x, y


def report(times, detail):
    """Prints {"seconds_per_epoch": median of epochs 2..N, "first_epoch": ..., "detail": ...}."""
    rest = sorted(times[1:] or times)
    median = (rest[(len(rest) - 1) // 2] + rest[len(rest) // 2]) / 2
    print(json.dumps({"seconds_per_epoch": median, "first_epoch": times[0], "detail": detail}))
