"""The seed chapter's network in PyTorch on a CUDA GPU (FP32, TF32 off), the dataset resident on the GPU,
timed per epoch (the SGD steps over 55,000 examples plus the evaluation of cost, training and validation
accuracy), for `mlp4j bench` and ci/gpu-check.sh. --mode eager: the book's hand-written backprop, op by op.
--mode graph: the same epoch captured once in a CUDA graph and replayed. --mode cpu: eager on the CPU (its
threads as OMP_NUM_THREADS says, which `mlp4j bench --threads` sets). --hidden (e.g. 512,512) and
--batch give other shapes than the book's 784-100-10 at batch 100.
Prints JSON: {"seconds_per_epoch": median of epochs 2..N, "first_epoch": ..., "detail": ..., "cost": .., "train_accuracy": ..}
(the last epoch's cost and training accuracy); with --serve, one such line for each shape stdin asks for
(mnist_idx.serve)."""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist_idx  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="data/mnist")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--mode", choices=["eager", "graph", "cpu"], default="eager")
    mnist_idx.add_shape_options(p)
    a = p.parse_args()
    try:
        import torch
    except ImportError:
        sys.exit("torch is not installed")
    on_gpu = a.mode != "cpu"
    if on_gpu and not torch.cuda.is_available():
        sys.exit("torch has no CUDA device")
    torch.backends.cuda.matmul.allow_tf32 = False
    dev = torch.device("cuda" if on_gpu else "cpu")
    x, y = mnist_idx.load(a.data)
    x = torch.tensor(x, dtype=torch.float32, device=dev)
    y = torch.tensor(y, dtype=torch.int64, device=dev)
    mnist_idx.serve(a, lambda hidden, batch: time_shape(torch, dev, x, y, a.mode, a.epochs, hidden, batch))


def time_shape(torch, dev, x, y, mode, epochs, hidden, batch):
    on_gpu = mode != "cpu"
    n_train, eta, l2 = 55000, 0.0005, 0.01
    steps = n_train // batch
    x_train, y_train, x_valid, y_valid = x[:n_train], y[:n_train], x[n_train:], y[n_train:]
    y_enc = torch.nn.functional.one_hot(y_train, 10).float()
    sizes = [784] + [int(h) for h in hidden.split(",")] + [10]
    g = torch.Generator(device="cpu").manual_seed(1)
    w = [(torch.randn(sizes[i], sizes[i + 1], generator=g) * 0.1).to(dev) for i in range(len(sizes) - 1)]
    bias = [torch.zeros(sizes[i + 1], device=dev) for i in range(len(sizes) - 1)]
    order = torch.empty(n_train, dtype=torch.int64, device=dev)
    stats = torch.zeros(3, device=dev)

    def logits(xs):
        h = xs
        for i in range(len(w)):
            z = h @ w[i] + bias[i]
            h = torch.sigmoid(z) if i + 1 < len(w) else z
        return h

    def epoch():
        for s in range(steps):
            b = order[s * batch:(s + 1) * batch]
            acts = [x_train[b]]
            for i in range(len(w)):
                acts.append(torch.sigmoid(acts[-1] @ w[i] + bias[i]))
            d = acts[-1] - y_enc[b]
            for i in range(len(w) - 1, -1, -1):
                d_below = (d @ w[i].T) * acts[i] * (1 - acts[i]) if i > 0 else None
                w[i].mul_(1 - eta * l2).sub_(eta * (acts[i].T @ d))
                bias[i].sub_(eta * d.sum(0))
                d = d_below
        z = logits(x_train)
        cost = torch.nn.functional.softplus(-z).mul(y_enc).sum() + torch.nn.functional.softplus(z).mul(1 - y_enc).sum()
        stats[0] = cost + l2 * sum(wi.pow(2).sum() for wi in w)
        stats[1] = (z.argmax(1) == y_train).float().mean()
        stats[2] = (logits(x_valid).argmax(1) == y_valid).float().mean()

    run = epoch
    if mode == "graph":
        order.copy_(torch.randperm(n_train, generator=g).to(dev))
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            epoch()  # warm-up outside capture, as CUDA graphs require
        torch.cuda.current_stream().wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            epoch()
        run = graph.replay
    times = []
    for e in range(epochs):
        if on_gpu:
            torch.cuda.synchronize()
        start = time.perf_counter()
        order.copy_(torch.randperm(n_train, generator=g).to(dev, non_blocking=True))
        run()
        c, tr, va = stats.tolist()
        times.append(time.perf_counter() - start)
        print(f"epoch {e + 1}: cost {c:.2f} train {100 * tr:.2f}% valid {100 * va:.2f}% {times[-1] * 1000:.1f} ms", file=sys.stderr)
    threads = torch.get_num_threads()
    where = torch.cuda.get_device_name() if on_gpu else f"CPU, {threads} thread{'' if threads == 1 else 's'}"
    return mnist_idx.timing(times, f"PyTorch {torch.__version__} {'eager' if mode == 'cpu' else mode}, {where}, FP32, "
                            f"{'-'.join(map(str, sizes))}, batch {batch}", c, tr)


if __name__ == "__main__":
    main()
