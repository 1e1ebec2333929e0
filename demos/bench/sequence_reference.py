"""PyTorch's time for the two sequence workloads of `npm run bench` (demos/bench/sequence-steps.ts),
on this machine, in this sitting: one training step of

  lstm       Embedding(65, 32) -> LSTM(32, 128, batch_first) -> Linear(128, 65), N = 32, T = 64,
             cross-entropy over the N*T targets, Adam lr 1e-3
  attention  two pre-norm Transformer blocks (E = 64, 4 heads, causal; LayerNorm, MultiheadAttention,
             LayerNorm, Linear(64, 256), GELU, Linear(256, 64), each with its residual), then
             LayerNorm and Linear(64, 65); input a fixed random [N, T, E]; cross-entropy; Adam

in float32 and in float64 (minidl computes in float64), on one thread.

Set-up (once per machine):  apt-get install -y python3-torch
Run:                        /usr/bin/python3 demos/bench/sequence_reference.py [lstm|attention ...]
Prints one line per measurement, then one JSON line with all of them (seconds per step).
"""
import json
import sys
import time

import torch

torch.set_num_threads(1)
N, T, V, EMBED, HIDDEN, E, HEADS, FF = 32, 64, 65, 32, 128, 64, 4, 256


class LstmModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(V, EMBED)
        self.lstm = torch.nn.LSTM(EMBED, HIDDEN, batch_first=True)
        self.linear = torch.nn.Linear(HIDDEN, V)

    def forward(self, x):
        return self.linear(self.lstm(self.embedding(x))[0])


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1 = torch.nn.LayerNorm(E)
        self.attention = torch.nn.MultiheadAttention(E, HEADS, batch_first=True)
        self.norm2 = torch.nn.LayerNorm(E)
        self.feed_forward = torch.nn.Sequential(torch.nn.Linear(E, FF), torch.nn.GELU(), torch.nn.Linear(FF, E))
        self.register_buffer("mask", torch.triu(torch.full((T, T), float("-inf")), diagonal=1))

    def forward(self, x):
        h = self.norm1(x)
        x = x + self.attention(h, h, h, attn_mask=self.mask.to(x.dtype), need_weights=True)[0]
        return x + self.feed_forward(self.norm2(x))


class TransformerModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = torch.nn.Sequential(Block(), Block(), torch.nn.LayerNorm(E), torch.nn.Linear(E, V))

    def forward(self, x):
        return self.blocks(x)


def seconds_per_step(kind, dtype, repeats=5, min_seconds=0.5):
    torch.manual_seed(0)
    model = (LstmModel() if kind == "lstm" else TransformerModel()).to(dtype)
    x = torch.randint(0, V, (N, T)) if kind == "lstm" else torch.rand(N, T, E, dtype=dtype) * 2 - 1
    targets = torch.randint(0, V, (N * T,))
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x).reshape(N * T, V), targets)
        loss.backward()
        optimizer.step()

    def timed(seconds):
        calls, start = 0, time.perf_counter()
        while True:
            step()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                return elapsed / calls

    timed(min_seconds)  # warm-up
    return sorted(timed(min_seconds) for _ in range(repeats))[repeats // 2]


def main():
    kinds = sys.argv[1:] or ["lstm", "attention"]
    results = {"torch": torch.__version__}
    for kind in kinds:
        if kind not in ("lstm", "attention"):
            sys.exit(f"unknown workload '{kind}': choose lstm or attention")
        for name, dtype in (("float32", torch.float32), ("float64", torch.float64)):
            s = seconds_per_step(kind, dtype)
            results[f"pytorch_{kind}_step_{name}_s"] = round(s, 6)
            print(f"PyTorch {kind} step ({name}, 1 thread): {s * 1000:.2f} ms", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
