"""NumPy's forward pass over a model.npz, as README documents the file: prints the test set's accuracy and, with
--labels FILE (one label per line, as `mlp4j predict` prints them), how many of its labels NumPy's agree with."""
import argparse
import sys

import numpy as np

from mnist_idx import load_raw

ACTIVATIONS = {1: lambda z: 1 / (1 + np.exp(-z)), 2: np.tanh, 3: lambda z: np.maximum(z, 0),
               4: lambda z: np.where(z > 0, z, 0.01 * z)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--data", default="data/mnist")
    p.add_argument("--labels")
    a = p.parse_args()
    m = np.load(a.model)
    x, y = load_raw(a.data, "test")
    scale, shift = (float(v) for v in m["input_scaling"])
    # the model's own input scaling of the pixels (the book's maps 0..255 to -1..1)
    h = x * scale + shift
    layers = len(m["layer_sizes"]) - 1
    for l in range(layers):
        z = h @ m[f"w{l}"].astype(np.float64) + m[f"b{l}"]
        h = ACTIVATIONS[int(m["activation"][0])](z) if l + 1 < layers else z
    predicted = h.argmax(axis=1)  # softmax and the sigmoid units both keep the logits' order
    print(f"numpy forward pass: test accuracy {100 * np.mean(predicted == y):.2f}%")
    if a.labels:
        theirs = np.loadtxt(a.labels, dtype=np.int64)
        same = int(np.sum(theirs == predicted))
        print(f"numpy forward pass: {same} of {len(predicted)} labels as in {a.labels}")
        sys.exit(0 if same == len(predicted) else 1)


if __name__ == "__main__":
    main()
