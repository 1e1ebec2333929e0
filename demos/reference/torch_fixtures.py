#!/usr/bin/env python3
"""
Reference numbers from PyTorch for spec/torch-fixtures.spec.ts.

How to run, from the project root (Debian's PyTorch 1.13, for Debian's python):

    apt-get install python3-torch
    /usr/bin/python3 demos/reference/torch_fixtures.py

It writes spec/fixtures/torch/<group>.json (layers, recurrent, attention, losses, optimizers,
schedulers, clip-grad), replacing them. Each file records the version of torch it was made with
("torch": "1.13.0a0" for the committed files) and lists its cases; the spec builds the same
minidl object for each case, sets the same parameters, runs it and compares.

Everything is float64 on the CPU. The inputs are made here, from torch.manual_seed-ed
generators (one per case) and small hand-written lists, never from minidl. For a module, a case
holds the inputs, the parameters, the output and the gradients of the scalar loss
L = sum(output * R) (plus sum(hN * RH) and sum(cN * RC) for recurrent layers given a state) with
respect to the input, the initial states and every parameter, R being a fixed random tensor.
For a loss: the loss and its gradient with respect to the prediction. For an optimizer: the
parameters after every step of a fixed sequence of gradients (exact zeros included). For a
scheduler: the learning rate (and momentum) after every step.

Parameters are written in minidl's layouts, under the names of minidl's Parameters
(`Parameter.name`): Linear's weight is [in, out], the transpose of PyTorch's [out, in], and its
bias [1, out]; Conv2d, the recurrent layers and MultiheadAttention keep PyTorch's layouts.
Numbers are written as Python's repr writes them: the shortest decimal that reads back as the
same float64, so JSON.parse gives every number to the bit.
"""

import json
import math
import os
import sys
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
# KLDivLoss's reduction 'mean' is one of the cases, on purpose (minidl has it too)
warnings.filterwarnings('ignore', message="reduction: 'mean' divides the total loss")

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
OUT_DIR = os.path.join(ROOT, 'spec', 'fixtures', 'torch')


# ------------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------------

def gen(seed):
    """A generator of its own for each case, so cases do not depend on each other's draws."""
    return torch.Generator().manual_seed(seed)


def randn(g, *shape, scale=1.0):
    return torch.randn(*shape, generator=g, dtype=torch.float64) * scale


def rand(g, *shape, low=0.0, high=1.0):
    return low + (high - low) * torch.rand(*shape, generator=g, dtype=torch.float64)


def T(t):
    """A tensor as JSON: its shape and its values, row-major."""
    t = t.detach().to(torch.float64).contiguous()
    return {'shape': list(t.shape), 'values': t.reshape(-1).tolist()}


def grads_of(named):
    """{name: T(p.grad)} for (minidl name, PyTorch tensor, transform) triples."""
    return {name: T(fn(p.grad)) for name, p, fn in named}


def values_of(named):
    return {name: T(fn(p)) for name, p, fn in named}


def same(t):
    return t


def loss_against(outputs, g):
    """R tensors shaped as each output, and L = Σ sum(output · R)."""
    rs = [randn(g, *o.shape) for o in outputs]
    return rs, sum((o * r).sum() for o, r in zip(outputs, rs))


def write(group, cases):
    os.makedirs(OUT_DIR, exist_ok=True)
    names = [c['name'] for c in cases]
    assert len(names) == len(set(names)), f'{group}: two cases share a name'
    doc = {
        'torch': torch.__version__,
        'dtype': 'float64',
        'madeBy': 'demos/reference/torch_fixtures.py',
        'cases': cases,
    }
    path = os.path.join(OUT_DIR, f'{group}.json')
    dump = lambda value: json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(',', ':'))
    head = dump({k: v for k, v in doc.items() if k != 'cases'})[:-1]
    with open(path, 'w', encoding='utf-8') as f:  # one case a line, so that a change shows as the cases it touches
        f.write(head + ',"cases":[\n' + ',\n'.join(dump(c) for c in cases) + '\n]}\n')
    print(f'{os.path.relpath(path, ROOT)}: {len(cases)} cases')


# ------------------------------------------------------------------------------------------------
# Layers: Linear, Conv2d, pooling, normalisation, Embedding, activations
# ------------------------------------------------------------------------------------------------

def module_case(name, kind, args, options, module, named, x, seed_r):
    """Runs `module` on x (which requires grad unless it holds indices), L = sum(y·R), and records everything."""
    g = gen(seed_r)
    x = x.clone().requires_grad_(x.is_floating_point())
    y = module(x)
    (r,), loss = loss_against([y], g)
    loss.backward()
    case = {
        'name': name, 'kind': kind, 'args': args, 'options': options,
        'params': values_of(named), 'input': T(x), 'R': T(r), 'output': T(y),
        'gradParams': grads_of(named),
    }
    if x.is_floating_point():
        case['gradInput'] = T(x.grad)
    return case


def linear_cases():
    cases = []
    for i, (n, fin, fout, bias) in enumerate([(4, 3, 5, True), (2, 6, 1, False), (1, 1, 3, True)]):
        g = gen(100 + i)
        lin = nn.Linear(fin, fout, bias=bias)
        with torch.no_grad():
            lin.weight.copy_(randn(g, fout, fin))
            if bias:
                lin.bias.copy_(randn(g, fout))
        named = [('weight', lin.weight, lambda w: w.t())]
        if bias:
            named.append(('bias', lin.bias, lambda b: b.reshape(1, -1)))
        x = randn(g, n, fin)
        cases.append(module_case(f'Linear({fin}→{fout}{"" if bias else ", bias=false"}) on [{n},{fin}]',
                                 'Linear', [fin, fout], {'bias': bias}, lin, named, x, 150 + i))
    return cases


def conv2d_cases():
    cases = []
    configs = [
        # C, F, kernel, stride, padding, bias, input shape
        (2, 3, 3, 1, 0, True, (2, 2, 5, 5)),
        (2, 2, 3, 2, 1, True, (2, 2, 6, 5)),
        (3, 2, [3, 2], [2, 1], [1, 0], False, (1, 3, 5, 4)),
        (1, 4, 2, [1, 2], [0, 1], True, (3, 1, 4, 4)),
        (2, 1, 1, 1, 0, True, (1, 2, 3, 3)),
    ]
    for i, (c, f, k, s, p, bias, shape) in enumerate(configs):
        g = gen(200 + i)
        conv = nn.Conv2d(c, f, k, stride=s, padding=p, bias=bias)
        with torch.no_grad():
            conv.weight.copy_(randn(g, *conv.weight.shape))
            if bias:
                conv.bias.copy_(randn(g, f))
        named = [('weight', conv.weight, same)] + ([('bias', conv.bias, same)] if bias else [])
        x = randn(g, *shape)
        options = {'stride': s, 'padding': p, 'bias': bias}
        cases.append(module_case(f'Conv2d({c}→{f}, kernel {k}, stride {s}, padding {p}, bias {bias}) on {list(shape)}',
                                 'Conv2d', [c, f, k], options, conv, named, x, 250 + i))
    return cases


