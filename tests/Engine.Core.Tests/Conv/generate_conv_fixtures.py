#!/usr/bin/python3
"""Writes PyTorch reference results for convolution, pooling and normalisation.

Run with Debian's python3-torch (1.13):  /usr/bin/python3 generate_conv_fixtures.py
Output (next to the tests): fixtures/conv/conv.json (cases: op, options, tensor shapes and
offsets) and fixtures/conv/conv.bin (all tensors as little-endian float32, one after another).
Inputs are drawn as float32 so both sides start from exactly the same values; the references
are computed in float64 and rounded to float32 once.
"""
import json
import os
import struct

import torch
import torch.nn.functional as F

torch.manual_seed(20240503)
here = os.path.dirname(os.path.abspath(__file__))
out_dir = os.path.join(here, "..", "fixtures", "conv")
os.makedirs(out_dir, exist_ok=True)

blob = bytearray()
cases = []


def rand(*shape):
    return torch.randn(*shape, dtype=torch.float32).double()


def put(t):
    t = t.detach().to(torch.float32).contiguous().reshape(-1)
    off = len(blob) // 4
    blob.extend(struct.pack("<%df" % t.numel(), *t.tolist()))
    return off


def add_case(name, op, options, tensors):
    entry = {"name": name, "op": op, "options": options, "tensors": {}}
    for key, t in tensors.items():
        entry["tensors"][key] = {"offset": put(t), "shape": list(t.shape)}
    cases.append(entry)


def grads(y, inputs):
    gy = rand(*y.shape)
    need = [t for t in inputs if t is not None and t.requires_grad]
    gs = torch.autograd.grad(y, need, gy)
    return gy, gs


