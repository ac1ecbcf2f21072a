"""The seed chapter's NeuralNetMLP algorithm in NumPy, timed per epoch (the SGD steps over 55,000 examples
plus the per-epoch evaluation of cost, training and validation accuracy), for `mlp4j bench`. The book's
network is --hidden 100 --batch 100 in float64; --hidden takes more layers (e.g. 512,512) and --dtype
float32 runs the same algorithm in float32 (OpenBLAS's SGEMM), the fair comparison for a float32 engine.
Prints JSON: {"seconds_per_epoch": median of epochs 2..N, "first_epoch": ..., "detail": ..., "cost": .., "train_accuracy": ..}
(the last epoch's cost and training accuracy); with --serve, one such line for each shape stdin asks for
(mnist_idx.serve)."""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist_idx  # noqa: E402


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -250, 250)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="data/mnist")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    mnist_idx.add_shape_options(p)
    a = p.parse_args()
    dt = np.dtype(a.dtype)
    x, y = mnist_idx.load(a.data)
    x = x.astype(dt)
    mnist_idx.serve(a, lambda hidden, batch: time_shape(x, y, dt, a.epochs, hidden, batch))


def time_shape(x, y, dt, epochs, hidden, batch):
    x_train, y_train, x_valid, y_valid = x[:55000], y[:55000], x[55000:], y[55000:]
    sizes = [x.shape[1]] + [int(h) for h in hidden.split(",")] + [10]
    eta, l2 = 0.0005, 0.01
    rng = np.random.RandomState(1)
    w = [rng.normal(0.0, 0.1, (sizes[i], sizes[i + 1])).astype(dt) for i in range(len(sizes) - 1)]
    b = [np.zeros(sizes[i + 1], dt) for i in range(len(sizes) - 1)]
    y_enc = np.zeros((y_train.shape[0], 10), dt)
    y_enc[np.arange(y_train.shape[0]), y_train] = 1.0

    def forward(xs):
        acts = [xs]
        for i in range(len(w)):
            z = acts[-1] @ w[i] + b[i]
            acts.append(sigmoid(z) if i + 1 < len(w) else z)
        return acts

    times = []
    for epoch in range(epochs):
        start = time.perf_counter()
        idx = np.arange(x_train.shape[0])
        rng.shuffle(idx)
        for s in range(0, idx.shape[0] - batch + 1, batch):
            bi = idx[s:s + batch]
            acts = forward(x_train[bi])
            acts[-1] = sigmoid(acts[-1])
            d = acts[-1] - y_enc[bi]
            for i in range(len(w) - 1, -1, -1):
                d_below = (d @ w[i].T) * acts[i] * (1.0 - acts[i]) if i > 0 else None
                w[i] -= eta * (acts[i].T @ d + l2 * w[i])
                b[i] -= eta * d.sum(axis=0)
                d = d_below
        z_out = forward(x_train)[-1]
        out = sigmoid(z_out)
        cost = np.sum(-y_enc * np.log(out) - (1.0 - y_enc) * np.log(1.0 - out)) + l2 * sum(np.sum(wi ** 2) for wi in w)
        train_acc = np.mean(np.argmax(z_out, axis=1) == y_train)
        valid_acc = np.mean(np.argmax(forward(x_valid)[-1], axis=1) == y_valid)
        times.append(time.perf_counter() - start)
        print(f"epoch {epoch + 1}: cost {cost:.2f} train {100 * train_acc:.2f}% valid {100 * valid_acc:.2f}% {times[-1]:.3f} s", file=sys.stderr)
    return mnist_idx.timing(times, f"NumPy {np.__version__} {dt}, BLAS {mnist_idx.blas()}, the book's algorithm, {'-'.join(map(str, sizes))}, batch {batch}",
                            cost, train_acc)


if __name__ == "__main__":
    main()