def pooling_cases():
    cases = []
    configs = [
        # kernel, stride, padding, input shape, ties (small integers)
        (2, 2, 0, (2, 2, 4, 4), False),
        (3, 2, 1, (1, 2, 5, 5), False),
        ([3, 2], [2, 1], [1, 0], (2, 1, 5, 4), False),
        (3, 1, 1, (1, 1, 4, 4), True),
        (2, 1, 0, (1, 2, 3, 4), True),
    ]
    for i, (k, s, p, shape, ties) in enumerate(configs):
        g = gen(300 + i)
        x = torch.floor(rand(g, *shape, low=0, high=3)) if ties else randn(g, *shape)
        what = ', ties' if ties else ''
        cases.append(module_case(f'MaxPool2d(kernel {k}, stride {s}, padding {p}) on {list(shape)}{what}',
                                 'MaxPool2d', [k, s, p], None, nn.MaxPool2d(k, s, p), [], x, 350 + i))
        if not ties:
            cases.append(module_case(f'AvgPool2d(kernel {k}, stride {s}, padding {p}) on {list(shape)}',
                                     'AvgPool2d', [k, s, p], None, nn.AvgPool2d(k, s, p), [], x, 360 + i))
    return cases


def batch_norm_cases():
    """Several steps on one layer: training steps (the running statistics move), then evaluation."""
    cases = []
    configs = [
        # kind, C, options (minidl), steps (True = training), input shape per step
        ('BatchNorm1d', 3, {}, [True, True, True, False], (5, 3)),
        ('BatchNorm1d', 4, {'momentum': None}, [True, True, True, True, False], (3, 4)),
        ('BatchNorm1d', 3, {'eps': 1e-3, 'affine': False}, [True, True, False], (2, 3)),
        ('BatchNorm1d', 2, {'momentum': 1.0}, [True, True, False], (4, 2)),
        ('BatchNorm2d', 3, {'momentum': 0.3}, [True, True, True, False], (2, 3, 3, 2)),
        ('BatchNorm2d', 2, {'momentum': None, 'affine': False}, [True, True, True, False], (3, 2, 2, 2)),
        ('BatchNorm2d', 2, {'eps': 0.1}, [False, True, False], (1, 2, 3, 3)),
    ]
    for i, (kind, c, opts, steps, shape) in enumerate(configs):
        g = gen(400 + i)
        cls = nn.BatchNorm1d if kind == 'BatchNorm1d' else nn.BatchNorm2d
        bn = cls(c, eps=opts.get('eps', 1e-5), momentum=opts.get('momentum', 0.1), affine=opts.get('affine', True))
        named = []
        if bn.affine:
            with torch.no_grad():
                bn.weight.copy_(randn(g, c))
                bn.bias.copy_(randn(g, c))
            named = [('weight', bn.weight, same), ('bias', bn.bias, same)]
        params = values_of(named)
        records = []
        for training in steps:
            bn.train(training)
            bn.zero_grad()
            x = (randn(g, *shape) * 2 + 0.5).requires_grad_()
            y = bn(x)
            (r,), loss = loss_against([y], g)
            loss.backward()
            records.append({
                'training': training, 'input': T(x), 'R': T(r), 'output': T(y), 'gradInput': T(x.grad),
                'gradParams': grads_of(named),
                'runningMean': T(bn.running_mean), 'runningVar': T(bn.running_var),
                'numBatchesTracked': int(bn.num_batches_tracked.item()),
            })
        opt_text = ', '.join(f'{k}={v}' for k, v in opts.items()) or 'defaults'
        mode_text = ' '.join('train' if s else 'eval' for s in steps)
        cases.append({
            'name': f'{kind}({c}, {opt_text}): {mode_text} on {list(shape)}',
            'kind': kind, 'args': [c], 'options': opts, 'params': params, 'steps': records,
        })
    return cases


def layer_norm_cases():
    cases = []
    configs = [
        # normalized shape, options (minidl), input shape
        ([5], {}, (2, 3, 5)),
        ([3, 4], {}, (2, 3, 4)),
        ([4], {'elementwiseAffine': False}, (3, 4)),
        ([6], {'eps': 1e-3, 'bias': False}, (2, 6)),
        ([2, 2, 3], {}, (2, 2, 2, 3)),
        ([3], {'eps': 0.5}, (4, 3)),
    ]
    for i, (shape, opts, in_shape) in enumerate(configs):
        g = gen(500 + i)
        eps = opts.get('eps', 1e-5)
        affine = opts.get('elementwiseAffine', True)
        bias = affine and opts.get('bias', True)
        weight = randn(g, *shape).requires_grad_() if affine else None
        beta = randn(g, *shape).requires_grad_() if bias else None
        named = ([('weight', weight, same)] if affine else []) + ([('bias', beta, same)] if bias else [])
        # PyTorch 1.13's nn.LayerNorm always has a bias when affine: F.layer_norm takes bias=None
        module = lambda x, shape=shape, weight=weight, beta=beta, eps=eps: F.layer_norm(x, shape, weight, beta, eps)
        x = randn(g, *in_shape) * 1.5 + 0.3
        arg = shape[0] if len(shape) == 1 and i % 2 == 0 else shape  # minidl takes 5 or [5]: both are used
        opt_text = ', '.join(f'{k}={v}' for k, v in opts.items()) or 'defaults'
        cases.append(module_case(f'LayerNorm({shape}, {opt_text}) on {list(in_shape)}', 'LayerNorm', [arg], opts,
                                 module, named, x, 550 + i))
    return cases


def embedding_cases():
    cases = []
    configs = [
        # numEmbeddings, embeddingDim, paddingIdx, indices
        (7, 3, None, [[3, 1, 4, 1], [5, 1, 2, 6]]),
        (6, 4, 0, [[0, 2, 0, 5], [2, 2, 0, 1]]),
        (5, 2, -2, [[3, 3, 4], [0, 3, 1], [2, 3, 3]]),
        (4, 3, None, [2, 2, 2, 0, 3]),
    ]
    for i, (num, dim, pad, idx) in enumerate(configs):
        g = gen(600 + i)
        emb = nn.Embedding(num, dim, padding_idx=pad)
        with torch.no_grad():
            emb.weight.copy_(randn(g, num, dim))  # the padding row too: it is read, and gets no gradient
        x = torch.tensor(idx, dtype=torch.long)
        # the indices are written as numbers (float64, as minidl's Tensor holds them); they have no gradient
        cases.append(module_case(f'Embedding({num}, {dim}, paddingIdx={pad}) on indices {list(x.shape)}',
                                 'Embedding', [num, dim], {'paddingIdx': pad}, emb, [('weight', emb.weight, same)], x, 650 + i))
    return cases


