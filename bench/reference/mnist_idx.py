"""What the reference scripts share: reading the MNIST IDX files (raw or .gz), scaled as the book,
(x/255 - 0.5) * 2, and answering `mlp4j bench` with timings in JSON lines."""
import gzip
import json
import os
import struct
import sys

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


def blas_of(paths):
    """The BLAS among these shared libraries' paths, as (its directory and file name, whether it is the reference
    BLAS), or None. The reference BLAS (netlib's libblas, which Debian's python3-numpy runs on where no
    other BLAS is installed) computes the same products many times slower than OpenBLAS, MKL or BLIS."""
    tuned = ("openblas", "mkl", "blis", "flexiblas", "atlas", "armpl")
    for path in paths:
        name = os.path.basename(path).lower()
        if "blas" in name or name.startswith(("libmkl", "libblis")):
            shown = os.path.join(os.path.basename(os.path.dirname(path)), os.path.basename(path))
            return shown, name.startswith("libblas.so") and not any(t in path.lower() for t in tuned)
    return None


def blas():
    """What NumPy's products run on here, for a timing's detail: the BLAS library mapped into this process (Linux),
    else the one NumPy was built with."""
    np.ones((8, 8)) @ np.ones((8, 8))  # loads the BLAS where NumPy loads it lazily
    try:
        with open("/proc/self/maps") as f:
            found = blas_of(sorted({line.split()[-1] for line in f if ".so" in line}))
    except OSError:
        found = None
    if found is None:
        try:
            return np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
        except Exception:  # an older NumPy, or a configuration without that entry
            return "unknown"
    shown, reference = found
    return shown + (" (the reference BLAS, far slower than OpenBLAS: on Debian or Ubuntu, apt install libopenblas0)" if reference else "")


def timing(times, detail, cost, train_accuracy):
    """{"seconds_per_epoch": median of epochs 2..N, "first_epoch": ..., "detail": ..., "cost": the last epoch's,
    "train_accuracy": the last epoch's}."""
    rest = sorted(times[1:] or times)
    median = (rest[(len(rest) - 1) // 2] + rest[len(rest) // 2]) / 2
    return {"seconds_per_epoch": median, "first_epoch": times[0], "detail": detail, "cost": float(cost),
            "train_accuracy": float(train_accuracy)}


def add_shape_options(parser):
    """--hidden and --batch, the shape timed, and --serve, which times the shapes stdin asks for instead."""
    parser.add_argument("--hidden", default="100", help="hidden layer sizes, e.g. 512,512")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--serve", action="store_true",
                        help='print {"ready": true}, then time one shape a line of stdin, {"hidden": "512,512", "batch": 250}, '
                             'answering each with its JSON line, or {"error": ...} where it gives none (as `mlp4j bench` runs it)')


def serve(args, time_shape):
    """Prints the JSON line of time_shape(hidden, batch) for --hidden and --batch, or with --serve for each shape stdin
    asks for: setting up (loading the data, importing PyTorch) is then paid once for a grid of shapes."""
    if not args.serve:
        print(json.dumps(time_shape(args.hidden, args.batch)))
        return
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            answer = time_shape(str(request["hidden"]), int(request["batch"]))
        except Exception as e:  # this shape gives no timing (out of memory, say); the next may
            answer = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(answer), flush=True)