def conv_case(name, dims, xs, ws, bias, stride, padding, dilation, groups):
    x = rand(*xs).requires_grad_()
    w = rand(*ws).requires_grad_()
    b = rand(ws[0]).requires_grad_() if bias else None
    fn = F.conv2d if dims == 2 else F.conv1d
    y = fn(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    gy, gs = grads(y, [x, w, b])
    t = {"x": x, "w": w, "y": y, "gy": gy, "dx": gs[0], "dw": gs[1]}
    if bias:
        t["b"] = b
        t["db"] = gs[2]
    as_list = lambda v: list(v) if isinstance(v, tuple) else v
    add_case(name, "conv%dd" % dims,
             {"stride": as_list(stride), "padding": as_list(padding), "dilation": as_list(dilation), "groups": groups}, t)


conv_case("conv2d_basic", 2, (2, 3, 7, 6), (4, 3, 3, 3), True, 1, 1, 1, 1)
conv_case("conv2d_stride_dilation", 2, (2, 4, 9, 8), (6, 4, 3, 2), False, (2, 1), (1, 2), (2, 1), 1)
conv_case("conv2d_groups", 2, (2, 4, 6, 6), (6, 2, 3, 3), True, (2, 1), 0, 1, 2)
conv_case("conv2d_depthwise_mult2", 2, (2, 3, 8, 7), (6, 1, 3, 3), True, 1, 1, 1, 3)
conv_case("conv2d_depthwise_stride_dil", 2, (1, 4, 9, 9), (4, 1, 3, 3), False, 2, 2, 2, 4)
conv_case("conv2d_same_even", 2, (2, 2, 5, 6), (3, 2, 4, 2), True, 1, "same", (1, 2), 1)
conv_case("conv2d_pointwise", 2, (2, 5, 4, 3), (7, 5, 1, 1), True, 1, 0, 1, 1)
conv_case("conv2d_1x1_stride2", 2, (2, 3, 5, 5), (4, 3, 1, 1), False, 2, 0, 1, 1)
conv_case("conv2d_valid", 2, (1, 2, 6, 5), (3, 2, 2, 3), True, 1, "valid", 1, 1)
conv_case("conv1d_basic", 1, (2, 3, 10), (5, 3, 3), True, 2, 1, 2, 1)
conv_case("conv1d_same_groups", 1, (2, 3, 9), (6, 1, 4), True, 1, "same", 1, 3)


def pool_case(name, op, xs, options, fn):
    x = rand(*xs).requires_grad_()
    res = fn(x)
    if isinstance(res, tuple):
        y, idx = res
    else:
        y, idx = res, None
    gy, (dx,) = grads(y, [x])
    t = {"x": x, "y": y, "gy": gy, "dx": dx}
    if idx is not None:
        t["indices"] = idx.double()
    add_case(name, op, options, t)


pool_case("max_pool2d_basic", "max_pool2d", (2, 3, 7, 8),
          {"kernel": [3, 3], "stride": [2, 2], "padding": [1, 1], "dilation": [1, 1], "ceil_mode": False},
          lambda x: F.max_pool2d(x, 3, 2, 1, return_indices=True))
pool_case("max_pool2d_dil_ceil", "max_pool2d", (2, 2, 9, 8),
          {"kernel": [2, 3], "stride": [2, 2], "padding": [1, 1], "dilation": [2, 2], "ceil_mode": True},
          lambda x: F.max_pool2d(x, (2, 3), (2, 2), (1, 1), (2, 2), ceil_mode=True, return_indices=True))
pool_case("max_pool1d_ceil", "max_pool1d", (2, 3, 11),
          {"kernel": [1, 3], "stride": [1, 2], "padding": [0, 1], "dilation": [1, 1], "ceil_mode": True},
          lambda x: F.max_pool1d(x, 3, 2, 1, ceil_mode=True, return_indices=True))
pool_case("avg_pool2d_pad", "avg_pool2d", (2, 3, 7, 8),
          {"kernel": [3, 3], "stride": [2, 2], "padding": [1, 1], "ceil_mode": False, "count_include_pad": True, "divisor": 0},
          lambda x: F.avg_pool2d(x, 3, 2, 1))
pool_case("avg_pool2d_ceil_nopad", "avg_pool2d", (2, 2, 8, 7),
          {"kernel": [3, 2], "stride": [2, 3], "padding": [1, 1], "ceil_mode": True, "count_include_pad": False, "divisor": 0},
          lambda x: F.avg_pool2d(x, (3, 2), (2, 3), (1, 1), ceil_mode=True, count_include_pad=False))
pool_case("avg_pool2d_divisor", "avg_pool2d", (1, 2, 6, 6),
          {"kernel": [2, 2], "stride": [2, 2], "padding": [0, 0], "ceil_mode": False, "count_include_pad": True, "divisor": 5},
          lambda x: F.avg_pool2d(x, 2, divisor_override=5))
pool_case("avg_pool1d", "avg_pool1d", (2, 3, 10),
          {"kernel": [1, 4], "stride": [1, 3], "padding": [0, 2], "ceil_mode": True, "count_include_pad": True, "divisor": 0},
          lambda x: F.avg_pool1d(x, 4, 3, 2, ceil_mode=True))
pool_case("adaptive_avg_pool2d", "adaptive_avg_pool2d", (2, 3, 7, 9), {"output": [3, 4]},
          lambda x: F.adaptive_avg_pool2d(x, (3, 4)))
pool_case("adaptive_avg_pool2d_up", "adaptive_avg_pool2d", (1, 2, 3, 5), {"output": [5, 7]},
          lambda x: F.adaptive_avg_pool2d(x, (5, 7)))
pool_case("global_avg_pool2d", "adaptive_avg_pool2d", (2, 3, 5, 6), {"output": [1, 1]},
          lambda x: F.adaptive_avg_pool2d(x, 1))
pool_case("adaptive_avg_pool1d", "adaptive_avg_pool1d", (2, 3, 10), {"output": [1, 4]},
          lambda x: F.adaptive_avg_pool1d(x, 4))


def batch_norm_case(name, xs, affine, training, momentum):
    c = xs[1]
    x = rand(*xs).requires_grad_()
    w = rand(c).requires_grad_() if affine else None
    b = rand(c).requires_grad_() if affine else None
    rm0 = rand(c)
    rv0 = rand(c).abs() + 0.5
    rm, rv = rm0.clone(), rv0.clone()
    y = F.batch_norm(x, rm, rv, w, b, training=training, momentum=momentum, eps=1e-5)
    gy, gs = grads(y, [x, w, b])
    t = {"x": x, "running_mean": rm0, "running_var": rv0, "y": y, "new_running_mean": rm, "new_running_var": rv, "gy": gy, "dx": gs[0]}
    if affine:
        t.update({"w": w, "b": b, "dw": gs[1], "db": gs[2]})
    add_case(name, "batch_norm", {"training": training, "momentum": momentum, "eps": 1e-5}, t)


batch_norm_case("batch_norm_train", (4, 3, 5, 2), True, True, 0.2)
batch_norm_case("batch_norm_eval", (3, 3, 4), True, False, 0.1)
batch_norm_case("batch_norm_train_2d_noaffine", (6, 4), False, True, 0.1)


def layer_norm_case(name, xs, normalized, affine):
    x = rand(*xs).requires_grad_()
    w = rand(*normalized).requires_grad_() if affine else None
    b = rand(*normalized).requires_grad_() if affine else None
    y = F.layer_norm(x, normalized, w, b, 1e-5)
    gy, gs = grads(y, [x, w, b])
    t = {"x": x, "y": y, "gy": gy, "dx": gs[0]}
    if affine:
        t.update({"w": w, "b": b, "dw": gs[1], "db": gs[2]})
    add_case(name, "layer_norm", {"normalized_shape": list(normalized), "eps": 1e-5}, t)


layer_norm_case("layer_norm_2dims", (3, 4, 5), (4, 5), True)
layer_norm_case("layer_norm_last_noaffine", (2, 3, 7), (7,), False)


def group_norm_case(name, xs, groups, affine):
    c = xs[1]
    x = rand(*xs).requires_grad_()
    w = rand(c).requires_grad_() if affine else None
    b = rand(c).requires_grad_() if affine else None
    y = F.group_norm(x, groups, w, b, 1e-5)
    gy, gs = grads(y, [x, w, b])
    t = {"x": x, "y": y, "gy": gy, "dx": gs[0]}
    if affine:
        t.update({"w": w, "b": b, "dw": gs[1], "db": gs[2]})
    add_case(name, "group_norm", {"groups": groups, "eps": 1e-5}, t)


group_norm_case("group_norm_affine", (2, 6, 3, 4), 3, True)
group_norm_case("group_norm_instance", (2, 4, 5), 4, False)
group_norm_case("group_norm_one_group", (3, 4, 2, 2), 1, True)

tmp_json = os.path.join(out_dir, "conv.json.tmp")
tmp_bin = os.path.join(out_dir, "conv.bin.tmp")
with open(tmp_bin, "wb") as f:
    f.write(blob)
with open(tmp_json, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)
os.replace(tmp_bin, os.path.join(out_dir, "conv.bin"))
os.replace(tmp_json, os.path.join(out_dir, "conv.json"))
print("wrote %d cases, %d floats" % (len(cases), len(blob) // 4))