def activation_cases():
    g = gen(700)
    # ordinary values, exact zeros, and a few large ones
    x_small = randn(g, 4, 5) * 2
    x_small[0, 0] = 0.0
    x_small[1, 3] = 0.0
    x_small[2, 2] = 1e-8
    x_small[3, 4] = -1e-8
    # (and a row of ordinary values: the gradient of a softmax whose rows are all nearly one-hot is
    # rounding noise of the size of ε·|R|, which no relative comparison can check)
    x_large = torch.tensor([[-40.0, -12.5, -6.0, -1.0, 0.0, 0.5, 3.0, 9.0, 20.0, 40.0],
                            [-745.0, -30.0, -2e-3, 2e-3, 1.0, -0.5, 15.0, 36.0, 37.5, 710.0],
                            [-1.5, 0.25, 2.0, -0.75, 1.0, 0.0, -2.5, 0.5, 1.75, -1.0]])
    configs = [
        ('ReLU', [], nn.ReLU()),
        ('LeakyReLU', [], nn.LeakyReLU()),
        ('LeakyReLU', [0.2], nn.LeakyReLU(0.2)),
        ('Tanh', [], nn.Tanh()),
        ('Sigmoid', [], nn.Sigmoid()),
        ('ELU', [], nn.ELU()),
        ('ELU', [0.5], nn.ELU(0.5)),
        ('GELU', [], nn.GELU()),
        ('GELU', ['tanh'], nn.GELU(approximate='tanh')),
        ('Softmax', [-1], nn.Softmax(dim=-1)),
        ('LogSoftmax', [-1], nn.LogSoftmax(dim=-1)),
    ]
    cases = []
    for i, (kind, args, module) in enumerate(configs):
        for j, (label, x) in enumerate([('ordinary values and zeros', x_small), ('large values', x_large)]):
            if kind == 'GELU' and j == 1:
                x = x.clamp(-40, 40)  # x·Φ(x) underflows to 0 below about −38: nothing to compare out there
            name = f'{kind}({", ".join(map(str, args))}) on {label}'
            cases.append(module_case(name, kind, args, None, module, [], x, 750 + 2 * i + j))
    return cases


# ------------------------------------------------------------------------------------------------
# Recurrent layers: RNN (tanh, relu), LSTM, GRU
# ------------------------------------------------------------------------------------------------

def recurrent_cases():
    cases = []
    configs = [
        # kind, inputSize, hiddenSize, options (minidl), T, N, state given
        ('RNN', 3, 4, {}, 3, 2, True),
        ('RNN', 3, 4, {'nonlinearity': 'relu', 'numLayers': 2, 'batchFirst': True}, 4, 2, True),
        ('RNN', 2, 3, {'bias': False}, 3, 3, False),
        ('RNN', 3, 2, {'numLayers': 2}, 1, 1, True),
        ('RNN', 2, 3, {'nonlinearity': 'relu', 'batchFirst': True}, 5, 1, False),
        ('LSTM', 3, 3, {}, 4, 2, True),
        ('LSTM', 2, 3, {'numLayers': 2, 'batchFirst': True}, 3, 2, True),
        ('LSTM', 3, 2, {'bias': False}, 3, 2, False),
        ('LSTM', 2, 2, {'numLayers': 2}, 1, 1, True),
        ('LSTM', 3, 4, {'batchFirst': True, 'numLayers': 2}, 4, 3, False),
        ('LSTM', 2, 3, {}, 3, 2, 'h0 only'),
        ('GRU', 3, 3, {}, 4, 2, True),
        ('GRU', 2, 3, {'numLayers': 2, 'batchFirst': True}, 3, 2, True),
        ('GRU', 3, 2, {'bias': False}, 3, 2, False),
        ('GRU', 2, 2, {'numLayers': 2}, 1, 1, True),
        ('GRU', 3, 4, {'batchFirst': True, 'numLayers': 2, 'bias': False}, 2, 3, True),
    ]
    for i, (kind, fin, hidden, opts, steps, batch, state) in enumerate(configs):
        g = gen(800 + i)
        layers = opts.get('numLayers', 1)
        bias = opts.get('bias', True)
        batch_first = opts.get('batchFirst', False)
        common = dict(num_layers=layers, bias=bias, batch_first=batch_first)
        if kind == 'RNN':
            module = nn.RNN(fin, hidden, nonlinearity=opts.get('nonlinearity', 'tanh'), **common)
        elif kind == 'LSTM':
            module = nn.LSTM(fin, hidden, **common)
        else:
            module = nn.GRU(fin, hidden, **common)
        named = []
        with torch.no_grad():
            for k in range(layers):
                for torch_name, minidl_name in [('weight_ih', 'weightIh'), ('weight_hh', 'weightHh'), ('bias_ih', 'biasIh'), ('bias_hh', 'biasHh')]:
                    p = getattr(module, f'{torch_name}_l{k}', None)
                    if p is None:
                        continue
                    p.copy_(randn(g, *p.shape, scale=0.6))
                    named.append((f'{minidl_name}L{k}', p, same))
        x_shape = (batch, steps, fin) if batch_first else (steps, batch, fin)
        x = randn(g, *x_shape).requires_grad_()
        case = {'kind': kind, 'args': [fin, hidden], 'options': opts, 'params': values_of(named), 'input': T(x)}
        if state:
            h0 = (randn(g, layers, batch, hidden) * 0.5).requires_grad_()
            case['h0'] = T(h0)
            if kind == 'LSTM':
                if state == 'h0 only':
                    c0 = torch.zeros(layers, batch, hidden, requires_grad=True)  # what minidl takes when c0 is left out
                else:
                    c0 = (randn(g, layers, batch, hidden) * 0.5).requires_grad_()
                    case['c0'] = T(c0)
                out, (hn, cn) = module(x, (h0, c0))
                rs, loss = loss_against([out, hn, cn], g)
            else:
                out, hn = module(x, h0)
                rs, loss = loss_against([out, hn], g)
        else:
            out, final = module(x)  # zero initial states; L = sum(output·R) only
            hn, cn = final if kind == 'LSTM' else (final, None)
            rs, loss = loss_against([out], g)
        loss.backward()
        case.update({'R': T(rs[0]), 'output': T(out), 'hN': T(hn), 'gradInput': T(x.grad), 'gradParams': grads_of(named)})
        if kind == 'LSTM':
            case['cN'] = T(cn)
        if state:
            case.update({'RH': T(rs[1]), 'gradH0': T(h0.grad)})
            if kind == 'LSTM':
                case['RC'] = T(rs[2])
                if state != 'h0 only':
                    case['gradC0'] = T(c0.grad)
        opt_text = ', '.join(f'{k}={v}' for k, v in opts.items()) or 'defaults'
        state_text = {True: 'with the initial state, ∂L/∂hN' + (' and ∂L/∂cN' if kind == 'LSTM' else ''),
                      False: 'from a zero state (forward/backward)', 'h0 only': 'with h0 only (c0 zeros)'}[state]
        case['name'] = f'{kind}({fin}, {hidden}, {opt_text}) T={steps} N={batch}, {state_text}'
        cases.append(case)
    return cases


