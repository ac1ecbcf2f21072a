"""The seed chapter's network in PyTorch on a CUDA GPU (FP32, TF32 off), the dataset resident on the GPU,
timed per epoch (550 SGD steps of 100 plus the evaluation of cost, training and validation accuracy), for
`mlp4j bench` and ci/gpu-check.sh. --mode eager: the book's hand-written backprop, op by op.
--mode graph: the same epoch captured once in a CUDA graph and replayed.
Prints JSON: {"seconds_per_epoch": median of epochs 2..N, "first_epoch": ..., "detail": ...}."""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="data/mnist")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--mode", choices=["eager", "graph"], default="eager")
    a = p.parse_args()
    try:
        import torch
    except ImportError:
        sys.exit("torch is not installed")
    if not torch.cuda.is_available():
        sys.exit("torch has no CUDA device")
    import mnist_idx
    torch.backends.cuda.matmul.allow_tf32 = False
    dev = torch.device("cuda")
    x, y = mnist_idx.load(a.data)
    x = torch.tensor(x, dtype=torch.float32, device=dev)
    y = torch.tensor(y, dtype=torch.int64, device=dev)
    n_train, batch, eta, l2 = 55000, 100, 0.0005, 0.01
    steps = n_train // batch
    x_train, y_train, x_valid, y_valid = x[:n_train], y[:n_train], x[n_train:], y[n_train:]
    y_enc = torch.nn.functional.one_hot(y_train, 10).float()
    g = torch.Generator(device="cpu").manual_seed(1)
    w_h = (torch.randn(784, 100, generator=g) * 0.1).to(dev)
    w_out = (torch.randn(100, 10, generator=g) * 0.1).to(dev)
    b_h = torch.zeros(100, device=dev)
    b_out = torch.zeros(10, device=dev)
    order = torch.empty(n_train, dtype=torch.int64, device=dev)
    stats = torch.zeros(3, device=dev)

    def epoch():
        for s in range(steps):
            b = order[s * batch:(s + 1) * batch]
            xb = x_train[b]
            a_h = torch.sigmoid(xb @ w_h + b_h)
            a_out = torch.sigmoid(a_h @ w_out + b_out)
            d_out = a_out - y_enc[b]
            d_h = (d_out @ w_out.T) * a_h * (1 - a_h)
            w_h.mul_(1 - eta * l2).sub_(eta * (xb.T @ d_h))
            b_h.sub_(eta * d_h.sum(0))
            w_out.mul_(1 - eta * l2).sub_(eta * (a_h.T @ d_out))
            b_out.sub_(eta * d_out.sum(0))
        z = torch.sigmoid(x_train @ w_h + b_h) @ w_out + b_out
        cost = torch.nn.functional.softplus(-z).mul(y_enc).sum() + torch.nn.functional.softplus(z).mul(1 - y_enc).sum()
        stats[0] = cost + l2 * (w_h.pow(2).sum() + w_out.pow(2).sum())
        stats[1] = (z.argmax(1) == y_train).float().mean()
        stats[2] = ((torch.sigmoid(x_valid @ w_h + b_h) @ w_out + b_out).argmax(1) == y_valid).float().mean()

    run = epoch
    if a.mode == "graph":
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
    for e in range(a.epochs):
        torch.cuda.synchronize()
        start = time.perf_counter()
        order.copy_(torch.randperm(n_train, generator=g).to(dev, non_blocking=True))
        run()
        c, tr, va = stats.tolist()
        times.append(time.perf_counter() - start)
        print(f"epoch {e + 1}: cost {c:.2f} train {100 * tr:.2f}% valid {100 * va:.2f}% {times[-1] * 1000:.1f} ms", file=sys.stderr)
    mnist_idx.report(times, f"PyTorch {torch.__version__} {a.mode}, {torch.cuda.get_device_name()}, FP32")


if __name__ == "__main__":
    main()
