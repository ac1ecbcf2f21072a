"""The seed chapter's NeuralNetMLP algorithm in NumPy float64, timed per epoch (550 SGD steps of 100 plus
the per-epoch evaluation of cost, training and validation accuracy), for `mlp4j bench`.
Prints JSON: {"seconds_per_epoch": median of epochs 2..N, "first_epoch": ..., "detail": ...}."""
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
    p.add_argument("--hidden", type=int, default=100)
    a = p.parse_args()
    x, y = mnist_idx.load(a.data)
    x_train, y_train, x_valid, y_valid = x[:55000], y[:55000], x[55000:], y[55000:]
    n_out = 10
    eta, l2, batch = 0.0005, 0.01, 100
    rng = np.random.RandomState(1)
    w_h = rng.normal(0.0, 0.1, (x.shape[1], a.hidden))
    b_h = np.zeros(a.hidden)
    w_out = rng.normal(0.0, 0.1, (a.hidden, n_out))
    b_out = np.zeros(n_out)
    y_enc = np.zeros((y_train.shape[0], n_out))
    y_enc[np.arange(y_train.shape[0]), y_train] = 1.0
    times = []
    for epoch in range(a.epochs):
        start = time.perf_counter()
        idx = np.arange(x_train.shape[0])
        rng.shuffle(idx)
        for s in range(0, idx.shape[0] - batch + 1, batch):
            b = idx[s:s + batch]
            a_h = sigmoid(x_train[b] @ w_h + b_h)
            a_out = sigmoid(a_h @ w_out + b_out)
            d_out = a_out - y_enc[b]
            d_h = (d_out @ w_out.T) * a_h * (1.0 - a_h)
            w_h -= eta * (x_train[b].T @ d_h + l2 * w_h)
            b_h -= eta * d_h.sum(axis=0)
            w_out -= eta * (a_h.T @ d_out + l2 * w_out)
            b_out -= eta * d_out.sum(axis=0)
        z_out = sigmoid(x_train @ w_h + b_h) @ w_out + b_out
        out = sigmoid(z_out)
        cost = np.sum(-y_enc * np.log(out) - (1.0 - y_enc) * np.log(1.0 - out)) + l2 * (np.sum(w_h ** 2) + np.sum(w_out ** 2))
        train_acc = np.mean(np.argmax(z_out, axis=1) == y_train)
        valid_acc = np.mean(np.argmax(sigmoid(x_valid @ w_h + b_h) @ w_out + b_out, axis=1) == y_valid)
        times.append(time.perf_counter() - start)
        print(f"epoch {epoch + 1}: cost {cost:.2f} train {100 * train_acc:.2f}% valid {100 * valid_acc:.2f}% {times[-1]:.3f} s", file=sys.stderr)
    mnist_idx.report(times, f"NumPy {np.__version__} float64, the book's algorithm")


if __name__ == "__main__":
    main()