# ------------------------------------------------------------------------------------------------
# Attention: MultiheadAttention (self-attention), scaled dot-product attention
# ------------------------------------------------------------------------------------------------

def causal_mask(t):
    """PyTorch's generate_square_subsequent_mask: −inf above the diagonal, 0 elsewhere."""
    return torch.triu(torch.full((t, t), float('-inf')), diagonal=1)


def attention_cases():
    cases = []
    configs = [
        # E, heads, options (minidl), T, N
        (4, 1, {}, 3, 2),
        (6, 2, {'causal': True}, 4, 2),
        (8, 4, {'batchFirst': True, 'causal': True}, 3, 2),
        (4, 2, {'batchFirst': True, 'bias': False}, 3, 3),
        (4, 2, {'causal': True}, 1, 1),
        (6, 3, {'bias': False, 'causal': True}, 5, 1),
    ]
    for i, (e, heads, opts, steps, batch) in enumerate(configs):
        g = gen(900 + i)
        bias = opts.get('bias', True)
        batch_first = opts.get('batchFirst', False)
        mha = nn.MultiheadAttention(e, heads, bias=bias, batch_first=batch_first)
        named = [('inProjWeight', mha.in_proj_weight, same)]
        with torch.no_grad():
            mha.in_proj_weight.copy_(randn(g, 3 * e, e, scale=0.7))
            if bias:
                mha.in_proj_bias.copy_(randn(g, 3 * e, scale=0.3))
                named.append(('inProjBias', mha.in_proj_bias, same))
            mha.out_proj.weight.copy_(randn(g, e, e, scale=0.7))
            named.append(('outProj.weight', mha.out_proj.weight, same))
            if bias:
                mha.out_proj.bias.copy_(randn(g, e, scale=0.3))
                named.append(('outProj.bias', mha.out_proj.bias, same))
        x = randn(g, *((batch, steps, e) if batch_first else (steps, batch, e))).requires_grad_()
        mask = causal_mask(steps) if opts.get('causal') else None
        y, weights = mha(x, x, x, attn_mask=mask, need_weights=True, average_attn_weights=True)
        (r,), loss = loss_against([y], g)
        loss.backward()
        opt_text = ', '.join(f'{k}={v}' for k, v in opts.items()) or 'defaults'
        cases.append({
            'name': f'MultiheadAttention({e}, heads={heads}, {opt_text}) T={steps} N={batch}',
            'kind': 'MultiheadAttention', 'args': [e, heads], 'options': opts,
            'params': values_of(named), 'input': T(x), 'R': T(r), 'output': T(y),
            'attentionWeights': T(weights), 'gradInput': T(x.grad), 'gradParams': grads_of(named),
        })
    sdpa = [
        # B, Tq, Tk, d, dv, causal, scale
        (2, 3, 4, 5, 2, False, None),
        (2, 4, 4, 3, 3, True, None),
        (1, 3, 5, 2, 4, True, None),
        (2, 5, 3, 4, 2, True, None),
        (3, 2, 2, 4, 4, False, 0.7),
        (1, 4, 4, 2, 3, True, 2.5),
    ]
    for i, (b, tq, tk, d, dv, causal, scale) in enumerate(sdpa):
        g = gen(950 + i)
        q = randn(g, b, tq, d).requires_grad_()
        k = randn(g, b, tk, d).requires_grad_()
        v = randn(g, b, tk, dv).requires_grad_()
        # PyTorch 1.13's F._scaled_dot_product_attention (private in 1.13, and without a `scale`
        # argument: for another scale the queries are multiplied by scale·√d first, so that the
        # scores it computes, (Q/√d)·Kᵀ, are scale·Q·Kᵀ; autograd carries the factor back to Q)
        q_in = q if scale is None else q * (scale * math.sqrt(d))
        out, weights = F._scaled_dot_product_attention(q_in, k, v, None, 0.0, True, causal)
        (r,), loss = loss_against([out], g)
        loss.backward()
        options = {'causal': causal}
        if scale is not None:
            options['scale'] = scale
        cases.append({
            'name': f'scaledDotProductAttention B={b} Tq={tq} Tk={tk} d={d} dv={dv}, causal={causal}, scale={scale or "1/√d"}',
            'kind': 'scaledDotProductAttention', 'options': options,
            'q': T(q), 'k': T(k), 'v': T(v), 'R': T(r), 'output': T(out), 'weights': T(weights),
            'gradQ': T(q.grad), 'gradK': T(k.grad), 'gradV': T(v.grad),
        })
    return cases


# ------------------------------------------------------------------------------------------------
# Losses: value and ∂L/∂pred
# ------------------------------------------------------------------------------------------------

def loss_case(name, kind, options, pred, target, fn, rows=False):
    """fn(pred, target) is PyTorch's loss; `rows`: pred [N,T,C] given to minidl as rows [N·T,C]."""
    pred = pred.clone().requires_grad_()
    loss = fn(pred, target)
    loss.backward()
    case = {'name': name, 'kind': kind, 'options': options, 'pred': T(pred), 'loss': loss.item(), 'gradPred': T(pred.grad)}
    case['target'] = T(target.to(torch.float64))
    if rows:
        case['asRows'] = True
    return case


