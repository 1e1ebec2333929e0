"""The character-level language models of `npm run charlm`, in PyTorch, replaying minidl's run.

    npm run charlm -- --export /tmp/charlm-export          # minidl: trains, and writes <model>-run.json
    python3 demos/charlm/charlm_torch.py /tmp/charlm-export --out demos/charlm/torch-results.json

Each <model>-run.json (demos/charlm/export.ts) holds the encoded text split into training and
validation parts, the settings, every initial weight under its PyTorch state_dict name, the order
of the training windows in every epoch, and minidl's losses. This script builds the same model
(below, the same modules in the same nn.Sequential positions), loads those weights, and trains
on the same batches with the same step:

    optimizer.zero_grad(); logits = model(x)                         # [N, T, C]
    loss = F.cross_entropy(logits.reshape(-1, C), y.reshape(-1))     # mean over the N·T positions
    loss.backward(); clip_grad_norm_(model.parameters(), max_norm); optimizer.step()   # AdamW

twice: in float64, to compare with minidl's losses epoch by epoch (the same numbers up to
rounding), and in float32 on one thread (torch.set_num_threads(1)), PyTorch's usual precision,
for the time per epoch (on the clock, and the CPU time of the process). It writes the losses,
the times, the largest difference from minidl and the versions to --out (JSON).

Written for PyTorch 1.13 (`nn.MultiheadAttention` with a boolean causal `attn_mask`; `is_causal`
came later).
"""
import argparse
import datetime
import json
import math
import os
import platform
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Residual(nn.Module):
    """y = x + inner(x): minidl's Residual."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return x + self.inner(x)


class AddPositionEmbedding(nn.Module):
    """y[n, t] = x[n, t] + positions.weight[t]: minidl's demos/charlm/position-embedding.ts."""

    def __init__(self, max_length, dim):
        super().__init__()
        self.positions = nn.Embedding(max_length, dim)

    def forward(self, x):
        return x + self.positions(torch.arange(x.shape[1]))


class LSTMOutput(nn.LSTM):
    """nn.LSTM returning its output only (minidl's LSTM.forward), from zero states."""

    def forward(self, x):
        return super().forward(x)[0]


class CausalSelfAttention(nn.MultiheadAttention):
    """Self-attention (query = key = value = x) where position i attends to positions j <= i."""

    def forward(self, x):
        T = x.shape[1]
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)   # True above the diagonal: not allowed
        return super().forward(x, x, x, attn_mask=mask, need_weights=False)[0]


def build_model(run):
    """The model of the run, as demos/charlm/models.ts builds it."""
    C, s = len(run['vocabulary']), run['settings']
    E = s['embeddingDim']
    if run['model'] == 'lstm':
        H = s['hiddenSize']
        return nn.Sequential(nn.Embedding(C, E), LSTMOutput(E, H, batch_first=True), nn.Linear(H, C))
    layers = [nn.Embedding(C, E), AddPositionEmbedding(s['sequenceLength'], E)]
    for _ in range(s['numBlocks']):
        layers.append(Residual(nn.Sequential(nn.LayerNorm(E), CausalSelfAttention(E, s['numHeads'], batch_first=True))))
        layers.append(Residual(nn.Sequential(nn.LayerNorm(E), nn.Linear(E, s['mlpHidden']), nn.GELU(), nn.Linear(s['mlpHidden'], E))))
    layers += [nn.LayerNorm(E), nn.Linear(E, C)]
    return nn.Sequential(*layers)


def windows(ids, T):
    """Inputs ids[w·T + t] and targets ids[w·T + t + 1], [W, T] each, W = (len − 1) // T (data.ts's makeWindows)."""
    ids = torch.tensor(ids, dtype=torch.long)
    W = (len(ids) - 1) // T
    return ids[:W * T].view(W, T), ids[1:W * T + 1].view(W, T)


def mean_bits(model, x, y, batch_size):
    """Mean cross-entropy over every position, in bits per character, in evaluation mode."""
    model.eval()
    nats = 0.0
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            logits = model(xb)
            nats += len(xb) * F.cross_entropy(logits.reshape(-1, logits.shape[-1]), yb.reshape(-1)).item()
    model.train()
    return nats / len(x) / math.log(2)


def replay(run, dtype):
    """Trains the run's model from its initial weights on its batches; returns the losses and times per epoch."""
    s = run['settings']
    T, B = s['sequenceLength'], s['batchSize']
    model = build_model(run).to(dtype)
    state = {t['name']: torch.tensor(t['values'], dtype=torch.float64).reshape(t['shape']).to(dtype) for t in run['initialStateDict']}
    model.load_state_dict(state, strict=True)
    optimizer = torch.optim.AdamW(model.parameters(), lr=s['lr'], weight_decay=s['weightDecay'])
    x, y = windows(run['trainIds'], T)
    vx, vy = windows(run['validationIds'], T)
    C = len(run['vocabulary'])
    epochs = []
    for epoch, order in enumerate(run['epochOrders'], start=1):
        order = torch.tensor(order, dtype=torch.long)
        model.train()
        start, cpu_start = time.perf_counter(), time.process_time()
        nats = 0.0
        for b in range(0, len(order), B):
            idx = order[b:b + B]
            optimizer.zero_grad()
            logits = model(x[idx])
            loss = F.cross_entropy(logits.reshape(-1, C), y[idx].reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), s['maxGradNorm'])
            optimizer.step()
            nats += loss.item() * len(idx)
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
        epochs.append({
            'epoch': epoch,
            'trainBits': nats / len(order) / math.log(2),
            'validationBits': mean_bits(model, vx, vy, B),
            'seconds': round(seconds, 3),
            'cpuSeconds': round(cpu_seconds, 3),
        })
        print(f"{run['model']} {str(dtype).replace('torch.', '')} epoch {epoch}: train {epochs[-1]['trainBits']:.4f}, "
              f"validation {epochs[-1]['validationBits']:.4f} bits/char ({seconds:.2f} s, CPU {cpu_seconds:.2f} s)", flush=True)
    return epochs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('export_dir', help='the folder given to npm run charlm -- --export')
    parser.add_argument('--out', required=True, help='the JSON file to write')
    args = parser.parse_args()
    torch.set_num_threads(1)
    results = {
        'date': datetime.date.today().isoformat(),
        'torch': torch.__version__,
        'python': platform.python_version(),
        'threads': torch.get_num_threads(),
        'cpu': platform.processor() or platform.machine(),
        'models': {},
    }
    for name in ('lstm', 'transformer'):
        file = os.path.join(args.export_dir, f'{name}-run.json')
        if not os.path.exists(file):
            continue
        with open(file) as f:
            run = json.load(f)
        f64 = replay(run, torch.float64)
        f32 = replay(run, torch.float32)
        ours = run['minidl']
        diff = {precision: {k: max(abs(a[k] - b[k]) for a, b in zip(ours, theirs)) for k in ('trainBits', 'validationBits')}
                for precision, theirs in (('float64', f64), ('float32', f32))}
        results['models'][name] = {
            'architecture': ' '.join(str(build_model(run)).split()),
            'seed': run['seed'],
            'text': run['text'],
            'settings': run['settings'],
            'minidl': ours,
            'float64': f64,
            'float32': f32,
            'maxAbsDifferenceFromMinidl': diff,
        }
        for precision, d in diff.items():
            print(f"{name}: largest difference from minidl over {len(ours)} epochs, {precision}: "
                  f"train {d['trainBits']:.3g}, validation {d['validationBits']:.3g} bits/char", flush=True)
    with open(args.out, 'w') as f:
        json.dump(results, f, indent=2)
        f.write('\n')
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
