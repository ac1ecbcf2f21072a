"""The book's SGD (784-100-10, sigmoid, L2, batch 100) with the first layer's weight updates deferred over blocks of K
steps, against the same SGD a step at a time: an algebra check for issue 24, not a timing.

Within a block that starts from weights W, step i's first-layer weights are
    W_i = c^i W - eta * sum_{k<i} c^(i-1-k) X_k' D_k        (c = 1 - eta * l2, D_k the step's hidden deltas)
so its first product is
    X_i W_i = c^i (X_i W) - eta * sum_{k<i} c^(i-1-k) (X_i X_k') D_k.
X_i W for the block's K steps is one product, the Grams X_i X_k' depend on the data alone, and W is stepped once at
the block's end (one product, X' D with D's rows scaled). What stays step after step is a 100x100x100 product for
each earlier step of the block, the output layer and the biases. Prints each epoch's validation accuracy, the test
accuracy and how far each run's weights are from the step-at-a-time run in float64.
python3 bench/ab/deferred_updates.py [DATA_DIR [EPOCHS [K ...]]]"""
import functools
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
import mnist_idx  # noqa: E402

ETA, L2, BATCH = 0.0005, 0.01, 100


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -250, 250)))


def train(x, y, dt, block, epochs, log):
    """The book's run; block 1 steps W every step, as the book does."""
    rng = np.random.RandomState(1)
    w0 = rng.normal(0.0, 0.1, (784, 100)).astype(dt)
    w1 = rng.normal(0.0, 0.1, (100, 10)).astype(dt)
    b0, b1 = np.zeros(100, dt), np.zeros(10, dt)
    xt, yt, xv, yv = x[:55000].astype(dt), y[:55000], x[55000:].astype(dt), y[55000:]
    onehot = np.zeros((55000, 10), dt)
    onehot[np.arange(55000), yt] = 1.0
    c = dt.type(1.0 - ETA * L2)
    for epoch in range(epochs):
        order = np.arange(55000)
        rng.shuffle(order)
        steps = [order[s:s + BATCH] for s in range(0, 55000 - BATCH + 1, BATCH)]
        for first in range(0, len(steps), block):
            xs = [xt[s] for s in steps[first:first + block]]
            ys = [onehot[s] for s in steps[first:first + block]]
            n = len(xs)
            products = np.concatenate(xs) @ w0
            deltas = []
            for i in range(n):
                z1 = c ** i * products[i * BATCH:(i + 1) * BATCH] + b0
                for k in range(i):
                    z1 -= ETA * c ** (i - 1 - k) * ((xs[i] @ xs[k].T) @ deltas[k])
                a1 = sigmoid(z1)
                d2 = sigmoid(a1 @ w1 + b1) - ys[i]
                d1 = (d2 @ w1.T) * a1 * (1.0 - a1)
                w1 = w1 - ETA * (a1.T @ d2 + L2 * w1)
                b1 = b1 - ETA * d2.sum(0)
                b0 = b0 - ETA * d1.sum(0)
                deltas.append(d1)
            scaled = np.concatenate([c ** (n - 1 - k) * deltas[k] for k in range(n)])
            w0 = c ** n * w0 - ETA * (np.concatenate(xs).T @ scaled)
        valid = (np.argmax(sigmoid(sigmoid(xv @ w0 + b0) @ w1 + b1), 1) == yv).mean()
        log(f"{dt} K={block} epoch {epoch + 1}/{epochs} valid {100 * valid:.2f} %")
    return w0, b0, w1, b1


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else "data/mnist"
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    blocks = [int(k) for k in sys.argv[3:]] or [2, 4, 8]
    x, y = mnist_idx.load(data)
    tx, ty = mnist_idx.load(data, "test")
    log = functools.partial(print, flush=True)
    reference = None
    for dt, block in [(np.dtype("float64"), 1), (np.dtype("float32"), 1)] + [(np.dtype("float32"), k) for k in blocks]:
        w0, b0, w1, b1 = train(x, y, dt, block, epochs, log)
        reference = reference or (w0, b0, w1, b1)
        test = (np.argmax(sigmoid(sigmoid(tx.astype(dt) @ w0 + b0) @ w1 + b1), 1) == ty).mean()
        far = max(np.abs(a - r).max() / np.abs(r).max() for a, r in zip((w0, b0, w1, b1), reference))
        print(f"{dt} K={block}: test accuracy {100 * test:.2f} %, largest difference from float64 a step at a time "
              f"{far:.2e} (of each parameter's largest value)", flush=True)


if __name__ == "__main__":
    main()