def loss_cases():
    cases = []
    g = gen(1000)
    p34, t34 = randn(g, 3, 4), randn(g, 3, 4)
    t34[0, 1] = p34[0, 1]  # an exact zero error
    for red in ['mean', 'sum']:
        cases.append(loss_case(f'MSELoss reduction={red}', 'MSELoss', {'reduction': red}, p34, t34,
                               lambda p, t, red=red: F.mse_loss(p, t, reduction=red)))
        cases.append(loss_case(f'L1Loss reduction={red} (an exact zero error)', 'L1Loss', {'reduction': red}, p34, t34,
                               lambda p, t, red=red: F.l1_loss(p, t, reduction=red)))
    cases.append(loss_case('MAELoss reduction=mean (PyTorch\'s L1Loss)', 'MAELoss', {}, p34, t34, lambda p, t: F.l1_loss(p, t)))

    # BCELoss: probabilities, soft targets; the clamp of each log at −100 and the floor of p(1 − p)
    probs = rand(g, 3, 4, low=0.02, high=0.98)
    soft = rand(g, 3, 4)
    soft[0, :2] = torch.tensor([0.0, 1.0])
    for red in ['mean', 'sum']:
        cases.append(loss_case(f'BCELoss reduction={red}', 'BCELoss', {'reduction': red}, probs, soft,
                               lambda p, t, red=red: F.binary_cross_entropy(p, t, reduction=red)))
    edge_p = torch.tensor([[0.0, 1.0, 0.0, 1.0, 1e-10, 1 - 1e-10, 1e-300, 0.5]])
    edge_t = torch.tensor([[1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.25, 0.5]])
    cases.append(loss_case('BCELoss reduction=sum at p = 0, 1 and next to them (clamped logs, floored p(1 − p))', 'BCELoss',
                           {'reduction': 'sum'}, edge_p, edge_t, lambda p, t: F.binary_cross_entropy(p, t, reduction='sum')))
    tiny_p = torch.tensor([[1e-10, 1e-6, 2e-3, 1 - 2e-3]])
    tiny_t = torch.tensor([[0.0, 0.0, 0.0, 1.0]])
    cases.append(loss_case('BCELoss reduction=sum, small losses (log(1 − p) for p near 0)', 'BCELoss',
                           {'reduction': 'sum'}, tiny_p, tiny_t, lambda p, t: F.binary_cross_entropy(p, t, reduction='sum')))

    logits = randn(g, 3, 4, scale=3)
    logits[0, :4] = torch.tensor([40.0, -40.0, 0.0, -745.0])
    soft2 = rand(g, 3, 4)
    soft2[1, 0] = 1.5  # outside [0, 1]: PyTorch takes it
    for red in ['mean', 'sum']:
        cases.append(loss_case(f'BCEWithLogitsLoss reduction={red} (large logits, a target of 1.5)', 'BCEWithLogitsLoss',
                               {'reduction': red}, logits, soft2,
                               lambda p, t, red=red: F.binary_cross_entropy_with_logits(p, t, reduction=red)))

    # CrossEntropyLoss and NLLLoss
    n, c = 6, 4
    x = randn(g, n, c, scale=2)
    idx = torch.tensor([0, 3, 1, 1, 2, 3])
    idx_ign = torch.tensor([0, 2, 1, 2, 3, 2])  # class 2 ignored where asked
    idx_m100 = torch.tensor([0, -100, 1, 3, -100, 2])
    w = torch.tensor([0.5, 2.0, 1.0, 0.25])
    probs_t = torch.softmax(randn(g, n, c), dim=1)
    probs_t[0] = torch.tensor([0.0, 1.0, 0.0, 0.0])
    ce = [
        ('indices', {}, x, idx, {}),
        ('indices', {'reduction': 'sum'}, x, idx, {'reduction': 'sum'}),
        ('indices', {'weight': w.tolist()}, x, idx, {'weight': w}),
        ('indices', {'weight': w.tolist(), 'reduction': 'sum'}, x, idx, {'weight': w, 'reduction': 'sum'}),
        ('indices', {'ignoreIndex': 2}, x, idx_ign, {'ignore_index': 2}),
        ('indices', {'ignoreIndex': -100, 'weight': w.tolist()}, x, idx_m100, {'ignore_index': -100, 'weight': w}),
        ('indices', {'labelSmoothing': 0.1}, x, idx, {'label_smoothing': 0.1}),
        ('indices', {'labelSmoothing': 0.2, 'weight': w.tolist()}, x, idx, {'label_smoothing': 0.2, 'weight': w}),
        ('indices', {'labelSmoothing': 0.15, 'weight': w.tolist(), 'ignoreIndex': 2}, x, idx_ign,
         {'label_smoothing': 0.15, 'weight': w, 'ignore_index': 2}),
        ('indices', {'labelSmoothing': 0.3, 'ignoreIndex': 2, 'reduction': 'sum'}, x, idx_ign,
         {'label_smoothing': 0.3, 'ignore_index': 2, 'reduction': 'sum'}),
        ('indices', {'labelSmoothing': 1.0}, x, idx, {'label_smoothing': 1.0}),
        ('probabilities', {}, x, probs_t, {}),
        ('probabilities', {'weight': w.tolist()}, x, probs_t, {'weight': w}),
        ('probabilities', {'labelSmoothing': 0.1, 'weight': w.tolist()}, x, probs_t, {'label_smoothing': 0.1, 'weight': w}),
        ('probabilities', {'reduction': 'sum', 'labelSmoothing': 0.25}, x, probs_t, {'reduction': 'sum', 'label_smoothing': 0.25}),
    ]
    for target_kind, opts, pred, target, kw in ce:
        opt_text = ', '.join(f'{k}={v}' for k, v in opts.items()) or 'defaults'
        cases.append(loss_case(f'CrossEntropyLoss({opt_text}) [{n},{c}], {target_kind}', 'CrossEntropyLoss', opts, pred, target,
                               lambda p, t, kw=kw: F.cross_entropy(p, t, **kw)))
    # PyTorch's [N, C, d1, …] layout (classes on axis 1)
    xd = randn(g, 2, 3, 4, scale=2)
    td = torch.tensor([[0, 2, 1, 2], [1, 1, 0, 2]])
    cases.append(loss_case('CrossEntropyLoss(weight) [2,3,4] with targets [2,4] (classes on axis 1)', 'CrossEntropyLoss',
                           {'weight': [1.5, 0.5, 1.0]}, xd, td, lambda p, t: F.cross_entropy(p, t, weight=torch.tensor([1.5, 0.5, 1.0]))))
    xd2 = randn(g, 2, 3, 2, 3, scale=2)
    td2 = torch.tensor([[[0, 1, 2], [2, 2, 0]], [[1, 0, 1], [2, 1, 0]]])
    cases.append(loss_case('CrossEntropyLoss(labelSmoothing=0.1, reduction=sum) [2,3,2,3] with targets [2,2,3]', 'CrossEntropyLoss',
                           {'labelSmoothing': 0.1, 'reduction': 'sum'}, xd2, td2,
                           lambda p, t: F.cross_entropy(p, t, label_smoothing=0.1, reduction='sum')))
    # A sequence model's [N, T, C] (classes last): minidl takes rows [N·T, C] with targets [N·T];
    # PyTorch computes it on the permuted [N, C, T] with targets [N, T]
    xs = randn(g, 2, 5, 3, scale=2)
    ts = torch.tensor([[0, 2, 1, 1, 2], [2, 0, 0, 1, 2]])
    cases.append(loss_case('CrossEntropyLoss [N,T,C] = [2,5,3] per time step, as rows [10,3] with targets [10]', 'CrossEntropyLoss',
                           {}, xs, ts, lambda p, t: F.cross_entropy(p.permute(0, 2, 1), t), rows=True))
    cases.append(loss_case('CrossEntropyLoss(ignoreIndex=1, labelSmoothing=0.2) [N,T,C] = [2,5,3] per time step, as rows',
                           'CrossEntropyLoss', {'ignoreIndex': 1, 'labelSmoothing': 0.2}, xs, ts,
                           lambda p, t: F.cross_entropy(p.permute(0, 2, 1), t, ignore_index=1, label_smoothing=0.2), rows=True))

    logp = torch.log_softmax(x, dim=1)
    nll = [
        ({}, logp, idx, {}),
        ({'reduction': 'sum'}, logp, idx, {'reduction': 'sum'}),
        ({'weight': w.tolist()}, logp, idx, {'weight': w}),
        ({'ignoreIndex': 2, 'weight': w.tolist()}, logp, idx_ign, {'ignore_index': 2, 'weight': w}),
        ({'ignoreIndex': -100, 'reduction': 'sum'}, x, idx_m100, {'ignore_index': -100, 'reduction': 'sum'}),
    ]
    for opts, pred, target, kw in nll:
        opt_text = ', '.join(f'{k}={v}' for k, v in opts.items()) or 'defaults'
        cases.append(loss_case(f'NLLLoss({opt_text}) [{n},{c}]', 'NLLLoss', opts, pred, target,
                               lambda p, t, kw=kw: F.nll_loss(p, t, **kw)))
    cases.append(loss_case('NLLLoss(weight) [2,3,4] with targets [2,4] (classes on axis 1)', 'NLLLoss', {'weight': [1.5, 0.5, 1.0]},
                           torch.log_softmax(xd, dim=1), td, lambda p, t: F.nll_loss(p, t, weight=torch.tensor([1.5, 0.5, 1.0]))))

    # Huber and SmoothL1: errors inside, outside and exactly at δ (β), and zero
    hp = randn(g, 2, 6, scale=1.5)
    ht = torch.zeros(2, 6)
    hp[0, :5] = torch.tensor([0.5, -0.5, 1.0, -1.0, 0.0])
    hp[1, :2] = torch.tensor([2.0, -2.0])
    for opts, kw in [({}, {}), ({'delta': 0.5, 'reduction': 'sum'}, {'delta': 0.5, 'reduction': 'sum'}), ({'delta': 2.0}, {'delta': 2.0})]:
        opt_text = ', '.join(f'{k}={v}' for k, v in opts.items()) or 'defaults'
        cases.append(loss_case(f'HuberLoss({opt_text}), errors at ±δ and 0', 'HuberLoss', opts, hp, ht,
                               lambda p, t, kw=kw: F.huber_loss(p, t, **kw)))
    for opts, kw in [({}, {}), ({'beta': 0.5, 'reduction': 'sum'}, {'beta': 0.5, 'reduction': 'sum'}), ({'beta': 0.0}, {'beta': 0.0}),
                     ({'beta': 2.0}, {'beta': 2.0})]:
        opt_text = ', '.join(f'{k}={v}' for k, v in opts.items()) or 'defaults'
        cases.append(loss_case(f'SmoothL1Loss({opt_text}), errors at ±β and 0', 'SmoothL1Loss', opts, hp, ht,
                               lambda p, t, kw=kw: F.smooth_l1_loss(p, t, **kw)))

    # KLDivLoss: pred log-probabilities; target probabilities (zeros included) or log-probabilities
    kx = torch.log_softmax(randn(g, 3, 4), dim=1)
    kq = torch.softmax(randn(g, 3, 4), dim=1)
    kq[0] = torch.tensor([0.0, 0.5, 0.5, 0.0])
    for red in ['mean', 'batchmean', 'sum']:
        cases.append(loss_case(f'KLDivLoss(reduction={red}), target probabilities with zeros', 'KLDivLoss', {'reduction': red}, kx, kq,
                               lambda p, t, red=red: F.kl_div(p, t, reduction=red)))
    klog = torch.log_softmax(randn(g, 3, 4), dim=1)
    for red in ['batchmean', 'sum']:
        cases.append(loss_case(f'KLDivLoss(reduction={red}, logTarget)', 'KLDivLoss', {'reduction': red, 'logTarget': True}, kx, klog,
                               lambda p, t, red=red: F.kl_div(p, t, reduction=red, log_target=True)))
    return cases


