"""Reference speeds for minidl's benchmarks, measured on *this* machine, now.

Absolute times differ by 2x or more between machines, so a benchmark figure only means something
next to a reference run on the same machine in the same sitting. This script times the same
workloads as `npm run bench` in PyTorch (1 thread) and in hand-written NumPy (float64, explicit
forward/backward, 1 BLAS thread), on synthetic data of the right shapes (speed only, not accuracy).

Set-up (once per machine):  apt-get install -y python3-torch python3-numpy
Run:                        /usr/bin/python3 demos/bench/speed_reference.py [course|mlp|cnn ...]

Workloads:
  course  one training round of the course network: 2-25-25-25-2 ReLU, MSE, SGD lr 0.1,
          batch 100, 3000 steps (300 epochs of 10 batches)           -> seconds per round
  mlp     one MNIST epoch of 784-100-100-10 ReLU, cross-entropy, SGD momentum 0.9,
          125 batches of 64                                          -> seconds per epoch
  cnn     one MNIST epoch of Conv(1,8,5)-ReLU-MaxPool2-Conv(8,16,5)-ReLU-MaxPool2-Linear(256,10),
          125 batches of 64 (PyTorch only)                           -> seconds per epoch
Prints one line per measurement, then one JSON line with all of them.
"""
import json
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402

try:
    import torch  # noqa: E402
    torch.set_num_threads(1)
except ImportError:
    torch = None

REPEATS = 3


def median_time(fn):
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]


# --------------------------------------------------------------------------- NumPy (explicit)
def numpy_mlp_round(sizes, x, y, batch, steps, lr, loss, momentum=0.0):
    rng = np.random.default_rng(0)
    ws = [rng.uniform(-1, 1, (a, b)) / np.sqrt(a) for a, b in zip(sizes, sizes[1:])]
    bs = [np.zeros(b) for b in sizes[1:]]
    vel = [np.zeros_like(p) for p in ws + bs]
    n = x.shape[0]
    order = rng.permutation(n)
    pos = 0
    for _ in range(steps):
        if pos + batch > n:
            order, pos = rng.permutation(n), 0
        idx = order[pos:pos + batch]
        pos += batch
        acts = [x[idx]]
        for i, (w, b) in enumerate(zip(ws, bs)):
            z = acts[-1] @ w + b
            acts.append(np.maximum(z, 0) if i < len(ws) - 1 else z)
        out, t = acts[-1], y[idx]
        if loss == "mse":
            g = 2 * (out - t) / out.size
        else:  # softmax cross-entropy, t = class indices
            e = np.exp(out - out.max(axis=1, keepdims=True))
            g = e / e.sum(axis=1, keepdims=True)
            g[np.arange(len(t)), t] -= 1
            g /= len(t)
        grads_w, grads_b = [], []
        for i in reversed(range(len(ws))):
            grads_w.append(acts[i].T @ g)
            grads_b.append(g.sum(axis=0))
            if i > 0:
                g = (g @ ws[i].T) * (acts[i] > 0)
        grads = list(reversed(grads_w)) + list(reversed(grads_b))
        for p, dp, v in zip(ws + bs, grads, vel):
            if momentum:
                v *= momentum
                v += dp
                p -= lr * v
            else:
                p -= lr * dp


# --------------------------------------------------------------------------- PyTorch
def torch_round(model, x, y, batch, steps, lr, loss_fn, momentum=0.0):
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    n = x.shape[0]
    g = torch.Generator().manual_seed(0)
    order = torch.randperm(n, generator=g)
    pos = 0
    for _ in range(steps):
        if pos + batch > n:
            order, pos = torch.randperm(n, generator=g), 0
        idx = order[pos:pos + batch]
        pos += batch
        opt.zero_grad()
        loss_fn(model(x[idx]), y[idx]).backward()
        opt.step()


def course():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (1000, 2))
    label = ((x - 0.5) ** 2).sum(axis=1) < 1 / (2 * np.pi)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    y = np.eye(2)[label.astype(int)]
    out = {}
    if torch is not None:
        xt, yt = torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)
        nn = torch.nn
        def run():
            torch.manual_seed(0)
            model = nn.Sequential(nn.Linear(2, 25), nn.ReLU(), nn.Linear(25, 25), nn.ReLU(),
                                  nn.Linear(25, 25), nn.ReLU(), nn.Linear(25, 2))
            torch_round(model, xt, yt, 100, 3000, 0.1, nn.MSELoss())
        out["pytorch_course_s"] = median_time(run)
    out["numpy_course_s"] = median_time(
        lambda: numpy_mlp_round([2, 25, 25, 25, 2], x, y, 100, 3000, 0.1, "mse"))
    return out


def mnist_like(rng):
    x = rng.uniform(0, 1, (7996, 784))
    y = rng.integers(0, 10, 7996)
    return x, y


def mlp():
    x, y = mnist_like(np.random.default_rng(0))
    out = {}
    if torch is not None:
        xt, yt = torch.tensor(x, dtype=torch.float32), torch.tensor(y)
        nn = torch.nn
        def run():
            torch.manual_seed(0)
            model = nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(),
                                  nn.Linear(100, 10))
            torch_round(model, xt, yt, 64, 125, 0.01, nn.CrossEntropyLoss(), momentum=0.9)
        out["pytorch_mlp_epoch_s"] = median_time(run)
    out["numpy_mlp_epoch_s"] = median_time(
        lambda: numpy_mlp_round([784, 100, 100, 10], x, y, 64, 125, 0.01, "ce", momentum=0.9))
    return out


def cnn():
    if torch is None:
        return {}
    x, y = mnist_like(np.random.default_rng(0))
    xt, yt = torch.tensor(x, dtype=torch.float32).reshape(-1, 1, 28, 28), torch.tensor(y)
    nn = torch.nn
    def run():
        torch.manual_seed(0)
        model = nn.Sequential(nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(256, 10))
        torch_round(model, xt, yt, 64, 125, 0.01, nn.CrossEntropyLoss(), momentum=0.9)
    return {"pytorch_cnn_epoch_s": median_time(run)}


def main():
    which = sys.argv[1:] or ["course", "mlp", "cnn"]
    table = {"course": course, "mlp": mlp, "cnn": cnn}
    bad = [w for w in which if w not in table]
    if bad:
        sys.exit(f"unknown workload(s) {bad}; choose from {sorted(table)}")
    if torch is None:
        print("note: PyTorch not installed (apt-get install -y python3-torch); NumPy only")
    results = {}
    for w in which:
        for key, seconds in table[w]().items():
            print(f"{key:24s} {seconds:8.3f} s  (median of {REPEATS})")
            results[key] = round(seconds, 4)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