# ------------------------------------------------------------------------------------------------
# Optimizers: the parameters after every step of fixed gradients
# ------------------------------------------------------------------------------------------------

def optimizer_problem():
    """Two parameters and seven steps of gradients with exact zeros: b's gradient is 0 at the first
    step, w's at the fourth; some entries are 0 at every step."""
    g = gen(1100)
    w0, b0 = randn(g, 2, 3), randn(g, 3)
    grads = []
    for step in range(7):
        gw, gb = randn(g, 2, 3), randn(g, 3)
        gw[0, 1] = 0.0
        gb[2] = 0.0
        if step == 0:
            gb.zero_()
        if step == 3:
            gw.zero_()
        if step == 5:
            gw[1] *= 20
        grads.append((gw, gb))
    return w0, b0, grads


def optimizer_cases():
    w0, b0, grads = optimizer_problem()
    configs = [
        ('SGD', {'lr': 0.1}, {'lr': 0.1}),
        ('SGD', {'lr': 0.1, 'momentum': 0.9}, {'lr': 0.1, 'momentum': 0.9}),
        ('SGD', {'lr': 0.05, 'momentum': 0.9, 'dampening': 0.5}, {'lr': 0.05, 'momentum': 0.9, 'dampening': 0.5}),
        ('SGD', {'lr': 0.1, 'momentum': 0.8, 'nesterov': True}, {'lr': 0.1, 'momentum': 0.8, 'nesterov': True}),
        ('SGD', {'lr': 0.1, 'weightDecay': 0.01}, {'lr': 0.1, 'weight_decay': 0.01}),
        ('SGD', {'lr': 0.07, 'momentum': 0.6, 'dampening': 0.1, 'weightDecay': 0.05},
         {'lr': 0.07, 'momentum': 0.6, 'dampening': 0.1, 'weight_decay': 0.05}),
        ('SGD', {'lr': 0.2, 'momentum': 0.95, 'nesterov': True, 'weightDecay': 0.1},
         {'lr': 0.2, 'momentum': 0.95, 'nesterov': True, 'weight_decay': 0.1}),
        ('Adam', {'lr': 0.05}, {'lr': 0.05}),
        ('Adam', {'lr': 0.05, 'amsgrad': True}, {'lr': 0.05, 'amsgrad': True}),
        ('Adam', {'lr': 0.02, 'weightDecay': 0.1}, {'lr': 0.02, 'weight_decay': 0.1}),
        ('Adam', {'lr': 0.03, 'betas': [0.8, 0.99], 'eps': 1e-6, 'amsgrad': True, 'weightDecay': 0.01},
         {'lr': 0.03, 'betas': (0.8, 0.99), 'eps': 1e-6, 'amsgrad': True, 'weight_decay': 0.01}),
        ('AdamW', {'lr': 0.05}, {'lr': 0.05}),
        ('AdamW', {'lr': 0.05, 'amsgrad': True}, {'lr': 0.05, 'amsgrad': True}),
        ('AdamW', {'lr': 0.04, 'weightDecay': 0.1, 'betas': [0.85, 0.95]}, {'lr': 0.04, 'weight_decay': 0.1, 'betas': (0.85, 0.95)}),
        ('AdamW', {'lr': 0.05, 'weightDecay': 0.0, 'eps': 1e-4}, {'lr': 0.05, 'weight_decay': 0.0, 'eps': 1e-4}),
        ('RMSprop', {'lr': 0.01}, {'lr': 0.01}),
        ('RMSprop', {'lr': 0.01, 'alpha': 0.9, 'eps': 1e-6}, {'lr': 0.01, 'alpha': 0.9, 'eps': 1e-6}),
        ('RMSprop', {'lr': 0.01, 'centered': True}, {'lr': 0.01, 'centered': True}),
        ('RMSprop', {'lr': 0.01, 'momentum': 0.9}, {'lr': 0.01, 'momentum': 0.9}),
        ('RMSprop', {'lr': 0.01, 'weightDecay': 0.1}, {'lr': 0.01, 'weight_decay': 0.1}),
        ('RMSprop', {'lr': 0.02, 'alpha': 0.95, 'centered': True, 'momentum': 0.5, 'weightDecay': 0.05},
         {'lr': 0.02, 'alpha': 0.95, 'centered': True, 'momentum': 0.5, 'weight_decay': 0.05}),
        ('RMSprop', {'lr': 0.01, 'alpha': 0.3, 'centered': True}, {'lr': 0.01, 'alpha': 0.3, 'centered': True}),
        ('Adagrad', {'lr': 0.1}, {'lr': 0.1}),
        ('Adagrad', {'lr': 0.1, 'lrDecay': 0.1}, {'lr': 0.1, 'lr_decay': 0.1}),
        ('Adagrad', {'lr': 0.1, 'initialAccumulatorValue': 0.5}, {'lr': 0.1, 'initial_accumulator_value': 0.5}),
        ('Adagrad', {'lr': 0.1, 'weightDecay': 0.1}, {'lr': 0.1, 'weight_decay': 0.1}),
        ('Adagrad', {'lr': 0.05, 'eps': 1e-6, 'lrDecay': 0.05, 'initialAccumulatorValue': 0.1, 'weightDecay': 0.01},
         {'lr': 0.05, 'eps': 1e-6, 'lr_decay': 0.05, 'initial_accumulator_value': 0.1, 'weight_decay': 0.01}),
    ]
    classes = {'SGD': torch.optim.SGD, 'Adam': torch.optim.Adam, 'AdamW': torch.optim.AdamW,
               'RMSprop': torch.optim.RMSprop, 'Adagrad': torch.optim.Adagrad}
    cases = []
    for kind, opts, kw in configs:
        w = w0.clone().requires_grad_()
        b = b0.clone().requires_grad_()
        opt = classes[kind]([w, b], **kw)
        after = []
        for gw, gb in grads:
            w.grad = gw.clone()
            b.grad = gb.clone()
            opt.step()
            after.append([T(w), T(b)])
        opt_text = ', '.join(f'{k}={v}' for k, v in opts.items())
        cases.append({
            'name': f'{kind}({opt_text}), {len(grads)} steps', 'kind': kind, 'options': opts,
            'start': [T(w0), T(b0)], 'grads': [[T(gw), T(gb)] for gw, gb in grads], 'after': after,
        })
    return cases


# ------------------------------------------------------------------------------------------------
# Schedulers: the rate (and momentum) after every step
# ------------------------------------------------------------------------------------------------

def scheduler_cases():
    S = torch.optim.lr_scheduler
    cases = []

    def run(name, kind, options, make_scheduler, steps, optimizer='SGD', opt_options=None, metrics=None):
        p = torch.zeros(2, requires_grad=True)
        opt_options = opt_options or {'lr': 0.1, 'momentum': 0.9}
        if optimizer == 'SGD':
            opt = torch.optim.SGD([p], **opt_options)
        else:
            opt = torch.optim.Adam([p], **{('betas' if k == 'betas' else k): (tuple(v) if k == 'betas' else v) for k, v in opt_options.items()})
        sched = make_scheduler(opt)

        def momentum():
            group = opt.param_groups[0]
            return group['betas'][0] if 'betas' in group else group['momentum']

        lrs, moms, plateau = [opt.param_groups[0]['lr']], [momentum()], []
        for s in range(steps):
            opt.step()  # no gradient: nothing moves; PyTorch wants optimizer.step() before scheduler.step()
            if metrics is not None:
                sched.step(metrics[s])
                plateau.append({'best': sched.best, 'numBadEpochs': sched.num_bad_epochs, 'cooldownCounter': sched.cooldown_counter})
            else:
                sched.step()
            lrs.append(opt.param_groups[0]['lr'])
            moms.append(momentum())
        case = {'name': name, 'kind': kind, 'options': options, 'optimizer': optimizer, 'optimizerOptions': opt_options,
                'steps': steps, 'lrs': lrs}
        if kind == 'OneCycleLR':
            case['momenta'] = moms
        if metrics is not None:
            case['metrics'] = metrics
            case['plateau'] = plateau
        cases.append(case)

    run('StepLR(stepSize=3, gamma=0.5)', 'StepLR', {'stepSize': 3, 'gamma': 0.5}, lambda o: S.StepLR(o, 3, gamma=0.5), 12)
    run('StepLR(stepSize=2), gamma 0.1 by default', 'StepLR', {'stepSize': 2}, lambda o: S.StepLR(o, 2), 9)
    run('MultiStepLR(milestones=[2, 5, 6], gamma=0.3)', 'MultiStepLR', {'milestones': [2, 5, 6], 'gamma': 0.3},
        lambda o: S.MultiStepLR(o, [2, 5, 6], gamma=0.3), 10)
    run('ExponentialLR(gamma=0.9)', 'ExponentialLR', {'gamma': 0.9}, lambda o: S.ExponentialLR(o, 0.9), 15)
    run('CosineAnnealingLR(tMax=5, etaMin=0.01), past tMax twice', 'CosineAnnealingLR', {'tMax': 5, 'etaMin': 0.01},
        lambda o: S.CosineAnnealingLR(o, 5, eta_min=0.01), 23)
    run('CosineAnnealingLR(tMax=10)', 'CosineAnnealingLR', {'tMax': 10}, lambda o: S.CosineAnnealingLR(o, 10), 25)
    run('LinearLR() defaults: 1/3 → 1 over 5', 'LinearLR', {}, lambda o: S.LinearLR(o), 8)
    run('LinearLR(startFactor=1, endFactor=0.2, totalIters=4)', 'LinearLR', {'startFactor': 1.0, 'endFactor': 0.2, 'totalIters': 4},
        lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.2, total_iters=4), 7)
    run('LinearLR(startFactor=0.1, endFactor=0, totalIters=3)', 'LinearLR', {'startFactor': 0.1, 'endFactor': 0.0, 'totalIters': 3},
        lambda o: S.LinearLR(o, start_factor=0.1, end_factor=0.0, total_iters=3), 5)

    one_cycle = [
        ('cos, SGD momentum', {'maxLr': 0.5, 'totalSteps': 20}, dict(max_lr=0.5, total_steps=20), 'SGD', None),
        ('linear, SGD momentum', {'maxLr': 0.5, 'totalSteps': 20, 'annealStrategy': 'linear'},
         dict(max_lr=0.5, total_steps=20, anneal_strategy='linear'), 'SGD', None),
        ('cos, threePhase, SGD momentum', {'maxLr': 0.4, 'totalSteps': 25, 'threePhase': True},
         dict(max_lr=0.4, total_steps=25, three_phase=True), 'SGD', None),
        ('linear, threePhase, Adam betas[0]', {'maxLr': 0.01, 'totalSteps': 17, 'threePhase': True, 'annealStrategy': 'linear'},
         dict(max_lr=0.01, total_steps=17, three_phase=True, anneal_strategy='linear'), 'Adam', {'lr': 0.001, 'betas': [0.9, 0.999]}),
        ('cos, Adam betas[0], pctStart 0.25, divFactor 10, finalDivFactor 100, momenta 0.8–0.9',
         {'maxLr': 0.02, 'totalSteps': 16, 'pctStart': 0.25, 'divFactor': 10.0, 'finalDivFactor': 100.0, 'baseMomentum': 0.8, 'maxMomentum': 0.9},
         dict(max_lr=0.02, total_steps=16, pct_start=0.25, div_factor=10.0, final_div_factor=100.0, base_momentum=0.8, max_momentum=0.9),
         'Adam', {'lr': 0.001, 'betas': [0.9, 0.999]}),
        ('epochs 3 × stepsPerEpoch 4, cycleMomentum false', {'maxLr': 1.0, 'epochs': 3, 'stepsPerEpoch': 4, 'cycleMomentum': False},
         dict(max_lr=1.0, epochs=3, steps_per_epoch=4, cycle_momentum=False), 'SGD', {'lr': 0.1}),
    ]
    for label, options, kw, optimizer, opt_options in one_cycle:
        total = kw.get('total_steps') or kw['epochs'] * kw['steps_per_epoch']
        run(f'OneCycleLR {label}', 'OneCycleLR', options, lambda o, kw=kw: S.OneCycleLR(o, **kw), total,
            optimizer=optimizer, opt_options=opt_options)

    plateau = [
        ('mode min, rel, patience 2, factor 0.5', {'patience': 2, 'factor': 0.5}, dict(patience=2, factor=0.5),
         [1.0, 0.9, 0.95, 0.95, 0.94, 0.9, 0.91, 0.92, 0.93, 0.5, 0.6, 0.7, 0.8, 0.49995, 0.4999]),
        ('mode max, abs threshold 0.05, patience 1, cooldown 2', {'mode': 'max', 'thresholdMode': 'abs', 'threshold': 0.05, 'patience': 1, 'cooldown': 2},
         dict(mode='max', threshold_mode='abs', threshold=0.05, patience=1, cooldown=2),
         [0.1, 0.12, 0.2, 0.22, 0.24, 0.26, 0.3, 0.36, 0.37, 0.38, 0.39, 0.4, 0.41, 0.5]),
        ('mode min, abs, minLr 0.002, factor 0.1, patience 0', {'thresholdMode': 'abs', 'threshold': 0.01, 'minLr': 0.002, 'factor': 0.1, 'patience': 0},
         dict(threshold_mode='abs', threshold=0.01, min_lr=0.002, factor=0.1, patience=0),
         [3.0, 2.995, 2.5, 2.5, 2.6, 2.7, 2.49, 2.48]),
        ('mode max, rel threshold 0.1, eps 0.02 (small falls skipped), cooldown 1', {'mode': 'max', 'threshold': 0.1, 'eps': 0.02, 'factor': 0.5, 'patience': 1, 'cooldown': 1},
         dict(mode='max', threshold=0.1, eps=0.02, factor=0.5, patience=1, cooldown=1),
         [1.0, 1.05, 1.09, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2]),
    ]
    for label, options, kw, metrics in plateau:
        run(f'ReduceLROnPlateau {label}', 'ReduceLROnPlateau', options, lambda o, kw=kw: S.ReduceLROnPlateau(o, **kw), len(metrics),
            metrics=metrics)
    return cases


# ------------------------------------------------------------------------------------------------
# Gradient clipping
# ------------------------------------------------------------------------------------------------

def clip_cases():
    g = gen(1200)
    grads = [randn(g, 2, 3), randn(g, 4, scale=3), randn(g, 1)]
    grads[1][2] = 0.0
    cases = []
    configs = [
        ('clipGradNorm', 1.0, 2.0), ('clipGradNorm', 100.0, 2.0), ('clipGradNorm', 2.0, 1.0),
        ('clipGradNorm', 0.5, math.inf), ('clipGradNorm', 1.5, 3.0), ('clipGradNorm', 0.7, 0.5),
        ('clipGradNorm', 0.0, 2.0), ('clipGradValue', 0.5, None), ('clipGradValue', 10.0, None),
    ]
    for kind, limit, norm_type in configs:
        params = [torch.zeros_like(t, requires_grad=True) for t in grads]
        for p, t in zip(params, grads):
            p.grad = t.clone()
        if kind == 'clipGradNorm':
            total = torch.nn.utils.clip_grad_norm_(params, limit, norm_type=norm_type).item()
            name = f'clipGradNorm(maxNorm={limit}, normType={norm_type})'
        else:
            torch.nn.utils.clip_grad_value_(params, limit)
            total = None
            name = f'clipGradValue(clipValue={limit})'
        case = {'name': name, 'kind': kind, 'limit': limit, 'grads': [T(t) for t in grads], 'after': [T(p.grad) for p in params]}
        if kind == 'clipGradNorm':
            case['normType'] = 'Infinity' if norm_type == math.inf else norm_type
            case['totalNorm'] = total
        cases.append(case)
    return cases


def main():
    if not torch.__version__.startswith('1.13'):
        print(f'warning: torch {torch.__version__}; the committed fixtures were made with 1.13', file=sys.stderr)
    write('layers', linear_cases() + conv2d_cases() + pooling_cases() + batch_norm_cases() + layer_norm_cases()
          + embedding_cases() + activation_cases())
    write('recurrent', recurrent_cases())
    write('attention', attention_cases())
    write('losses', loss_cases())
    write('optimizers', optimizer_cases())
    write('schedulers', scheduler_cases())
    write('clip-grad', clip_cases())


if __name__ == '__main__':
    main()
